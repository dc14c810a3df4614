/**
 * Runs the emulator standalone with a seeded demo tenant (for `npm start` / manual tries):
 *   npx tsx dev/emulator/cli.ts
 * Prints one JSON line (URLs, tenant, client id and secret, CA file) and serves until SIGINT/SIGTERM.
 *
 * Environment (all optional): EMULATOR_GRAPH_PORT, EMULATOR_LOGIN_PORT, EMULATOR_MANAGED_IDENTITY_PORT,
 * EMULATOR_TENANT_ID, EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, EMULATOR_CA_DIR (default ./.demo),
 * EMULATOR_GRAPH_LATENCY_MS, EMULATOR_TOKEN_LATENCY_MS.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startEmulator } from './index';

function intFromEnv(name: string): number | undefined {
	const value = process.env[name];
	if (value === undefined || value === '') return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0 || n > 65535)
		throw new Error(`${name} must be a port number or 0, got '${value}'`);
	return n;
}

async function main(): Promise<void> {
	const emulator = await startEmulator({
		tenantId: process.env.EMULATOR_TENANT_ID || undefined,
		ports: {
			graph: intFromEnv('EMULATOR_GRAPH_PORT'),
			login: intFromEnv('EMULATOR_LOGIN_PORT'),
			managedIdentity: intFromEnv('EMULATOR_MANAGED_IDENTITY_PORT'),
		},
		latencyMs: {
			graph: intFromEnv('EMULATOR_GRAPH_LATENCY_MS'),
			token: intFromEnv('EMULATOR_TOKEN_LATENCY_MS'),
		},
	});

	const app = emulator.addApplication({ displayName: 'Contoso HR SCIM App' });
	const servicePrincipal = emulator.addServicePrincipal({
		displayName: 'Contoso HR SCIM App',
		appId: app.appId,
	});
	const clientSecret =
		process.env.EMULATOR_CLIENT_SECRET || `demo~${randomBytes(18).toString('base64url')}`;
	const client = emulator.registerClientApp({
		clientId: process.env.EMULATOR_CLIENT_ID || undefined,
		displayName: 'n8n provisioning (demo)',
		secret: clientSecret,
		applicationPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
		delegatedPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
	});
	const user = emulator.registerUser({
		upn: 'admin@contoso.onmicrosoft.com',
		displayName: 'Demo Admin',
		directoryRoles: ['Application Administrator'],
	});
	const managedIdentity = emulator.setManagedIdentity({
		applicationPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
	});
	const caPath = emulator.writeCaFile(resolve(process.env.EMULATOR_CA_DIR || '.demo'));

	process.stdout.write(
		`${JSON.stringify({
			graphUrl: emulator.graphUrl,
			authorityUrl: emulator.authorityUrl,
			tenantId: emulator.tenantId,
			clientId: client.clientId,
			clientSecret,
			caPath,
			managedIdentityEndpoint: emulator.managedIdentityEndpoint,
			managedIdentityHeader: emulator.managedIdentityHeader,
			managedIdentityClientId: managedIdentity.clientId,
			federatedIssuer: emulator.federatedIssuer,
			user: user.upn,
			application: app,
			servicePrincipal,
		})}\n`,
	);

	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	process.stderr.write(
		`emulator failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
	);
	process.exit(1);
});

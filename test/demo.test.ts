/**
 * What `npm start` imports into its n8n (dev/demo.ts, dev/n8n/demo-imports.ts): a node added in the editor gets a
 * credential that works against the emulator, a second start keeps what was changed in the editor, and `--reset`
 * brings the examples and credentials back.
 */
import { startEmulator } from '../dev/emulator';
import { demoImport, demoImportHash, stampedForNewNodes } from '../dev/n8n/demo-imports';
import {
	appOnlyCredential,
	CREDENTIALS,
	DEMO_TARGET,
	emulatorTenant,
	exampleWorkflows,
	oAuth2Credential,
	seedDemoTenant,
	withTargetPicked,
	type DemoTenantSeed,
	type ImportedCredential,
} from '../dev/n8n/demo-tenant';
import { MicrosoftEntraProvisioning } from '../nodes/MicrosoftEntraProvisioning/MicrosoftEntraProvisioning.node';

type Saved = ImportedCredential & { updatedAt?: string };

/**
 * The credential n8n 2.41's editor gives a node added to a workflow (`useCanvasOperations`): of the credentials of
 * every type the node's Authentication options name, the one saved last; of two saved in the same instant, the later
 * in n8n's list. A credential imported without `updatedAt` is saved at the import's time.
 */
function credentialForNewNode(saved: Saved[], importedAt: string): string {
	const types = (new MicrosoftEntraProvisioning().description.credentials ?? []).map(
		(credential) => credential.name,
	);
	const candidates = saved
		.filter((credential) => types.includes(credential.type))
		.map((credential) => ({ ...credential, updatedAt: credential.updatedAt ?? importedAt }));
	return candidates.reduce((newest, next) => (newest.updatedAt > next.updatedAt ? newest : next))
		.id;
}

const SIGN_IN = { clientId: '5b3a3c1e-7d4f-4a55-9a1c-0f6e2d8b9c10', clientSecret: 'demo~secret' };
const TENANT = {
	cloud: 'custom',
	tenantId: '0d9f5c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6',
	graphUrl: 'https://127.0.0.1:1',
	authorityUrl: 'https://localhost:2',
} as const;
const DEMO_CREDENTIALS = [appOnlyCredential(TENANT, SIGN_IN), oAuth2Credential(TENANT, SIGN_IN)];

describe('a node added in the demo’s editor', () => {
	it('gets the app-only credential, which works without Connect', () => {
		const now = new Date('2026-12-06T12:00:00Z');
		const imported = stampedForNewNodes(DEMO_CREDENTIALS, now);
		expect(imported.map(({ id }) => id).sort()).toEqual(
			[CREDENTIALS.appOnly.id, CREDENTIALS.oAuth2.id].sort(),
		);
		expect(credentialForNewNode(imported, now.toISOString())).toBe(CREDENTIALS.appOnly.id);
	});

	it('gets the app-only credential after a restart, though Connect saved the delegated one later', () => {
		const connectedAt = '2026-12-06T12:05:00.000Z';
		const beforeRestart: Saved[] = [
			{ ...DEMO_CREDENTIALS[0], updatedAt: '2026-12-06T12:00:00.000Z' },
			{ ...DEMO_CREDENTIALS[1], updatedAt: connectedAt },
		];
		// a start that keeps the editor's changes saves the app-only credential again
		const restartedAt = new Date('2026-12-06T13:00:00Z');
		expect(
			demoImport({ reset: false, importedHash: 'h', importHash: 'h', databaseExists: true }),
		).toBe('appOnlyCredential');
		const saved = stampedForNewNodes(DEMO_CREDENTIALS, restartedAt).filter(
			(credential) => credential.type === CREDENTIALS.appOnly.type,
		);
		const afterRestart = beforeRestart.map(
			(credential) => saved.find(({ id }) => id === credential.id) ?? credential,
		);
		expect(credentialForNewNode(afterRestart, restartedAt.toISOString())).toBe(
			CREDENTIALS.appOnly.id,
		);
	});
});

describe('what a start of the demo imports', () => {
	it('imports everything on the first run, and when the examples, the credentials or n8n changed', () => {
		expect(
			demoImport({ reset: false, importedHash: undefined, importHash: 'a', databaseExists: false }),
		).toBe('everything');
		expect(
			demoImport({ reset: false, importedHash: 'a', importHash: 'b', databaseExists: true }),
		).toBe('everything');
		expect(
			demoImport({ reset: false, importedHash: 'a', importHash: 'a', databaseExists: false }),
		).toBe('everything');
	});

	it('with --reset, imports the examples and credentials again though nothing changed', () => {
		expect(
			demoImport({ reset: true, importedHash: 'a', importHash: 'a', databaseExists: true }),
		).toBe('everything');
	});

	it('is the same on a second start against a new emulator, so the editor’s changes are kept', async () => {
		const imports = async (earlier?: DemoTenantSeed, ports?: Record<string, number>) => {
			const emulator = await startEmulator({ tenantId: TENANT.tenantId, ports });
			try {
				const seed = seedDemoTenant(emulator, earlier);
				const tenant = emulatorTenant(emulator);
				const hash = demoImportHash({
					credentials: [appOnlyCredential(tenant, seed), oAuth2Credential(tenant, seed)],
					workflows: exampleWorkflows().map(({ workflow }) =>
						withTargetPicked(workflow, DEMO_TARGET, {
							id: seed.inboundJobId,
							displayName: 'API2AAD',
						}),
					),
					n8nVersion: '2.41.1',
				});
				const port = (url: string) => Number(new URL(url).port);
				return {
					seed,
					hash,
					ports: {
						graph: port(emulator.graphUrl),
						login: port(emulator.authorityUrl),
						managedIdentity: port(emulator.managedIdentityEndpoint),
					},
				};
			} finally {
				await emulator.close();
			}
		};
		const first = await imports();
		const second = await imports(first.seed, first.ports);
		expect(second.seed).toEqual(first.seed);
		expect(second.hash).toBe(first.hash);
	});
});

import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT, runCredentialTest, runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	acquireParameters,
	bearerTokens,
	graphCalls,
	startTenant,
	type TestTenant,
} from './support/tenant';

const SCIM_TOKEN = 'scim-token-Sign1nTests-77Kq';
const secrets = [
	{ key: 'BaseAddress', value: 'https://scim.contoso.example/scim' },
	{ key: 'SecretToken', value: SCIM_TOKEN },
];

let tenant: TestTenant;
const results: RunResult[] = [];
/** Credential material used in this file; none of it may appear anywhere. */
const secretValues: string[] = [];

/** The built package's sign-in module: the very instance the loaded credential uses. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const signIn = require(
	path.join(PACKAGE_ROOT, 'dist/lib/appOnlySignIn'),
) as typeof import('../lib/appOnlySignIn');

async function acquire(credential: ReturnType<TestTenant['appOnlyCredential']>, items?: object[]) {
	const result = await runNode({
		parameters: acquireParameters(
			{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
			secrets,
		),
		credential,
		items: items as never,
	});
	results.push(result);
	return result;
}

/** Requests to the login authority's token endpoint. */
function tokenRequests() {
	return tenant.emulator.requests.filter(
		(request) => request.listener === 'login' && request.path.endsWith('/oauth2/v2.0/token'),
	);
}

async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

beforeAll(async () => {
	tenant = await startTenant();
	secretValues.push(tenant.client.secret);
});

const tokensSeen = new Set<string>();

afterEach(() =>
	bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2])),
);

beforeEach(() => {
	signIn.clearAppOnlyTokenCache();
	tenant.emulator.clearRequests();
	tenant.emulator.resetStats();
	tenant.emulator.clearFaults();
	tenant.emulator.setTokenLifetime(3599);
});

afterAll(async () => {
	expect(tokensSeen.size).toBeGreaterThan(0);
	expectNoSecrets(results, {
		anywhere: [...secretValues, ...tokensSeen],
		inNodeOutput: [SCIM_TOKEN],
	});
	await tenant.emulator.close();
});

describe('client secret', () => {
	it('fetches one token for many items and executions, and reuses it', async () => {
		const credential = tenant.appOnlyCredential({}, 'shared-secret-credential');
		for (let execution = 0; execution < 3; execution++) {
			const result = await acquire(credential, [{}, {}, {}, {}]);
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(4);
		}
		expect(tenant.emulator.stats().byGrantType).toEqual({ client_credentials: 1 });
		expect(graphCalls(tenant.emulator)).toHaveLength(12);
		const token = tokenRequests()[0];
		expect(token.path).toBe(`/${tenant.emulator.tenantId}/oauth2/v2.0/token`);
		expect(token.body).toContain(encodeURIComponent(`${tenant.emulator.graphUrl}/.default`));
	});

	it('fetches once when many executions start cold at the same moment', async () => {
		const credential = tenant.appOnlyCredential({}, 'cold-start-credential');
		const runs = await Promise.all(Array.from({ length: 8 }, () => acquire(credential, [{}, {}])));
		expect(runs.every((run) => run.error === undefined && run.items.length === 2)).toBe(true);
		expect(tenant.emulator.stats().byGrantType).toEqual({ client_credentials: 1 });
	});

	it('refreshes the token before it expires, without a failed Graph call', async () => {
		// A lifetime just over the five-minute refresh margin: the token is good now and due for refresh 2 s later.
		tenant.emulator.setTokenLifetime(302);
		const credential = tenant.appOnlyCredential({}, 'refresh-credential');
		expect((await acquire(credential)).error).toBeUndefined();
		expect((await acquire(credential)).error).toBeUndefined();
		expect(tenant.emulator.stats().byGrantType.client_credentials).toBe(1);
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect((await acquire(credential)).error).toBeUndefined();
		expect(tenant.emulator.stats().byGrantType.client_credentials).toBe(2);
		expect(graphCalls(tenant.emulator).map((call) => call.status)).toEqual([204, 204, 204]);
	});

	it.each([
		[
			'a wrong secret',
			{ clientSecret: 'not-the-secret-1234' },
			/rejected the client secret/,
			/"Client Secret" field .* Value \(not its Secret ID\).*AADSTS7000215/s,
		],
		[
			'an unknown client ID',
			{ clientId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' },
			/does not know this Application \(Client\) ID/,
			/client ID \(not its object ID\).*AADSTS700016/s,
		],
		[
			'an unknown tenant',
			{ tenantId: 'fabrikam-missing.onmicrosoft.com' },
			/could not find the sign-in endpoints of the tenant/,
			/Directory \(Tenant\) ID.*Login Authority URL/s,
		],
	])(
		'%s: says which field to fix, and sends nothing to Graph',
		async (_case, overrides, message, description) => {
			const result = await acquire(tenant.appOnlyCredential(overrides));
			expect(result.items).toEqual([]);
			expect(result.error?.message).toMatch(message);
			expect(result.error?.description).toMatch(description);
			expect(graphCalls(tenant.emulator)).toHaveLength(0);
		},
	);

	it('an expired secret: asks for a new one', async () => {
		const expired = tenant.emulator.registerClientApp({
			secret: 'expired-secret-Zx81!kk',
			secretExpiresAt: new Date(Date.now() - 60_000),
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		secretValues.push('expired-secret-Zx81!kk');
		const result = await acquire(
			tenant.appOnlyCredential({
				clientId: expired.clientId,
				clientSecret: 'expired-secret-Zx81!kk',
			}),
		);
		expect(result.error?.message).toBe('The client secret has expired');
		expect(result.error?.description).toMatch(/Create a new client secret.*AADSTS7000222/s);
	});

	it.each([
		[{ tenantId: '' }, /"Directory \(Tenant\) ID" is empty/],
		[{ tenantId: 'contoso/../evil' }, /is not a tenant ID/],
		[{ clientId: 'n8n provisioning' }, /"Application \(Client\) ID" is not a GUID/],
		[{ clientSecret: '   ' }, /"Client Secret" is empty/],
	])('refuses an unusable field before any network call: %p', async (overrides, message) => {
		const result = await acquire(tenant.appOnlyCredential(overrides));
		expect(result.error?.message).toMatch(message);
		expect(tenant.emulator.requests).toHaveLength(0);
	});

	it('with Continue On Fail, a sign-in failure becomes one error item per input item', async () => {
		const result = await runNode({
			parameters: acquireParameters(
				{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
				secrets,
			),
			credential: tenant.appOnlyCredential({ clientSecret: 'wrong-secret-for-cof' }),
			items: [{ a: 1 }, { a: 2 }],
			continueOnFail: true,
		});
		results.push(result);
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual(
			[0, 1].map((item) => ({
				json: {
					error: 'Microsoft Entra rejected the client secret',
					message: 'Microsoft Entra rejected the client secret',
					description: expect.stringContaining('AADSTS7000215'),
					code: 'AADSTS7000215',
					httpCode: '401',
					requestId: expect.any(String),
				},
				pairedItem: { item },
			})),
		);
	});
});

describe('client certificate', () => {
	it('signs in with a registered certificate, and sends the chain (x5c) only when asked', async () => {
		const certificate = await tenant.emulator.createClientCertificate({
			commonName: 'n8n-provisioning',
		});
		const client = tenant.emulator.registerClientApp({
			certificatePem: certificate.certificatePem,
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		secretValues.push(certificate.privateKeyPem.split('\n')[1]);
		for (const sendX5c of [false, true]) {
			signIn.clearAppOnlyTokenCache();
			tenant.emulator.clearRequests();
			const result = await acquire(
				tenant.appOnlyCredential({
					authMethod: 'clientCertificate',
					clientId: client.clientId,
					clientSecret: '',
					certificate: certificate.pem,
					sendX5c,
				}),
			);
			expect(result.error).toBeUndefined();
			const form = new URLSearchParams(tokenRequests()[0].body);
			expect(form.get('client_secret')).toBeNull();
			const header = JSON.parse(
				Buffer.from(String(form.get('client_assertion')).split('.')[0], 'base64url').toString(),
			);
			expect(header['x5t#S256'] ?? header.x5t).toBeDefined();
			expect(header.x5c !== undefined).toBe(sendX5c);
		}
	});

	it('opens an encrypted private key with the certificate password', async () => {
		const certificate = await tenant.emulator.createClientCertificate();
		const client = tenant.emulator.registerClientApp({
			certificatePem: certificate.certificatePem,
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		const encryptedKey = createPrivateKey(certificate.privateKeyPem).export({
			type: 'pkcs8',
			format: 'pem',
			cipher: 'aes-256-cbc',
			passphrase: 'cert-password-91!x',
		}) as string;
		secretValues.push('cert-password-91!x');
		const base = {
			authMethod: 'clientCertificate',
			clientId: client.clientId,
			certificate: `${certificate.certificatePem}\n${encryptedKey}`,
		};
		const wrong = await acquire(
			tenant.appOnlyCredential({ ...base, certificatePassword: 'not-the-password' }),
		);
		expect(wrong.error?.message).toBe(
			'The credential\'s "Certificate Password" does not open the private key',
		);
		expect(tenant.emulator.requests).toHaveLength(0);
		const right = await acquire(
			tenant.appOnlyCredential({ ...base, certificatePassword: 'cert-password-91!x' }),
		);
		expect(right.error).toBeUndefined();
	});

	it('an unregistered certificate: Entra refuses it and the node says to upload it', async () => {
		const certificate = await tenant.emulator.createClientCertificate();
		const result = await acquire(
			tenant.appOnlyCredential({ authMethod: 'clientCertificate', certificate: certificate.pem }),
		);
		expect(result.error?.message).toBe('Microsoft Entra rejected the certificate');
		expect(result.error?.description).toMatch(/Upload its public part.*AADSTS700027/s);
	});

	it.each([
		[
			'an expired certificate',
			'expired',
			/The certificate in the credential expired on \d{4}-\d\d-\d\d/,
		],
		[
			'a key that belongs to another certificate',
			'mismatched',
			/does not belong to its certificate/,
		],
		['no private key', 'certOnly', /has no private key block/],
		['no certificate', 'keyOnly', /has no certificate block/],
	])('%s is refused before any network call', async (_case, kind, message) => {
		const good = await tenant.emulator.createClientCertificate();
		const other = await tenant.emulator.createClientCertificate();
		const expired = await tenant.emulator.createClientCertificate({
			notBefore: new Date(Date.now() - 86_400_000 * 400),
			notAfter: new Date(Date.now() - 86_400_000),
		});
		const pems: Record<string, string> = {
			expired: expired.pem,
			mismatched: `${good.certificatePem}\n${other.privateKeyPem}`,
			certOnly: good.certificatePem,
			keyOnly: good.privateKeyPem,
		};
		const pem = pems[kind];
		const result = await acquire(
			tenant.appOnlyCredential({ authMethod: 'clientCertificate', certificate: pem }),
		);
		expect(result.error?.message).toMatch(message);
		expect(tenant.emulator.requests).toHaveLength(0);
	});
});

describe('managed identity (App Service endpoint on loopback)', () => {
	const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

	function useEndpoint(endpoint: string, header: string) {
		process.env.IDENTITY_ENDPOINT = endpoint;
		process.env.IDENTITY_HEADER = header;
	}

	afterEach(() => {
		for (const [name, value] of [
			['IDENTITY_ENDPOINT', saved.endpoint],
			['IDENTITY_HEADER', saved.header],
		] as const) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	});

	it('signs in with the system-assigned identity and with a user-assigned one', async () => {
		tenant.emulator.setManagedIdentity({
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		const userAssigned = tenant.emulator.setManagedIdentity({
			clientId: '4d3c2b1a-0f9e-4d8c-b7a6-f5e4d3c2b1a0',
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		useEndpoint(tenant.emulator.managedIdentityEndpoint, tenant.emulator.managedIdentityHeader);

		const system = await acquire(
			tenant.appOnlyCredential({
				authMethod: 'managedIdentity',
				managedIdentityType: 'systemAssigned',
			}),
		);
		expect(system.error).toBeUndefined();
		const user = await acquire(
			tenant.appOnlyCredential({
				authMethod: 'managedIdentity',
				managedIdentityType: 'userAssigned',
				managedIdentityClientId: userAssigned.clientId,
			}),
		);
		expect(user.error).toBeUndefined();
		const identityCalls = tenant.emulator.requests.filter(
			(request) => request.listener === 'managedIdentity',
		);
		expect(identityCalls).toHaveLength(2);
		expect(identityCalls[0].query.get('resource')).toBe(tenant.emulator.graphUrl);
		expect(identityCalls[1].query.get('client_id')).toBe(userAssigned.clientId);
	});

	it('no managed identity reachable on the host: says where it works and what to use instead', async () => {
		useEndpoint(`http://127.0.0.1:${await closedPort()}/msi/token`, 'header-value');
		// MSAL shares managed-identity tokens across credential objects, so ask for an identity not used before.
		const result = await acquire(
			tenant.appOnlyCredential({
				authMethod: 'managedIdentity',
				managedIdentityType: 'userAssigned',
				managedIdentityClientId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
			}),
		);
		expect(result.error?.message).toMatch(/Managed Identity/);
		expect(result.error?.description).toMatch(
			/only when n8n runs on an Azure host .* Client Secret or Client Certificate/s,
		);
		expect(graphCalls(tenant.emulator)).toHaveLength(0);
	});
});

describe('workload identity (federated token file)', () => {
	const folder = mkdtempSync(path.join(tmpdir(), 'entra-workload-'));

	function tokenFile(subject: string) {
		const file = path.join(folder, `${subject.replace(/\W/g, '_')}.jwt`);
		writeFileSync(file, tenant.emulator.issueFederatedToken({ subject }));
		return file;
	}

	it('exchanges the projected service account token for a Graph token', async () => {
		const client = tenant.emulator.registerClientApp({
			federatedCredential: {
				issuer: tenant.emulator.federatedIssuer,
				subject: 'system:serviceaccount:n8n:n8n',
			},
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		const result = await acquire(
			tenant.appOnlyCredential({
				authMethod: 'workloadIdentity',
				clientId: client.clientId,
				federatedAssertionFile: tokenFile('system:serviceaccount:n8n:n8n'),
			}),
		);
		expect(result.error).toBeUndefined();
		expect(new URLSearchParams(tokenRequests()[0].body).get('client_assertion_type')).toBe(
			'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
		);
	});

	it('a service account the app does not trust: names the federated credential to add', async () => {
		const client = tenant.emulator.registerClientApp({
			federatedCredential: {
				issuer: tenant.emulator.federatedIssuer,
				subject: 'system:serviceaccount:n8n:n8n',
			},
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		const result = await acquire(
			tenant.appOnlyCredential({
				authMethod: 'workloadIdentity',
				clientId: client.clientId,
				federatedAssertionFile: tokenFile('system:serviceaccount:other:default'),
			}),
		);
		expect(result.error?.message).toMatch(/federated/i);
		expect(result.error?.description).toMatch(/Federated credentials/);
	});
});

describe('the credential Test button', () => {
	it('passes for a working credential and fails with the sign-in message for a wrong secret', async () => {
		await expect(runCredentialTest(tenant.appOnlyCredential())).resolves.toEqual({ status: 200 });
		await expect(
			runCredentialTest(tenant.appOnlyCredential({ clientSecret: 'wrong-secret-in-test' })),
		).rejects.toThrow(/rejected the client secret/);
	});
});

import net from 'node:net';

import { runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	acquireParameters,
	bearerTokens,
	graphCalls,
	oauth2Credential,
	startTenant,
	type TestTenant,
} from './support/tenant';

const SCIM_TOKEN = 'scim-token-ErrorPaths-41Zq';
const secrets = [
	{ key: 'BaseAddress', value: 'https://scim.contoso.example/scim' },
	{ key: 'SecretToken', value: SCIM_TOKEN },
];

let tenant: TestTenant;
const results: RunResult[] = [];
const tokensSeen = new Set<string>();
const acquirePath = () =>
	`/v1.0/servicePrincipals/${tenant.servicePrincipal.id}/synchronization/acquireAccessToken`;

async function acquire(
	options: {
		target?: string;
		type?: 'application' | 'servicePrincipal';
		extra?: object;
		credential?: ReturnType<TestTenant['appOnlyCredential']>;
		items?: object[];
		continueOnFail?: boolean;
	} = {},
) {
	const result = await runNode({
		parameters: acquireParameters(
			{
				type: options.type ?? 'servicePrincipal',
				value: options.target ?? tenant.servicePrincipal.id,
			},
			secrets,
			options.extra,
		),
		credential: options.credential ?? tenant.appOnlyCredential({}, 'errors-credential'),
		items: options.items as never,
		continueOnFail: options.continueOnFail,
	});
	results.push(result);
	return result;
}

function attempts() {
	return graphCalls(tenant.emulator).filter((call) => call.path === acquirePath());
}

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterEach(() =>
	bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2])),
);

afterAll(async () => {
	expectNoSecrets(results, {
		anywhere: [tenant.client.secret, ...tokensSeen],
		inNodeOutput: [SCIM_TOKEN],
	});
	await tenant.emulator.close();
});

describe('Graph errors become messages an admin can act on', () => {
	it('404 for an app ID given as object ID: points to "By App ID"', async () => {
		const result = await acquire({ target: tenant.servicePrincipal.appId });
		expect(result.error?.message).toBe(
			`Microsoft Graph found no service principal with object ID ${tenant.servicePrincipal.appId}`,
		);
		expect(result.error?.description).toMatch(
			/If .* is the Application \(client\) ID, switch Target to "By App ID"/,
		);
		expect(result.error?.description).toMatch(
			/Graph error code: Request_ResourceNotFound · HTTP status: 404 · request-id: [0-9a-f-]{36}/,
		);
		expect(result.error?.httpCode).toBe('404');
	});

	it("404 for the application's object ID used as a service principal: suggests the other target type", async () => {
		const result = await acquire({ target: tenant.app.id });
		expect(result.error?.description).toMatch(
			/object ID of the application \(app registration\), change Target Type/,
		);
	});

	it('404 for an app ID that no application has', async () => {
		const result = await runNode({
			parameters: acquireParameters(
				{ type: 'application', mode: 'appId', value: '0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d' },
				secrets,
			),
			credential: tenant.appOnlyCredential(),
		});
		results.push(result);
		expect(result.error?.message).toBe(
			'Microsoft Graph found no application with app ID 0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d',
		);
		expect(result.error?.description).toMatch(
			/No application in this tenant has the Application \(client\) ID/,
		);
		expect(graphCalls(tenant.emulator).filter((call) => call.method === 'POST')).toHaveLength(0);
	});

	it('403 for an app without the permission: names the permissions and admin consent', async () => {
		const unprivileged = tenant.emulator.registerClientApp({
			secret: 'unprivileged-secret-77aa',
			applicationPermissions: [],
		});
		const result = await acquire({
			credential: tenant.appOnlyCredential({
				clientId: unprivileged.clientId,
				clientSecret: 'unprivileged-secret-77aa',
			}),
		});
		expect(result.error?.message).toBe(
			'The credential is not allowed to do this in Microsoft Graph',
		);
		expect(result.error?.description).toMatch(
			/application permission Application\.ReadWrite\.OwnedBy or Synchronization\.ReadWrite\.All, with admin consent granted/,
		);
		expect(result.error?.description).toMatch(
			/Graph error code: Authorization_RequestDenied · HTTP status: 403/,
		);
		expect(attempts()).toHaveLength(1);
	});

	it('403 for a signed-in user without an admin role: names the Entra roles', async () => {
		const client = tenant.emulator.registerClientApp({
			secret: 'delegated-secret-55bb',
			delegatedPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
		});
		tenant.emulator.registerUser({ upn: 'helpdesk@contoso.onmicrosoft.com', directoryRoles: [] });
		const result = await acquire({
			extra: { authentication: 'oAuth2' },
			credential: oauth2Credential(
				tenant,
				{ ...client, secret: 'delegated-secret-55bb' },
				'helpdesk@contoso.onmicrosoft.com',
			),
		});
		expect(result.error?.message).toBe(
			'The credential is not allowed to do this in Microsoft Graph',
		);
		expect(result.error?.description).toMatch(
			/delegated permission Synchronization\.ReadWrite\.All .* one of the Entra roles Application Administrator, Cloud Application Administrator, Hybrid Identity Administrator/,
		);
	});

	it('401: says to check the cloud, after n8n has retried once with a fresh authentication', async () => {
		tenant.emulator.injectFault({ listener: 'graph', path: acquirePath(), status: 401, count: 5 });
		const result = await acquire();
		expect(result.error?.message).toBe(
			"Microsoft Graph did not accept the credential's access token",
		);
		expect(result.error?.description).toMatch(/cloud is the tenant's cloud/);
		expect(attempts().length).toBeLessThanOrEqual(2);
	});

	it("400 from Graph carries Graph's own message and is not retried", async () => {
		const result = await runNode({
			parameters: acquireParameters(
				{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
				[{ key: '__custom', customKey: 'NotAGraphKey', value: 'x-value-1234' }],
			),
			credential: tenant.appOnlyCredential(),
		});
		results.push(result);
		expect(result.error?.message).toBe('Microsoft Graph rejected the request as invalid');
		expect(result.error?.description).toMatch(/Graph says: .*NotAGraphKey/);
		expect(attempts()).toHaveLength(1);
	});

	it('500 is reported with the request-id and not retried', async () => {
		tenant.emulator.injectFault({ listener: 'graph', path: acquirePath(), status: 500, count: 1 });
		const result = await acquire();
		expect(result.error?.message).toBe('Microsoft Graph had a temporary problem (HTTP 500)');
		expect(result.error?.description).toMatch(/request-id/);
		expect(attempts()).toHaveLength(1);
	});
});

describe('throttling and brief outages are retried as Graph asks', () => {
	it('429 with Retry-After in seconds: waits that long, retries with Retry-Attempt, succeeds', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: acquirePath(),
			status: 429,
			headers: { 'Retry-After': '1' },
			count: 1,
		});
		const started = Date.now();
		const result = await acquire();
		expect(result.error).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		const [first, second] = attempts();
		expect([first.status, second.status]).toEqual([429, 204]);
		expect(second.time.getTime() - first.time.getTime()).toBeGreaterThanOrEqual(990);
		expect(second.headers['retry-attempt']).toBe('1');
	});

	it('429 with Retry-After as an HTTP date', async () => {
		const at = new Date(Date.now() + 2000);
		tenant.emulator.injectFault({
			listener: 'graph',
			path: acquirePath(),
			status: 429,
			headers: { 'Retry-After': at.toUTCString() },
			count: 1,
		});
		const result = await acquire();
		expect(result.error).toBeUndefined();
		const [first, second] = attempts();
		expect(second.time.getTime()).toBeGreaterThanOrEqual(
			Math.floor(at.getTime() / 1000) * 1000 - 10,
		);
		expect(first.status).toBe(429);
	});

	it('503 without Retry-After: exponential back-off, then success', async () => {
		tenant.emulator.injectFault({ listener: 'graph', path: acquirePath(), status: 503, count: 1 });
		const result = await acquire();
		expect(result.error).toBeUndefined();
		const [first, second] = attempts();
		expect(second.time.getTime() - first.time.getTime()).toBeGreaterThanOrEqual(450);
	});

	it('504 that persists: gives up after the Retry Limit and says so', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: acquirePath(),
			status: 504,
			headers: { 'Retry-After': '0' },
		});
		const result = await acquire({ extra: { options: { retryLimit: 2 } } });
		expect(result.error?.message).toBe(
			'Microsoft Graph had a temporary problem (HTTP 504) that lasted through 2 retries',
		);
		expect(attempts()).toHaveLength(3);
	});

	it('429 that persists: names the options that help', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: acquirePath(),
			status: 429,
			headers: { 'Retry-After': '0' },
		});
		const result = await acquire({ extra: { options: { retryLimit: 1 } } });
		expect(result.error?.message).toBe(
			'Microsoft Graph is throttling requests and kept doing so after 1 retries',
		);
		expect(result.error?.description).toMatch(/Max Items in Flight.*Retry Limit/);
		expect(attempts()).toHaveLength(2);
	});

	it('429 that persists: names the limit Graph’s throttling headers report', async () => {
		// Every call beyond none at once: refused with x-ms-throttle-scope and x-ms-throttle-information
		tenant.emulator.setGraphCapacity({ callsAtOnce: 0, retryAfterSeconds: 0 });
		try {
			const result = await acquire({ extra: { options: { retryLimit: 1 } } });
			expect(result.error?.message).toBe(
				'Microsoft Graph is throttling requests and kept doing so after 1 retries',
			);
			expect(result.error?.description).toMatch(
				/Graph says the calls reached this app's limit in this tenant for writes \(CPULimitExceeded\)\./,
			);
		} finally {
			tenant.emulator.setGraphCapacity(undefined);
		}
	});

	it('a Retry-After longer than the node waits: fails at once instead of hanging', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: acquirePath(),
			status: 429,
			headers: { 'Retry-After': '600' },
			count: 1,
		});
		const started = Date.now();
		const result = await acquire();
		expect(Date.now() - started).toBeLessThan(2000);
		expect(result.error?.message).toBe(
			'Microsoft Graph asked to wait 600 s before retrying, longer than the node waits',
		);
		expect(attempts()).toHaveLength(1);
	});

	it('a reset connection is retried (setting the same secrets twice is safe)', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: acquirePath(),
			reset: 'immediately',
			count: 1,
		});
		const result = await acquire();
		expect(result.error).toBeUndefined();
		expect(
			tenant.emulator.getSynchronizationSecrets('servicePrincipals', tenant.servicePrincipal.id),
		).toHaveLength(2);
	});

	it('a response slower than the timeout: retried, then reported with the option to raise', async () => {
		tenant.emulator.injectFault({ listener: 'graph', path: acquirePath(), delayMs: 2500 });
		const result = await acquire({ extra: { options: { timeout: 1000, retryLimit: 1 } } });
		expect(result.error?.message).toBe('Could not reach Microsoft Graph');
		expect(result.error?.description).toMatch(
			/Raise the node's Timeout option.*Retried 1 times\. Error code: E/,
		);
		expect(attempts()).toHaveLength(2);
	});

	it('a closed port: says nothing accepted the connection, without retrying', async () => {
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as net.AddressInfo;
		await new Promise((resolve) => server.close(resolve));
		// A delegated credential already holds its token, so the only request is the one to the closed port.
		const client = tenant.emulator.registerClientApp({
			secret: 'closed-port-secret-1a',
			delegatedPermissions: ['Synchronization.ReadWrite.All'],
		});
		tenant.emulator.registerUser({
			upn: 'closedport.admin@contoso.onmicrosoft.com',
			directoryRoles: ['Application Administrator'],
		});
		const credential = oauth2Credential(
			tenant,
			{ ...client, secret: 'closed-port-secret-1a' },
			'closedport.admin@contoso.onmicrosoft.com',
		);
		credential.data.customGraphUrl = `http://127.0.0.1:${port}`;
		const result = await acquire({ credential, extra: { authentication: 'oAuth2' } });
		expect(result.error?.message).toBe('Could not reach Microsoft Graph');
		expect(result.error?.description).toBe(
			"Nothing accepted the connection. Check the credential's cloud (or Custom Graph URL) and any proxy between n8n and Microsoft Graph. Error code: ECONNREFUSED",
		);
	});
});

describe('Continue On Fail', () => {
	it('turns a failed item into an error item paired with its input, and the other items go on', async () => {
		const other = tenant.emulator.addServicePrincipal({ displayName: 'Second SCIM app' });
		const result = await acquire({
			target: '={{ $json.id }}',
			items: [
				{ id: tenant.servicePrincipal.id },
				{ id: tenant.servicePrincipal.appId },
				{ id: other.id },
				{ id: 'not-a-guid' },
			],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(result.items[0].json.success).toBe(true);
		expect(result.items[1].json).toEqual({
			error: `Microsoft Graph found no service principal with object ID ${tenant.servicePrincipal.appId}`,
			message: `Microsoft Graph found no service principal with object ID ${tenant.servicePrincipal.appId}`,
			description: expect.stringContaining('By App ID'),
			code: 'Request_ResourceNotFound',
			httpCode: '404',
			requestId: expect.any(String),
		});
		expect(result.items[2].json).toMatchObject({ success: true, targetObjectId: other.id });
		expect(result.items[3].json.error).toBe('The Target object ID is not a GUID');
		expect(
			attempts().length +
				graphCalls(tenant.emulator).filter((call) => call.path.includes(other.id)).length,
		).toBe(2);
	});

	it('without it, the first failure stops the node and names the item', async () => {
		const result = await acquire({
			target: '={{ $json.id }}',
			items: [{ id: tenant.servicePrincipal.id }, { id: tenant.servicePrincipal.appId }],
		});
		expect(result.items).toEqual([]);
		expect(result.error?.message).toMatch(/found no service principal/);
		expect((result.error?.context as { itemIndex?: number }).itemIndex).toBe(1);
	});
});

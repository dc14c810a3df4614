import {
	acquireParameters,
	bearerTokens,
	graphCalls,
	startTenant,
	type TestTenant,
} from './support/tenant';
import { expectNoSecrets } from './support/secrets';
import { loadPackage, runNode, type RunResult } from './harness/engine';

const SCIM_URL = 'https://scim.contoso-hr.example/scim/v2';
const SCIM_TOKEN = 'scim-token-8Hq2!vZ0pLr7Xm4Kc1Wn';

const secrets = [
	{ key: 'BaseAddress', value: SCIM_URL },
	{ key: 'SecretToken', value: SCIM_TOKEN },
];

let tenant: TestTenant;
const results: RunResult[] = [];

async function run(...args: Parameters<typeof runNode>) {
	const result = await runNode(...args);
	results.push(result);
	return result;
}

beforeAll(async () => {
	tenant = await startTenant();
});

const tokensSeen = new Set<string>();

afterEach(() =>
	bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2])),
);

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	// Every run of this file, successful or not, is searched for every secret it used.
	expect(tokensSeen.size).toBeGreaterThan(0);
	expectNoSecrets(results, {
		anywhere: [tenant.client.secret, ...tokensSeen],
		inNodeOutput: [SCIM_TOKEN],
	});
	await tenant.emulator.close();
});

describe('Acquire Provisioning Token', () => {
	it('authorizes a service principal by object ID: one 204 call with exactly the documented body', async () => {
		const { servicePrincipal, emulator } = tenant;
		const result = await run({
			parameters: acquireParameters(
				{ type: 'servicePrincipal', value: servicePrincipal.id },
				secrets,
			),
			credential: tenant.appOnlyCredential(),
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: {
					success: true,
					operation: 'acquireProvisioningToken',
					targetType: 'servicePrincipal',
					targetObjectId: servicePrincipal.id,
					secretKeys: ['BaseAddress', 'SecretToken'],
					apiVersion: 'v1.0',
					graphStatus: 204,
					requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				},
				pairedItem: { item: 0 },
			},
		]);
		const calls = graphCalls(emulator);
		expect(calls).toHaveLength(1);
		expect(calls[0].method).toBe('POST');
		expect(calls[0].path).toBe(
			`/v1.0/servicePrincipals/${servicePrincipal.id}/synchronization/acquireAccessToken`,
		);
		expect(calls[0].headers['content-type']).toMatch(/^application\/json/);
		expect(calls[0].headers.authorization).toMatch(/^Bearer ey/);
		expect(JSON.parse(calls[0].body)).toEqual({
			credentials: [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: SCIM_TOKEN },
			],
		});
		expect(calls[0].status).toBe(204);
		expect(emulator.getSynchronizationSecrets('servicePrincipals', servicePrincipal.id)).toEqual([
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		]);
	});

	it('authorizes an application by object ID, on the beta API when asked', async () => {
		const { app, emulator } = tenant;
		const result = await run({
			parameters: acquireParameters({ type: 'application', value: app.id }, secrets, {
				options: { apiVersion: 'beta' },
			}),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			targetType: 'application',
			targetObjectId: app.id,
			apiVersion: 'beta',
		});
		expect(graphCalls(emulator).map((call) => `${call.method} ${call.path}`)).toEqual([
			`POST /beta/applications/${app.id}/synchronization/acquireAccessToken`,
		]);
		expect(emulator.getSynchronizationSecrets('applications', app.id)).toHaveLength(2);
	});

	it('looks an app ID up once per execution, however many items name it', async () => {
		const { servicePrincipal, emulator } = tenant;
		const result = await run({
			parameters: acquireParameters(
				{ type: 'servicePrincipal', mode: 'appId', value: '={{ $json.appId }}' },
				secrets,
			),
			credential: tenant.appOnlyCredential(),
			items: [
				{ appId: servicePrincipal.appId },
				{ appId: servicePrincipal.appId.toUpperCase() },
				{ appId: servicePrincipal.appId },
			],
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.targetObjectId)).toEqual([
			servicePrincipal.id,
			servicePrincipal.id,
			servicePrincipal.id,
		]);
		expect(result.items[0].json.targetAppId).toBe(servicePrincipal.appId);
		const lookups = graphCalls(emulator).filter((call) => call.method === 'GET');
		expect(lookups.map((call) => call.path)).toEqual([
			`/v1.0/servicePrincipals(appId='${servicePrincipal.appId}')`,
		]);
		expect(lookups[0].query.get('$select')).toBe('id');
		expect(graphCalls(emulator).filter((call) => call.method === 'POST')).toHaveLength(3);
	});

	it('pairs every output item with its input item, in input order, with values from expressions', async () => {
		const { emulator } = tenant;
		const targets = Array.from({ length: 12 }, (_, index) =>
			emulator.addServicePrincipal({ displayName: `Payroll App ${index}` }),
		);
		const result = await run({
			parameters: acquireParameters({ type: 'servicePrincipal', value: '={{ $json.id }}' }, [
				{ key: 'BaseAddress', value: '={{ $json.url }}' },
				{ key: 'SecretToken', value: '={{ $json.token }}' },
			]),
			credential: tenant.appOnlyCredential(),
			items: targets.map((target, index) => ({
				id: target.id,
				url: `${SCIM_URL}/${index}`,
				token: `${SCIM_TOKEN}-${index}`,
			})),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => [item.json.targetObjectId, item.pairedItem])).toEqual(
			targets.map((target, index) => [target.id, { item: index }]),
		);
		targets.forEach((target, index) =>
			expect(emulator.getSynchronizationSecrets('servicePrincipals', target.id)).toEqual([
				{ key: 'BaseAddress', value: `${SCIM_URL}/${index}` },
				{ key: 'SecretToken', value: `${SCIM_TOKEN}-${index}` },
			]),
		);
	});

	it('reads the credential once per execution, however many items it sends', async () => {
		const { servicePrincipal, emulator } = tenant;
		const helper = (await loadPackage()).credentialsHelper;
		const before = helper.decryptions;
		const result = await run({
			parameters: acquireParameters({ type: 'servicePrincipal', value: servicePrincipal.id }, [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: '={{ $json.token }}' },
			]),
			credential: tenant.appOnlyCredential(),
			items: Array.from({ length: 25 }, (_, index) => ({ token: `${SCIM_TOKEN}-${index}` })),
		});
		expect(result.error).toBeUndefined();
		expect(graphCalls(emulator)).toHaveLength(25);
		expect(helper.decryptions - before).toBe(1);
	});

	it('sends a custom key and stringifies number and boolean values', async () => {
		const { servicePrincipal, emulator } = tenant;
		const result = await run({
			parameters: acquireParameters({ type: 'servicePrincipal', value: servicePrincipal.id }, [
				{ key: '__custom', customKey: 'SyncNotificationSettings', value: '{"Enabled":true}' },
				{ key: 'SyncAll', value: '={{ false }}' },
				{ key: 'TokenExpiration', value: '={{ 3600 }}' },
			]),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error).toBeUndefined();
		expect(JSON.parse(graphCalls(emulator)[0].body).credentials).toEqual([
			{ key: 'SyncNotificationSettings', value: '{"Enabled":true}' },
			{ key: 'SyncAll', value: 'false' },
			{ key: 'TokenExpiration', value: '3600' },
		]);
	});
});

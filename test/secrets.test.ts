import { runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	locator,
	synchronizationParameters,
} from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

const SCIM_URL = 'https://scim.contoso-benefits.example/scim/v2';
const SCIM_TOKEN = 'scim-token-Wc7!mQ2zRt9Bx4Hs1Nv';
const NOTIFY = '{"Enabled":true,"Recipients":"idm@contoso.com"}';

let tenant: TestTenant;
const results: RunResult[] = [];

async function run(...args: Parameters<typeof runNode>) {
	const result = await runNode(...args);
	results.push(result);
	return result;
}

const secrets = (token = SCIM_TOKEN) => ({
	secrets: {
		secret: [
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: token },
			{ key: 'SyncNotificationSettings', value: NOTIFY },
		],
	},
});

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	try {
		// Every run of this file, successful or not, is searched for every secret it used.
		expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: [SCIM_TOKEN] });
	} finally {
		await tenant.emulator.close();
	}
});

describe('Secrets › Save', () => {
	it('PUTs the pairs as `value` (not `credentials`), 204, and a waiting job becomes configured', async () => {
		const sp = addServicePrincipal(tenant, 'Benefits SCIM');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		expect(
			(tenant.emulator.getSynchronizationJob(sp.id, jobId)?.job.status as { code: string }).code,
		).toBe('NotConfigured');

		const result = await run({
			parameters: synchronizationParameters('secrets', 'save', sp.id, secrets()),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: {
					success: true,
					operation: 'saveSecrets',
					servicePrincipalId: sp.id,
					secretKeys: ['BaseAddress', 'SecretToken', 'SyncNotificationSettings'],
					graphStatus: 204,
					requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				},
				pairedItem: { item: 0 },
			},
		]);
		const [call] = graphCalls(tenant.emulator);
		expect([call.method, call.path, call.status]).toEqual([
			'PUT',
			`/v1.0/servicePrincipals/${sp.id}/synchronization/secrets`,
			204,
		]);
		expect(JSON.parse(call.body)).toEqual({
			value: [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: SCIM_TOKEN },
				{ key: 'SyncNotificationSettings', value: NOTIFY },
			],
		});
		expect(tenant.emulator.getSavedSynchronizationSecrets(sp.id)).toEqual(
			JSON.parse(call.body).value,
		);
		expect(
			(tenant.emulator.getSynchronizationJob(sp.id, jobId)?.job.status as { code: string }).code,
		).toBe('NotRun');
	});

	it('pairs every output with its input item and takes values from expressions, service principal by app ID', async () => {
		const targets = [
			addServicePrincipal(tenant, 'Benefits A'),
			addServicePrincipal(tenant, 'Benefits B'),
		];
		const result = await run({
			parameters: synchronizationParameters(
				'secrets',
				'save',
				'',
				{
					secrets: {
						secret: [
							{ key: 'BaseAddress', value: '={{ $json.url }}' },
							{ key: 'SecretToken', value: '={{ $json.token }}' },
						],
					},
				},
				{ target: locator('={{ $json.appId }}', 'appId') },
			),
			credential: tenant.appOnlyCredential(),
			items: targets.map((target, index) => ({
				appId: target.appId,
				url: `${SCIM_URL}/${index}`,
				token: `${SCIM_TOKEN}-${index}`,
			})),
		});
		expect(
			result.items.map((item) => [
				item.json.servicePrincipalId,
				item.json.servicePrincipalAppId,
				item.pairedItem,
			]),
		).toEqual(targets.map((target, index) => [target.id, target.appId, { item: index }]));
		targets.forEach((target, index) =>
			expect(tenant.emulator.getSavedSynchronizationSecrets(target.id)).toEqual([
				{ key: 'BaseAddress', value: `${SCIM_URL}/${index}` },
				{ key: 'SecretToken', value: `${SCIM_TOKEN}-${index}` },
			]),
		);
	});
});

describe('Secrets › Get', () => {
	it("answers the saved keys, with Graph's masked values, and says they are masked", async () => {
		const sp = addServicePrincipal(tenant, 'Benefits read back');
		await run({
			parameters: synchronizationParameters('secrets', 'save', sp.id, secrets()),
			credential: tenant.appOnlyCredential(),
		});
		const result = await run({
			parameters: synchronizationParameters('secrets', 'get', sp.id),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({
			servicePrincipalId: sp.id,
			secretKeys: ['BaseAddress', 'SecretToken', 'SyncNotificationSettings'],
			secrets: [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: '********' },
				{ key: 'SyncNotificationSettings', value: NOTIFY },
			],
			valuesMasked: true,
		});
	});

	it('answers no keys for a service principal without saved secrets', async () => {
		const sp = addServicePrincipal(tenant, 'Nothing saved');
		const result = await run({
			parameters: synchronizationParameters('secrets', 'get', sp.id),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.items[0].json).toMatchObject({ secretKeys: [], secrets: [], valuesMasked: true });
	});
});

describe('Secrets › validation, errors and items', () => {
	it.each([
		[
			'a key in the wrong case',
			{ secrets: { secret: [{ key: '__custom', customKey: 'secrettoken', value: SCIM_TOKEN }] } },
			'Secret 1: Graph spells the key "SecretToken", not "secrettoken"',
		],
		[
			'a key given twice',
			{
				secrets: {
					secret: [
						{ key: 'SecretToken', value: SCIM_TOKEN },
						{ key: 'SecretToken', value: SCIM_TOKEN },
					],
				},
			},
			'The secret key "SecretToken" is given twice',
		],
		[
			'an object as value',
			{ secrets: { secret: [{ key: 'SecretToken', value: '={{ { token: 1 } }}' }] } },
			'The secret "SecretToken" has no usable value',
		],
	])('refuses %s before any request', async (_case, fields, message) => {
		const result = await run({
			parameters: synchronizationParameters('secrets', 'save', tenant.servicePrincipal.id, fields),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error?.message).toBe(message);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('403 for a read-only credential names the permissions that allow saving, and reading back, secrets', async () => {
		const { credential } = clientWith(tenant, ['Synchronization.Read.All'], 'secrets read only');
		const sp = addServicePrincipal(tenant, 'Forbidden secrets');
		for (const operation of ['save', 'get']) {
			const result = await run({
				parameters: synchronizationParameters(
					'secrets',
					operation,
					sp.id,
					operation === 'save' ? secrets() : {},
				),
				credential,
			});
			expect(result.error?.message).toBe(
				'The credential is not allowed to do this in Microsoft Graph',
			);
			expect(result.error?.description).toContain(
				'application permission Application.ReadWrite.OwnedBy or Synchronization.ReadWrite.All',
			);
			expect(result.error?.description).toContain('Graph error code: Authorization_RequestDenied');
		}
	});

	it('Application.ReadWrite.OwnedBy saves only on service principals the app owns', async () => {
		const { client, credential } = clientWith(
			tenant,
			['Application.ReadWrite.OwnedBy'],
			'owner app',
		);
		const owned = tenant.emulator.addServicePrincipal({
			displayName: 'Owned benefits',
			owners: [client.servicePrincipalId],
		});
		const foreign = addServicePrincipal(tenant, 'Foreign benefits');
		const result = await run({
			parameters: {
				...synchronizationParameters('secrets', 'save', '', secrets()),
				target: locator('={{ $json.id }}'),
			},
			credential,
			items: [{ id: owned.id }, { id: foreign.id }],
			continueOnFail: true,
		});
		expect(
			result.items.map((item) => [item.json.success ?? item.json.httpCode, item.pairedItem]),
		).toEqual([
			[true, { item: 0 }],
			['403', { item: 1 }],
		]);
		expect(tenant.emulator.getSavedSynchronizationSecrets(foreign.id)).toEqual([]);
	});

	it('with Continue On Fail an unknown service principal becomes a paired error item; without it the node stops', async () => {
		const sp = addServicePrincipal(tenant, 'Benefits continue');
		const missing = '0b7e8c1d-7f2a-4d8e-9c4b-5a6d7e8f9a0b';
		const parameters = {
			...synchronizationParameters('secrets', 'save', '', secrets()),
			target: locator('={{ $json.id }}'),
		};
		const items = [{ id: missing }, { id: sp.id }];

		const tolerant = await run({
			parameters,
			credential: tenant.appOnlyCredential(),
			items,
			continueOnFail: true,
		});
		expect(
			tolerant.items.map((item) => [item.json.error ?? item.json.success, item.pairedItem]),
		).toEqual([
			[`Microsoft Graph found no service principal with object ID ${missing}`, { item: 0 }],
			[true, { item: 1 }],
		]);

		const strict = await run({ parameters, credential: tenant.appOnlyCredential(), items });
		expect(strict.error?.message).toBe(
			`Microsoft Graph found no service principal with object ID ${missing}`,
		);
		expect(strict.items).toEqual([]);
	});

	it("retries Graph's 503 and keeps the token out of logs when the connection fails mid-answer", async () => {
		const sp = addServicePrincipal(tenant, 'Benefits retry');
		tenant.emulator.injectFault({
			method: 'PUT',
			path: `/v1.0/servicePrincipals/${sp.id}/synchronization/secrets`,
			status: 503,
			headers: { 'Retry-After': '0' },
			count: 1,
		});
		tenant.emulator.injectFault({
			method: 'PUT',
			path: `/v1.0/servicePrincipals/${sp.id}/synchronization/secrets`,
			reset: 'mid-response',
			count: 1,
		});
		const result = await run({
			parameters: synchronizationParameters('secrets', 'save', sp.id, secrets()),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error).toBeUndefined();
		expect(graphCalls(tenant.emulator).map((call) => call.status)).toEqual([503, 0, 204]);
	});
});

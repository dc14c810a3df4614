import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import {
	SYNCHRONIZATION_SECRET_KEYS,
	SYNCHRONIZATION_SECRETS,
	URL_SECRET_KEYS,
} from '../lib/synchronizationSecrets';
import { loadPackage, NODE_TYPE, runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	locator,
	synchronizationParameters,
} from './support/synchronization';
import { acquireParameters, graphCalls, startTenant, type TestTenant } from './support/tenant';

const SCIM_URL = 'https://scim.contoso-benefits.example/scim/v2';
const SCIM_TOKEN = 'scim-token-Wc7!mQ2zRt9Bx4Hs1Nv';
const NOTIFY = '{"Enabled":true,"Recipients":"idm@contoso.com"}';
/** Values no application takes, which the node must refuse before sending (and never repeat) */
const HUGE_TOKEN = `huge-token-${'Zq9!'.repeat(262_144)}`;
const HUGE_URL = `https://scim.contoso.example/${'a'.repeat(1_048_576)}`;

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
		expectNoSecrets(results, {
			anywhere: [tenant.client.secret],
			inNodeOutput: [SCIM_TOKEN, HUGE_TOKEN, HUGE_URL],
		});
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
					addedKeys: ['BaseAddress', 'SecretToken', 'SyncNotificationSettings'],
					replacedKeys: [],
					removedKeys: [],
					graphStatus: 204,
					requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				},
				pairedItem: { item: 0 },
			},
		]);
		const [read, call] = graphCalls(tenant.emulator);
		// The saved keys are read first, so that a save that would remove one can be refused.
		expect([read.method, read.path, read.status]).toEqual([
			'GET',
			`/v1.0/servicePrincipals/${sp.id}/synchronization/secrets`,
			200,
		]);
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
		expect(graphCalls(tenant.emulator).map((call) => call.status)).toEqual([200, 503, 0, 204]);
	});
});

/** The node's own parameter `name` for the operation, as the editor shows it (current version). */
async function editorProperty(resource: string, operation: string, name: string) {
	const { nodeTypes } = await loadPackage();
	const { description } = nodeTypes.getByNameAndVersion(NODE_TYPE, 2);
	const property = description.properties.find(
		(candidate: INodeProperties) =>
			candidate.name === name &&
			candidate.displayOptions?.show?.resource?.includes(resource) &&
			(candidate.displayOptions?.show?.operation ?? [operation]).includes(operation),
	);
	if (!property) throw new Error(`The node shows no ${name} for ${resource} › ${operation}`);
	return property;
}

/** Saves `pairs` on the service principal, as the editor would set the node up. */
function save(
	servicePrincipalId: string,
	pairs: Array<{ key: string; value?: string; url?: string }>,
	extra: { replaceAllSavedKeys?: boolean; continueOnFail?: boolean } = {},
) {
	return run({
		parameters: synchronizationParameters('secrets', 'save', servicePrincipalId, {
			secrets: { secret: pairs },
			...(extra.replaceAllSavedKeys !== undefined
				? { replaceAllSavedKeys: extra.replaceAllSavedKeys }
				: {}),
		}),
		credential: tenant.appOnlyCredential(),
		continueOnFail: extra.continueOnFail,
	});
}

const puts = () => graphCalls(tenant.emulator).filter((call) => call.method === 'PUT');

describe('Secrets › Save never drops a saved key the user did not give', () => {
	it('refuses to save only SecretToken over a saved BaseAddress and notification settings, naming them and the fix; nothing is sent', async () => {
		const sp = addServicePrincipal(tenant, 'Rotation keeps the URL');
		expect(
			(
				await run({
					parameters: synchronizationParameters('secrets', 'save', sp.id, secrets()),
					credential: tenant.appOnlyCredential(),
				})
			).error,
		).toBeUndefined();
		tenant.emulator.clearRequests();

		const rotated = await save(sp.id, [{ key: 'SecretToken', value: `${SCIM_TOKEN}-new` }]);
		expect(rotated.error?.message).toBe(
			'Saving would remove the saved keys BaseAddress, SyncNotificationSettings',
		);
		expect(rotated.error?.description).toContain('Add BaseAddress, SyncNotificationSettings');
		expect(rotated.error?.description).toContain('turn on Replace All Saved Keys');
		expect(rotated.error?.description).toContain('Nothing was saved.');
		expect(puts()).toEqual([]);
		expect(tenant.emulator.getSavedSynchronizationSecrets(sp.id).map(({ key }) => key)).toEqual([
			'BaseAddress',
			'SecretToken',
			'SyncNotificationSettings',
		]);
	});

	it('with Continue On Fail the refused save is an error item paired with its input, and the next item is saved', async () => {
		const kept = addServicePrincipal(tenant, 'Guarded');
		const fresh = addServicePrincipal(tenant, 'Nothing saved yet');
		tenant.emulator.clearRequests();
		await save(kept.id, [
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		]);
		const result = await run({
			parameters: {
				...synchronizationParameters('secrets', 'save', '', {
					secrets: { secret: [{ key: 'SecretToken', value: SCIM_TOKEN }] },
				}),
				target: locator('={{ $json.id }}'),
			},
			credential: tenant.appOnlyCredential(),
			items: [{ id: kept.id }, { id: fresh.id }],
			continueOnFail: true,
		});
		expect(
			result.items.map((item) => [item.json.error ?? item.json.addedKeys, item.pairedItem]),
		).toEqual([
			['Saving would remove the saved key BaseAddress', { item: 0 }],
			[['SecretToken'], { item: 1 }],
		]);
	});

	it('saves the same keys again as replaced ones; with Replace All Saved Keys on it saves only the keys given and says which were removed', async () => {
		const sp = addServicePrincipal(tenant, 'Replace on purpose');
		await save(sp.id, [
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKEN },
			{ key: 'SyncAll', value: 'false' },
		]);
		const again = await save(sp.id, [
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: `${SCIM_TOKEN}-2` },
			{ key: 'SyncAll', value: 'false' },
			{ key: 'SkipOutOfScopeDeletions', value: 'true' },
		]);
		expect(again.items[0].json).toMatchObject({
			success: true,
			addedKeys: ['SkipOutOfScopeDeletions'],
			replacedKeys: ['BaseAddress', 'SecretToken', 'SyncAll'],
			removedKeys: [],
		});

		const replaced = await save(sp.id, [{ key: 'SecretToken', value: `${SCIM_TOKEN}-3` }], {
			replaceAllSavedKeys: true,
		});
		expect(replaced.items[0].json).toMatchObject({
			success: true,
			secretKeys: ['SecretToken'],
			addedKeys: [],
			replacedKeys: ['SecretToken'],
			removedKeys: ['BaseAddress', 'SyncAll', 'SkipOutOfScopeDeletions'],
		});
		expect(tenant.emulator.getSavedSynchronizationSecrets(sp.id)).toEqual([
			{ key: 'SecretToken', value: `${SCIM_TOKEN}-3` },
		]);
	});

	it('the editor says that Save replaces the saved set and what Replace All Saved Keys does', async () => {
		const replaceAll = await editorProperty('secrets', 'save', 'replaceAllSavedKeys');
		expect([replaceAll.type, replaceAll.default]).toEqual(['boolean', false]);
		expect(replaceAll.description).toContain(
			"Graph's Save (PUT) replaces the saved set as a whole",
		);
		expect(replaceAll.description).toContain('refuses a save that would remove one, naming it');
		const operations = await editorProperty('secrets', 'save', 'operation');
		expect(
			(operations.options as INodePropertyOptions[]).find((option) => option.value === 'save')
				?.description,
		).toContain('they replace the saved set');
	});
});

describe('Secrets › the keys, URLs and sizes the editor and Graph can both act on', () => {
	it('describes every one of the 44 keys (what it is, who uses it) from lib/synchronizationSecrets.ts, and shows URL keys in a field that is not masked', async () => {
		const collection = await editorProperty('secrets', 'save', 'secrets');
		const fields = (collection.options as INodePropertyCollection[])[0].values;
		const keyOptions = fields.find((field) => field.name === 'key')
			?.options as INodePropertyOptions[];
		for (const key of SYNCHRONIZATION_SECRET_KEYS) {
			const { meaning, usedBy } = SYNCHRONIZATION_SECRETS[key];
			expect([key, meaning.length > 10, usedBy.length > 10]).toEqual([key, true, true]);
			expect(keyOptions.find((option) => option.value === key)?.description).toBe(
				`${meaning}. Used by: ${usedBy}.`,
			);
		}
		expect(SYNCHRONIZATION_SECRET_KEYS).toHaveLength(44);
		const url = fields.find((field) => field.name === 'url');
		const value = fields.find((field) => field.name === 'value');
		expect(url?.typeOptions?.password).toBeUndefined();
		expect(url?.displayOptions?.show?.key).toEqual([...URL_SECRET_KEYS]);
		expect(URL_SECRET_KEYS).toContain('BaseAddress');
		expect(value?.typeOptions?.password).toBe(true);
	});

	it('saves BaseAddress from the URL field as typed, and refuses a pair that gives both a URL and a Value', async () => {
		const sp = addServicePrincipal(tenant, 'URL shown');
		const shown = await save(sp.id, [
			{ key: 'BaseAddress', url: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		]);
		expect(shown.error).toBeUndefined();
		expect(tenant.emulator.getSavedSynchronizationSecrets(sp.id)[0]).toEqual({
			key: 'BaseAddress',
			value: SCIM_URL,
		});
		const both = await save(sp.id, [
			{ key: 'BaseAddress', url: SCIM_URL, value: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		]);
		expect(both.error?.message).toBe('The secret "BaseAddress" has both a URL and a Value');
		const neither = await save(sp.id, [
			{ key: 'BaseAddress', url: '', value: '' },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		]);
		expect([neither.error?.message, neither.error?.description]).toEqual([
			'The secret "BaseAddress" has no usable value',
			'Enter the address under URL, or remove the pair.',
		]);
	});

	const refusedUrls: Array<[string, string, string]> = [
		['an e-mail address', 'user@domain.com', 'The secret "BaseAddress" is not a URL'],
		[
			'plain http to a remote host',
			'http://scim.contoso.example/scim',
			'The secret "BaseAddress" uses http, not https',
		],
		[
			'another scheme',
			'ftp://scim.contoso.example/scim',
			'The secret "BaseAddress" starts with ftp:// instead of https://',
		],
		[
			'a 1 MB "URL"',
			HUGE_URL,
			'The secret "BaseAddress" is too long: 1,048,605 bytes, at most 8,000 fit',
		],
	];

	it.each(refusedUrls)(
		'Save and Acquire refuse %s as BaseAddress before any request',
		async (_case, url, message) => {
			tenant.emulator.clearRequests();
			const saved = await save(tenant.servicePrincipal.id, [
				{ key: 'BaseAddress', url },
				{ key: 'SecretToken', value: SCIM_TOKEN },
			]);
			const acquired = await run({
				parameters: acquireParameters(
					{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
					[
						{ key: 'BaseAddress', value: url },
						{ key: 'SecretToken', value: SCIM_TOKEN },
					],
				),
				credential: tenant.appOnlyCredential(),
			});
			for (const result of [saved, acquired]) {
				expect(result.error?.message).toBe(message);
				expect(result.error?.description).not.toContain(url.slice(0, 40));
			}
			expect(graphCalls(tenant.emulator)).toEqual([]);
		},
	);

	it('accepts http on a loopback address, for a local test application', async () => {
		const sp = addServicePrincipal(tenant, 'Local SCIM');
		const result = await save(sp.id, [
			{ key: 'BaseAddress', url: 'http://127.0.0.1:8080/scim' },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		]);
		expect(result.error).toBeUndefined();
	});

	it('Save and Acquire refuse a 1 MB token before any request, from parameters and from item fields, without repeating it', async () => {
		tenant.emulator.clearRequests();
		const fromParameters = await save(tenant.servicePrincipal.id, [
			{ key: 'BaseAddress', url: SCIM_URL },
			{ key: 'SecretToken', value: HUGE_TOKEN },
		]);
		const fromItemFields = await run({
			parameters: {
				...acquireParameters({ type: 'servicePrincipal', value: '' }, []),
				inputMode: 'itemFields',
			},
			credential: tenant.appOnlyCredential(),
			items: [
				{ targetId: tenant.servicePrincipal.id, BaseAddress: SCIM_URL, SecretToken: HUGE_TOKEN },
			],
		});
		expect(fromParameters.error?.message).toBe(
			'The secret "SecretToken" is too long: 1,048,587 bytes, at most 16,384 fit',
		);
		expect(fromItemFields.error?.message).toBe(
			'The field "SecretToken" of item 0 is too long: 1,048,587 bytes, at most 16,384 fit',
		);
		expect(fromItemFields.error?.description).toContain('an HTTP header');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

import type { INodeParameters } from 'n8n-workflow';

import { runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import { addServicePrincipal } from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

const SCIM_URL = 'https://scim.contoso-payroll.example/scim/v2';
const SCIM_TOKENS = [
	'scim-token-It3m!Fld1-Qz8',
	'scim-token-It3m!Fld2-Wx4',
	'scim-token-It3m!Fld3-Rv6',
];

let tenant: TestTenant;
const results: RunResult[] = [];

async function run(...args: Parameters<typeof runNode>) {
	const result = await runNode(...args);
	results.push(result);
	return result;
}

/** Acquire with Input: Item Fields; nothing per item in the parameters, no expression anywhere. */
function acquireFromFields(extra: INodeParameters = {}): INodeParameters {
	return {
		authentication: 'appOnly',
		resource: 'provisioningToken',
		operation: 'acquire',
		inputMode: 'itemFields',
		targetType: 'servicePrincipal',
		options: {},
		...extra,
	};
}

function acquireCalls() {
	return graphCalls(tenant.emulator).filter(
		(call) => call.method === 'POST' && call.path.endsWith('/synchronization/acquireAccessToken'),
	);
}

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	try {
		// The items carry the SCIM tokens; nothing the node produces may.
		expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: SCIM_TOKENS });
	} finally {
		await tenant.emulator.close();
	}
});

describe('Input: Item Fields', () => {
	it('Acquire reads the target and the secrets from each item, sends fields named like secret keys and ignores the rest', async () => {
		const targets = SCIM_TOKENS.map((_, index) =>
			addServicePrincipal(tenant, `Payroll region ${index}`),
		);
		const result = await run({
			parameters: acquireFromFields(),
			credential: tenant.appOnlyCredential(),
			items: targets.map((target, index) => ({
				region: `EMEA-${index}`,
				targetId: target.id.toUpperCase(),
				BaseAddress: SCIM_URL,
				SecretToken: SCIM_TOKENS[index],
				rotatedBy: 'vault',
			})),
		});

		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.targetObjectId, item.json.secretKeys, item.pairedItem]),
		).toEqual(
			targets.map((target, index) => [target.id, ['BaseAddress', 'SecretToken'], { item: index }]),
		);
		for (const [index, target] of targets.entries()) {
			expect(tenant.emulator.getSynchronizationSecrets('servicePrincipals', target.id)).toEqual([
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: SCIM_TOKENS[index] },
			]);
		}
		expect(acquireCalls()).toHaveLength(3);
	});

	it('takes the target ID from the field named in the parameter, for an application too, and leaves empty fields out', async () => {
		const { app } = tenant;
		const result = await run({
			parameters: acquireFromFields({ targetType: 'application', targetIdField: ' appObjectId ' }),
			credential: tenant.appOnlyCredential(),
			items: [
				{
					appObjectId: app.id,
					UserName: 'svc-payroll',
					Password: '',
					SyncAll: false,
					Domain: null,
					BaseAddress: SCIM_URL,
					SecretToken: SCIM_TOKENS[0],
				},
			],
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			targetType: 'application',
			targetObjectId: app.id,
			secretKeys: ['UserName', 'SyncAll', 'BaseAddress', 'SecretToken'],
		});
		expect(JSON.parse(acquireCalls()[0].body)).toEqual({
			credentials: [
				{ key: 'UserName', value: 'svc-payroll' },
				{ key: 'SyncAll', value: 'false' },
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: SCIM_TOKENS[0] },
			],
		});
	});

	it('stops before any request when an item lacks its target ID, naming the item and the field', async () => {
		const result = await run({
			parameters: acquireFromFields(),
			credential: tenant.appOnlyCredential(),
			items: [
				{
					servicePrincipal: tenant.servicePrincipal.id,
					BaseAddress: SCIM_URL,
					SecretToken: SCIM_TOKENS[0],
				},
			],
		});

		expect(result.error?.message).toBe('Item 0 has no value in the field "targetId"');
		expect(result.error?.description).toContain('"servicePrincipal", "BaseAddress", "SecretToken"');
		expect(graphCalls(tenant.emulator)).toHaveLength(0);
	});

	it('with Continue On Fail, every invalid item becomes an error item paired with it and the valid ones are applied', async () => {
		const target = addServicePrincipal(tenant, 'Payroll mixed batch');
		const valid = { targetId: target.id, BaseAddress: SCIM_URL, SecretToken: SCIM_TOKENS[1] };
		const result = await run({
			parameters: acquireFromFields(),
			credential: tenant.appOnlyCredential(),
			continueOnFail: true,
			items: [
				valid,
				{ targetId: SCIM_TOKENS[2], BaseAddress: SCIM_URL },
				{ targetId: target.id, baseAddress: SCIM_URL, SecretToken: SCIM_TOKENS[2] },
				{ targetId: target.id, SecretToken: { value: SCIM_TOKENS[2] } },
				{ targetId: target.id, Password: '', scimToken: SCIM_TOKENS[2] },
				{ targetId: 42, SecretToken: SCIM_TOKENS[2] },
				valid,
			],
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => [item.pairedItem, item.json.error ?? 'applied'])).toEqual([
			[{ item: 0 }, 'applied'],
			[{ item: 1 }, 'The field "targetId" of item 1 is not an object ID'],
			[{ item: 2 }, 'The field "baseAddress" of item 2: Graph spells the secret key "BaseAddress"'],
			[{ item: 3 }, 'The field "SecretToken" of item 3 is not text'],
			[{ item: 4 }, 'Item 4 has no secret field with a value'],
			[{ item: 5 }, 'The field "targetId" of item 5 is not an object ID'],
			[{ item: 6 }, 'applied'],
		]);
		expect(result.items[4].json.description).toContain('"targetId", "Password", "scimToken"');
		expect(acquireCalls()).toHaveLength(2);
	});

	it('Secrets › Save reads the service principal and the whole set of secrets from the item', async () => {
		const sp = addServicePrincipal(tenant, 'Payroll saved secrets');
		const result = await run({
			parameters: {
				authentication: 'appOnly',
				resource: 'secrets',
				operation: 'save',
				inputMode: 'itemFields',
				options: {},
			},
			credential: tenant.appOnlyCredential(),
			items: [
				{
					servicePrincipalId: sp.id,
					BaseAddress: SCIM_URL,
					SecretToken: SCIM_TOKENS[0],
					SkipOutOfScopeDeletions: true,
				},
			],
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			success: true,
			operation: 'saveSecrets',
			servicePrincipalId: sp.id,
			secretKeys: ['BaseAddress', 'SecretToken', 'SkipOutOfScopeDeletions'],
		});
		expect(tenant.emulator.getSavedSynchronizationSecrets(sp.id)).toEqual([
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKENS[0] },
			{ key: 'SkipOutOfScopeDeletions', value: 'true' },
		]);
	});
});

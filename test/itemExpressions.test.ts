import type { IDataObject } from 'n8n-workflow';

import { runNode, type RunResult } from './harness/engine';
import { countEvaluations } from './support/evaluations';
import { expectNoSecrets } from './support/secrets';
import { addServicePrincipal } from './support/synchronization';
import { acquireParameters, graphCalls, startTenant, type TestTenant } from './support/tenant';

/*
 * The expressions an operation reads together are evaluated in one go per item. These runs go through n8n-core's
 * engine and count, on n8n's own WorkflowExpression, how many evaluations n8n made, and check that every item got
 * exactly what reading its parameters one by one gives.
 */

const SCIM_URL = 'https://scim.contoso-vault.example/scim/v2';
const TOKENS = Array.from(
	{ length: 12 },
	(_, index) => `scim-token-J0ined!${index}-Tq${index * 7}`,
);

let tenant: TestTenant;
const results: RunResult[] = [];

async function run(...args: Parameters<typeof runNode>) {
	const counted = await countEvaluations(() => runNode(...args));
	results.push(counted.result);
	return counted;
}

function targets(count: number) {
	return Array.from({ length: count }, (_, index) =>
		addServicePrincipal(tenant, `Joined expressions ${index}`),
	);
}

/** What Graph received per target, in item order */
function sentSecrets(ids: string[]) {
	const bodies = new Map(
		graphCalls(tenant.emulator)
			.filter((call) => call.path.endsWith('/synchronization/acquireAccessToken'))
			.map((call) => [call.path.split('/')[3], JSON.parse(call.body).credentials]),
	);
	return ids.map((id) => bodies.get(id));
}

/** Acquire for the item's `id`, with a fixed BaseAddress and the SecretToken from `secretToken`, all expressions */
function acquireWithSecretToken(secretToken: string) {
	return acquireParameters({ type: 'servicePrincipal', value: '={{ $json.id }}' }, [
		{ key: 'BaseAddress', value: `={{ "${SCIM_URL}" }}` },
		{ key: 'SecretToken', value: secretToken },
	]);
}

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => tenant.emulator.clearRequests());

afterAll(async () => {
	try {
		expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: TOKENS });
	} finally {
		await tenant.emulator.close();
	}
});

describe('expressions read together', () => {
	it("evaluates an item's target and secrets once per item, with the values reading them one by one gives", async () => {
		const sps = targets(TOKENS.length);
		const items: IDataObject[] = sps.map((sp, index) => ({
			id: sp.id,
			vault: { token: TOKENS[index] },
			companyId: 4000 + index,
		}));
		const { result, evaluations } = await run({
			parameters: acquireParameters({ type: 'servicePrincipal', value: '={{ $json.id }}' }, [
				{ key: 'BaseAddress', value: `={{ "${SCIM_URL}/" + $itemIndex }}` },
				// a line comment must end with its own expression
				{ key: 'SecretToken', value: '={{ $json.vault.token // from the vault }}' },
				{ key: 'CompanyId', value: '={{ $json.companyId }}' },
			]),
			credential: tenant.appOnlyCredential(),
			items,
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.targetObjectId)).toEqual(sps.map((sp) => sp.id));
		expect(sentSecrets(sps.map((sp) => sp.id))).toEqual(
			sps.map((_, index) => [
				{ key: 'BaseAddress', value: `${SCIM_URL}/${index}` },
				{ key: 'SecretToken', value: TOKENS[index] },
				// a number is sent as text
				{ key: 'CompanyId', value: String(4000 + index) },
			]),
		);
		// The first item is read both ways, to check the joined reading against n8n's own (1 + 4); then one each
		expect(evaluations).toHaveLength(5 + (items.length - 1));
	});

	it('reads one by one the parameters a single evaluation could not give as n8n does', async () => {
		const sps = targets(3);
		const items: IDataObject[] = sps.map((sp, index) => ({ id: sp.id, token: TOKENS[index] }));
		const { result, evaluations } = await run({
			parameters: acquireWithSecretToken(
				// text around the block: n8n joins it into one string, so this parameter is read as n8n reads it
				'={{ $json.token }}-v2',
			),
			credential: tenant.appOnlyCredential(),
			items,
		});

		expect(result.error).toBeUndefined();
		expect(sentSecrets(sps.map((sp) => sp.id))).toEqual(
			sps.map((_, index) => [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: `${TOKENS[index]}-v2` },
			]),
		);
		// The target only reads a field: taken from the item, no evaluation; the first item is checked (3)
		expect(evaluations).toHaveLength(3 + 2 * (items.length - 1));
	});

	it("fails only the item whose expression fails, with n8n's own error; the other items go on", async () => {
		const sps = targets(3);
		const items: IDataObject[] = sps.map((sp, index) => ({
			id: sp.id,
			...(index === 1 ? {} : { vault: { token: TOKENS[index] } }),
		}));
		const parameters = acquireWithSecretToken(
			// item 1 has no vault field, and the workflow has no Vault node to take it from
			'={{ $json.vault ? $json.vault.token : $("Vault").item.json.token }}',
		);
		const { result } = await run({
			parameters,
			credential: tenant.appOnlyCredential(),
			items,
			continueOnFail: true,
		});
		expect(result.items.map((item) => [item.json.success, item.pairedItem])).toEqual([
			[true, { item: 0 }],
			[undefined, { item: 1 }],
			[true, { item: 2 }],
		]);
		expect(sentSecrets([sps[0].id, sps[2].id])).toEqual([
			[
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: TOKENS[0] },
			],
			[
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: TOKENS[2] },
			],
		]);

		// Without Continue On Fail the execution stops with the error n8n raised for the parameter, as one-by-one reading
		const { result: stopped } = await run({
			parameters,
			credential: tenant.appOnlyCredential(),
			items: [items[1]],
		});
		// n8n's ExpressionError, as the router passes it on: the parameter and the missing node it names
		expect(stopped.error?.context).toMatchObject({
			parameter: 'secrets.secret',
			nodeCause: 'Vault',
			descriptionKey: 'nodeNotFound',
		});
		expect(result.items[1].json.error).toBe(stopped.error?.message);
	});

	it("an item whose expression fails in n8n's legacy engine (no value instead of an error) is read one by one; the next items are read together again", async () => {
		const sps = targets(3);
		const { result, evaluations } = await run({
			parameters: acquireWithSecretToken('={{ $json.vault.token }}'),
			credential: tenant.appOnlyCredential(),
			items: sps.map((sp, index) => ({
				id: sp.id,
				...(index === 1 ? {} : { vault: { token: TOKENS[index] } }),
			})),
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.json.error ?? 'applied')).toEqual([
			'applied',
			'The secret "SecretToken" has no usable value',
			'applied',
		]);
		// item 0: joined + 3 to check; item 1: no vault field to read, 3 one by one; item 2: joined
		expect(evaluations).toHaveLength(4 + 3 + 1);
	});

	it('once an expression yields an object, the execution reads its items one by one, as n8n does', async () => {
		const sps = targets(3);
		const { result, evaluations } = await run({
			// code, not a field read: in brackets
			parameters: acquireWithSecretToken('={{ ($json.vault) }}'),
			credential: tenant.appOnlyCredential(),
			items: sps.map((sp, index) => ({ id: sp.id, vault: { token: TOKENS[index] } })),
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.json.error)).toEqual(
			sps.map(() => 'The secret "SecretToken" has no usable value'),
		);
		// item 0: the joined evaluation, whose object ends joining, then 3 one by one; items 1 and 2: 3 each
		expect(evaluations).toHaveLength(1 + 3 * sps.length);
		expect(sentSecrets(sps.map((sp) => sp.id))).toEqual([undefined, undefined, undefined]);
	});

	it('reads an expression that only reads a field of the item from the item, with what n8n gives; a field it cannot give as n8n does goes to n8n', async () => {
		const sps = targets(4);
		const items: IDataObject[] = sps.map((sp, index) => ({
			'Target ID': sp.id,
			scim: { url: `${SCIM_URL}/${index}` },
			vault: index === 2 ? { token: null } : { token: TOKENS[index] },
		}));
		const { result, evaluations } = await run({
			parameters: acquireParameters(
				{ type: 'servicePrincipal', value: '={{ $json["Target ID"] }}' },
				[
					{ key: 'BaseAddress', value: '={{ $json.scim.url }}' },
					{ key: 'SecretToken', value: "={{ $json.vault['token'] }}" },
				],
			),
			credential: tenant.appOnlyCredential(),
			items,
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.json.error ?? 'applied')).toEqual([
			'applied',
			'applied',
			'The secret "SecretToken" has no usable value',
			'applied',
		]);
		expect(sentSecrets([sps[0].id, sps[1].id, sps[3].id])).toEqual(
			[0, 1, 3].map((index) => [
				{ key: 'BaseAddress', value: `${SCIM_URL}/${index}` },
				{ key: 'SecretToken', value: TOKENS[index] },
			]),
		);
		// item 0: read from the item and checked against n8n's own reading (3); item 2's null token: 3 one by one
		expect(evaluations).toHaveLength(3 + 3);
	});

	it('never changes what an expression means: text that is no expression on its own stays an error', async () => {
		const sps = targets(2);
		const { result } = await run({
			parameters: acquireWithSecretToken(
				// on its own a syntax error; wrapped in brackets among other expressions it would read as a sum
				'={{ $json.a) + ($json.b }}',
			),
			credential: tenant.appOnlyCredential(),
			items: sps.map((sp) => ({ id: sp.id, a: 'x', b: 'y' })),
			continueOnFail: true,
		});
		expect(result.items).toHaveLength(2);
		for (const item of result.items) {
			expect(item.json.success).toBeUndefined();
			expect(String(item.json.error)).toMatch(/syntax/i);
		}
		expect(sentSecrets(sps.map((sp) => sp.id))).toEqual([undefined, undefined]);

		// The same error as n8n's own reading gives: with a fixed target and BaseAddress nothing is joined
		const { result: alone } = await run({
			parameters: acquireParameters({ type: 'servicePrincipal', value: sps[0].id }, [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: '={{ $json.a) + ($json.b }}' },
			]),
			credential: tenant.appOnlyCredential(),
			items: [{ a: 'x', b: 'y' }],
			continueOnFail: true,
		});
		expect(alone.items.map((item) => item.json.error)).toEqual([result.items[0].json.error]);
		expect(result.items[1].json.error).toBe(result.items[0].json.error);
	});
});

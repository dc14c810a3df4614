import type { IDataObject } from 'n8n-workflow';

import { runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import { acquireParameters, startTenant, type TestTenant } from './support/tenant';

const SCIM_TOKEN = 'scim-token-Validation-20Pq';

let tenant: TestTenant;
const results: RunResult[] = [];

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => tenant.emulator.clearRequests());

afterAll(async () => {
	expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: [SCIM_TOKEN] });
	await tenant.emulator.close();
});

type Secret = { key: string; value: unknown; customKey?: string };
const good: Secret[] = [{ key: 'SecretToken', value: SCIM_TOKEN }];

interface Case {
	name: string;
	target?: {
		type: 'application' | 'servicePrincipal';
		mode?: 'id' | 'appId' | 'list';
		value: string;
	};
	secrets?: Secret[];
	options?: IDataObject;
	item?: IDataObject;
	message: RegExp | string;
	description: RegExp;
}

const cases: Case[] = [
	{
		name: 'no secrets',
		secrets: [],
		message: 'Add at least one secret',
		description: /BaseAddress .* SecretToken/,
	},
	{
		name: 'a key given twice',
		secrets: [...good, { key: 'SecretToken', value: 'other-value-123' }],
		message: 'The secret key "SecretToken" is given twice',
		description: /one value per key/,
	},
	{
		name: 'a custom key that repeats a listed key in another case',
		secrets: [...good, { key: '__custom', customKey: 'secrettoken', value: 'other-value-123' }],
		message: 'Secret 2: Graph spells the key "SecretToken", not "secrettoken"',
		description: /compares keys exactly/,
	},
	{
		name: 'a key in the wrong case from an expression',
		secrets: [{ key: '={{ "baseaddress" }}', value: 'https://scim.example' }],
		message: 'Secret 1: Graph spells the key "BaseAddress", not "baseaddress"',
		description: /Pick the key from the list/,
	},
	{
		name: 'a custom key with a space',
		secrets: [{ key: '__custom', customKey: 'Secret Token', value: SCIM_TOKEN }],
		message: 'Secret 1 has an invalid key',
		description: /PascalCase/,
	},
	{
		name: 'an empty custom key',
		secrets: [{ key: '__custom', customKey: '', value: SCIM_TOKEN }],
		message: 'Secret 1 has no key',
		description: /Custom Key/,
	},
	{
		name: 'an empty value',
		secrets: [{ key: 'SecretToken', value: '' }],
		message: 'The secret "SecretToken" has no usable value',
		description: /Enter a value/,
	},
	{
		name: 'a value that is an object',
		secrets: [{ key: 'SecretToken', value: '={{ $json.token }}' }],
		item: { token: { nested: SCIM_TOKEN } },
		message: 'The secret "SecretToken" has no usable value',
		description: /must be text/,
	},
	{
		name: 'a value that is null',
		secrets: [{ key: 'SecretToken', value: '={{ $json.missing ?? null }}' }],
		message: 'The secret "SecretToken" has no usable value',
		description: /must be text/,
	},
	{
		name: 'a target from an expression that is not a GUID',
		target: { type: 'servicePrincipal', value: '={{ $json.name }}' },
		item: { name: 'Contoso HR SCIM App' },
		message: 'The Target object ID is not a GUID',
		description: /Overview page/,
	},
	{
		name: 'an app ID from an expression that is not a GUID',
		target: { type: 'servicePrincipal', mode: 'appId', value: '={{ "1234" }}' },
		message: 'The Target app ID is not a GUID',
		description: /GUID like/,
	},
	{
		name: 'a target from an expression that yields nothing',
		target: { type: 'application', value: '={{ $json.missing }}' },
		message: 'No application is selected as Target',
		description: /Pick the target from the list/,
	},
	{
		name: 'a target from an expression that yields a number',
		target: { type: 'servicePrincipal', value: '={{ 42 }}' },
		message: 'The Target object ID is not a GUID',
		description: /GUID like/,
	},
	{
		name: 'a retry limit above 10',
		options: { retryLimit: 11 },
		message: /Retry Limit option must be a whole number from 0 to 10/,
		description: /Retry Limit/,
	},
	{
		name: 'a timeout below a second',
		options: { timeout: 10 },
		message: 'The Timeout option must be at least 1000 ms',
		description: /milliseconds/,
	},
	{
		name: 'an unknown API version',
		options: { apiVersion: 'v2.0' },
		message: '"v2.0" is not a Graph API version',
		description: /v1\.0, beta/,
	},
	{
		name: 'zero items in flight',
		options: { concurrency: 0 },
		message: 'Max Items in Flight must be a whole number from 1 to 3000',
		description: /Max Items in Flight/,
	},
];

describe('a typed target that is not a GUID', () => {
	it.each([
		[
			'By Object ID',
			{ type: 'servicePrincipal' as const, value: 'Contoso HR SCIM App' },
			/Enter an object ID: a GUID/,
		],
		[
			'By App ID',
			{ type: 'servicePrincipal' as const, mode: 'appId' as const, value: '1234' },
			/Enter an app ID: a GUID/,
		],
		['empty', { type: 'application' as const, value: '' }, /Parameter "Target" is required/],
	])(
		"%s: n8n refuses the workflow with the field's own hint, before the node runs",
		async (_name, target, message) => {
			await expect(
				runNode({
					parameters: acquireParameters(target, good),
					credential: tenant.appOnlyCredential(),
				}),
			).rejects.toThrow(message);
			expect(tenant.emulator.requests).toEqual([]);
		},
	);
});

describe('bad input is refused before any request, with what to fix', () => {
	it.each(cases.map((testCase) => [testCase.name, testCase] as const))(
		'%s',
		async (_name, testCase) => {
			const result = await runNode({
				parameters: acquireParameters(
					testCase.target ?? { type: 'servicePrincipal', value: tenant.servicePrincipal.id },
					testCase.secrets ?? good,
					{ options: testCase.options },
				),
				credential: tenant.appOnlyCredential(),
				items: testCase.item ? [testCase.item] : undefined,
			});
			results.push(result);
			expect(result.items).toEqual([]);
			if (typeof testCase.message === 'string')
				expect(result.error?.message).toBe(testCase.message);
			else expect(result.error?.message).toMatch(testCase.message);
			expect(result.error?.description).toMatch(testCase.description);
			expect(tenant.emulator.requests).toEqual([]);
		},
	);
});

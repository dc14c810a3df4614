import { runListSearch, runNode } from './harness/engine';
import { addServicePrincipal, locator, synchronizationParameters } from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

let tenant: TestTenant;
let sp: { id: string };
let jobId: string;

const testInput = (attributes: Record<string, string>) => ({
	testInput: { attribute: Object.entries(attributes).map(([name, value]) => ({ name, value })) },
});

function parse(
	expression: string,
	fields: object = {},
	extra: { continueOnFail?: boolean; items?: object[] } = {},
) {
	return runNode({
		parameters: synchronizationParameters(
			'schema',
			'parseExpression',
			sp.id,
			{ expression, ...fields },
			{ jobId },
		),
		credential: tenant.appOnlyCredential(),
		items: extra.items as never,
		continueOnFail: extra.continueOnFail,
	});
}

beforeAll(async () => {
	tenant = await startTenant();
	sp = addServicePrincipal(tenant, 'Schema SCIM');
	jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Schema › Get', () => {
	it("lists the job's synchronization rules and keeps Graph's schema", async () => {
		const result = await runNode({
			parameters: synchronizationParameters('schema', 'get', sp.id, {}, { jobId }),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			servicePrincipalId: sp.id,
			jobId,
			rules: [
				{
					ruleId: '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8',
					name: 'USER_GROUP_OUTBOUND',
					sourceDirectoryName: 'Azure Active Directory',
					targetDirectoryName: 'customappsso',
					objectMappings: [
						{
							sourceObjectName: 'User',
							targetObjectName: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
							enabled: true,
						},
						{
							sourceObjectName: 'Group',
							targetObjectName: 'urn:ietf:params:scim:schemas:core:2.0:Group',
							enabled: true,
						},
					],
				},
			],
			schema: { id: jobId, synchronizationRules: [{ id: '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8' }] },
		});
		expect(graphCalls(tenant.emulator).map((call) => call.path)).toEqual([
			`/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/schema`,
		]);
	});

	it('maps the 404 of a deleted job', async () => {
		const result = await runNode({
			parameters: synchronizationParameters(
				'schema',
				'get',
				sp.id,
				{},
				{ jobId: 'scim.00000000000000000000000000000000.gone' },
			),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error?.message).toBe(
			`Microsoft Graph found no provisioning job scim.00000000000000000000000000000000.gone on service principal ${sp.id}`,
		);
	});
});

describe('Schema › Parse Expression', () => {
	it("evaluates an expression against the test input and sends Graph's testInputObject shape", async () => {
		const result = await parse(
			'Join(" ", [givenName], [surname])',
			testInput({ givenName: 'Ada', surname: 'Lovelace' }),
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			expression: 'Join(" ", [givenName], [surname])',
			parsingSucceeded: true,
			evaluationSucceeded: true,
			evaluationResult: ['Ada Lovelace'],
			error: null,
			parsedExpression: {
				name: 'Join',
				type: 'Function',
				parameters: [
					{ key: 'separator', value: { type: 'Constant', name: ' ' } },
					{ key: 'source1', value: { type: 'Attribute', name: 'givenName' } },
					{ key: 'source2', value: { type: 'Attribute', name: 'surname' } },
				],
			},
		});
		const [call] = graphCalls(tenant.emulator);
		expect(call.path).toBe(
			`/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/schema/parseExpression`,
		);
		expect(JSON.parse(call.body)).toEqual({
			expression: 'Join(" ", [givenName], [surname])',
			testInputObject: {
				definition: null,
				properties: [
					{ key: 'givenName', value: 'Ada' },
					{ key: 'surname', value: 'Lovelace' },
				],
			},
		});
	});

	it('nests functions', async () => {
		const result = await parse(
			'ToLower(Append([mailNickname], "@contoso.com"))',
			testInput({ mailNickname: 'ADA.L' }),
		);
		expect(result.items[0].json).toMatchObject({
			evaluationSucceeded: true,
			evaluationResult: ['ada.l@contoso.com'],
		});
	});

	it('only parses without a test input; a broken expression or a missing attribute is reported in the output, not as an error', async () => {
		const parsedOnly = await parse('ToUpper([department])');
		expect(parsedOnly.items[0].json).toMatchObject({
			parsingSucceeded: true,
			evaluationSucceeded: false,
			evaluationResult: null,
		});
		expect(JSON.parse(graphCalls(tenant.emulator)[0].body)).toEqual({
			expression: 'ToUpper([department])',
		});

		const broken = await parse('Frobnicate([department])', testInput({ department: 'R&D' }));
		expect(broken.error).toBeUndefined();
		expect(broken.items[0].json).toMatchObject({
			parsingSucceeded: false,
			error: { message: "The function 'Frobnicate' is not supported." },
		});

		const missing = await parse('Join(",", [city], [country])', testInput({ city: 'Redmond' }));
		expect(missing.items[0].json).toMatchObject({
			parsingSucceeded: true,
			evaluationSucceeded: false,
			error: { message: "The attribute 'country' is not in the test input object." },
		});
	});

	it.each([
		['an empty expression', '={{ "" }}', {}, 'No Expression is given'],
		[
			'a test attribute without a name',
			'ToUpper([a])',
			testInput({ '': 'x' }),
			'Test Input attribute 1 has no name',
		],
		[
			'a test attribute given twice',
			'ToUpper([a])',
			{
				testInput: {
					attribute: [
						{ name: 'a', value: '1' },
						{ name: 'a', value: '2' },
					],
				},
			},
			'The test attribute "a" is given twice',
		],
	])('refuses %s before any request', async (_case, expression, fields, message) => {
		const result = await parse(expression, fields);
		expect(result.error?.message).toBe(message);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('runs one expression per item, pairing each output; Continue On Fail keeps a refused item in place', async () => {
		const result = await parse('={{ $json.expression }}', testInput({ givenName: 'Grace' }), {
			items: [
				{ expression: 'ToUpper([givenName])' },
				{ expression: '' },
				{ expression: 'Append([givenName], "!")' },
			],
			continueOnFail: true,
		});
		expect(
			result.items.map((item) => [item.json.evaluationResult ?? item.json.error, item.pairedItem]),
		).toEqual([
			[['GRACE'], { item: 0 }],
			['No Expression is given', { item: 1 }],
			[['Grace!'], { item: 2 }],
		]);
	});

	it("builds the expression from a function of Graph's list and its arguments", async () => {
		const search = await runListSearch(
			'searchFunctions',
			synchronizationParameters('schema', 'parseExpression', sp.id, {}, { jobId }),
			tenant.appOnlyCredential(),
			'join',
		);
		expect(search.results).toEqual([
			expect.objectContaining({ value: 'Join', name: expect.stringMatching(/^Join\(separator, /) }),
		]);
		const result = await parse('', {
			expressionInput: 'function',
			expressionFunction: locator('Join', 'list'),
			functionArguments: {
				argument: [{ value: '" "' }, { value: '[givenName]' }, { value: '[surname]' }],
			},
			...testInput({ givenName: 'Ada', surname: 'Lovelace' }),
		});
		expect(result.items[0].json).toMatchObject({
			expression: 'Join(" ", [givenName], [surname])',
			evaluationResult: ['Ada Lovelace'],
		});
		const refused = await parse('', {
			expressionInput: 'function',
			expressionFunction: locator('={{ "Join(" }}', 'list'),
		});
		expect(refused.error?.message).toBe('"Join(" is not a function name');
	});

	it('refuses a job ID with a space before any request', async () => {
		const result = await runNode({
			parameters: {
				...synchronizationParameters('schema', 'parseExpression', sp.id, {
					expression: 'ToUpper([a])',
				}),
				job: locator('={{ "a b" }}'),
			},
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error?.message).toBe('"a b" is not a job ID');
	});
});

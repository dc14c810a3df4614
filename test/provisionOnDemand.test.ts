import type { IDataObject } from 'n8n-workflow';

import { runListSearch, runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import { locator, synchronizationParameters } from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

/*
 * Job › Provision On Demand as wide as Graph: Microsoft's three documented requests (api-reference/v1.0/api/
 * synchronization-synchronizationjob-provisionondemand.md, commit 125ddcfd) set up in the node as a user would and
 * replayed against the emulator, the four subject types of synchronizationJobSubject, a group with links.members,
 * several subjects in one request, and what the node refuses before any request.
 */

interface DocumentedExample {
	heading: string;
	servicePrincipalId: string;
	rule: { id: string; name: string; sourceDirectoryName: string; targetDirectoryName: string };
	body: { parameters: IDataObject[] };
}

/** The page's three requests as documented (service principal, rule and subjects); the job ID is the emulator's. */
const DOCUMENTED_EXAMPLES: DocumentedExample[] = [
	{
		heading: 'Example 1: Provision users from Microsoft Entra ID to third-party applications',
		servicePrincipalId: 'c8c95753-f628-48e1-9fab-76c2d4cf624c',
		rule: {
			id: 'ea807875-5618-4f0a-9125-0b46a05298ca',
			name: 'USER_OUTBOUND',
			sourceDirectoryName: 'Azure Active Directory',
			targetDirectoryName: 'customappsso',
		},
		body: {
			parameters: [
				{
					subjects: [{ objectId: '9bb0f679-a883-4a6f-8260-35b491b8b8c8', objectTypeName: 'User' }],
					ruleId: 'ea807875-5618-4f0a-9125-0b46a05298ca',
				},
			],
		},
	},
	{
		heading:
			'Example 2: Sync on-demand from Active Directory to Microsoft Entra ID (Microsoft Entra Cloud Sync)',
		servicePrincipalId: '3e916d82-dd59-4944-824d-93092908fd8d',
		rule: {
			id: '6c409270-f78a-4bc6-af23-7cf3ab6482fe',
			name: 'USER_AD_TO_AAD',
			sourceDirectoryName: 'Active Directory',
			targetDirectoryName: 'Azure Active Directory',
		},
		body: {
			parameters: [
				{
					ruleId: '6c409270-f78a-4bc6-af23-7cf3ab6482fe',
					subjects: [
						{ objectId: 'CN=AdeleV,CN=Users,DC=corp,DC=chicago,DC=com', objectTypeName: 'user' },
					],
				},
			],
		},
	},
	{
		heading: 'Example 3: Provision a group and two of its members on demand',
		servicePrincipalId: '4e116d82-dd59-4944-824d-93091408fd8d',
		rule: {
			id: '33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2',
			name: 'GROUP_OUTBOUND',
			sourceDirectoryName: 'Azure Active Directory',
			targetDirectoryName: 'customappsso',
		},
		body: {
			parameters: [
				{
					ruleId: '33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2',
					subjects: [
						{
							objectId: '8213fd99-d6b6-417b-8e13-af6334856215',
							objectTypeName: 'Group',
							links: {
								members: [
									{ objectId: 'cbc86211-6ada-4803-b73f-8039cf56d8a2', objectTypeName: 'User' },
									{ objectId: '2bc86211-6ada-4803-b73f-8039cf56d8a2', objectTypeName: 'User' },
								],
							},
						},
					],
				},
			],
		},
	},
];

/** Example 1's documented answer, shortened to what the node reads: key and value are JSON documents as text. */
const DOCUMENTED_ANSWER = {
	'@odata.context':
		'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair',
	key: '{"result":"Skipped","details":{"errorCode":"RedundantExport","errorMessage":"The state of the user in both the source and target systems already match."}}',
	value:
		'{"action":"Other","changeId":"g8ba3be8-1d7f-4a60-ae31-a8980da0a389","endTime":"2020-06-26T13:58:24.7682084Z","modifiedProperties":[{"displayName":"objectId","oldValue":null,"newValue":"52cf7b7a-52be-4a9b-9c69-e4d4a4a14f76"}],"provisioningSteps":[{"name":"EntrySynchronizationSkip","type":"Export","status":"Skipped","description":"The state of the user in both the source and target systems already match. No change to the User \'BillBob@contoso.com\' currently needs to be made.","timestamp":"2020-06-26T13:58:24.7682084Z","details":{"SkipReason":"RedundantExport"}}],"reportableIdentifier":"BillBob@contoso.com","statusInfo":{"status":"Skipped","errorCode":null}}',
};

let tenant: TestTenant;
const results: RunResult[] = [];

async function run(...args: Parameters<typeof runNode>) {
	const result = await runNode(...args);
	results.push(result);
	return result;
}

function provisionOnDemand(
	servicePrincipalId: string,
	jobId: string,
	fields: IDataObject,
	extra: { items?: IDataObject[]; continueOnFail?: boolean } = {},
) {
	return run({
		parameters: synchronizationParameters('job', 'provisionOnDemand', servicePrincipalId, fields, {
			jobId,
		}),
		credential: tenant.appOnlyCredential(),
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
}

/** A service principal offering the documented scenario's template, and a job made from it. */
function scenario(example: DocumentedExample, servicePrincipalId?: string) {
	const sp = tenant.emulator.addServicePrincipal({
		displayName: example.heading,
		...(servicePrincipalId ? { id: servicePrincipalId } : {}),
	});
	const templateId = `${example.rule.name}Template`;
	tenant.emulator.addSynchronizationTemplate(sp.id, { id: templateId, rules: [example.rule] });
	return { sp, jobId: tenant.emulator.createSynchronizationJob(sp.id, templateId).id };
}

function onDemandCalls() {
	return graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/provisionOnDemand'));
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
		expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: [] });
	} finally {
		await tenant.emulator.close();
	}
});

describe("Microsoft's documented provisionOnDemand examples, set up in the node as a user would", () => {
	/** What a user enters for each example: the rule picked from the list, the subject as the scenario names it. */
	const entered: IDataObject[] = [
		{ objectTypeName: 'User', objectId: '9bb0f679-a883-4a6f-8260-35b491b8b8c8' },
		{ objectTypeName: 'user', objectId: 'CN=AdeleV,CN=Users,DC=corp,DC=chicago,DC=com' },
		{
			objectTypeName: 'Group',
			objectId: '8213fd99-d6b6-417b-8e13-af6334856215',
			groupMembers: 'cbc86211-6ada-4803-b73f-8039cf56d8a2, 2bc86211-6ada-4803-b73f-8039cf56d8a2',
		},
	];

	it.each(DOCUMENTED_EXAMPLES.map((example, index) => [example.heading, index] as const))(
		'%s: sends the documented method, path and body, and outputs the answer parsed',
		async (_heading, index) => {
			const example = DOCUMENTED_EXAMPLES[index];
			const { sp, jobId } = scenario(example, example.servicePrincipalId);
			const rules = await runListSearch(
				'searchRules',
				synchronizationParameters('job', 'provisionOnDemand', sp.id, {}, { jobId }),
				tenant.appOnlyCredential(),
			);
			expect(rules.results.map((rule) => rule.value)).toEqual([example.rule.id]);

			const result = await provisionOnDemand(sp.id, jobId, {
				rule: locator(String(rules.results[0].value), 'list'),
				...entered[index],
			});
			expect(result.error).toBeUndefined();
			const [call] = onDemandCalls();
			expect(call.method).toBe('POST');
			expect(call.path).toBe(
				`/v1.0/servicePrincipals/${example.servicePrincipalId}/synchronization/jobs/${jobId}/provisionOnDemand`,
			);
			expect(JSON.parse(call.body)).toEqual(example.body);
			expect(call.status).toBe(200);

			const output = result.items[0].json;
			const answer = output.graphAnswer as { key: string; value: string };
			expect(typeof answer.key).toBe('string');
			expect(typeof answer.value).toBe('string');
			expect(output).toMatchObject({
				servicePrincipalId: example.servicePrincipalId,
				jobId,
				ruleId: example.rule.id,
				objectTypeName: entered[index].objectTypeName,
				objectId: entered[index].objectId,
				subjects: (example.body.parameters[0] as { subjects: unknown[] }).subjects,
				result: (JSON.parse(answer.key) as IDataObject).result,
				details: (JSON.parse(answer.key) as IDataObject).details,
				report: JSON.parse(answer.value) as IDataObject,
			});
		},
	);

	it("outputs Microsoft's documented answer with key and value parsed into objects and kept as received", async () => {
		const { sp, jobId } = scenario(DOCUMENTED_EXAMPLES[0]);
		tenant.emulator.injectFault({
			method: 'POST',
			path: `/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/provisionOnDemand`,
			status: 200,
			body: DOCUMENTED_ANSWER,
			count: 1,
		});
		const result = await provisionOnDemand(sp.id, jobId, {
			rule: locator(DOCUMENTED_EXAMPLES[0].rule.id),
			...entered[0],
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			result: 'Skipped',
			details: {
				errorCode: 'RedundantExport',
				errorMessage: 'The state of the user in both the source and target systems already match.',
			},
			report: {
				action: 'Other',
				reportableIdentifier: 'BillBob@contoso.com',
				provisioningSteps: [
					{ name: 'EntrySynchronizationSkip', details: { SkipReason: 'RedundantExport' } },
				],
				statusInfo: { status: 'Skipped' },
			},
			graphAnswer: { key: DOCUMENTED_ANSWER.key, value: DOCUMENTED_ANSWER.value },
		});
	});
});

describe('Subjects as wide as Graph', () => {
	const inbound: DocumentedExample = {
		heading: 'Workday to Microsoft Entra ID',
		servicePrincipalId: '',
		rule: {
			id: '5c2b7b8e-0f6e-4e0e-9d8e-3f3c1a1b2c3d',
			name: 'WORKER_INBOUND',
			sourceDirectoryName: 'Workday',
			targetDirectoryName: 'Azure Active Directory',
		},
		body: { parameters: [] },
	};

	it('sends several workers by HR worker ID in one request, one per line', async () => {
		const { sp, jobId } = scenario(inbound);
		const result = await provisionOnDemand(sp.id, jobId, {
			rule: locator(inbound.rule.id),
			objectTypeName: 'Worker',
			objectId: '21001\n3a7c1e0f9b2d4c6e8f0a1b2c3d4e5f60\n\nEMP-000417',
		});
		expect(result.error).toBeUndefined();
		const subjects = ['21001', '3a7c1e0f9b2d4c6e8f0a1b2c3d4e5f60', 'EMP-000417'].map(
			(objectId) => ({ objectId, objectTypeName: 'Worker' }),
		);
		expect(JSON.parse(onDemandCalls()[0].body)).toEqual({
			parameters: [{ ruleId: inbound.rule.id, subjects }],
		});
		const output = result.items[0].json;
		expect(output.subjects).toEqual(subjects);
		expect(output).not.toHaveProperty('objectId');
		expect(tenant.emulator.getSynchronizationJob(sp.id, jobId)?.provisionedOnDemand).toEqual(
			subjects.map((subject) => ({ ruleId: inbound.rule.id, ...subject })),
		);
	});

	it('takes a list of IDs from an expression, and keeps the commas of a distinguished name', async () => {
		const { sp, jobId } = scenario(DOCUMENTED_EXAMPLES[1]);
		const result = await provisionOnDemand(
			sp.id,
			jobId,
			{
				rule: locator(DOCUMENTED_EXAMPLES[1].rule.id),
				objectTypeName: 'user',
				objectId: '={{ $json.distinguishedNames }}',
			},
			{
				items: [
					{
						distinguishedNames: [
							'CN=Adele Vest,OU=New Hires,DC=corp,DC=contoso,DC=com',
							'CN=Vest\\, Adele,CN=Users,DC=corp,DC=contoso,DC=com',
						],
					},
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(JSON.parse(onDemandCalls()[0].body).parameters[0].subjects).toEqual([
			{ objectId: 'CN=Adele Vest,OU=New Hires,DC=corp,DC=contoso,DC=com', objectTypeName: 'user' },
			{ objectId: 'CN=Vest\\, Adele,CN=Users,DC=corp,DC=contoso,DC=com', objectTypeName: 'user' },
		]);
	});
});

describe('A group, with or without members', () => {
	it('sends a group without members given alone, without links', async () => {
		const { sp, jobId } = scenario(DOCUMENTED_EXAMPLES[2]);
		const result = await provisionOnDemand(sp.id, jobId, {
			rule: locator(DOCUMENTED_EXAMPLES[2].rule.id, 'list'),
			objectTypeName: 'Group',
			objectId: '8213fd99-d6b6-417b-8e13-af6334856215',
			groupMembers: '={{ [] }}',
		});
		expect(result.error).toBeUndefined();
		expect(JSON.parse(onDemandCalls()[0].body).parameters[0].subjects).toEqual([
			{ objectId: '8213fd99-d6b6-417b-8e13-af6334856215', objectTypeName: 'Group' },
		]);
	});
});

describe('The rule picker and the Rule check agree', () => {
	it('lists every rule of the schema the node accepts, suffixes included, and leaves out an ID it would refuse', async () => {
		const sp = tenant.emulator.addServicePrincipal({ displayName: 'Rules of every shape' });
		const accepted = ['33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2', 'USER_OUTBOUND.v3', 'a_b-c'];
		tenant.emulator.addSynchronizationTemplate(sp.id, {
			id: 'Shapes',
			rules: [...accepted, 'has space/and slash'].map((id, index) => ({
				id,
				name: `RULE_${index}`,
				sourceDirectoryName: 'Azure Active Directory',
				targetDirectoryName: 'customappsso',
			})),
		});
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'Shapes').id;
		const rules = await runListSearch(
			'searchRules',
			synchronizationParameters('job', 'provisionOnDemand', sp.id, {}, { jobId }),
			tenant.appOnlyCredential(),
		);
		expect(rules.results.map((rule) => rule.value)).toEqual(accepted);
		const result = await provisionOnDemand(
			sp.id,
			jobId,
			{
				rule: { __rl: true, mode: 'list', value: '={{ $json.rule }}' },
				objectTypeName: 'Worker',
				objectId: '={{ $json.workerId }}',
			},
			{
				items: rules.results.map((rule, index) => ({ rule: rule.value, workerId: 21001 + index })),
			},
		);
		expect(result.error).toBeUndefined();
		expect(onDemandCalls().map((call) => JSON.parse(call.body).parameters[0])).toEqual(
			accepted.map((ruleId, index) => ({
				ruleId,
				subjects: [{ objectId: String(21001 + index), objectTypeName: 'Worker' }],
			})),
		);
	}, 30_000);
});

describe('Input checked before any request', () => {
	const GROUP = '8213fd99-d6b6-417b-8e13-af6334856215';
	const USER = '9bb0f679-a883-4a6f-8260-35b491b8b8c8';
	const sixIds = Array.from(
		{ length: 6 },
		(_, index) => `9bb0f679-a883-4a6f-8260-35b491b8b8c${index}`,
	).join('\n');

	it.each([
		[
			'a path in a User ID',
			{ objectTypeName: 'User', objectId: '../secrets' },
			'Object ID "../secrets" is not an ID of a User (Microsoft Entra ID → App)',
		],
		[
			'a quote in a worker ID',
			{ objectTypeName: 'Worker', objectId: 'W1"},{"objectId":"x' },
			'is not an ID of a Worker (Workday or SuccessFactors Inbound)',
		],
		[
			'a worker ID of 129 characters',
			{ objectTypeName: 'Worker', objectId: 'w'.repeat(129) },
			'is not an ID of a Worker',
		],
		[
			'a huge distinguished name',
			{ objectTypeName: 'user', objectId: `CN=${'a'.repeat(100_000)},DC=corp` },
			'is not an ID of a User (Active Directory ↔ Microsoft Entra ID, Cloud Sync)',
		],
		[
			'a user principal name for Cloud Sync',
			{ objectTypeName: 'user', objectId: 'adelev@chicago.com' },
			'Object ID "adelev@chicago.com" is not an ID of a User (Active Directory',
		],
		[
			'six users',
			{ objectTypeName: 'User', objectId: sixIds },
			'6 IDs are given in Object ID; Graph takes at most 5 in one request',
		],
		[
			'two groups',
			{ objectTypeName: 'Group', objectId: `${GROUP},${USER}`, groupMembers: USER },
			'2 IDs are given in Object ID; Graph takes at most 1 in one request',
		],
		[
			'six members',
			{ objectTypeName: 'Group', objectId: GROUP, groupMembers: sixIds },
			'6 IDs are given in Group Member; Graph takes at most 5 in one request',
		],
		[
			'a member by mail address',
			{ objectTypeName: 'Group', objectId: GROUP, groupMembers: `${USER}, adele@contoso.com` },
			'Group Member 2 "adele@contoso.com" is not an ID of a User (Microsoft Entra ID → App)',
		],
		[
			'the same user twice',
			{ objectTypeName: 'User', objectId: `${USER}\n${USER.toUpperCase()}` },
			`Object ID 2: "${USER.toUpperCase()}" is given twice`,
		],
		[
			'an object type Graph does not know',
			{ objectTypeName: 'group', objectId: GROUP },
			'"group" is not an object type Graph provisions on demand',
		],
		[
			'a rule ID with a quote',
			{ objectTypeName: 'User', objectId: USER, rule: locator("={{ '33f7c90d\"#V2' }}") },
			'"33f7c90d"#V2" is not a rule ID',
		],
		[
			'a rule ID with a path',
			{ objectTypeName: 'User', objectId: USER, rule: locator('={{ "../V2" }}') },
			'"../V2" is not a rule ID',
		],
	])('refuses %s', async (_case, fields, message) => {
		const { sp, jobId } = scenario(DOCUMENTED_EXAMPLES[2]);
		const result = await provisionOnDemand(sp.id, jobId, {
			rule: locator(DOCUMENTED_EXAMPLES[2].rule.id),
			...fields,
		});
		expect(result.error?.message).toContain(message);
		expect(String(result.error?.message).length).toBeLessThan(300);
		expect(result.error?.description).toMatch(/\w/);
		expect(onDemandCalls()).toEqual([]);
	});

	it('with Continue On Fail, pairs each refused item with its input and provisions the others', async () => {
		const { sp, jobId } = scenario(DOCUMENTED_EXAMPLES[2]);
		const result = await provisionOnDemand(
			sp.id,
			jobId,
			{
				rule: locator(DOCUMENTED_EXAMPLES[2].rule.id),
				objectTypeName: 'Group',
				objectId: '={{ $json.group }}',
				groupMembers: '={{ $json.members }}',
			},
			{
				continueOnFail: true,
				items: [
					{ group: GROUP, members: [USER] },
					{ group: '../../secrets', members: [USER] },
					{ group: GROUP, members: [USER, 'not-a-guid'] },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.error ?? item.json.objectId, item.pairedItem]),
		).toEqual([
			[GROUP, { item: 0 }],
			[
				'Object ID "../../secrets" is not an ID of a Group (Microsoft Entra ID → App, With Members)',
				{ item: 1 },
			],
			[
				'Group Member 2 "not-a-guid" is not an ID of a User (Microsoft Entra ID → App)',
				{ item: 2 },
			],
		]);
		expect(onDemandCalls().map((call) => JSON.parse(call.body).parameters[0].subjects)).toEqual([
			[
				{
					objectId: GROUP,
					objectTypeName: 'Group',
					links: { members: [{ objectId: USER, objectTypeName: 'User' }] },
				},
			],
		]);
	});
});

describe("Graph's 5 requests per 10 seconds", () => {
	it('keeps two executions on one job within the limit together, so the emulator never answers 429', async () => {
		const { sp, jobId } = scenario(DOCUMENTED_EXAMPLES[1]);
		const fields = {
			rule: locator(DOCUMENTED_EXAMPLES[1].rule.id),
			objectTypeName: 'user',
			objectId: '={{ $json.dn }}',
		};
		const items = (name: string) =>
			Array.from({ length: 3 }, (_, index) => ({
				dn: `CN=${name} ${index},OU=New Hires,DC=corp,DC=contoso,DC=com`,
			}));
		const [first, second] = await Promise.all([
			provisionOnDemand(sp.id, jobId, fields, { items: items('Morning') }),
			provisionOnDemand(sp.id, jobId, fields, { items: items('Evening') }),
		]);
		expect([first.error, second.error]).toEqual([undefined, undefined]);
		const calls = onDemandCalls();
		expect(calls.map((call) => call.status)).toEqual([200, 200, 200, 200, 200, 200]);
		expect(calls[5].time.getTime() - calls[0].time.getTime()).toBeGreaterThanOrEqual(10_000);
	});
});

describe('Job and rule IDs with a suffix', () => {
	it("keeps a job ID's # in its path segment (%23), so Graph reads the whole ID", async () => {
		const { sp } = scenario(DOCUMENTED_EXAMPLES[2]);
		const result = await run({
			parameters: synchronizationParameters('job', 'get', sp.id, {}, { jobId: 'scim#V2' }),
			credential: tenant.appOnlyCredential(),
		});
		expect(graphCalls(tenant.emulator).map((call) => call.path)).toContain(
			`/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/scim%23V2`,
		);
		expect(result.error?.message).toContain('scim#V2');
	});
});

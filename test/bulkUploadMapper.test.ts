/**
 * Bulk Upload › Upload Users from node version 2: attributes mapped with n8n's resource mapper (Map Automatically by
 * field names, Map Each Attribute from the job's attribute list for API), custom extension attributes, leavers.
 */
import type { IDataObject, INodeProperties, ResourceMapperField } from 'n8n-workflow';

import type { CredentialInput } from './harness/engine';
import { loadPackage, NODE_TYPE, runNode, runResourceMapping } from './harness/engine';
import { countEvaluations } from './support/evaluations';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	locator,
	synchronizationParameters,
} from './support/synchronization';
import { bearerTokens, graphCalls, startTenant, type TestTenant } from './support/tenant';

import { SCIM_USER_ATTRIBUTES } from '../lib/scimUserAttributes';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CONTOSO = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User';

let tenant: TestTenant;
let uploader: CredentialInput;
let sp: { id: string; appId: string };
let jobId: string;

/** An HR record whose fields are named as SCIM attributes, as Map Automatically reads them. */
function scimNamed(number: number, overrides: IDataObject = {}): IDataObject {
	return {
		externalId: `E${String(number).padStart(5, '0')}`,
		userName: `employee${number}@contoso.com`,
		active: true,
		'name.givenName': 'Ada',
		'name.familyName': `Number${number}`,
		department: 'Research',
		[`${ENTERPRISE}:manager.value`]: 'E00001',
		...overrides,
	};
}

const automatically = { columns: { mappingMode: 'autoMapInputData', value: null } };

/** Map Each Attribute as the editor saves it: the values, and the field list it loaded (types included). */
function eachAttribute(value: IDataObject, schema: ResourceMapperField[] = []) {
	return {
		columns: {
			mappingMode: 'defineBelow',
			value,
			matchingColumns: [],
			schema,
			attemptToConvertTypes: false,
			convertFieldsToString: false,
		},
	};
}

function upload(
	items: IDataObject[],
	fields: IDataObject,
	options: { continueOnFail?: boolean; jobId?: string; servicePrincipalId?: string } = {},
) {
	return runNode({
		parameters: synchronizationParameters(
			'bulkUpload',
			'uploadUsers',
			options.servicePrincipalId ?? sp.id,
			fields,
			{ jobId: options.jobId ?? jobId },
		),
		credential: uploader,
		items,
		continueOnFail: options.continueOnFail,
		typeVersion: 2,
	});
}

const bulkCalls = () =>
	graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/bulkUpload'));
const sentUsers = () =>
	bulkCalls().flatMap((call) =>
		(JSON.parse(call.body) as { Operations: Array<{ data: IDataObject }> }).Operations.map(
			(operation) => operation.data,
		),
	);

beforeAll(async () => {
	tenant = await startTenant();
	uploader = clientWith(
		tenant,
		['SynchronizationData-User.Upload'],
		'hr mapper uploader',
	).credential;
	sp = addServicePrincipal(tenant, 'API-driven inbound provisioning (mapper)');
	jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
	tenant.emulator.addApiAttributes(sp.id, jobId, [
		{ name: `${CONTOSO}:HireDate`, type: 'DateTime' },
		{ name: `${CONTOSO}:JobCode` },
		{ name: `${CONTOSO}:Rehire`, type: 'Boolean' },
	]);
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Bulk Upload › Upload Users (version 2) › Map Automatically', () => {
	it('sends every field named as a SCIM attribute: dotted paths, enterprise names and full URNs, nested objects too', async () => {
		const items = [
			scimNamed(1),
			// The same employee as a SCIM-shaped record: nested name and extension objects, its own schemas list.
			{
				schemas: [CORE],
				externalId: 'E00002',
				userName: 'employee2@contoso.com',
				name: { givenName: 'Grace', familyName: 'Hopper' },
				'emails[type eq "work"].value': 'grace@contoso.com',
				[ENTERPRISE]: { costCenter: '4130', manager: { value: 'E00001' } },
			},
		];
		const result = await upload(items, automatically);
		expect(result.error).toBeUndefined();
		expect(sentUsers()).toEqual([
			{
				schemas: [CORE, ENTERPRISE],
				externalId: 'E00001',
				userName: 'employee1@contoso.com',
				active: true,
				name: { givenName: 'Ada', familyName: 'Number1' },
				[ENTERPRISE]: { department: 'Research', manager: { value: 'E00001' } },
			},
			{
				schemas: [CORE, ENTERPRISE],
				externalId: 'E00002',
				userName: 'employee2@contoso.com',
				name: { givenName: 'Grace', familyName: 'Hopper' },
				emails: [{ type: 'work', primary: true, value: 'grace@contoso.com' }],
				[ENTERPRISE]: { costCenter: '4130', manager: { value: 'E00001' } },
			},
		]);
		expect(
			result.items.map((item) => [
				item.json.bulkId,
				item.json.operationsInRequest,
				item.pairedItem,
			]),
		).toEqual([
			['E00001', 2, { item: 0 }],
			['E00002', 2, { item: 1 }],
		]);
	});

	it('puts custom extension attributes under their schema URN, lists that URN in schemas, and the job records them', async () => {
		const result = await upload(
			[
				scimNamed(10, {
					[`${CONTOSO}:HireDate`]: '2021-05-01T00:00:00-05:00',
					[`${CONTOSO}:JobCode`]: 'TG-1001',
					[`${CONTOSO}:Rehire`]: false,
				}),
			],
			automatically,
		);
		expect(result.error).toBeUndefined();
		const recorded = tenant.emulator.getSynchronizationJob(sp.id, jobId)?.bulkUploads.at(-1)
			?.operations[0].data;
		expect(recorded).toEqual({
			schemas: [CORE, ENTERPRISE, CONTOSO],
			externalId: 'E00010',
			userName: 'employee10@contoso.com',
			active: true,
			name: { givenName: 'Ada', familyName: 'Number10' },
			[ENTERPRISE]: { department: 'Research', manager: { value: 'E00001' } },
			[CONTOSO]: { HireDate: '2021-05-01T00:00:00-05:00', JobCode: 'TG-1001', Rehire: false },
		});
		expect(result.items[0].json).toMatchObject({
			success: true,
			graphStatus: 202,
			externalId: 'E00010',
		});
	});

	it("a custom attribute missing from the job's attribute list: Graph refuses its request, each employee of it fails paired, the next request goes", async () => {
		const employees = Array.from({ length: 51 }, (_, index) => scimNamed(100 + index));
		employees[3] = scimNamed(103, { [`${CONTOSO}:BadgeId`]: 'B-77' });
		const result = await upload(employees, automatically, { continueOnFail: true });
		expect(result.error).toBeUndefined();
		expect(bulkCalls().map((call) => call.status)).toEqual([400, 202]);
		expect(result.items).toHaveLength(51);
		result.items.slice(0, 50).forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({
				error: 'Microsoft Graph rejected the request as invalid',
				httpCode: '400',
			});
		});
		const { description } = result.items[3].json as { description: string };
		expect(description).toContain(`'${CONTOSO}:BadgeId' is not defined in the job's schema`);
		expect(description).toContain('Edit attribute list for API');
		expect(result.items[50].json).toMatchObject({ success: true, externalId: 'E00150' });
		expect(result.items[50].pairedItem).toEqual({ item: 50 });
	});

	it('refuses, before any request, a field that is not a SCIM attribute, an attribute given twice, and a value of the wrong shape', async () => {
		const items = [
			scimNamed(1, { employeeId: 'E00001' }),
			scimNamed(2, { [`${ENTERPRISE}:department`]: 'Sales' }),
			scimNamed(3, { 'name.givenName': { first: 'Ada' } }),
			scimNamed(4, { active: 'maybe' }),
			scimNamed(5, { [`${ENTERPRISE}:badge`]: 'B-1' }),
			scimNamed(6),
		];
		const refused = await upload(items, automatically, { continueOnFail: true });
		expect(
			refused.items.map((item) => [item.json.bulkId ?? item.json.error, item.pairedItem]),
		).toEqual([
			['The item\'s field "employeeId" is not a SCIM attribute', { item: 0 }],
			[
				`The item has both "department" and "${ENTERPRISE}:department" for the attribute ${ENTERPRISE}:department`,
				{ item: 1 },
			],
			['The item\'s field "name.givenName.first" is not a SCIM attribute', { item: 2 }],
			['This employee\'s active must be true or false, not "maybe"', { item: 3 }],
			[`The item's field "${ENTERPRISE}:badge" is not a SCIM attribute`, { item: 4 }],
			['E00006', { item: 5 }],
		]);
		expect(refused.items[0].json.description).toContain('Rename or remove the field first');
		expect(sentUsers().map((user) => user.externalId)).toEqual(['E00006']);

		tenant.emulator.clearRequests();
		const stopped = await upload(
			[scimNamed(7), scimNamed(8, { 'name.givenName': ['Ada'] })],
			automatically,
		);
		expect(stopped.error?.message).toBe("This employee's name.givenName must be text, not a list");
		expect(stopped.error?.context?.itemIndex).toBe(1);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

describe('Bulk Upload › pacing', () => {
	it('keeps to 40 requests in any 5 s without waiting for each answer: 2,050 employees at 300 ms Graph latency, no 429', async () => {
		const other = addServicePrincipal(tenant, 'Pacing job');
		const otherJob = tenant.emulator.createSynchronizationJob(other.id, 'API2AAD').id;
		// The burst window is the tenant's: let earlier tests' requests leave it.
		await new Promise((resolve) => setTimeout(resolve, 5_000));
		tenant.emulator.setLatency({ graph: 300 });
		try {
			const employees = Array.from({ length: 2_050 }, (_, index) => scimNamed(1_000 + index));
			const result = await upload(employees, automatically, {
				servicePrincipalId: other.id,
				jobId: otherJob,
			});
			expect(result.error).toBeUndefined();
			const calls = bulkCalls();
			expect(calls.map((call) => call.status)).toEqual(Array.from({ length: 41 }, () => 202));
			const sentAt = graphCalls(tenant.emulator)
				.filter((call) => call.path.endsWith('/bulkUpload'))
				.map((call) => call.time.getTime());
			// One after another the first 40 would take 40 × 300 ms; sent as the pacer allows, they leave together.
			expect(sentAt[39] - sentAt[0]).toBeLessThan(2_000);
			expect(sentAt[40] - sentAt[0]).toBeGreaterThanOrEqual(5_000);
			expect(new Set(result.items.map((item) => item.json.externalId)).size).toBe(2_050);
		} finally {
			tenant.emulator.setLatency({ graph: 0 });
		}
	}, 30_000);
});

describe('Bulk Upload › Upload Users (version 2) › Map Each Attribute', () => {
	it("sends the values set for the attributes of the job's list, custom ones included, evaluated per item", async () => {
		const hr = [
			{
				id: 'E00020',
				mail: 'lin@contoso.com',
				first: 'Lin',
				last: 'Chen',
				hired: '2024-02-01',
				code: 'EN-2',
				boss: 'E00001',
			},
			{
				id: 'E00021',
				mail: 'sam@contoso.com',
				first: 'Sam',
				last: 'Okoro',
				hired: '2024-03-01',
				code: 'EN-3',
				boss: 'E00020',
			},
		];
		const result = await upload(
			hr,
			eachAttribute({
				externalId: '={{ $json.id }}',
				userName: '={{ $json.mail }}',
				'name.givenName': '={{ $json.first }}',
				'name.familyName': '={{ $json.last }}',
				'name.honorificPrefix': 'Dr.',
				[`${ENTERPRISE}:manager.value`]: '={{ $json.boss }}',
				[`${CONTOSO}:HireDate`]: '={{ $json.hired }}',
				[`${CONTOSO}:JobCode`]: '={{ $json.code }}',
				title: null,
			}),
		);
		expect(result.error).toBeUndefined();
		expect(sentUsers()).toEqual(
			hr.map((employee) => ({
				schemas: [CORE, ENTERPRISE, CONTOSO],
				externalId: employee.id,
				userName: employee.mail,
				name: { givenName: employee.first, familyName: employee.last, honorificPrefix: 'Dr.' },
				[ENTERPRISE]: { manager: { value: employee.boss } },
				[CONTOSO]: { HireDate: employee.hired, JobCode: employee.code },
			})),
		);
		expect(
			result.items.map((item) => [item.json.externalId, item.json.userName, item.pairedItem]),
		).toEqual([
			['E00020', 'lin@contoso.com', { item: 0 }],
			['E00021', 'sam@contoso.com', { item: 1 }],
		]);
	});

	it('reads active as true/false; n8n refuses another value for the toggle, paired with its item', async () => {
		const { fields } = await runResourceMapping(
			'getScimAttributes',
			synchronizationParameters('bulkUpload', 'uploadUsers', sp.id, {}, { jobId }),
			tenant.appOnlyCredential(),
			2,
		);
		tenant.emulator.clearRequests();
		const result = await upload(
			[
				{ id: 'E00025', state: 'false' },
				{ id: 'E00026', state: 'maybe' },
			],
			eachAttribute(
				{ externalId: '={{ $json.id }}', userName: 'x@contoso.com', active: '={{ $json.state }}' },
				fields,
			),
			{ continueOnFail: true },
		);
		expect(
			result.items.map((item) => [item.json.externalId ?? item.json.error, item.pairedItem]),
		).toEqual([
			['E00025', { item: 0 }],
			["Invalid input for 'active' [item 1]", { item: 1 }],
		]);
		expect(result.items[1].json.description).toContain(
			"'active' expects a boolean but we got 'maybe'",
		);
		expect(sentUsers()).toEqual([
			{
				schemas: [CORE, ENTERPRISE],
				externalId: 'E00025',
				userName: 'x@contoso.com',
				active: false,
			},
		]);
	});

	it("reads values that map an item's field from the item, checked against the field types as n8n checks them: no evaluation after the first employee", async () => {
		const { fields } = await runResourceMapping(
			'getScimAttributes',
			synchronizationParameters('bulkUpload', 'uploadUsers', sp.id, {}, { jobId }),
			tenant.appOnlyCredential(),
			2,
		);
		tenant.emulator.clearRequests();
		const hr = Array.from({ length: 40 }, (_, index) => ({
			'Worker ID': `E${String(100 + index).padStart(5, '0')}`,
			mail: `worker${index}@contoso.com`,
			state: index % 4 === 3 ? 'false' : 'true',
			org: { department: index % 2 ? 'Research' : 'Sales' },
			code: 7000 + index,
		}));
		const mapping = eachAttribute(
			{
				externalId: '={{ $json["Worker ID"] }}',
				userName: '={{ $json.mail }}',
				active: '={{ $json.state }}',
				department: "={{ $json.org['department'] }}",
				[`${CONTOSO}:JobCode`]: '={{ $json.code }}',
			},
			fields,
		);
		const { result, evaluations } = await countEvaluations(() => upload(hr, mapping));
		expect(result.error).toBeUndefined();
		// The first employee is read both ways, to check the values read against n8n's own reading (5)
		expect(evaluations).toHaveLength(5);
		expect(sentUsers()).toEqual(
			hr.map((employee) => ({
				schemas: [CORE, ENTERPRISE, CONTOSO],
				externalId: employee['Worker ID'],
				userName: employee.mail,
				// n8n's check turns the text of the boolean field into true/false
				active: employee.state === 'true',
				[ENTERPRISE]: { department: employee.org.department },
				// and lets a number through for a text field, as it does
				[CONTOSO]: { JobCode: employee.code },
			})),
		);
	});

	it('says which attribute is missing or empty', async () => {
		const missing = await upload([{ id: 'E1' }], eachAttribute({ externalId: '={{ $json.id }}' }));
		expect(missing.error?.message).toBe('This employee has no userName');
		expect(missing.error?.description).toContain('Map userName under Attributes');
		const empty = await upload(
			[{ id: 'E1' }],
			eachAttribute({ externalId: '={{ $json.id }}', userName: '={{ $json.mail }}' }),
		);
		expect(empty.error?.message).toBe('This employee has no userName');
		expect(empty.error?.description).toContain('The value for userName is empty for this item');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

describe('Bulk Upload › Upload Users (version 2) › leavers', () => {
	it('sends a leaver with externalId and active false alone, as Microsoft documents; a joiner still needs userName', async () => {
		const result = await upload(
			[
				{ externalId: 'E00030', active: false },
				{ externalId: 'E00031', active: 'false', department: 'Left' },
				{ externalId: 'E00032' },
			],
			automatically,
			{ continueOnFail: true },
		);
		expect(sentUsers()).toEqual([
			{ schemas: [CORE, ENTERPRISE], externalId: 'E00030', active: false },
			{
				schemas: [CORE, ENTERPRISE],
				externalId: 'E00031',
				active: false,
				[ENTERPRISE]: { department: 'Left' },
			},
		]);
		expect(
			result.items.map((item) => [
				item.json.externalId ?? item.json.error,
				item.json.userName,
				item.pairedItem,
			]),
		).toEqual([
			['E00030', null, { item: 0 }],
			['E00031', null, { item: 1 }],
			['This employee has no userName', undefined, { item: 2 }],
		]);
		expect(result.items[2].json.description).toContain(
			'only a leaver (active false) may come with externalId alone',
		);
	});
});

describe('Bulk Upload › attribute list loader', () => {
	const parameters = (job?: string) => ({
		...synchronizationParameters(
			'bulkUpload',
			'uploadUsers',
			sp.id,
			{},
			job === undefined ? {} : { jobId: job },
		),
		...(job === undefined ? { job: locator('', 'list') } : {}),
	});

	it("lists the job's attribute list for API, custom attributes by name, with their types", async () => {
		const { fields } = await runResourceMapping(
			'getScimAttributes',
			parameters(jobId),
			tenant.appOnlyCredential(),
			2,
		);
		const byId = new Map(fields.map((field) => [field.id, field]));
		expect(fields.filter((field) => field.required).map((field) => field.id)).toEqual([
			'externalId',
			'userName',
		]);
		expect(byId.get('active')?.type).toBe('boolean');
		expect(byId.get('name.honorificPrefix')).toMatchObject({
			displayName: 'name.honorificPrefix',
			type: 'string',
		});
		// Graph lists the manager reference itself; its value goes to manager.value.
		expect(byId.get(`${ENTERPRISE}:manager.value`)).toMatchObject({
			displayName: 'enterprise: manager.value',
		});
		expect(byId.has('phoneNumbers[type eq "mobile"].value')).toBe(false);
		expect(fields.slice(-3).map((field) => [field.id, field.displayName, field.type])).toEqual([
			[`${CONTOSO}:HireDate`, `HireDate (${CONTOSO})`, 'string'],
			[`${CONTOSO}:JobCode`, `JobCode (${CONTOSO})`, 'string'],
			[`${CONTOSO}:Rehire`, `Rehire (${CONTOSO})`, 'boolean'],
		]);
		expect(
			graphCalls(tenant.emulator)
				.filter((call) => call.path.endsWith('/schema'))
				.map((call) => call.status),
		).toEqual([200]);
	});

	it('falls back to SCIM core and enterprise before a job is chosen, and for a credential that may only upload', async () => {
		const standard = Object.keys(SCIM_USER_ATTRIBUTES);
		const withoutJob = await runResourceMapping(
			'getScimAttributes',
			parameters(),
			tenant.appOnlyCredential(),
			2,
		);
		expect(withoutJob.fields.map((field) => field.id)).toEqual(standard);
		const uploadOnly = await runResourceMapping(
			'getScimAttributes',
			parameters(jobId),
			uploader,
			2,
		);
		expect(uploadOnly.fields.map((field) => field.id)).toEqual(standard);
		// When the uploader's token was fetched by an earlier call, the 403 goes once more with a fresh token (a
		// consent may be newer than the token); it stays a 403.
		expect(
			graphCalls(tenant.emulator)
				.filter((call) => call.path.endsWith('/schema'))
				.map((call) => call.status),
		).toEqual(expect.arrayContaining([403]));
		expect(
			graphCalls(tenant.emulator).filter(
				(call) => call.path.endsWith('/schema') && call.status !== 403,
			),
		).toEqual([]);
		expect(
			graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/schema')).length,
		).toBeLessThanOrEqual(2);
	});

	it('says so when the job does not exist', async () => {
		await expect(
			runResourceMapping(
				'getScimAttributes',
				parameters('API2AAD.0123456789abcdef0123456789abcdef.x'),
				tenant.appOnlyCredential(),
				2,
			),
		).rejects.toMatchObject({
			httpCode: '404',
		});
	});
});

describe('Bulk Upload › versions', () => {
	it('version 1 keeps its attribute rows; version 2 shows the resource mapper instead', async () => {
		const { nodeTypes } = await loadPackage();
		const { description } = nodeTypes.getByNameAndVersion(NODE_TYPE, 2);
		const mappings = description.properties
			.filter((property: INodeProperties) =>
				property.displayOptions?.show?.resource?.includes('bulkUpload'),
			)
			.filter((property) => ['attributes', 'columns'].includes(property.name))
			.map((property) => [
				property.name,
				property.type,
				property.displayOptions?.show?.['@version'],
			]);
		expect(mappings).toEqual([
			['columns', 'resourceMapper', [{ _cnd: { gte: 2 } }]],
			['attributes', 'fixedCollection', [1]],
		]);
		expect([description.version, description.defaultVersion]).toEqual([[1, 2], 2]);
	});

	it('a version 1 workflow with attribute rows still uploads as before', async () => {
		const result = await runNode({
			parameters: synchronizationParameters(
				'bulkUpload',
				'uploadUsers',
				sp.id,
				{
					attributes: {
						attribute: [
							{ attribute: 'externalId', value: '={{ $json.id }}' },
							{ attribute: 'userName', value: '={{ $json.mail }}' },
						],
					},
				},
				{ jobId },
			),
			credential: uploader,
			items: [{ id: 'E00040', mail: 'v1@contoso.com' }],
			typeVersion: 1,
		});
		expect(result.error).toBeUndefined();
		expect(sentUsers()).toEqual([
			{ schemas: [CORE, ENTERPRISE], externalId: 'E00040', userName: 'v1@contoso.com' },
		]);
	});
});

describe('Bulk Upload › secrets', () => {
	it('no credential secret or token shows up in what the uploads produce or n8n stores', async () => {
		const results = [
			await upload([scimNamed(50, { [`${CONTOSO}:JobCode`]: 'X-1' })], automatically),
			await upload([scimNamed(51, { [`${CONTOSO}:Unlisted`]: 'X-2' })], automatically, {
				continueOnFail: true,
			}),
			await upload([{ employeeId: 'E00052' }], automatically),
		];
		expect(results[1].items[0].json.httpCode).toBe('400');
		expect(results[2].error?.message).toBe(
			'The item\'s field "employeeId" is not a SCIM attribute',
		);
		const secret = uploader.data.clientSecret as string;
		const tokens = bearerTokens(tenant.emulator).map((token) => token.split('.')[2]);
		expect(tokens.length).toBeGreaterThan(0);
		expectNoSecrets(results, { anywhere: [secret, ...tokens], inNodeOutput: [] });
	});
});

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

import { HR_COLUMNS, hrKey } from '../lib/hrColumns';
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
				// Without active Graph's job would disable the account: the node sends true and says so
				active: true,
				name: { givenName: 'Grace', familyName: 'Hopper' },
				emails: [{ type: 'work', primary: true, value: 'grace@contoso.com' }],
				[ENTERPRISE]: { costCenter: '4130', manager: { value: 'E00001' } },
			},
		]);
		expect(
			result.items.map((item) => [
				item.json.bulkId,
				item.json.operationsInRequest,
				item.json.activeSetByDefault,
				item.pairedItem,
			]),
		).toEqual([
			['E00001', 2, undefined, { item: 0 }],
			['E00002', 2, true, { item: 1 }],
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

/** An HR export as n8n's Extract From File gives it: one item per row, every value text, the export's column names. */
function hrRow(number: number, overrides: IDataObject = {}): IDataObject {
	return {
		'Worker ID': `W${String(number).padStart(5, '0')}`,
		'User Name': `worker${number}@contoso.com`,
		'First Name': 'Lin',
		LAST_NAME: `Chen${number}`,
		'work email': `worker${number}@contoso.com`,
		'Manager ID': 'W00001',
		Department: 'Research',
		'Job Title': 'Engineer',
		'Worker Status': 'Active',
		'Cost Center': '4130',
		...overrides,
	};
}

const withOptions = (inputOptions: IDataObject) => ({ ...automatically, inputOptions });

describe('Bulk Upload › Upload Users (version 2) › Input Options', () => {
	it('Match HR Columns sends common HR column names as their SCIM attributes, worker status as active, and says which column went where', async () => {
		const result = await upload(
			[
				hrRow(1),
				hrRow(2, { 'Worker Status': 'Terminated' }),
				hrRow(3, { 'Worker Status': 'on_leave' }),
				hrRow(4, { 'Worker Status': 'Pending' }),
			],
			withOptions({ matchHrColumns: true }),
			{ continueOnFail: true },
		);
		expect(sentUsers()).toEqual(
			[
				[1, true],
				[2, false],
				[3, true],
			].map(([number, active]) => ({
				schemas: [CORE, ENTERPRISE],
				externalId: `W0000${String(number)}`,
				userName: `worker${String(number)}@contoso.com`,
				active,
				title: 'Engineer',
				name: { givenName: 'Lin', familyName: `Chen${String(number)}` },
				emails: [{ type: 'work', primary: true, value: `worker${String(number)}@contoso.com` }],
				[ENTERPRISE]: { department: 'Research', costCenter: '4130', manager: { value: 'W00001' } },
			})),
		);
		expect(result.items[0].json.columnsMapped).toEqual({
			'Worker ID': 'externalId',
			'User Name': 'userName',
			'First Name': 'name.givenName',
			LAST_NAME: 'name.familyName',
			'work email': 'emails[type eq "work"].value',
			'Manager ID': `${ENTERPRISE}:manager.value`,
			Department: `${ENTERPRISE}:department`,
			'Job Title': 'title',
			'Worker Status': 'active',
			'Cost Center': `${ENTERPRISE}:costCenter`,
		});
		// A worker status it does not know is refused with the statuses it knows, not guessed
		expect(result.items[3].json.error).toBe(
			'This employee\'s worker status "Pending" is none the node reads as active or not',
		);
		expect(result.items[3].json.description).toContain('as inactive: Terminated, Inactive');
		expect(result.items[3].pairedItem).toEqual({ item: 3 });

		// Without the option the same export is refused, as before, and the error points at the option
		const refused = await upload([hrRow(5)], automatically);
		expect(refused.error?.message).toBe('The item\'s field "Worker ID" is not a SCIM attribute');
		expect(refused.error?.description).toContain('Match HR Columns');
	});

	it('Other Fields: Ignore Them sends the SCIM attributes and lists the rest; Send Under a Custom Extension sends them under the named URN', async () => {
		const ignored = await upload(
			[scimNamed(60, { Badge: 'B-1', 'Parking Spot': '12' })],
			withOptions({ unknownFields: 'ignore' }),
		);
		expect(ignored.error).toBeUndefined();
		expect(sentUsers()[0]).not.toHaveProperty('Badge');
		expect(ignored.items[0].json.fieldsIgnored).toEqual(['Badge', 'Parking Spot']);

		tenant.emulator.clearRequests();
		const custom = await upload(
			[scimNamed(61, { JobCode: 'TG-1', 'Hire Date': '2024-01-02' })],
			withOptions({
				unknownFields: 'customExtension',
				customExtensionSchema: ` ${CONTOSO} `,
				matchHrColumns: true,
			}),
		);
		expect(custom.error).toBeUndefined();
		expect(bulkCalls().map((call) => call.status)).toEqual([202]);
		expect(sentUsers()[0]).toMatchObject({
			schemas: [CORE, ENTERPRISE, CONTOSO],
			// Hire Date has no SCIM attribute: it goes as HireDate, as Microsoft's custom-attribute tutorial names it
			[CONTOSO]: { JobCode: 'TG-1', HireDate: '2024-01-02' },
		});
		expect(custom.items[0].json.columnsMapped).toEqual({
			JobCode: `${CONTOSO}:JobCode`,
			'Hire Date': `${CONTOSO}:HireDate`,
		});

		tenant.emulator.clearRequests();
		const invalid = await upload(
			[scimNamed(62, { 'Badge No.': 'B-2' }), scimNamed(63)],
			withOptions({ unknownFields: 'customExtension', customExtensionSchema: CONTOSO }),
			{ continueOnFail: true },
		);
		expect(invalid.items[0].json.error).toBe(
			`Item 1: the field "Badge No." cannot be sent as an attribute of ${CONTOSO}`,
		);
		expect(invalid.items[0].json.description).toContain('Rename the field');
		expect(invalid.items[1].json).toMatchObject({ success: true, externalId: 'E00063' });

		for (const customExtensionSchema of ['', ENTERPRISE, 'contoso']) {
			const unnamed = await upload(
				[scimNamed(64, { JobCode: 'X' })],
				withOptions({ unknownFields: 'customExtension', customExtensionSchema }),
			);
			expect(unnamed.error?.message).toMatch(
				/^(Other Fields is Send Under a Custom Extension, but no Custom Extension Schema is given|The Custom Extension Schema ".*" is not a custom extension's schema URN)$/,
			);
		}
		expect(sentUsers().map((user) => user.externalId)).toEqual(['E00063']);
	});

	it('Employee Without Active: Refuse the Employee fails an employee without active before any request; a leaver still goes', async () => {
		const result = await upload(
			[scimNamed(70, { active: undefined }), { externalId: 'E00071', active: 'false' }],
			withOptions({ employeeWithoutActive: 'refuse' }),
			{ continueOnFail: true },
		);
		expect(result.items.map((item) => item.json.error ?? item.json.externalId)).toEqual([
			'This employee has no active',
			'E00071',
		]);
		expect(result.items[0].json.description).toContain('Employee Without Active');
		expect(sentUsers()).toEqual([
			{ schemas: [CORE, ENTERPRISE], externalId: 'E00071', active: false },
		]);
	});

	it('Add Missing Attributes adds the custom attributes the job lacks in one schema write per job, then sends; a second run writes nothing', async () => {
		const other = addServicePrincipal(tenant, 'API-driven inbound provisioning (attribute list)');
		const otherJob = tenant.emulator.createSynchronizationJob(other.id, 'API2AAD').id;
		const admin = clientWith(
			tenant,
			['SynchronizationData-User.Upload', 'Synchronization.ReadWrite.All'],
			'schema-writing uploader',
		).credential;
		const employees = Array.from({ length: 60 }, (_, index) =>
			scimNamed(200 + index, {
				[`${CONTOSO}:BadgeId`]: `B-${index}`,
				[`${CONTOSO}:Remote`]: index % 2 === 0,
			}),
		);
		const run = () =>
			runNode({
				parameters: synchronizationParameters(
					'bulkUpload',
					'uploadUsers',
					other.id,
					withOptions({ addMissingAttributes: true }),
					{ jobId: otherJob },
				),
				credential: admin,
				items: employees,
				typeVersion: 2,
			});
		const first = await run();
		expect(first.error).toBeUndefined();
		const schemaCalls = () =>
			graphCalls(tenant.emulator)
				.filter((call) => call.path.endsWith('/schema'))
				.map((call) => `${call.method} ${call.status}`);
		expect(schemaCalls()).toEqual(['GET 200', 'PUT 204']);
		expect(bulkCalls().map((call) => call.status)).toEqual([202, 202]);
		const added = [
			{ name: `${CONTOSO}:BadgeId`, type: 'String' },
			{ name: `${CONTOSO}:Remote`, type: 'Boolean' },
		];
		for (const item of first.items)
			expect(item.json.attributeListChanges).toEqual({ added, written: true });

		tenant.emulator.clearRequests();
		const second = await run();
		expect(second.error).toBeUndefined();
		expect(schemaCalls()).toEqual(['GET 200']);
		expect(second.items[0].json).not.toHaveProperty('attributeListChanges');

		// A credential that may only upload cannot read the schema: its employees fail with that, none is sent
		tenant.emulator.clearRequests();
		const uploadOnly = await runNode({
			parameters: synchronizationParameters(
				'bulkUpload',
				'uploadUsers',
				other.id,
				withOptions({ addMissingAttributes: true }),
				{ jobId: otherJob },
			),
			credential: uploader,
			items: employees.slice(0, 2),
			typeVersion: 2,
			continueOnFail: true,
		});
		expect(uploadOnly.items.map((item) => [item.json.httpCode, item.pairedItem])).toEqual([
			['403', { item: 0 }],
			['403', { item: 1 }],
		]);
		expect(bulkCalls()).toEqual([]);
		expectNoSecrets([first, second, uploadOnly], {
			anywhere: [admin.data.clientSecret as string, uploader.data.clientSecret as string],
			inNodeOutput: [],
		});
	});
	it('with Preview Only, Add Missing Attributes reads the schema, writes nothing, sends nothing, and each preview item names the attributes a real run would add', async () => {
		const other = addServicePrincipal(
			tenant,
			'API-driven inbound provisioning (preview of the list)',
		);
		const otherJob = tenant.emulator.createSynchronizationJob(other.id, 'API2AAD').id;
		const admin = clientWith(
			tenant,
			['SynchronizationData-User.Upload', 'Synchronization.ReadWrite.All'],
			'schema-previewing uploader',
		).credential;
		const employees = Array.from({ length: 3 }, (_, index) =>
			scimNamed(300 + index, { [`${CONTOSO}:CostCenter`]: `CC-${index}` }),
		);
		const result = await runNode({
			parameters: {
				...synchronizationParameters(
					'bulkUpload',
					'uploadUsers',
					other.id,
					withOptions({ addMissingAttributes: true }),
					{ jobId: otherJob },
				),
				uploadOptions: { previewOnly: true },
			},
			credential: admin,
			items: employees,
			typeVersion: 2,
		});
		expect(result.error).toBeUndefined();
		expect(
			graphCalls(tenant.emulator)
				.filter((call) => call.path.includes(`/jobs/${otherJob}/`))
				.map((call) => `${call.method} ${call.path.split('/').pop()}`),
		).toEqual(['GET schema']);
		expect(bulkCalls()).toEqual([]);
		for (const item of result.items) {
			expect(item.json.status).toBe('preview');
			expect(item.json.attributeListChanges).toEqual({
				added: [{ name: `${CONTOSO}:CostCenter`, type: 'String' }],
				written: false,
			});
		}
		// The attribute is still missing after the preview: the real run adds it
		tenant.emulator.clearRequests();
		const real = await runNode({
			parameters: synchronizationParameters(
				'bulkUpload',
				'uploadUsers',
				other.id,
				withOptions({ addMissingAttributes: true }),
				{ jobId: otherJob },
			),
			credential: admin,
			items: employees,
			typeVersion: 2,
		});
		expect(real.items[0].json.attributeListChanges).toEqual({
			added: [{ name: `${CONTOSO}:CostCenter`, type: 'String' }],
			written: true,
		});
		expect(bulkCalls().map((call) => call.status)).toEqual([202]);
	});
});

describe('Bulk Upload › HR columns', () => {
	it('each HR column goes to an attribute of the SCIM list, and no name (as compared) is listed twice', () => {
		const targets = HR_COLUMNS.flatMap(({ target }) =>
			'attribute' in target ? [target.attribute] : [],
		);
		expect(targets.filter((attribute) => !(attribute in SCIM_USER_ATTRIBUTES))).toEqual([]);
		const names = HR_COLUMNS.flatMap(({ columns }) => columns.map(hrKey));
		expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
	});
});

describe('Bulk Upload › Upload Users (version 2) › SCIM users as SCIM writes them', () => {
	it('sends the emails, phoneNumbers and addresses lists and the name and enterprise objects as given, schemas rebuilt', async () => {
		const user = {
			schemas: ['urn:whatever'],
			externalId: 'E00080',
			userName: 'bjensen@contoso.com',
			active: true,
			name: {
				givenName: 'Barbara',
				familyName: 'Jensen',
				honorificPrefix: 'Ms.',
				honorificSuffix: 'III',
			},
			emails: [{ value: 'bjensen@contoso.com', type: 'work', primary: true }],
			phoneNumbers: [{ value: '555-555-5555', type: 'work' }, { value: '' }],
			addresses: [{ type: 'work', locality: 'Hollywood', country: 'USA', primary: 'true' }],
			[ENTERPRISE]: { department: 'Tours', manager: { value: '89607', displayName: 'John Smith' } },
		};
		const result = await upload([user], automatically);
		expect(result.error).toBeUndefined();
		expect(sentUsers()).toEqual([
			{
				...user,
				schemas: [CORE, ENTERPRISE],
				// an empty entry is left out, and text true/false is read as SCIM's boolean
				phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
				addresses: [{ type: 'work', locality: 'Hollywood', country: 'USA', primary: true }],
			},
		]);
	});

	it('refuses a list of the wrong shape, an unknown sub-attribute, and a list given beside its work entry', async () => {
		const result = await upload(
			[
				scimNamed(81, { emails: 'a@contoso.com' }),
				scimNamed(82, { emails: ['a@contoso.com'] }),
				scimNamed(83, { phoneNumbers: [{ value: '1', extension: '2' }] }),
				scimNamed(84, { emails: [{ value: 'not-a-mail' }] }),
				scimNamed(85, {
					emails: [{ value: 'a@contoso.com', type: 'work' }],
					'emails[type eq "work"].value': 'b@contoso.com',
				}),
				scimNamed(86, {
					'emails[type eq "work"].value': 'b@contoso.com',
					emails: [{ value: 'a@contoso.com', type: 'work' }],
				}),
				scimNamed(87, { emails: [{ value: 'c@contoso.com', type: 'work' }] }),
			],
			automatically,
			{ continueOnFail: true },
		);
		expect(result.items.map((item) => item.json.error ?? item.json.externalId)).toEqual([
			'This employee\'s emails must be a list of entries such as [{"type": "work", "primary": true, "value": …}]',
			'This employee\'s emails[0] must be an object, as in a list of entries such as [{"type": "work", "primary": true, "value": …}]',
			'This employee\'s phoneNumbers[0] has "extension", which is not one of its sub-attributes (value, type, primary, display)',
			'This employee\'s emails[0].value is not a mail address: "not-a-mail"',
			'The item has both "emails" and "emails[type eq "work"].value" for the attribute emails[type eq "work"].value',
			'The item has both "emails[type eq "work"].value" and "emails" for the attribute emails',
			'E00087',
		]);
		expect(sentUsers().map((sent) => sent.emails)).toEqual([
			[{ value: 'c@contoso.com', type: 'work' }],
		]);
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
				active: true,
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
			{
				schemas: [CORE, ENTERPRISE],
				externalId: 'E00040',
				userName: 'v1@contoso.com',
				active: true,
			},
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

import type { IDataObject } from 'n8n-workflow';

import { runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	locator,
	synchronizationParameters,
} from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

let tenant: TestTenant;
const results: RunResult[] = [];

const EXTENSION = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

async function run(
	operation: string,
	sp: { id: string },
	jobId: string,
	fields: IDataObject = {},
	extra: { continueOnFail?: boolean; items?: object[] } = {},
) {
	const result = await runNode({
		parameters: synchronizationParameters('schema', operation, sp.id, fields, { jobId }),
		credential: tenant.appOnlyCredential(),
		items: extra.items as never,
		continueOnFail: extra.continueOnFail,
	});
	results.push(result);
	return result;
}

/** A fresh service principal with a job of the template, so tests do not see each other's schema. */
function freshJob(name: string, templateId: 'scim' | 'API2AAD') {
	const sp = addServicePrincipal(tenant, name);
	return { sp, jobId: tenant.emulator.createSynchronizationJob(sp.id, templateId).id };
}

const writes = () =>
	graphCalls(tenant.emulator).filter((call) => call.method === 'PUT' || call.method === 'DELETE');

async function schemaOf(sp: { id: string }, jobId: string): Promise<IDataObject> {
	const result = await run('get', sp, jobId);
	return result.items[0].json.schema as IDataObject;
}

const hireDate = {
	updateFrom: 'changes',
	changes: {
		addAttribute: [
			{ directory: 'API', object: '', name: 'HireDate', extensionUrn: EXTENSION, type: 'DateTime' },
		],
		setMapping: [
			{
				objectMapping: 'User',
				target: 'department',
				mappingType: 'direct',
				source: `${EXTENSION}:HireDate`,
				flowType: 'ObjectAddOnly',
				matchingPriority: 0,
			},
		],
	},
};

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

describe('Schema › Get, one item per attribute mapping', () => {
	it('gives rule, object mapping, source → target, type, expression, when it applies and matching precedence', async () => {
		const { sp, jobId } = freshJob('Get mappings', 'API2AAD');
		const result = await run('get', sp, jobId, { output: 'attributeMappings' });
		expect(result.error).toBeUndefined();
		const rows = result.items.map((item) => item.json);
		expect(rows).toHaveLength(7);
		expect(rows[0]).toMatchObject({
			servicePrincipalId: sp.id,
			jobId,
			ruleName: 'USER_INBOUND',
			objectMapping: 'Provision API users',
			sourceDirectory: 'API',
			targetDirectory: 'Azure Active Directory',
			source: '[externalId]',
			targetAttribute: 'employeeId',
			mappingType: 'Direct',
			applies: 'Always',
			matchingPrecedence: 1,
		});
		expect(rows[1]).toMatchObject({
			targetAttribute: 'displayName',
			mappingType: 'Expression',
			expression: 'Join(" ", [name.givenName], [name.familyName])',
			matchingPrecedence: null,
		});
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(
			true,
		);
	});
});

describe('Schema › Update, targeted changes', () => {
	it('adds an attribute and maps it with one PUT; the same change again sends no PUT', async () => {
		const { sp, jobId } = freshJob('HR inbound', 'API2AAD');
		const first = await run('update', sp, jobId, hireDate);
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ changed: true, sent: true, graphStatus: 204 });
		const changes = first.items[0].json.changes as IDataObject[];
		expect(changes).toEqual(
			expect.arrayContaining([
				expect.objectContaining({
					change: 'added',
					path: `directories[API].objects[${ENTERPRISE}].attributes[${EXTENSION}:HireDate]`,
					before: null,
				}),
				expect.objectContaining({
					change: 'changed',
					path: 'synchronizationRules[USER_INBOUND].objectMappings[Provision API users].attributeMappings[department].source',
					before: expect.objectContaining({ name: `${ENTERPRISE}:department` }),
					after: expect.objectContaining({ name: `${EXTENSION}:HireDate` }),
				}),
				expect.objectContaining({
					change: 'changed',
					path: 'synchronizationRules[USER_INBOUND].objectMappings[Provision API users].attributeMappings[department].flowType',
					before: 'Always',
					after: 'ObjectAddOnly',
				}),
			]),
		);
		expect(writes()).toHaveLength(1);

		const second = await run('update', sp, jobId, hireDate);
		expect(second.items[0].json).toMatchObject({ changed: false, sent: false, changes: [] });
		expect(writes()).toHaveLength(1);

		const rows = (await run('get', sp, jobId, { output: 'attributeMappings' })).items.map(
			(item) => item.json,
		);
		expect(rows.find((row) => row.targetAttribute === 'department')).toMatchObject({
			source: `[${EXTENSION}:HireDate]`,
			applies: 'Only during object creation',
		});
	});

	it('lets Bulk Upload send the attribute it adds to the API directory', async () => {
		const { sp, jobId } = freshJob('HR upload', 'API2AAD');
		const { credential } = clientWith(tenant, ['SynchronizationData-User.Upload'], 'HR uploader');
		const uploadHireDate = async () => {
			const result = await runNode({
				parameters: synchronizationParameters(
					'bulkUpload',
					'uploadUsers',
					sp.id,
					{ columns: { mappingMode: 'autoMapInputData', value: null } },
					{ jobId },
				),
				items: [
					{
						externalId: 'E00042',
						userName: 'ada@contoso.com',
						[`${EXTENSION}:HireDate`]: '2026-01-05T00:00:00Z',
					},
				] as never,
				typeVersion: 2,
				credential,
			});
			results.push(result);
			return result;
		};
		const before = await uploadHireDate();
		expect(before.error?.description).toContain(
			"the attribute '" + EXTENSION + ":HireDate' is not defined in the job's schema",
		);
		await run('update', sp, jobId, hireDate);
		const after = await uploadHireDate();
		expect(after.error).toBeUndefined();
		expect(tenant.emulator.getSynchronizationJob(sp.id, jobId)?.bulkUploads).toHaveLength(1);
	});

	it('Preview Only outputs the request and the differences and sends nothing', async () => {
		const { sp, jobId } = freshJob('Preview', 'API2AAD');
		const result = await run('update', sp, jobId, { ...hireDate, previewOnly: true });
		expect(result.items[0].json).toMatchObject({
			previewOnly: true,
			changed: true,
			sent: false,
			counts: { added: 1, changed: 2, removed: 0 },
			request: {
				method: 'PUT',
				path: `/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/schema`,
			},
		});
		expect(writes()).toEqual([]);
	});

	it('removes a mapping and sets a scoping filter', async () => {
		const { sp, jobId } = freshJob('Scoped SCIM', 'scim');
		const result = await run('update', sp, jobId, {
			updateFrom: 'changes',
			changes: {
				removeMapping: [{ objectMapping: 'User', target: 'title' }],
				scopingClause: [
					{
						objectMapping: 'User',
						attribute: 'department',
						operator: 'EQUALS',
						value: 'Sales, R&D',
					},
				],
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.counts).toEqual({ added: 0, changed: 1, removed: 1 });
		const schema = await schemaOf(sp, jobId);
		const [users] = (schema.synchronizationRules as IDataObject[])[0]
			.objectMappings as IDataObject[];
		expect(users.scope).toMatchObject({
			groups: [
				{
					clauses: [
						{
							operatorName: 'EQUALS',
							sourceOperandName: 'department',
							targetOperand: { values: ['Sales', 'R&D'] },
						},
					],
				},
			],
		});
	});

	it('refuses a mapping to an attribute the target directory lacks, naming the closest, and writes nothing', async () => {
		const { sp, jobId } = freshJob('Typo', 'scim');
		const result = await run('update', sp, jobId, {
			updateFrom: 'changes',
			changes: {
				setMapping: [
					{
						objectMapping: 'User',
						target: 'displayNme',
						mappingType: 'direct',
						source: 'displayName',
					},
				],
			},
		});
		expect(result.error?.message).toBe(
			`The directory "customappsso" has no attribute "displayNme" on "${ENTERPRISE}"`,
		);
		expect(result.error?.description).toContain('the closest are "displayName"');
		expect(writes()).toEqual([]);
	});

	it('refuses an attribute added twice before any request', async () => {
		const { sp, jobId } = freshJob('Twice', 'API2AAD');
		const entry = { directory: 'API', name: 'HireDate', extensionUrn: EXTENSION, type: 'String' };
		const result = await run('update', sp, jobId, {
			updateFrom: 'changes',
			changes: { addAttribute: [entry, entry] },
		});
		expect(result.error?.message).toBe(
			`The attribute "${EXTENSION}:HireDate" is added to "API" twice`,
		);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('refuses an expression Graph cannot parse, and uses the parse of one it can', async () => {
		const { sp, jobId } = freshJob('Expressions', 'scim');
		const broken = await run('update', sp, jobId, {
			updateFrom: 'changes',
			changes: {
				setMapping: [
					{
						objectMapping: 'User',
						target: 'displayName',
						mappingType: 'expression',
						source: 'Frobnicate([givenName])',
					},
				],
			},
		});
		expect(broken.error?.message).toBe('Graph cannot parse the expression for "displayName"');
		expect(broken.error?.description).toContain("The function 'Frobnicate' is not supported.");
		expect(writes()).toEqual([]);

		const parsed = await run('update', sp, jobId, {
			updateFrom: 'changes',
			changes: {
				setMapping: [
					{
						objectMapping: 'User',
						target: 'displayName',
						mappingType: 'expression',
						source: 'Join(" ", [givenName], [surname])',
					},
				],
			},
		});
		expect(parsed.items[0].json.sent).toBe(true);
		const rows = (await run('get', sp, jobId, { output: 'attributeMappings' })).items.map(
			(item) => item.json,
		);
		expect(rows.find((row) => row.targetAttribute === 'displayName')).toMatchObject({
			mappingType: 'Expression',
			expression: 'Join(" ", [givenName], [surname])',
		});
	});

	it('pairs each item with Continue On Fail: a refused item becomes its error item, the others go on', async () => {
		const { sp, jobId } = freshJob('Pairing', 'API2AAD');
		const result = await run(
			'update',
			sp,
			jobId,
			{
				updateFrom: 'changes',
				changes: {
					addAttribute: [
						{
							directory: '={{ $json.directory }}',
							name: '={{ $json.name }}',
							extensionUrn: EXTENSION,
							type: 'String',
						},
					],
				},
			},
			{
				continueOnFail: true,
				items: [
					{ directory: 'API', name: 'CostCode' },
					{ directory: '../API', name: 'Quote"d' },
					{ directory: 'API', name: "O'Brien" },
				],
			},
		);
		expect(
			result.items.map((item) => [item.json.sent ?? item.json.error, item.pairedItem]),
		).toEqual([
			[true, { item: 0 }],
			['The schema has no directory "../API"', { item: 1 }],
			[true, { item: 2 }],
		]);
		const schema = await schemaOf(sp, jobId);
		const api = (schema.directories as IDataObject[]).find((directory) => directory.name === 'API');
		const names = ((api?.objects as IDataObject[])[0].attributes as IDataObject[]).map(
			(attribute) => attribute.name,
		);
		// Items of one job are written one after the other: the second write keeps the first one's attribute.
		expect(names).toEqual(
			expect.arrayContaining([`${EXTENSION}:CostCode`, `${EXTENSION}:O'Brien`]),
		);
	});
});

describe('Schema › Update from JSON, Compare and Reset', () => {
	it('restores a backup: Get → change → Update from the backup gives the original schema, with one PUT per change', async () => {
		const { sp, jobId } = freshJob('Restore', 'API2AAD');
		const backup = await run('get', sp, jobId);
		await run('update', sp, jobId, hireDate);
		const restored = await run('update', sp, jobId, {
			updateFrom: 'json',
			schemaJson: JSON.stringify(backup.items[0].json),
		});
		expect(restored.items[0].json).toMatchObject({ changed: true, sent: true });
		const compared = await run('compare', sp, jobId, {
			compareWith: 'json',
			otherSchema: JSON.stringify(backup.items[0].json.schema),
		});
		expect(compared.items).toEqual([]);
		const again = await run('update', sp, jobId, {
			updateFrom: 'json',
			schemaJson: JSON.stringify(backup.items[0].json),
		});
		expect(again.items[0].json).toMatchObject({ changed: false, sent: false });
		expect(writes()).toHaveLength(2);
	});

	it('compares a job with itself as no item, and with another job as one item per difference', async () => {
		const { sp, jobId } = freshJob('Compare A', 'scim');
		const other = freshJob('Compare B', 'scim');
		const self = await run('compare', sp, jobId, {
			compareWith: 'job',
			otherServicePrincipalId: sp.id,
			otherJobId: jobId,
		});
		expect(self.error).toBeUndefined();
		expect(self.items).toEqual([]);
		await run('update', other.sp, other.jobId, {
			updateFrom: 'changes',
			changes: { removeMapping: [{ objectMapping: 'Group', target: 'externalId' }] },
		});
		const compared = await run('compare', sp, jobId, {
			compareWith: 'job',
			otherServicePrincipalId: other.sp.id,
			otherJobId: other.jobId,
		});
		expect(compared.items.map((item) => item.json)).toEqual([
			expect.objectContaining({
				difference: 'onlyInJob',
				path: 'synchronizationRules[USER_GROUP_OUTBOUND].objectMappings[Provision Microsoft Entra ID Groups].attributeMappings[externalId]',
				job: expect.objectContaining({ targetAttributeName: 'externalId' }),
				other: null,
			}),
		]);
	});

	it("refuses a schema that is not in Graph's shape, defines an attribute twice or maps to one its directory lacks, before any request", async () => {
		const { sp, jobId } = freshJob('Shape', 'scim');
		const notSchema = await run('update', sp, jobId, {
			updateFrom: 'json',
			schemaJson: '{"rules": []}',
		});
		expect(notSchema.error?.message).toBe('The Schema given is not a synchronization schema');
		const twice = await run('update', sp, jobId, {
			updateFrom: 'json',
			schemaJson: JSON.stringify({
				synchronizationRules: [],
				directories: [
					{ name: 'X', objects: [{ name: 'User', attributes: [{ name: 'a' }, { name: 'A' }] }] },
				],
			}),
		});
		expect(twice.error?.message).toBe(
			'The attribute "A" is defined twice in "User" of directory "X"',
		);
		const unknownTarget = await run('update', sp, jobId, {
			updateFrom: 'json',
			schemaJson: JSON.stringify({
				synchronizationRules: [
					{
						name: 'R',
						sourceDirectoryName: 'X',
						targetDirectoryName: 'Y',
						objectMappings: [
							{
								sourceObjectName: 'User',
								targetObjectName: 'User',
								attributeMappings: [
									{ targetAttributeName: 'mial', source: { type: 'Attribute', name: 'a' } },
								],
							},
						],
					},
				],
				directories: [
					{ name: 'X', objects: [{ name: 'User', attributes: [{ name: 'a' }] }] },
					{
						name: 'Y',
						objects: [{ name: 'User', attributes: [{ name: 'mail' }, { name: 'id' }] }],
					},
				],
			}),
		});
		expect(unknownTarget.error?.message).toBe(
			'The directory "Y" has no attribute "mial" on "User"',
		);
		expect(unknownTarget.error?.description).toContain('the closest are "mail", "id"');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('writes a 2 MB schema whole and reads it back equal', async () => {
		const { sp, jobId } = freshJob('Large', 'API2AAD');
		const schema = await schemaOf(sp, jobId);
		const api = (schema.directories as IDataObject[]).find((directory) => directory.name === 'API');
		const attributes = (api?.objects as IDataObject[])[0].attributes as IDataObject[];
		const template = attributes[0];
		const count = Math.ceil((2 * 1024 * 1024) / JSON.stringify(template).length);
		for (let index = 0; index < count; index++)
			attributes.push({ ...template, name: `${EXTENSION}:Attribute${index}`, anchor: false });
		expect(JSON.stringify(schema).length).toBeGreaterThan(2 * 1024 * 1024);
		const result = await run('update', sp, jobId, {
			updateFrom: 'json',
			schemaJson: JSON.stringify(schema),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ sent: true });
		const compared = await run('compare', sp, jobId, {
			compareWith: 'json',
			otherSchema: JSON.stringify(schema),
		});
		expect(compared.items).toEqual([]);
	});

	it("Reset previews the template's default without a DELETE, then deletes the customized schema", async () => {
		const { sp, jobId } = freshJob('Reset', 'API2AAD');
		await run('update', sp, jobId, hireDate);
		tenant.emulator.clearRequests();
		const preview = await run('reset', sp, jobId, { previewOnly: true });
		expect(preview.items[0].json).toMatchObject({
			templateId: 'API2AAD',
			changed: true,
			sent: false,
			counts: { added: 0, changed: 2, removed: 1 },
			request: { method: 'DELETE' },
		});
		expect(writes()).toEqual([]);
		const reset = await run('reset', sp, jobId);
		expect(reset.items[0].json).toMatchObject({ sent: true, graphStatus: 204 });
		expect(writes().map((call) => call.method)).toEqual(['DELETE']);
		const rows = (await run('get', sp, jobId, { output: 'attributeMappings' })).items.map(
			(item) => item.json,
		);
		expect(rows.find((row) => row.targetAttribute === 'department')).toMatchObject({
			source: `[${ENTERPRISE}:department]`,
			applies: 'Always',
		});
	});
});

describe('Schema › Discover Directory and the catalogues', () => {
	it("discovers a directory by name through its ID in the job's schema", async () => {
		const { sp, jobId } = freshJob('Discover', 'scim');
		// Graph's permissions data lists Directory.ReadWrite.All for discover, not Synchronization.ReadWrite.All.
		const { credential } = clientWith(
			tenant,
			['Synchronization.ReadWrite.All', 'Directory.ReadWrite.All'],
			'Discoverer',
		);
		const discoverWith = async (directory: string) => {
			const outcome = await runNode({
				parameters: synchronizationParameters(
					'schema',
					'discoverDirectory',
					sp.id,
					{ directory },
					{ jobId },
				),
				credential,
			});
			results.push(outcome);
			return outcome;
		};
		const result = await discoverWith('customappsso');
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			directory: 'customappsso',
			discoverabilities: 'AttributeNames, AttributeDataTypes',
			attributes: expect.arrayContaining([
				{ object: ENTERPRISE, name: 'userName', type: 'String', multivalued: false },
			]),
		});
		const [, discover] = graphCalls(tenant.emulator);
		expect(discover.method).toBe('POST');
		expect(discover.path).toBe(
			`/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/schema/directories/${String(result.items[0].json.directoryId)}/discover`,
		);

		const unknown = await discoverWith('../customappsso');
		expect(unknown.error?.message).toBe('The job\'s schema has no directory "../customappsso"');
	});

	it('lists the filter operators and the functions, one item each', async () => {
		const { sp, jobId } = freshJob('Catalogues', 'scim');
		const operators = await run('getFilterOperators', sp, jobId);
		expect(operators.items.map((item) => item.json.name)).toEqual(
			expect.arrayContaining(['EQUALS', 'IS NULL', 'REGEX MATCH']),
		);
		const functions = await run('getFunctions', sp, jobId);
		expect(functions.items.map((item) => item.json.name)).toEqual(
			expect.arrayContaining(['Append', 'Join', 'Switch', 'ToLower']),
		);
	});

	it.each([
		['get', { output: 'attributeMappings' }],
		['compare', { compareWith: 'json', otherSchema: '={{ JSON.stringify($json.schema) }}' }],
		['reset', { previewOnly: true }],
		['getFilterOperators', {}],
		['getFunctions', {}],
	])(
		'%s pairs every output with its item; with Continue On Fail a job ID with a path in it becomes its error item',
		async (operation, fields) => {
			const { sp, jobId } = freshJob(`Pairing ${operation}`, 'scim');
			const schema = await schemaOf(sp, jobId);
			tenant.emulator.clearRequests();
			const result = await runNode({
				parameters: {
					...synchronizationParameters('schema', operation, sp.id, fields as IDataObject),
					job: locator('={{ $json.jobId }}'),
				},
				credential: tenant.appOnlyCredential(),
				items: [
					{ jobId, schema },
					{ jobId: '../../secrets', schema },
					{ jobId, schema },
				] as never,
				continueOnFail: true,
			});
			results.push(result);
			const error = result.items.filter((item) => item.json.error !== undefined);
			expect(error.map((item) => [item.json.error, item.pairedItem])).toEqual([
				['"../../secrets" is not a job ID', { item: 1 }],
			]);
			const paired = new Set(
				result.items.map((item) => (item.pairedItem as { item: number }).item),
			);
			const expectsItems = operation !== 'compare';
			expect(paired).toEqual(new Set(expectsItems ? [0, 1, 2] : [1]));
			expect(graphCalls(tenant.emulator).some((call) => call.path.includes('secrets'))).toBe(false);
		},
	);

	it('refuses a job ID with a path in it before any request', async () => {
		const { sp } = freshJob('Hostile job', 'scim');
		const result = await runNode({
			parameters: {
				...synchronizationParameters('schema', 'update', sp.id, hireDate),
				job: locator('={{ "../../secrets" }}'),
			},
			credential: tenant.appOnlyCredential(),
		});
		results.push(result);
		expect(result.error?.message).toBe('"../../secrets" is not a job ID');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

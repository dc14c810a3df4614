import type { IDataObject } from 'n8n-workflow';

import type { CredentialInput } from './harness/engine';
import { runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	synchronizationParameters,
} from './support/synchronization';
import { bearerTokens, graphCalls, startTenant, type TestTenant } from './support/tenant';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let tenant: TestTenant;
let hr: { client: { secret: string }; credential: CredentialInput };
let sp: { id: string; appId: string };
let jobId: string;

const attributes = {
	attributes: {
		attribute: [
			{ attribute: 'externalId', value: '={{ $json.employeeId }}' },
			{ attribute: 'userName', value: '={{ $json.mail }}' },
			{ attribute: 'active', value: '={{ $json.active ?? true }}' },
			{ attribute: 'name.givenName', value: '={{ $json.first }}' },
			{ attribute: 'name.familyName', value: '={{ $json.last }}' },
			{ attribute: `${ENTERPRISE}:manager.value`, value: '={{ $json.manager ?? "" }}' },
		],
	},
};

function employee(id: string, extra: IDataObject = {}): IDataObject {
	return {
		employeeId: id,
		mail: `${id.toLowerCase()}@contoso.com`,
		first: 'Ada',
		last: id,
		...extra,
	};
}

async function upload(employees: IDataObject[], job = jobId): Promise<RunResult> {
	const result = await runNode({
		parameters: synchronizationParameters('bulkUpload', 'uploadUsers', sp.id, attributes, {
			jobId: job,
		}),
		credential: hr.credential,
		items: employees,
	});
	expect(result.error).toBeUndefined();
	return result;
}

function logs(
	operation: string,
	fields: IDataObject = {},
	options: { credential?: CredentialInput; items?: IDataObject[]; continueOnFail?: boolean } = {},
) {
	return runNode({
		parameters: {
			authentication: 'appOnly',
			resource: 'provisioningLog',
			operation,
			...fields,
			options: {},
		} as never,
		credential: options.credential ?? hr.credential,
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
}

const logCalls = () =>
	graphCalls(tenant.emulator).filter((call) =>
		call.path.startsWith('/v1.0/auditLogs/provisioning'),
	);
const json = (result: RunResult) => result.items.map((item) => item.json);

beforeAll(async () => {
	tenant = await startTenant();
	hr = clientWith(
		tenant,
		['SynchronizationData-User.Upload', 'AuditLog.Read.All', 'Directory.Read.All'],
		'hr with logs',
	);
	sp = addServicePrincipal(tenant, 'Inbound HR');
	jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
	await runNode({
		parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }),
		credential: tenant.appOnlyCredential(),
	});
	// The upload a later test looks for happened after these: first employees, then one with an unknown manager.
	await upload([
		employee('E100'),
		employee('E101', { manager: 'E100' }),
		employee('E102', { manager: 'E999' }),
		employee('E103', { active: false }),
	]);
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
	tenant.emulator.setProvisioningDelay(0);
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Provisioning Log › Get Many and Get', () => {
	it("lists the job's entries newest first, flattened to what an admin reads, with Graph's object kept", async () => {
		const result = await logs('getMany', { returnAll: true, filters: { jobId } });
		expect(result.error).toBeUndefined();
		const bySource = Object.fromEntries(json(result).map((entry) => [entry.sourceId, entry]));
		expect(Object.keys(bySource).sort()).toEqual(['E100', 'E101', 'E102', 'E103']);
		expect(bySource.E100).toMatchObject({
			action: 'create',
			status: 'success',
			errorCode: null,
			targetUserPrincipalName: 'e100@contoso.com',
			jobId,
			servicePrincipalId: sp.id,
		});
		expect(bySource.E102).toMatchObject({
			action: 'create',
			status: 'failure',
			errorCode: 'UnableToResolveReferenceAttributeValue',
			reason: expect.stringContaining('E999'),
			recommendedAction: 'Upload E999 first (or in the same request), then upload E102 again.',
			steps: expect.arrayContaining([
				expect.objectContaining({ type: 'export', status: 'failure' }),
			]),
			provisioningLog: expect.objectContaining({
				id: bySource.E102.logId,
				provisioningStatusInfo: expect.objectContaining({ status: 'failure' }),
			}),
		});
		expect(bySource.E103).toMatchObject({
			action: 'other',
			status: 'skipped',
			errorCode: 'NotEffectivelyEntitled',
		});
		expect(result.items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(
			true,
		);
		expect(logCalls().map((call) => call.query.get('$filter'))).toEqual([`jobId eq '${jobId}'`]);
	});

	it('combines the filters into one $filter Graph understands, values escaped', async () => {
		const result = await logs('getMany', {
			returnAll: false,
			limit: 10,
			filters: {
				jobId,
				servicePrincipalId: sp.id.toUpperCase(),
				status: 'failure',
				action: 'create',
				after: '2020-01-01T00:00:00Z',
				before: '2099-01-01T00:00:00.000Z',
				sourceId: 'E102',
			},
		});
		expect(json(result).map((entry) => entry.sourceId)).toEqual(['E102']);
		const query = logCalls()[0].query;
		expect(query.get('$filter')).toBe(
			`jobId eq '${jobId}' and servicePrincipal/id eq '${sp.id}' and provisioningStatusInfo/status eq 'failure' and provisioningAction eq 'create' and activityDateTime gt 2020-01-01T00:00:00Z and activityDateTime lt 2099-01-01T00:00:00Z and sourceIdentity/id eq 'E102'`,
		);
		expect(query.get('$top')).toBe('10');

		tenant.emulator.addProvisioningLogEntry({
			jobId: 'quotes',
			sourceIdentity: {
				id: "O'Brien' or 1 eq 1",
				displayName: '',
				identityType: 'User',
				details: {},
			},
		});
		const quoted = await logs('getMany', {
			returnAll: true,
			filters: { jobId: 'quotes', sourceId: "O'Brien' or 1 eq 1" },
		});
		expect(json(quoted).map((entry) => entry.sourceId)).toEqual(["O'Brien' or 1 eq 1"]);
		expect(logCalls()[1].query.get('$filter')).toBe(
			"jobId eq 'quotes' and sourceIdentity/id eq 'O''Brien'' or 1 eq 1'",
		);
	});

	it('Return All follows every @odata.nextLink; Limit stops at the limit with the fewest pages', async () => {
		for (let index = 0; index < 1_150; index++)
			tenant.emulator.addProvisioningLogEntry({
				jobId: 'paging',
				sourceIdentity: { id: `P${index}` },
			});
		const all = await logs('getMany', { returnAll: true, filters: { jobId: 'paging' } });
		expect(all.items).toHaveLength(1_150);
		expect(new Set(json(all).map((entry) => entry.sourceId)).size).toBe(1_150);
		expect(logCalls()).toHaveLength(3);

		tenant.emulator.clearRequests();
		const limited = await logs('getMany', {
			returnAll: false,
			limit: 600,
			filters: { jobId: 'paging' },
		});
		expect(limited.items).toHaveLength(600);
		expect(logCalls()).toHaveLength(2);
	});

	it('refuses bad filters before any request', async () => {
		const cases: Array<[IDataObject, string]> = [
			[{ jobId: 'API2AAD job' }, '"API2AAD job" is not a job ID'],
			[{ servicePrincipalId: 'inbound-hr' }, 'The Service Principal Object ID is not a GUID'],
			[{ after: 'yesterday' }, 'After is not a date and time'],
			[
				{ after: '2026-02-01T00:00:00Z', before: '2026-01-01T00:00:00Z' },
				'After must be earlier than Before',
			],
			[{ sourceId: 'E1\nE2' }, 'Source ID holds a control character'],
		];
		for (const [filters, message] of cases) {
			const result = await logs('getMany', { returnAll: true, filters });
			expect(result.error?.message).toBe(message);
		}
		const limit = await logs('getMany', { returnAll: false, limit: 0 });
		expect(limit.error?.message).toBe('Limit must be a whole number of at least 1');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('gets one entry by ID; an unknown ID says so; a malformed one is refused before any request', async () => {
		const [entry] = tenant.emulator
			.provisioningLogs()
			.entries.filter((candidate) => (candidate.sourceIdentity as { id: string }).id === 'E101');
		const found = await logs('get', { logId: entry.id });
		expect(found.items[0].json).toMatchObject({
			logId: entry.id,
			sourceId: 'E101',
			status: 'success',
			action: 'create',
		});
		expect(logCalls()[0].query.get('$filter')).toBe(`id eq '${entry.id}'`);

		const missing = await logs('get', { logId: '00000000-0000-4000-8000-000000000000' });
		expect(missing.error?.message).toBe(
			'No provisioning log entry has the ID 00000000-0000-4000-8000-000000000000',
		);
		tenant.emulator.clearRequests();
		const malformed = await logs('get', { logId: "x' or id eq 'y" });
		expect(malformed.error?.message).toBe('"x\' or id eq \'y" is not a provisioning log entry ID');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('403 names both permissions Graph needs; Continue On Fail pairs each failed item', async () => {
		const { credential } = clientWith(tenant, ['AuditLog.Read.All'], 'audit only');
		const forbidden = await logs('getMany', { returnAll: true }, { credential });
		expect(forbidden.error?.message).toBe(
			'The credential is not allowed to do this in Microsoft Graph',
		);
		expect(forbidden.error?.description).toContain(
			'application permissions AuditLog.Read.All and Directory.Read.All',
		);

		const mixed = await logs(
			'get',
			{ logId: '={{ $json.id }}' },
			{
				items: [{ id: 'bad id' }, { id: tenant.emulator.provisioningLogs().entries[0].id }],
				continueOnFail: true,
			},
		);
		expect(
			mixed.items.map((item) => [item.json.error ?? item.json.logId, item.pairedItem]),
		).toEqual([
			['"bad id" is not a provisioning log entry ID', { item: 0 }],
			[tenant.emulator.provisioningLogs().entries[0].id, { item: 1 }],
		]);
	});

	it('delegated: an admin with a role Microsoft lists reads the logs', async () => {
		tenant.emulator.registerUser({
			upn: 'reports@contoso.onmicrosoft.com',
			directoryRoles: ['Reports Reader'],
		});
		const { oauth2Credential } = await import('./support/tenant');
		const credential = oauth2Credential(
			tenant,
			tenant.client,
			'reports@contoso.onmicrosoft.com',
			['AuditLog.Read.All', 'Directory.Read.All', 'offline_access'],
			'oauth-reports',
		);
		const result = await runNode({
			parameters: {
				authentication: 'oAuth2',
				resource: 'provisioningLog',
				operation: 'getMany',
				returnAll: false,
				limit: 1,
				filters: { jobId },
				options: {},
			} as never,
			credential,
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
	});
});

describe('Provisioning Log › Get Upload Outcomes', () => {
	it('marks each uploaded employee processed (with the result) or pending; a loop picks up the rest', async () => {
		// Graph compares to the second and the node reads from one second before: the earlier upload must be older.
		await new Promise((resolve) => setTimeout(resolve, 2_100));
		const uploadedAfter = new Date().toISOString();
		tenant.emulator.setProvisioningDelay(400);
		const uploaded = await upload([
			employee('E200'),
			employee('E201', { manager: 'E200' }),
			employee('E202', { manager: 'E404' }),
			employee('E100', { last: 'Lovelace' }),
		]);
		const first = await logs('getUploadOutcomes', { uploadedAfter }, { items: json(uploaded) });
		expect(first.error).toBeUndefined();
		expect(json(first).map((item) => [item.externalId, item.outcome, item.checks])).toEqual([
			['E200', 'pending', 1],
			['E201', 'pending', 1],
			['E202', 'pending', 1],
			// The earlier upload of E100 is before Uploaded After: not this upload's outcome.
			['E100', 'pending', 1],
		]);
		await new Promise((resolve) => setTimeout(resolve, 450));
		const second = await logs('getUploadOutcomes', {}, { items: json(first) });
		expect(
			json(second).map((item) => [
				item.externalId,
				item.outcome,
				item.status,
				item.action,
				item.errorCode,
				item.checks,
				item.logEntries,
			]),
		).toEqual([
			['E200', 'processed', 'success', 'create', null, 2, 1],
			['E201', 'processed', 'success', 'create', null, 2, 1],
			['E202', 'processed', 'failure', 'create', 'UnableToResolveReferenceAttributeValue', 2, 1],
			['E100', 'processed', 'success', 'update', null, 2, 1],
		]);
		expect(second.items[2].json).toMatchObject({
			reason: expect.stringContaining('E404'),
			recommendedAction: expect.stringContaining('Upload E404 first'),
			uploadedAfter,
		});
		expect(second.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3].map((item) => ({ item })),
		);
		expect(logCalls()).toHaveLength(2);
	});

	it('waits in the node for a short upload, checking again until every employee is processed', async () => {
		const uploadedAfter = new Date().toISOString();
		tenant.emulator.setProvisioningDelay(1_500);
		const uploaded = await upload([employee('E300'), employee('E301')]);
		tenant.emulator.clearRequests();
		const started = Date.now();
		const result = await logs(
			'getUploadOutcomes',
			{ uploadedAfter, waitUpTo: 10, checkEvery: 1 },
			{ items: json(uploaded) },
		);
		expect(json(result).map((item) => [item.externalId, item.outcome, item.status])).toEqual([
			['E300', 'processed', 'success'],
			['E301', 'processed', 'success'],
		]);
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(logCalls().length).toBeGreaterThanOrEqual(2);
		expect(logCalls().length).toBeLessThanOrEqual(3);
	});

	it('a never-started job its credential may not read leaves the uploads pending until the wait ends, naming the permission that would say why', async () => {
		const pausedSp = addServicePrincipal(tenant, 'Paused inbound');
		const pausedJob = tenant.emulator.createSynchronizationJob(pausedSp.id, 'API2AAD').id;
		const items = [{ externalId: 'E900', jobId: pausedJob, servicePrincipalId: pausedSp.id }];
		const result = await logs(
			'getUploadOutcomes',
			{ uploadedAfter: new Date().toISOString(), waitUpTo: 2, checkEvery: 1 },
			{ items },
		);
		expect(json(result)).toEqual([
			expect.objectContaining({
				externalId: 'E900',
				outcome: 'pending',
				jobState: null,
				message: expect.stringContaining('Synchronization.Read.All'),
				checks: 2,
			}),
		]);
	});

	it('refuses an item that is not an uploaded employee before any request; Continue On Fail keeps the others', async () => {
		const items = [
			{ error: 'The employee with externalId E1 is also in item 1' },
			{ externalId: 'E100', jobId, servicePrincipalId: sp.id },
			{ externalId: 'E100', jobId: 'API2AAD job', servicePrincipalId: sp.id },
			{ externalId: 'E100', jobId, servicePrincipalId: sp.appId.slice(0, 8) },
		];
		const failed = await logs(
			'getUploadOutcomes',
			{ uploadedAfter: '2020-01-01T00:00:00Z' },
			{ items },
		);
		expect(failed.error?.message).toBe('This item has no externalId');
		expect(graphCalls(tenant.emulator)).toEqual([]);

		const kept = await logs(
			'getUploadOutcomes',
			{ uploadedAfter: '2020-01-01T00:00:00Z' },
			{ items, continueOnFail: true },
		);
		expect(
			kept.items.map((item) => [item.json.error ?? item.json.outcome, item.pairedItem]),
		).toEqual([
			['This item has no externalId', { item: 0 }],
			['processed', { item: 1 }],
			['"API2AAD job" is not a job ID', { item: 2 }],
			['The Service Principal Object ID is not a GUID', { item: 3 }],
		]);
		const future = await logs(
			'getUploadOutcomes',
			{ uploadedAfter: '2099-01-01T00:00:00Z' },
			{ items: [items[1]] },
		);
		expect(future.error?.message).toBe('Uploaded After lies in the future');
		const tooLong = await logs('getUploadOutcomes', { waitUpTo: 900 }, { items: [items[1]] });
		expect(tooLong.error?.message).toBe('Wait in Node Up To must be from 0 to 300 seconds');
	});

	it('10,000 uploaded employees in 200 requests of their own upload times: one outcome each, none missed, none twice, in 21 Graph calls', async () => {
		const bigSp = addServicePrincipal(tenant, 'Ten thousand');
		const bigJob = tenant.emulator.createSynchronizationJob(bigSp.id, 'API2AAD').id;
		const uploadedAfter = new Date(Date.now() - 1000).toISOString();
		// Before the upload: the same employees' entries of yesterday's run, which must not count.
		const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
		for (let index = 0; index < 500; index++) {
			tenant.emulator.addProvisioningLogEntry({
				activityDateTime: yesterday,
				jobId: bigJob,
				servicePrincipal: { id: bigSp.id },
				sourceIdentity: { id: `W${index}` },
				provisioningStatusInfo: { status: 'failure' },
			});
		}
		// As Upload Users gives them: each request of 50 with the time it left.
		const employees = Array.from({ length: 10_000 }, (_, index) => ({
			externalId: `W${index}`,
			jobId: bigJob,
			servicePrincipalId: bigSp.id,
			status: 'sent',
			uploadedAt: new Date(Date.parse(uploadedAfter) + Math.floor(index / 50)).toISOString(),
		}));
		// The upload's entries: one each, every 500th a failure, plus a second entry (the manager resolved later) for 200.
		for (const [index] of employees.entries()) {
			tenant.emulator.addProvisioningLogEntry({
				jobId: bigJob,
				servicePrincipal: { id: bigSp.id },
				provisioningAction: 'create',
				sourceIdentity: { id: `W${index}` },
				provisioningStatusInfo: {
					status: index % 500 === 0 ? 'failure' : 'success',
					errorInformation: null,
				},
			});
		}
		for (let index = 0; index < 200; index++) {
			tenant.emulator.addProvisioningLogEntry({
				jobId: bigJob,
				servicePrincipal: { id: bigSp.id },
				provisioningAction: 'update',
				sourceIdentity: { id: `W${index * 7}` },
				provisioningStatusInfo: { status: 'success' },
			});
		}
		const result = await logs('getUploadOutcomes', {}, { items: employees });
		expect(result.error).toBeUndefined();
		const outcomes = json(result);
		expect(outcomes).toHaveLength(10_000);
		expect(outcomes.map((item) => item.externalId)).toEqual(
			employees.map((item) => item.externalId),
		);
		expect(outcomes.filter((item) => item.outcome === 'processed')).toHaveLength(10_000);
		expect(outcomes.filter((item) => item.status === 'failure')).toHaveLength(20);
		expect(outcomes.filter((item) => item.logEntries === 2)).toHaveLength(200);
		// 10,200 entries since the upload at 500 a page: one query for the job, from its first request.
		expect(logCalls()).toHaveLength(21);
	});

	it('keeps secrets out of everything it emits', async () => {
		const result = await logs(
			'getUploadOutcomes',
			{ uploadedAfter: '2020-01-01T00:00:00Z' },
			{ items: [{ externalId: 'E100', jobId, servicePrincipalId: sp.id }] },
		);
		expectNoSecrets([result], {
			anywhere: [hr.client.secret, ...bearerTokens(tenant.emulator)],
			inNodeOutput: [],
		});
	});
});

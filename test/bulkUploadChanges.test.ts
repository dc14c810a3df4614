/**
 * Bulk Upload › Upload Users, the Upload Options: duplicate externalIds, Preview Only, Only What Changed (kept in
 * the workflow's static data, as n8n saves it for production executions), managers first, and the output each
 * employee gets (status, uploadedAt).
 */
import type { IDataObject } from 'n8n-workflow';

import type { CredentialInput, RunResult } from './harness/engine';
import { runNode } from './harness/engine';
import {
	addServicePrincipal,
	clientWith,
	synchronizationParameters,
} from './support/synchronization';
import { expectNoSecrets } from './support/secrets';
import { bearerTokens, graphCalls, startTenant, type TestTenant } from './support/tenant';

import { MAX_REMEMBERED_RECORDS } from '../nodes/MicrosoftEntraProvisioning/helpers/uploadFingerprints';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let tenant: TestTenant;
let hr: ReturnType<typeof clientWith>;
let uploader: CredentialInput;
/** Reads the provisioning logs, as Get Upload Outcomes does */
let checker: ReturnType<typeof clientWith>;

/** An HR record whose fields are named as SCIM attributes, as Map Automatically reads them. */
function person(id: string, manager?: string, overrides: IDataObject = {}): IDataObject {
	return {
		externalId: id,
		userName: `${id.toLowerCase()}@contoso.com`,
		active: true,
		'name.givenName': 'Ada',
		'name.familyName': `Number ${id}`,
		department: 'Research',
		...(manager === undefined ? {} : { [`${ENTERPRISE}:manager.value`]: manager }),
		...overrides,
	};
}

const staff = (count: number, prefix = 'E') =>
	Array.from({ length: count }, (_, index) =>
		person(`${prefix}${String(index + 1).padStart(5, '0')}`),
	);

interface UploadRun {
	job: { spId: string; jobId: string };
	uploadOptions?: IDataObject;
	continueOnFail?: boolean;
	staticData?: IDataObject;
	mode?: 'manual' | 'trigger';
}

function upload(items: IDataObject[], run: UploadRun): Promise<RunResult> {
	return runNode({
		parameters: synchronizationParameters(
			'bulkUpload',
			'uploadUsers',
			run.job.spId,
			{
				columns: { mappingMode: 'autoMapInputData', value: null },
				...(run.uploadOptions ? { uploadOptions: run.uploadOptions } : {}),
			},
			{ jobId: run.job.jobId },
		),
		credential: uploader,
		items,
		continueOnFail: run.continueOnFail,
		typeVersion: 2,
		staticData: run.staticData,
		mode: run.mode,
	});
}

/** Get Upload Outcomes placed after Upload Users in the same workflow: a node of its own name, reading the items. */
function checkOutcomes(
	items: IDataObject[],
	staticData: IDataObject | undefined,
	mode: 'manual' | 'trigger',
): Promise<RunResult> {
	return runNode({
		parameters: {
			authentication: 'appOnly',
			resource: 'provisioningLog',
			operation: 'getUploadOutcomes',
			options: {},
		} as never,
		credential: checker.credential,
		items,
		staticData,
		mode,
		nodeName: 'Get Upload Outcomes',
	});
}

/** A fresh API-driven inbound provisioning job, started, so that the emulator processes what it receives. */
async function newJob(name: string) {
	const sp = addServicePrincipal(tenant, name);
	const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
	const started = await runNode({
		parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }),
		credential: tenant.appOnlyCredential(),
	});
	expect(started.error).toBeUndefined();
	return { spId: sp.id, jobId };
}

const bulkCalls = () =>
	graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/bulkUpload'));

/** The bulkIds of each request sent, in sending order */
const sentRequests = () =>
	bulkCalls().map((call) =>
		(JSON.parse(call.body).Operations as Array<{ bulkId: string }>).map(({ bulkId }) => bulkId),
	);

const json = (result: RunResult) => result.items.map((item) => item.json);

/** The job's provisioning log entries by externalId: [action, status, errorCode] */
function processed(jobId: string): Record<string, string[]> {
	const entries = tenant.emulator
		.provisioningLogs()
		.entries.filter((entry) => entry.jobId === jobId)
		.reverse();
	return Object.fromEntries(
		entries.map((entry) => {
			const info = entry.provisioningStatusInfo as {
				status: string;
				errorInformation?: { errorCode?: string } | null;
			};
			return [
				(entry.sourceIdentity as { id: string }).id,
				[
					entry.provisioningAction as string,
					info.status,
					...(info.errorInformation?.errorCode ? [info.errorInformation.errorCode] : []),
				],
			];
		}),
	);
}

const results: RunResult[] = [];
const kept = (result: RunResult) => {
	results.push(result);
	return result;
};

beforeAll(async () => {
	tenant = await startTenant();
	hr = clientWith(tenant, ['SynchronizationData-User.Upload'], 'hr changes');
	uploader = hr.credential;
	checker = clientWith(
		tenant,
		['AuditLog.Read.All', 'Directory.Read.All', 'Synchronization.Read.All'],
		'hr outcomes',
	);
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Upload Options › Duplicate External IDs', () => {
	it('by default the later record wins: the earlier item is output as superseded, the winner lists it', async () => {
		const job = await newJob('Duplicates');
		const result = kept(
			await upload(
				[
					person('D1'),
					person('D2', undefined, { department: 'Old' }),
					person('D3'),
					person('D2', undefined, { department: 'Newer' }),
					person('D2', undefined, { department: 'Newest' }),
				],
				{ job },
			),
		);
		expect(result.error).toBeUndefined();
		expect(sentRequests()).toEqual([['D1', 'D3', 'D2']]);
		const [call] = bulkCalls();
		const sentD2 = JSON.parse(call.body).Operations[2].data;
		expect(sentD2[ENTERPRISE]).toEqual({ department: 'Newest' });
		expect(
			json(result).map((item) => [
				item.externalId,
				item.status,
				item.supersededByItem,
				item.duplicateOfItems,
			]),
		).toEqual([
			['D1', 'sent', undefined, undefined],
			['D2', 'superseded', 5, undefined],
			['D3', 'sent', undefined, undefined],
			['D2', 'superseded', 5, undefined],
			['D2', 'sent', undefined, [2, 4]],
		]);
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
		expect(json(result)[1]).toMatchObject({
			success: true,
			jobId: job.jobId,
			servicePrincipalId: job.spId,
			bulkRequestId: null,
			uploadedAt: null,
		});
	});

	it('counts duplicates per job: the same externalId may go to two jobs', async () => {
		const job = await newJob('Duplicates, two jobs');
		const otherJobId = tenant.emulator.createSynchronizationJob(job.spId, 'API2AAD').id;
		const result = await upload([person('T1'), person('T1')], {
			job: { spId: job.spId, jobId: `={{ $itemIndex === 0 ? "${job.jobId}" : "${otherJobId}" }}` },
		});
		expect(result.error).toBeUndefined();
		expect(json(result).map((item) => [item.jobId, item.status])).toEqual([
			[job.jobId, 'sent'],
			[otherJobId, 'sent'],
		]);
		expect(sentRequests()).toEqual([['T1'], ['T1']]);
	});

	it("'refuse' refuses every later item of an externalId, naming the first", async () => {
		const job = await newJob('Duplicates refused');
		const result = await upload([person('R1'), person('R2'), person('R1')], {
			job,
			uploadOptions: { duplicateExternalIds: 'refuse' },
			continueOnFail: true,
		});
		expect(json(result).map((item) => item.status ?? item.error)).toEqual([
			'sent',
			'sent',
			'The employee with externalId R1 is also in item 1',
		]);
		expect(sentRequests()).toEqual([['R1', 'R2']]);
	});
});

describe('Upload Options', () => {
	it('refuses an option it cannot read before any request, naming what to set', async () => {
		const job = await newJob('Options refused');
		tenant.emulator.clearRequests();
		const result = await upload([person('Q1'), person('Q2')], {
			job,
			uploadOptions: { duplicateExternalIds: 'firstWins', onlyChanged: 'yes' },
			continueOnFail: true,
		});
		expect(json(result).map((item) => [item.error, item.description])).toEqual([
			[
				'"firstWins" is not a choice for Duplicate External IDs',
				'Set Upload Options › Duplicate External IDs to Later Record Wins or Refuse.',
			],
			[
				'"firstWins" is not a choice for Duplicate External IDs',
				'Set Upload Options › Duplicate External IDs to Later Record Wins or Refuse.',
			],
		]);
		expect(graphCalls(tenant.emulator)).toHaveLength(0);
	});
});

describe('Upload Options › Managers First', () => {
	it('sends each employee after their manager, so the job resolves every reference in one cycle', async () => {
		const job = await newJob('Managers first');
		// The HR export lists reports before their managers; E0 (the CEO) comes last.
		const items = [
			person('E3', 'E2'),
			person('E2', 'E1'),
			person('E4', 'E0'),
			person('E1', 'E0'),
			person('E5', 'E999'),
			person('E0'),
		];
		const result = kept(await upload(items, { job }));
		expect(result.error).toBeUndefined();
		expect(sentRequests()).toEqual([['E0', 'E1', 'E2', 'E3', 'E4', 'E5']]);
		expect(json(result).map((item) => item.externalId)).toEqual(
			items.map((item) => item.externalId),
		);
		// Only E5's manager is missing from the upload: the output says so, and the job cannot resolve it.
		expect(json(result).map((item) => item.managerNotInUpload ?? false)).toEqual([
			false,
			false,
			false,
			false,
			true,
			false,
		]);
		expect(processed(job.jobId)).toEqual({
			E0: ['create', 'success'],
			E1: ['create', 'success'],
			E2: ['create', 'success'],
			E3: ['create', 'success'],
			E4: ['create', 'success'],
			E5: ['create', 'failure', 'UnableToResolveReferenceAttributeValue'],
		});
	});

	it('a manager earlier in the request resolves; one later in it does not (Managers First off keeps the input order)', async () => {
		const job = await newJob('Managers in input order');
		const result = await upload([person('M2', 'M1'), person('M1')], {
			job,
			uploadOptions: { managersFirst: false },
		});
		expect(result.error).toBeUndefined();
		expect(sentRequests()).toEqual([['M2', 'M1']]);
		expect(processed(job.jobId)).toEqual({
			M2: ['create', 'failure', 'UnableToResolveReferenceAttributeValue'],
			M1: ['create', 'success'],
		});
	});

	it('a manager cycle (A manages B manages A) neither hangs nor loses anyone; a self-reference is no manager', async () => {
		const job = await newJob('Manager cycle');
		const result = await upload(
			[
				person('C1', 'C2'),
				person('C2', 'C3'),
				person('C3', 'C1'),
				person('C4', 'C4'),
				person('C5', 'C3'),
			],
			{ job },
		);
		expect(result.error).toBeUndefined();
		const [sent] = sentRequests();
		expect([...sent].sort()).toEqual(['C1', 'C2', 'C3', 'C4', 'C5']);
		expect(sent.indexOf('C3')).toBeLessThan(sent.indexOf('C5'));
		expect(json(result).every((item) => item.status === 'sent' && !item.managerNotInUpload)).toBe(
			true,
		);
	});

	it('keeps managers first across requests: 120 reports listed before their 3 managers', async () => {
		const job = await newJob('Managers across requests');
		const reports = Array.from({ length: 120 }, (_, index) =>
			person(`R${String(index).padStart(3, '0')}`, `B${index % 3}`),
		);
		const result = await upload(
			[...reports, person('B0'), person('B1', 'B0'), person('B2', 'B1')],
			{
				job,
			},
		);
		expect(result.error).toBeUndefined();
		const requests = sentRequests();
		expect(requests.map((request) => request.length)).toEqual([50, 50, 23]);
		const order = requests.flat();
		for (const report of reports) {
			const manager = report[`${ENTERPRISE}:manager.value`] as string;
			expect(order.indexOf(manager)).toBeLessThan(order.indexOf(report.externalId as string));
		}
		expect(Object.values(processed(job.jobId)).every(([, status]) => status === 'success')).toBe(
			true,
		);
	});
});

describe('Upload Users output', () => {
	it("every sent employee carries status 'sent' and uploadedAt, the time its request left", async () => {
		const job = await newJob('Output');
		const before = Date.now();
		const result = kept(await upload(staff(60, 'O'), { job }));
		const after = Date.now();
		expect(result.error).toBeUndefined();
		const items = json(result);
		expect(items.every((item) => item.status === 'sent')).toBe(true);
		const times = items.map((item) => Date.parse(item.uploadedAt as string));
		for (const time of times) {
			expect(time).toBeGreaterThanOrEqual(before);
			expect(time).toBeLessThanOrEqual(after);
		}
		// One time per request: the first 50 share one, the last 10 another
		expect(new Set(items.slice(0, 50).map((item) => item.uploadedAt)).size).toBe(1);
		expect(new Set(items.slice(50).map((item) => item.uploadedAt)).size).toBe(1);
		expect(new Set(items.map((item) => item.bulkRequestId)).size).toBe(2);
	});
});

describe('Upload Options › Preview Only', () => {
	it('sends nothing, and shows each operation in the request a real run puts it in', async () => {
		const job = await newJob('Preview');
		const items = [
			...Array.from({ length: 70 }, (_, index) =>
				person(`P${String(index).padStart(3, '0')}`, 'PM'),
			),
			person('P005', undefined, { department: 'Later record' }),
			person('PM'),
		];
		const preview = kept(await upload(items, { job, uploadOptions: { previewOnly: true } }));
		expect(preview.error).toBeUndefined();
		expect(bulkCalls()).toEqual([]);
		expect(tenant.emulator.getSynchronizationJob(job.spId, job.jobId)?.bulkUploads).toEqual([]);

		const real = await upload(items, { job });
		expect(real.error).toBeUndefined();
		const sent = bulkCalls().map((call) => JSON.parse(call.body).Operations as IDataObject[]);
		const previewed = json(preview);
		expect(previewed.map((item) => item.status)).toEqual(
			json(real).map((item) => (item.status === 'sent' ? 'preview' : item.status)),
		);
		const byRequest: IDataObject[][] = [];
		for (const item of previewed.filter((one) => one.status === 'preview')) {
			const number = item.bulkRequestNumber as number;
			(byRequest[number - 1] ??= []).push(item);
		}
		// The same requests, the same operations in them; the output stays in input order
		expect(byRequest.map((request) => request.length)).toEqual(sent.map((ops) => ops.length));
		for (const [index, request] of byRequest.entries()) {
			expect(new Set(request.map((item) => item.scimOperation))).toEqual(new Set(sent[index]));
			expect(request.map((item) => item.operationsInRequest)).toEqual(
				request.map(() => sent[index].length),
			);
		}
		const sentOrder = sent.flat().map((operation) => operation.bulkId);
		const previewOrder = [...previewed]
			.filter((item) => item.status === 'preview')
			.sort(
				(a, b) =>
					(a.bulkRequestNumber as number) - (b.bulkRequestNumber as number) ||
					sentOrder.indexOf(a.externalId as string) - sentOrder.indexOf(b.externalId as string),
			)
			.map((item) => item.externalId);
		expect(previewOrder).toEqual(sentOrder);
		expect(sentOrder[0]).toBe('PM');
		expect(previewed[5]).toMatchObject({ status: 'superseded', supersededByItem: 71 });
		expect(previewed[70]).toMatchObject({
			status: 'preview',
			duplicateOfItems: [6],
			scimOperation: { method: 'POST', bulkId: 'P005', path: '/Users' },
			uploadedAt: null,
			bulkRequestId: null,
		});
	});
});

/** Where the workflow's uploads are remembered: its static data, per job (service principal object ID / job ID) */
const storedJobs = (staticData: IDataObject | undefined) =>
	(staticData?.global as IDataObject | undefined)?.entraProvisioningAcceptedRecords as
		Record<string, Record<string, string>> | undefined;

const remembered = (staticData: IDataObject | undefined, job: { spId: string; jobId: string }) =>
	storedJobs(staticData)?.[`${job.spId}/${job.jobId}`] ?? {};

/** The time Graph accepted a record, as the node remembers it: to the second */
const toSecond = (iso: unknown) => Math.floor(Date.parse(iso as string) / 1000) * 1000;

describe('Upload Options › Only What Changed', () => {
	const onlyChanged = { onlyChanged: true };

	it('sends joiners, movers and leavers only; the unchanged are output with the time Graph accepted them', async () => {
		const job = await newJob('Only what changed');
		const everyone = staff(120, 'U');
		const first = kept(
			await upload(everyone, { job, uploadOptions: onlyChanged, mode: 'trigger' }),
		);
		expect(first.error).toBeUndefined();
		expect(sentRequests().map((request) => request.length)).toEqual([50, 50, 20]);
		const records = remembered(first.staticData, job);
		expect(Object.keys(records)).toHaveLength(120);
		// A short fingerprint and the time, never the record
		expect(JSON.stringify(first.staticData)).not.toContain('contoso.com');
		expect(Object.values(records).every((value) => /^[\w-]{11}\.[0-9a-z]+$/.test(value))).toBe(
			true,
		);

		tenant.emulator.clearRequests();
		const again = kept(
			await upload(everyone, {
				job,
				uploadOptions: onlyChanged,
				mode: 'trigger',
				staticData: first.staticData,
			}),
		);
		expect(again.error).toBeUndefined();
		expect(bulkCalls()).toEqual([]);
		expect(json(again).map((item) => item.status)).toEqual(everyone.map(() => 'unchanged'));
		expect(json(again).map((item) => Date.parse(item.uploadedAt as string))).toEqual(
			json(first).map((item) => toSecond(item.uploadedAt)),
		);
		expect(json(again)[0]).toMatchObject({
			success: true,
			jobId: job.jobId,
			externalId: 'U00001',
			bulkRequestId: null,
			graphStatus: null,
		});
		// Nothing changed, so nothing for n8n to save
		expect(again.staticData).toEqual(first.staticData);

		tenant.emulator.clearRequests();
		const changed = everyone.map((record) =>
			record.externalId === 'U00007'
				? { ...record, department: 'Finance' }
				: record.externalId === 'U00100'
					? { ...record, active: false }
					: record,
		);
		// The same fields in another order are the same record
		changed[3] = Object.fromEntries(Object.entries(changed[3]).reverse());
		const third = kept(
			await upload([...changed, person('U00121')], {
				job,
				uploadOptions: onlyChanged,
				mode: 'trigger',
				staticData: again.staticData,
			}),
		);
		expect(third.error).toBeUndefined();
		expect(sentRequests()).toEqual([['U00007', 'U00100', 'U00121']]);
		expect(
			json(third)
				.filter((item) => item.status === 'sent')
				.map((item) => item.externalId),
		).toEqual(['U00007', 'U00100', 'U00121']);
		expect(json(third).filter((item) => item.status === 'unchanged')).toHaveLength(118);
		const after = remembered(third.staticData, job);
		expect(Object.keys(after)).toHaveLength(121);
		expect(after.U00007).not.toBe(records.U00007);
		expect(after.U00001).toBe(records.U00001);
	});

	it('a manual execution is not remembered (n8n does not save its static data); Forget What Was Sent sends everyone', async () => {
		const job = await newJob('Only what changed, manual');
		const everyone = staff(10, 'V');
		const manual = await upload(everyone, { job, uploadOptions: onlyChanged });
		expect(manual.error).toBeUndefined();
		expect(manual.staticData).toEqual({});
		tenant.emulator.clearRequests();
		const production = await upload(everyone, {
			job,
			uploadOptions: onlyChanged,
			mode: 'trigger',
		});
		expect(sentRequests()).toHaveLength(1);

		tenant.emulator.clearRequests();
		const forgetting = await upload(everyone, {
			job,
			uploadOptions: { ...onlyChanged, forgetSent: true },
			mode: 'trigger',
			staticData: production.staticData,
		});
		expect(forgetting.error).toBeUndefined();
		expect(sentRequests()).toEqual([everyone.map((record) => record.externalId)]);
		expect(json(forgetting).every((item) => item.status === 'sent')).toBe(true);
		// and remembered anew
		expect(Object.keys(remembered(forgetting.staticData, job))).toHaveLength(10);

		// Forget alone clears the job's records, so the next changed-only upload sends everyone again
		const cleared = await upload(everyone.slice(0, 1), {
			job,
			uploadOptions: { forgetSent: true },
			mode: 'trigger',
			staticData: forgetting.staticData,
		});
		expect(remembered(cleared.staticData, job)).toEqual({});
	});

	it('keeps two jobs apart, and a preview neither sends nor remembers', async () => {
		const jobA = await newJob('Changed, job A');
		const jobB = await newJob('Changed, job B');
		const everyone = staff(5, 'W');
		const toA = await upload(everyone, { job: jobA, uploadOptions: onlyChanged, mode: 'trigger' });
		tenant.emulator.clearRequests();
		const preview = await upload(everyone, {
			job: jobB,
			uploadOptions: { ...onlyChanged, previewOnly: true },
			mode: 'trigger',
			staticData: toA.staticData,
		});
		expect(bulkCalls()).toEqual([]);
		expect(json(preview).map((item) => item.status)).toEqual(everyone.map(() => 'preview'));
		expect(preview.staticData).toEqual(toA.staticData);
		const toB = await upload(everyone, {
			job: jobB,
			uploadOptions: onlyChanged,
			mode: 'trigger',
			staticData: preview.staticData,
		});
		expect(json(toB).map((item) => item.status)).toEqual(everyone.map(() => 'sent'));
		expect(Object.keys(remembered(toB.staticData, jobA))).toHaveLength(5);
		expect(Object.keys(remembered(toB.staticData, jobB))).toHaveLength(5);
	});

	it('remembers only what Graph accepted: employees of a refused request are sent again', async () => {
		const job = await newJob('Changed, refused');
		const hired = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate';
		const everyone = [person('X1'), person('X2', undefined, { [hired]: '2026-01-01' })];
		const refused = await upload(everyone, {
			job,
			uploadOptions: { ...onlyChanged, managersFirst: false },
			mode: 'trigger',
			continueOnFail: true,
		});
		// Graph answers 400 for the attribute the job's list lacks: the whole request, both employees
		expect(json(refused).map((item) => item.httpCode)).toEqual(['400', '400']);
		expect(remembered(refused.staticData, job)).toEqual({});
		tenant.emulator.addApiAttributes(job.spId, job.jobId, [{ name: hired }]);
		tenant.emulator.clearRequests();
		const accepted = await upload(everyone, {
			job,
			uploadOptions: onlyChanged,
			mode: 'trigger',
			staticData: refused.staticData,
		});
		expect(sentRequests()).toEqual([['X1', 'X2']]);
		expect(Object.keys(remembered(accepted.staticData, job))).toEqual(['X1', 'X2']);
	});

	it(`stays within ${MAX_REMEMBERED_RECORDS.toLocaleString('en-US')} records, forgetting the least recently accepted`, async () => {
		const job = await newJob('Changed, bounded');
		const oldJob = 'old-service-principal/old-job';
		const yearAgo = Math.floor((Date.now() - 365 * 86_400_000) / 1000);
		const seeded = Object.fromEntries(
			Array.from({ length: MAX_REMEMBERED_RECORDS }, (_, index) => [
				`Z${index}`,
				// The first ten are the oldest
				`AAAAAAAAAAA.${(yearAgo + index).toString(36)}`,
			]),
		);
		const result = await upload(staff(10, 'Y'), {
			job,
			uploadOptions: onlyChanged,
			mode: 'trigger',
			staticData: { global: { entraProvisioningAcceptedRecords: { [oldJob]: seeded } } },
		});
		expect(result.error).toBeUndefined();
		const jobs = storedJobs(result.staticData) ?? {};
		expect(Object.keys(jobs[oldJob])).toHaveLength(MAX_REMEMBERED_RECORDS - 10);
		expect(jobs[oldJob].Z9).toBeUndefined();
		expect(jobs[oldJob].Z10).toBeDefined();
		expect(Object.keys(jobs[`${job.spId}/${job.jobId}`])).toHaveLength(10);
	});

	// How long the unchanged run takes is the benchmark's figure (npm run bench), not this test's
	it('10,000 employees sent again unchanged: no request; with 1 % changed: 2 requests', async () => {
		const job = await newJob('Changed, ten thousand');
		const everyone = staff(10_000, 'T');
		const first = await upload(everyone, { job, uploadOptions: onlyChanged, mode: 'trigger' });
		expect(first.error).toBeUndefined();
		expect(bulkCalls()).toHaveLength(200);
		// About 40 bytes an employee in the workflow's static data
		expect(JSON.stringify(first.staticData).length).toBeLessThan(10_000 * 40);

		tenant.emulator.clearRequests();
		const again = await upload(everyone, {
			job,
			uploadOptions: onlyChanged,
			mode: 'trigger',
			staticData: first.staticData,
		});
		expect(again.error).toBeUndefined();
		expect(bulkCalls()).toEqual([]);
		expect(again.items).toHaveLength(10_000);
		expect(json(again).every((item) => item.status === 'unchanged')).toBe(true);

		tenant.emulator.clearRequests();
		const movers = everyone.map((record, index) =>
			index % 100 === 42 ? { ...record, department: 'Moved' } : record,
		);
		const changed = await upload(movers, {
			job,
			uploadOptions: onlyChanged,
			mode: 'trigger',
			staticData: again.staticData,
		});
		expect(changed.error).toBeUndefined();
		expect(sentRequests().map((request) => request.length)).toEqual([50, 50]);
	}, 120_000);

	it('an employee the provisioning service failed is forgotten by Get Upload Outcomes: the next unchanged run sends exactly that one', async () => {
		const job = await newJob('Changed, failed by the service');
		// R2's manager is never provisioned: Graph accepts R2 with 202, the job fails it
		const everyone = [person('R1'), person('R2', 'R-GONE'), person('R3')];
		const first = kept(
			await upload(everyone, { job, uploadOptions: onlyChanged, mode: 'trigger' }),
		);
		expect(first.error).toBeUndefined();
		expect(processed(job.jobId).R2).toEqual([
			'create',
			'failure',
			'UnableToResolveReferenceAttributeValue',
		]);
		expect(Object.keys(remembered(first.staticData, job))).toEqual(['R1', 'R2', 'R3']);

		// A manual check cannot forget (n8n drops its static data) and says so
		const manual = kept(await checkOutcomes(json(first), first.staticData, 'manual'));
		expect(json(manual)[1]).toMatchObject({
			externalId: 'R2',
			status: 'failure',
			willResend: false,
		});
		expect(json(manual)[1].willResendNote).toContain('production executions');
		expect(manual.staticData).toEqual(first.staticData);

		const checked = kept(await checkOutcomes(json(first), first.staticData, 'trigger'));
		expect(checked.error).toBeUndefined();
		expect(json(checked).map((item) => [item.externalId, item.status, item.willResend])).toEqual([
			['R1', 'success', undefined],
			['R2', 'failure', true],
			['R3', 'success', undefined],
		]);
		expect(json(checked)[1].willResendNote).toBeUndefined();
		expect(Object.keys(remembered(checked.staticData, job))).toEqual(['R1', 'R3']);

		tenant.emulator.clearRequests();
		const again = kept(
			await upload(everyone, {
				job,
				uploadOptions: onlyChanged,
				mode: 'trigger',
				staticData: checked.staticData,
			}),
		);
		expect(again.error).toBeUndefined();
		expect(sentRequests()).toEqual([['R2']]);
		expect(json(again).map((item) => item.status)).toEqual(['unchanged', 'sent', 'unchanged']);
		expect(Object.keys(remembered(again.staticData, job)).sort()).toEqual(['R1', 'R2', 'R3']);
	});

	it('keeps the record of a leaver the service skipped (never had an account): the next unchanged run sends nothing', async () => {
		const job = await newJob('Changed, leaver skipped');
		const everyone = [person('L1'), person('L2', undefined, { active: false })];
		const first = kept(
			await upload(everyone, { job, uploadOptions: onlyChanged, mode: 'trigger' }),
		);
		// The logs give the skip its reason as an error code, as Microsoft's do for an entry out of scope
		expect(processed(job.jobId).L2).toEqual(['other', 'skipped', 'NotEffectivelyEntitled']);
		const checked = kept(await checkOutcomes(json(first), first.staticData, 'trigger'));
		expect(json(checked).map((item) => [item.externalId, item.status, item.willResend])).toEqual([
			['L1', 'success', undefined],
			['L2', 'skipped', undefined],
		]);
		expect(Object.keys(remembered(checked.staticData, job))).toEqual(['L1', 'L2']);

		tenant.emulator.clearRequests();
		const again = kept(
			await upload(everyone, {
				job,
				uploadOptions: onlyChanged,
				mode: 'trigger',
				staticData: checked.staticData,
			}),
		);
		expect(sentRequests()).toEqual([]);
		expect(json(again).map((item) => item.status)).toEqual(['unchanged', 'unchanged']);
	});

	it('keeps a record Graph accepted after the failure a check reports: its own outcome is still to come', async () => {
		const job = await newJob('Changed, failed then sent again');
		const everyone = [person('Q1', 'Q-GONE')];
		const first = kept(
			await upload(everyone, { job, uploadOptions: onlyChanged, mode: 'trigger' }),
		);
		expect(processed(job.jobId).Q1).toEqual([
			'create',
			'failure',
			'UnableToResolveReferenceAttributeValue',
		]);
		// The store keeps seconds: the next upload is accepted a second after the failure, and not yet processed
		await new Promise((resolve) => setTimeout(resolve, 1_100));
		tenant.emulator.setProvisioningDelay(600_000);
		try {
			const resent = kept(
				await upload(everyone, {
					job,
					uploadOptions: { ...onlyChanged, forgetSent: true },
					mode: 'trigger',
					staticData: first.staticData,
				}),
			);
			const checked = kept(await checkOutcomes(json(first), resent.staticData, 'trigger'));
			expect(json(checked)[0]).toMatchObject({
				externalId: 'Q1',
				status: 'failure',
				willResend: false,
			});
			expect(json(checked)[0].willResendNote).toContain('later record');
			expect(remembered(checked.staticData, job)).toEqual(remembered(resent.staticData, job));
		} finally {
			tenant.emulator.setProvisioningDelay(0);
		}
	});

	it("reads what an earlier version kept in Upload Users' own static data, and moves it to the workflow's", async () => {
		const job = await newJob('Changed, node store');
		const everyone = staff(3, 'P');
		const first = await upload(everyone, { job, uploadOptions: onlyChanged, mode: 'trigger' });
		const nodeStore = {
			'node:Entra Provisioning': { acceptedRecords: storedJobs(first.staticData) },
		};
		tenant.emulator.clearRequests();
		const unchanged = await upload(everyone, {
			job,
			uploadOptions: onlyChanged,
			mode: 'trigger',
			staticData: nodeStore,
		});
		expect(bulkCalls()).toEqual([]);
		expect(json(unchanged).map((item) => item.status)).toEqual([
			'unchanged',
			'unchanged',
			'unchanged',
		]);

		const moved = everyone.map((record, index) =>
			index === 1 ? { ...record, department: 'Moved' } : record,
		);
		const changed = await upload(moved, {
			job,
			uploadOptions: onlyChanged,
			mode: 'trigger',
			staticData: unchanged.staticData,
		});
		expect(sentRequests()).toEqual([['P00002']]);
		expect(Object.keys(remembered(changed.staticData, job))).toEqual([
			'P00001',
			'P00002',
			'P00003',
		]);
		expect(changed.staticData?.['node:Entra Provisioning']).toEqual({});
	});

	it('keeps secrets out of every new output and of the static data', () => {
		expectNoSecrets(results, {
			anywhere: [hr.client.secret, checker.client.secret, ...bearerTokens(tenant.emulator)],
			inNodeOutput: [],
		});
		const stored = JSON.stringify(results.map((result) => result.staticData));
		for (const secret of [
			hr.client.secret,
			checker.client.secret,
			...bearerTokens(tenant.emulator),
		])
			expect(stored).not.toContain(secret);
	});
});

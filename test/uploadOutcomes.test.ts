/**
 * Provisioning Log › Get Upload Outcomes after Bulk Upload › Upload Users: what it reads from the upload's items
 * without an expression, the employees Upload Users did not send, and the job's state for the employees the job has
 * not processed (a paused, quarantined, never-started or deleted job holds them, and the wait in the node ends).
 */
import type { IDataObject } from 'n8n-workflow';

import type { CredentialInput } from './harness/engine';
import { NODE_TYPE, runNode, runWorkflowAfterTrigger, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	synchronizationParameters,
} from './support/synchronization';
import { bearerTokens, graphCalls, startTenant, type TestTenant } from './support/tenant';

let tenant: TestTenant;
/** Uploads, reads the logs and reads jobs */
let hr: { client: { secret: string }; credential: CredentialInput };
/** Uploads and reads the logs only: what Microsoft's API-driven provisioning needs */
let uploadOnly: { client: { secret: string }; credential: CredentialInput };

const attributes = {
	attributes: {
		attribute: [
			{ attribute: 'externalId', value: '={{ $json.employeeId }}' },
			{ attribute: 'userName', value: '={{ $json.employeeId.toLowerCase() }}@contoso.com' },
			{ attribute: 'active', value: '={{ true }}' },
		],
	},
};

const json = (result: RunResult) => result.items.map((item) => item.json);
/** Graph's DateTimeOffset as its log entries give it: whole seconds */
const graphTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

const logCalls = () =>
	graphCalls(tenant.emulator).filter((call) =>
		call.path.startsWith('/v1.0/auditLogs/provisioning'),
	);
const jobReads = () =>
	graphCalls(tenant.emulator).filter(
		(call) => call.method === 'GET' && /\/synchronization\/jobs\/[^/]+$/.test(call.path),
	);

async function jobAction(action: 'start' | 'pause' | 'delete', spId: string, jobId: string) {
	const result = await runNode({
		parameters: synchronizationParameters('job', action, spId, {}, { jobId }),
		credential: tenant.appOnlyCredential(),
	});
	expect(result.error).toBeUndefined();
}

/** A job of its own in the given state, on an enterprise application of its own. */
async function jobIn(state: 'Active' | 'Paused' | 'NotRun' | 'Quarantine') {
	const sp = addServicePrincipal(tenant, `Inbound ${state}`);
	const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
	if (state === 'Active' || state === 'Paused') await jobAction('start', sp.id, jobId);
	if (state === 'Paused') await jobAction('pause', sp.id, jobId);
	if (state === 'Quarantine') {
		tenant.emulator.quarantineSynchronizationJob(sp.id, jobId, {
			reason: 'EncounteredEscrowProportionThreshold',
			error: {
				code: 'SynchronizationEscrowThresholdExceeded',
				message: 'Too many entries failed to export.',
			},
		});
	}
	return { spId: sp.id, jobId };
}

/** Upload Users' items for these employees: each carries its job, service principal and upload time (uploadedAt). */
async function upload(
	employeeIds: string[],
	job: { spId: string; jobId: string },
): Promise<IDataObject[]> {
	const result = await runNode({
		parameters: synchronizationParameters('bulkUpload', 'uploadUsers', job.spId, attributes, {
			jobId: job.jobId,
		}),
		credential: hr.credential,
		items: employeeIds.map((employeeId) => ({ employeeId })),
	});
	expect(result.error).toBeUndefined();
	expect(json(result)).toEqual(
		employeeIds.map(() =>
			expect.objectContaining({ status: 'sent', uploadedAt: expect.any(String) }),
		),
	);
	return json(result);
}

/** Get Upload Outcomes as placed after Upload Users: no field set, so every default reads the item. */
function outcomes(
	items: IDataObject[],
	fields: IDataObject = {},
	credential: CredentialInput = hr.credential,
) {
	return runNode({
		parameters: {
			authentication: 'appOnly',
			resource: 'provisioningLog',
			operation: 'getUploadOutcomes',
			...fields,
			options: {},
		} as never,
		credential,
		items,
	});
}

beforeAll(async () => {
	tenant = await startTenant();
	hr = clientWith(
		tenant,
		[
			'SynchronizationData-User.Upload',
			'AuditLog.Read.All',
			'Directory.Read.All',
			'Synchronization.Read.All',
		],
		'hr reading jobs',
	);
	uploadOnly = clientWith(
		tenant,
		['SynchronizationData-User.Upload', 'AuditLog.Read.All', 'Directory.Read.All'],
		'hr upload only',
	);
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.setProvisioningDelay(0);
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Get Upload Outcomes after Upload Users', () => {
	it("needs no expression: the item's upload time bounds the logs, so an earlier upload that day does not count", async () => {
		const job = await jobIn('Active');
		// Two hours ago an earlier upload of K1 failed: within the 24 hours an empty Uploaded After would read.
		tenant.emulator.addProvisioningLogEntry({
			activityDateTime: graphTime(minutesAgo(120)),
			jobId: job.jobId,
			servicePrincipal: { id: job.spId },
			provisioningAction: 'create',
			sourceIdentity: { id: 'K1' },
			provisioningStatusInfo: { status: 'failure' },
		});
		const uploaded = await upload(['K1', 'K2'], job);
		tenant.emulator.clearRequests();
		const result = await outcomes(uploaded);
		expect(result.error).toBeUndefined();
		expect(
			json(result).map((item) => [item.externalId, item.outcome, item.status, item.logEntries]),
		).toEqual([
			['K1', 'processed', 'success', 1],
			['K2', 'processed', 'success', 1],
		]);
		for (const item of json(result)) {
			expect(item.uploadedAfter).toBe(uploaded[0].uploadedAt);
			expect(item).not.toHaveProperty('lookBackNote');
			expect(item).toMatchObject({ jobId: job.jobId, servicePrincipalId: job.spId });
		}
		// Everyone processed: nothing to ask the job.
		expect([logCalls().length, jobReads().length]).toEqual([1, 0]);
	});

	it('without an upload time it reads the last 24 hours and says so; a loop keeps that window and the note', async () => {
		const job = await jobIn('Active');
		tenant.emulator.addProvisioningLogEntry({
			activityDateTime: graphTime(minutesAgo(120)),
			jobId: job.jobId,
			servicePrincipal: { id: job.spId },
			sourceIdentity: { id: 'L1' },
			provisioningStatusInfo: { status: 'failure' },
		});
		const first = await outcomes([
			{ externalId: 'L1', jobId: job.jobId, servicePrincipalId: job.spId },
		]);
		expect(json(first)).toEqual([
			expect.objectContaining({
				outcome: 'processed',
				status: 'failure',
				lookBackNote: expect.stringContaining('last 24 hours'),
			}),
		]);
		const window = Date.parse(String(first.items[0].json.uploadedAfter));
		expect(Math.abs(window - (Date.now() - 24 * 3600_000))).toBeLessThan(60_000);
		const again = await outcomes(json(first));
		expect(json(again)).toEqual([
			expect.objectContaining({
				uploadedAfter: first.items[0].json.uploadedAfter,
				lookBackNote: first.items[0].json.lookBackNote,
				checks: 2,
			}),
		]);
	});

	it('reads the logs once per job for employees uploaded at different times, each counting only its own upload', async () => {
		const job = await jobIn('Active');
		const entry = (sourceId: string, at: Date, status: string) =>
			tenant.emulator.addProvisioningLogEntry({
				activityDateTime: graphTime(at),
				jobId: job.jobId,
				servicePrincipal: { id: job.spId },
				provisioningAction: 'update',
				sourceIdentity: { id: sourceId },
				provisioningStatusInfo: { status },
			});
		// M1 was in the first request (10 minutes ago); M2 in the second (5 minutes ago), after an entry of its own
		// from the first request's time that belongs to an earlier upload of M2.
		entry('M1', minutesAgo(9), 'success');
		entry('M2', minutesAgo(9), 'failure');
		entry('M2', minutesAgo(4), 'success');
		const items = [
			{ externalId: 'M1', uploadedAt: minutesAgo(10).toISOString() },
			{ externalId: 'M2', uploadedAt: minutesAgo(5).toISOString() },
			{ externalId: 'M3', uploadedAt: minutesAgo(1).toISOString() },
		].map((item) => ({ ...item, status: 'sent', jobId: job.jobId, servicePrincipalId: job.spId }));
		const result = await outcomes(items);
		expect(
			json(result).map((item) => [item.externalId, item.outcome, item.status, item.logEntries]),
		).toEqual([
			['M1', 'processed', 'success', 1],
			['M2', 'processed', 'success', 1],
			['M3', 'pending', null, 0],
		]);
		expect(logCalls()).toHaveLength(1);

		// Waiting in the node for M3 alone, the next check reads from M3's upload, not M1's.
		tenant.emulator.clearRequests();
		await outcomes(items, { waitUpTo: 2, checkEvery: 1 });
		const windows = logCalls().map(
			(call) => /activityDateTime gt (\S+)/.exec(call.query.get('$filter') ?? '')?.[1],
		);
		expect(windows).toEqual([
			graphTime(new Date(Date.parse(items[0].uploadedAt) - 1000)),
			graphTime(new Date(Date.parse(items[2].uploadedAt) - 1000)),
		]);
	});

	it('reports the employees Upload Users did not send (unchanged, preview, superseded) as such, without a Graph call', async () => {
		const jobId = 'API2AAD.0123456789abcdef0123456789abcdef.tenant';
		const items = [
			{
				externalId: 'N1',
				userName: 'n1@contoso.com',
				status: 'unchanged',
				uploadedAt: '2026-01-30T08:00:00.000Z',
				jobId,
			},
			{
				externalId: 'N2',
				status: 'preview',
				scimOperation: { method: 'POST', bulkId: 'N2', path: '/Users', data: {} },
				bulkRequestNumber: 1,
			},
			{ externalId: 'N3', status: 'superseded', supersededByItem: 4 },
		];
		const result = await outcomes(items, { waitUpTo: 30, checkEvery: 1 });
		expect(result.error).toBeUndefined();
		expect(json(result)).toEqual([
			expect.objectContaining({
				externalId: 'N1',
				userName: 'n1@contoso.com',
				outcome: 'unchanged',
				lastAcceptedAt: '2026-01-30T08:00:00.000Z',
				message: expect.stringContaining('Only What Changed'),
				jobId,
			}),
			expect.objectContaining({
				externalId: 'N2',
				outcome: 'preview',
				message: expect.stringContaining('Preview Only'),
			}),
			expect.objectContaining({
				externalId: 'N3',
				outcome: 'superseded',
				supersededByItem: 4,
				message: expect.stringContaining('same externalId'),
			}),
		]);
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2].map((item) => ({ item })),
		);
		// Fed back in a loop, they stay what they are.
		const again = await outcomes(json(result));
		expect(json(again).map((item) => [item.outcome, item.lastAcceptedAt])).toEqual([
			['unchanged', '2026-01-30T08:00:00.000Z'],
			['preview', undefined],
			['superseded', undefined],
		]);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

describe("Get Upload Outcomes reports the job's state", () => {
	it('a paused, quarantined, never-started or deleted job holds the upload: the wait in the node ends at once and says what to do', async () => {
		const jobs = {
			Paused: await jobIn('Paused'),
			Quarantine: await jobIn('Quarantine'),
			NotRun: await jobIn('NotRun'),
			NotFound: await jobIn('NotRun'),
		};
		const items: IDataObject[] = [];
		// Graph accepts an upload whatever the job's state (202), and the job holds it.
		for (const [state, job] of Object.entries(jobs))
			items.push(...(await upload([`${state}-1`, `${state}-2`], job)));
		await jobAction('delete', jobs.NotFound.spId, jobs.NotFound.jobId);
		tenant.emulator.clearRequests();

		const started = Date.now();
		const result = await outcomes(items, { waitUpTo: 20, checkEvery: 1 });
		const elapsed = Date.now() - started;
		expect(result.error).toBeUndefined();
		// The wait could have lasted 20 s: nothing these jobs do will change before someone acts.
		expect(elapsed).toBeLessThan(5_000);
		expect(
			json(result).map((item) => [item.externalId, item.outcome, item.jobState, item.checks]),
		).toEqual(
			Object.keys(jobs).flatMap((state) =>
				[1, 2].map((n) => [`${state}-${n}`, 'jobNotRunning', state, 1]),
			),
		);
		const message = (state: string) =>
			String(json(result).find((item) => item.jobState === state)?.message);
		expect(message('Paused')).toMatch(/paused.*Job › Start/);
		expect(message('NotRun')).toMatch(/never been started.*Job › Start/);
		expect(message('Quarantine')).toMatch(
			/quarantine \(EncounteredEscrowProportionThreshold: Too many entries failed to export\.\).*Provisioning Log › Get Many.*Job › Start/,
		);
		expect(json(result).find((item) => item.jobState === 'Quarantine')).toMatchObject({
			jobQuarantineReason: 'EncounteredEscrowProportionThreshold',
		});
		expect(message('NotFound')).toMatch(/deleted.*never be processed.*Upload the employee again/);
		// One log query and one read of the job per job, for all its employees.
		expect([logCalls().length, jobReads().length]).toEqual([4, 4]);
		expectNoSecrets([result], {
			anywhere: [hr.client.secret, ...bearerTokens(tenant.emulator)],
			inNodeOutput: [],
		});

		// Once started, the paused job processes what it held.
		await jobAction('start', jobs.Paused.spId, jobs.Paused.jobId);
		const after = await outcomes(items.slice(0, 2));
		expect(json(after).map((item) => [item.externalId, item.outcome, item.status])).toEqual([
			['Paused-1', 'processed', 'success'],
			['Paused-2', 'processed', 'success'],
		]);
	});

	it("a running job that has not got to an employee yet: pending, with the job's state; the wait goes on", async () => {
		const job = await jobIn('Active');
		tenant.emulator.setProvisioningDelay(1_500);
		const uploaded = await upload(['R1'], job);
		tenant.emulator.clearRequests();
		const first = await outcomes(uploaded);
		expect(json(first)).toEqual([
			expect.objectContaining({
				outcome: 'pending',
				jobState: 'Active',
				message: expect.stringContaining('within minutes'),
			}),
		]);
		const waited = await outcomes(uploaded, { waitUpTo: 10, checkEvery: 1 });
		expect(json(waited)).toEqual([
			expect.objectContaining({ outcome: 'processed', status: 'success' }),
		]);
		expect(json(waited)[0]).not.toHaveProperty('jobState');
	});

	it('without a permission to read jobs the employees stay pending and name it; the job is asked once per execution', async () => {
		const job = await jobIn('Paused');
		const uploaded = await upload(['P1'], job);
		tenant.emulator.clearRequests();
		const result = await outcomes(uploaded, { waitUpTo: 2, checkEvery: 1 }, uploadOnly.credential);
		expect(result.error).toBeUndefined();
		expect(json(result)).toEqual([
			expect.objectContaining({
				outcome: 'pending',
				jobState: null,
				message: expect.stringContaining('Synchronization.Read.All'),
				checks: 2,
			}),
		]);
		expect([logCalls().length, jobReads().length]).toEqual([2, 1]);
	});

	it('a failed read of the job fails only the employees still waiting; Continue On Fail keeps the others', async () => {
		const job = await jobIn('Active');
		tenant.emulator.setProvisioningDelay(60_000);
		const uploaded = await upload(['F1'], job);
		tenant.emulator.addProvisioningLogEntry({
			jobId: job.jobId,
			servicePrincipal: { id: job.spId },
			sourceIdentity: { id: 'F0' },
			provisioningStatusInfo: { status: 'success' },
		});
		const fault = tenant.emulator.injectFault({
			listener: 'graph',
			method: 'GET',
			path: new RegExp(`/synchronization/jobs/${job.jobId.replace(/\./g, '\\.')}$`),
			status: 503,
		});
		const result = await runNode({
			parameters: {
				authentication: 'appOnly',
				resource: 'provisioningLog',
				operation: 'getUploadOutcomes',
				options: { retryLimit: 0 },
			} as never,
			credential: hr.credential,
			items: [{ ...uploaded[0], externalId: 'F0' }, uploaded[0]],
			continueOnFail: true,
		});
		fault.remove();
		expect(
			json(result).map((item) => [item.externalId ?? null, item.outcome ?? item.error]),
		).toEqual([
			['F0', 'processed'],
			[null, expect.stringContaining('temporary problem')],
		]);
	});
});

describe('Upload Users → Get Upload Outcomes, as a workflow', () => {
	function chain(job: { spId: string; jobId: string }, uploadOptions: IDataObject = {}) {
		const trigger = 'HR records';
		return {
			nodes: [
				{
					id: 'hr',
					name: trigger,
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0] as [number, number],
					parameters: {},
				},
				{
					id: 'upload',
					name: 'Upload Users',
					type: NODE_TYPE,
					typeVersion: 1,
					position: [200, 0] as [number, number],
					parameters: synchronizationParameters(
						'bulkUpload',
						'uploadUsers',
						job.spId,
						{ ...attributes, uploadOptions },
						{ jobId: job.jobId },
					),
				},
				{
					id: 'outcomes',
					name: 'Upload Outcomes',
					type: NODE_TYPE,
					typeVersion: 1,
					position: [400, 0] as [number, number],
					// Nothing set but the operation: every field keeps its default.
					parameters: {
						authentication: 'appOnly',
						resource: 'provisioningLog',
						operation: 'getUploadOutcomes',
					},
				},
			],
			connections: {
				[trigger]: { main: [[{ node: 'Upload Users', type: 'main' as const, index: 0 }]] },
				'Upload Users': {
					main: [[{ node: 'Upload Outcomes', type: 'main' as const, index: 0 }]],
				},
			},
		};
	}

	it("needs no expression: the outcomes read the upload's job, service principal and time, so an earlier upload that day does not count", async () => {
		const job = await jobIn('Active');
		tenant.emulator.addProvisioningLogEntry({
			activityDateTime: graphTime(minutesAgo(120)),
			jobId: job.jobId,
			servicePrincipal: { id: job.spId },
			provisioningAction: 'create',
			sourceIdentity: { id: 'C1' },
			provisioningStatusInfo: { status: 'failure' },
		});
		const result = await runWorkflowAfterTrigger({
			workflow: chain(job),
			credential: hr.credential,
			trigger: { name: 'HR records', items: [{ employeeId: 'C1' }, { employeeId: 'C2' }] },
		});
		expect(result.error).toBeUndefined();
		const uploaded = result.output('Upload Users').map((item) => item.json);
		const reported = result.output('Upload Outcomes').map((item) => item.json);
		expect(
			reported.map((item) => [item.externalId, item.outcome, item.status, item.logEntries]),
		).toEqual([
			['C1', 'processed', 'success', 1],
			['C2', 'processed', 'success', 1],
		]);
		expect(reported.map((item) => item.uploadedAfter)).toEqual(
			uploaded.map((item) => item.uploadedAt),
		);
		expect(reported.map((item) => item.lookBackNote)).toEqual([undefined, undefined]);
	});

	it('after Preview Only, the outcomes say so without a Graph call', async () => {
		const job = await jobIn('Active');
		tenant.emulator.clearRequests();
		const result = await runWorkflowAfterTrigger({
			workflow: chain(job, { previewOnly: true }),
			credential: hr.credential,
			trigger: { name: 'HR records', items: [{ employeeId: 'V1' }, { employeeId: 'V2' }] },
		});
		expect(result.error).toBeUndefined();
		expect(
			result.output('Upload Outcomes').map((item) => [item.json.externalId, item.json.outcome]),
		).toEqual([
			['V1', 'preview'],
			['V2', 'preview'],
		]);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('after Only What Changed, an unchanged employee is reported as such with when Graph last accepted them, without a query', async () => {
		const job = await jobIn('Active');
		const run = (staticData?: IDataObject) =>
			runNode({
				parameters: synchronizationParameters(
					'bulkUpload',
					'uploadUsers',
					job.spId,
					{ ...attributes, uploadOptions: { onlyChanged: true } },
					{ jobId: job.jobId },
				),
				credential: hr.credential,
				items: [{ employeeId: 'U1' }],
				mode: 'trigger',
				staticData,
			});
		const first = await run();
		const second = await run(first.staticData);
		expect(json(second)).toEqual([expect.objectContaining({ status: 'unchanged' })]);
		expect(
			Date.parse(String(first.items[0].json.uploadedAt)) -
				Date.parse(String(second.items[0].json.uploadedAt)),
		).toBeLessThan(1000);
		tenant.emulator.clearRequests();
		const result = await outcomes(json(second));
		expect(json(result)).toEqual([
			expect.objectContaining({
				externalId: 'U1',
				outcome: 'unchanged',
				// As Upload Users remembers it (to the second): the time of the first run's request
				lastAcceptedAt: second.items[0].json.uploadedAt,
			}),
		]);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

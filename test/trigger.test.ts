import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, runPoll, type PollResult } from './harness/engine';
import {
	addServicePrincipal,
	clientWith,
	locator,
	synchronizationParameters,
} from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

let tenant: TestTenant;

function triggerParameters(
	servicePrincipalId: string,
	extra: INodeParameters = {},
): INodeParameters {
	return {
		authentication: 'appOnly',
		target: locator(servicePrincipalId),
		watch: 'allJobs',
		...extra,
	};
}

/** Polls as an active workflow does, carrying the static data n8n persisted after the previous poll. */
async function poll(parameters: INodeParameters, staticData?: IDataObject): Promise<PollResult> {
	const result = await runPoll({ parameters, credential: tenant.appOnlyCredential(), staticData });
	expect(result.error).toBeUndefined();
	return result;
}

const emitted = (result: PollResult) => (result.items?.[0] ?? []).map((item) => item.json);

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Microsoft Entra Provisioning Trigger', () => {
	it('"Fetch Test Event" returns every job as it is now, and leaves what the active workflow remembers alone', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger manual');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		tenant.emulator.quarantineSynchronizationJob(sp.id, jobId, { reason: 'TooManyDeletes' });
		const staticData = { watched: { scope: 'kept', jobs: {} } };
		const result = await runPoll({
			parameters: triggerParameters(sp.id),
			credential: tenant.appOnlyCredential(),
			mode: 'manual',
			staticData,
		});
		expect(result.error).toBeUndefined();
		expect(emitted(result)).toEqual([
			expect.objectContaining({
				events: [],
				servicePrincipalId: sp.id,
				jobId,
				statusCode: 'Quarantine',
				quarantined: true,
				quarantineReason: 'TooManyDeletes',
			}),
		]);
		expect(result.staticData).toEqual(staticData);
	});

	it('emits once when a job enters quarantine, not again on the next poll, and not after n8n restarts', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger quarantine');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		await runNode({
			parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }),
			credential: tenant.appOnlyCredential(),
		});
		const parameters = triggerParameters(sp.id);

		const first = await poll(parameters);
		expect(first.items).toBeNull();
		expect(first.staticData).toEqual({
			'node:Entra Provisioning': {
				watched: {
					scope: `${sp.id}/*`,
					jobs: { [jobId]: { statusCode: 'Active', quarantined: false, lastRunId: null } },
				},
			},
		});

		tenant.emulator.quarantineSynchronizationJob(sp.id, jobId, {
			reason: 'EncounteredEscrowProportionThreshold',
		});
		const second = await poll(parameters, first.staticData);
		expect(emitted(second)).toEqual([
			expect.objectContaining({
				events: ['quarantineEntered', 'statusChanged'],
				previousStatusCode: 'Active',
				jobId,
				statusCode: 'Quarantine',
				quarantined: true,
				quarantineReason: 'EncounteredEscrowProportionThreshold',
				job: expect.objectContaining({ id: jobId }),
			}),
		]);

		const third = await poll(parameters, second.staticData);
		expect(third.items).toBeNull();
		// A restart of n8n: a new process, the workflow and its static data loaded from the database.
		const afterRestart = await runPoll({
			parameters,
			credential: tenant.appOnlyCredential(),
			staticData: JSON.parse(JSON.stringify(third.staticData)),
		});
		expect(afterRestart.items).toBeNull();

		await runNode({
			parameters: synchronizationParameters(
				'job',
				'restart',
				sp.id,
				{ resetScope: ['QuarantineState'] },
				{ jobId },
			),
			credential: tenant.appOnlyCredential(),
		});
		const lifted = await poll(parameters, afterRestart.staticData);
		expect(emitted(lifted)).toEqual([
			expect.objectContaining({
				events: ['quarantineLeft', 'statusChanged'],
				previousStatusCode: 'Quarantine',
				statusCode: 'Active',
				quarantined: false,
			}),
		]);
	});

	it("reports a quarantined job that Job › Start started as out of quarantine (Microsoft's Start page: Start clears it)", async () => {
		const sp = addServicePrincipal(tenant, 'Trigger start');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		tenant.emulator.quarantineSynchronizationJob(sp.id, jobId, { reason: 'TooManyDeletes' });
		const parameters = triggerParameters(sp.id);
		const before = await poll(parameters);
		await runNode({
			parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }),
			credential: tenant.appOnlyCredential(),
		});
		const after = await poll(parameters, before.staticData);
		expect(emitted(after)).toEqual([
			expect.objectContaining({
				events: ['quarantineLeft', 'statusChanged'],
				previousStatusCode: 'Quarantine',
				statusCode: 'Active',
				quarantined: false,
			}),
		]);
	});

	it('reports a run that finished with escrows or errors, once per run; a clean run is not reported', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger runs');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const parameters = triggerParameters(sp.id, { events: ['runFinishedWithIssues'] });
		let memory = (await poll(parameters)).staticData;

		tenant.emulator.completeSynchronizationRun(sp.id, jobId, { exported: 12 });
		const clean = await poll(parameters, memory);
		expect(clean.items).toBeNull();
		memory = clean.staticData;

		tenant.emulator.completeSynchronizationRun(sp.id, jobId, { escrows: 4, exported: 8 });
		const escrowed = await poll(parameters, memory);
		expect(emitted(escrowed)).toEqual([
			expect.objectContaining({
				events: ['runFinishedWithIssues'],
				lastRunState: 'EntryLevelErrors',
				lastRunEscrows: 4,
				lastRunExported: 8,
			}),
		]);
		expect((await poll(parameters, escrowed.staticData)).items).toBeNull();

		tenant.emulator.completeSynchronizationRun(sp.id, jobId, { errors: 2 });
		const failed = await poll(parameters, escrowed.staticData);
		expect(emitted(failed)).toEqual([
			expect.objectContaining({
				events: ['runFinishedWithIssues'],
				lastRunState: 'Failed',
				lastRunError: '2 entries could not be exported.',
			}),
		]);
	});

	it('reports only the chosen events, and a job created after the first poll as a status change from none', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger filters');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const quarantineOnly = triggerParameters(sp.id, { events: ['quarantineEntered'] });
		const allEvents = triggerParameters(sp.id);
		const memory = (await poll(allEvents)).staticData;

		await runNode({
			parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }),
			credential: tenant.appOnlyCredential(),
		});
		expect((await poll(quarantineOnly, memory)).items).toBeNull();

		const added = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
		const next = await poll(allEvents, memory);
		expect(
			emitted(next).map((item) => [
				item.jobId,
				item.events,
				item.previousStatusCode,
				item.statusCode,
			]),
		).toEqual([
			[jobId, ['statusChanged'], 'NotConfigured', 'Active'],
			[added, ['statusChanged'], null, 'NotRun'],
		]);
	});

	it('watching one job ignores the others; changing what is watched starts afresh instead of replaying', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger one job');
		const watchedJob = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const otherJob = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const oneJob = triggerParameters(sp.id, { watch: 'job', job: locator(watchedJob) });
		const memory = (await poll(oneJob)).staticData;
		expect(graphCalls(tenant.emulator).map((call) => call.path)).toEqual([
			`/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${watchedJob}`,
		]);

		tenant.emulator.quarantineSynchronizationJob(sp.id, otherJob);
		expect((await poll(oneJob, memory)).items).toBeNull();
		tenant.emulator.quarantineSynchronizationJob(sp.id, watchedJob);
		expect(emitted(await poll(oneJob, memory)).map((item) => item.jobId)).toEqual([watchedJob]);

		const switched = await poll(triggerParameters(sp.id), memory);
		expect(switched.items).toBeNull();
	});

	it('refuses bad settings before any request, and maps Graph errors', async () => {
		const noEvents = await runPoll({
			parameters: triggerParameters(tenant.servicePrincipal.id, { events: [] }),
			credential: tenant.appOnlyCredential(),
		});
		expect(noEvents.error?.message).toBe('Choose at least one event to watch');
		const badJob = await runPoll({
			parameters: triggerParameters(tenant.servicePrincipal.id, {
				watch: 'job',
				job: locator('scim job'),
			}),
			credential: tenant.appOnlyCredential(),
		});
		expect(badJob.error?.message).toBe('"scim job" is not a job ID');
		expect(graphCalls(tenant.emulator)).toEqual([]);

		const { credential } = clientWith(
			tenant,
			['Application.Read.All'],
			'trigger without sync permission',
		);
		const forbidden = await runPoll({
			parameters: triggerParameters(tenant.servicePrincipal.id),
			credential,
		});
		expect(forbidden.error?.message).toBe(
			'The credential is not allowed to do this in Microsoft Graph',
		);
		expect(forbidden.error?.description).toContain('Synchronization.Read.All');
		expect(forbidden.staticData).toEqual({});
	});

	it('finds the service principal by app ID too', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger by app ID');
		tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD');
		const result = await runPoll({
			parameters: triggerParameters(sp.id, { target: locator(sp.appId, 'appId') }),
			credential: tenant.appOnlyCredential(),
			mode: 'manual',
		});
		expect(emitted(result).map((item) => [item.servicePrincipalId, item.templateId])).toEqual([
			[sp.id, 'API2AAD'],
		]);
	});

	describe('Provisioning Failures', () => {
		let watcher: ReturnType<typeof clientWith>;
		beforeAll(() => {
			watcher = clientWith(
				tenant,
				['Synchronization.Read.All', 'AuditLog.Read.All', 'Directory.Read.All'],
				'failure watcher',
			);
		});

		function failureEntry(
			servicePrincipalId: string,
			jobId: string,
			sourceId: string,
			status = 'failure',
			activityDateTime?: string,
		) {
			return tenant.emulator.addProvisioningLogEntry({
				jobId,
				...(activityDateTime ? { activityDateTime } : {}),
				servicePrincipal: { id: servicePrincipalId, displayName: 'Inbound' },
				provisioningAction: 'create',
				sourceIdentity: { id: sourceId, displayName: '', identityType: 'User', details: {} },
				provisioningStatusInfo: {
					status,
					errorInformation: {
						errorCode: 'UnableToResolveReferenceAttributeValue',
						reason: `The manager of ${sourceId} was not found.`,
						recommendedAction: 'Upload the manager first.',
					},
				},
			});
		}

		async function logPoll(
			parameters: INodeParameters,
			staticData?: IDataObject,
		): Promise<PollResult> {
			const result = await runPoll({ parameters, credential: watcher.credential, staticData });
			expect(result.error).toBeUndefined();
			return result;
		}

		it('emits one item per failed entry since the last poll, once, also after n8n restarts; only the logs are read', async () => {
			const sp = addServicePrincipal(tenant, 'Failures');
			const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
			failureEntry(sp.id, jobId, 'OLD1');
			const parameters = triggerParameters(sp.id, {
				watch: 'job',
				job: locator(jobId),
				events: ['provisioningFailures'],
			});

			const first = await logPoll(parameters);
			expect(first.items).toBeNull();
			expect(
				Object.keys(
					(first.staticData['node:Entra Provisioning'] as { logs: { seen: object } }).logs.seen,
				),
			).toHaveLength(1);
			tenant.emulator.clearRequests();

			const failed = failureEntry(sp.id, jobId, 'E1');
			failureEntry(sp.id, jobId, 'E2', 'skipped');
			failureEntry(sp.id, 'API2AAD.other', 'E3');
			const second = await logPoll(parameters, first.staticData);
			expect(emitted(second)).toEqual([
				expect.objectContaining({
					event: 'provisioningFailures',
					logId: failed.id,
					sourceId: 'E1',
					status: 'failure',
					errorCode: 'UnableToResolveReferenceAttributeValue',
					reason: 'The manager of E1 was not found.',
					recommendedAction: 'Upload the manager first.',
					jobId,
				}),
			]);
			expect(
				graphCalls(tenant.emulator).map((call) => [
					call.path,
					call.query.get('$filter')?.replace(/gt \S+$/, 'gt …'),
				]),
			).toEqual([
				[
					'/v1.0/auditLogs/provisioning',
					`jobId eq '${jobId}' and provisioningStatusInfo/status eq 'failure' and activityDateTime gt …`,
				],
			]);

			expect((await logPoll(parameters, second.staticData)).items).toBeNull();
			const afterRestart = await logPoll(parameters, JSON.parse(JSON.stringify(second.staticData)));
			expect(afterRestart.items).toBeNull();

			// An entry that shows up late, dated before the previous poll, is still reported, and once.
			const late = failureEntry(
				sp.id,
				jobId,
				'E4',
				'failure',
				new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
			);
			const withLate = await logPoll(parameters, afterRestart.staticData);
			expect(emitted(withLate).map((item) => item.logId)).toEqual([late.id]);
			expect((await logPoll(parameters, withLate.staticData)).items).toBeNull();
		});

		it('reports skipped and warning entries when chosen, next to job events of all jobs', async () => {
			const sp = addServicePrincipal(tenant, 'Failures and quarantine');
			const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
			const parameters = triggerParameters(sp.id, {
				events: ['quarantineEntered', 'provisioningFailures'],
				logStatuses: ['failure', 'skipped', 'warning'],
			});
			const memory = (await logPoll(parameters)).staticData;

			tenant.emulator.quarantineSynchronizationJob(sp.id, jobId);
			failureEntry(sp.id, jobId, 'S1', 'skipped');
			failureEntry(sp.id, jobId, 'W1', 'warning');
			failureEntry(sp.id, jobId, 'OK1', 'success');
			const next = await logPoll(parameters, memory);
			expect(
				emitted(next).map((item) => item.events ?? [item.event, item.sourceId, item.status]),
			).toEqual([
				['quarantineEntered'],
				expect.arrayContaining(['provisioningFailures']),
				expect.arrayContaining(['provisioningFailures']),
			]);
			expect(
				emitted(next)
					.slice(1)
					.map((item) => [item.sourceId, item.status])
					.sort(),
			).toEqual([
				['S1', 'skipped'],
				['W1', 'warning'],
			]);
		});

		it('"Fetch Test Event" shows the newest entries; without a log permission the error names both', async () => {
			const sp = addServicePrincipal(tenant, 'Failures manual');
			const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
			const parameters = triggerParameters(sp.id, {
				watch: 'job',
				job: locator(jobId),
				events: ['provisioningFailures'],
			});
			const empty = await runPoll({ parameters, credential: watcher.credential, mode: 'manual' });
			expect(empty.error?.message).toBe('No provisioning log entry has the status failure');
			for (let index = 0; index < 7; index++) failureEntry(sp.id, jobId, `M${index}`);
			const manual = await runPoll({ parameters, credential: watcher.credential, mode: 'manual' });
			expect(emitted(manual)).toHaveLength(5);
			expect(manual.staticData).toEqual({});

			const { credential } = clientWith(tenant, ['Synchronization.Read.All'], 'no audit log');
			const forbidden = await runPoll({ parameters, credential });
			expect(forbidden.error?.message).toBe(
				'The credential is not allowed to do this in Microsoft Graph',
			);
			expect(forbidden.error?.description).toContain('AuditLog.Read.All and Directory.Read.All');
			const noStatus = await runPoll({
				parameters: { ...parameters, logStatuses: [] },
				credential: watcher.credential,
			});
			expect(noStatus.error?.message).toBe('Choose at least one log status to report');
		});
	});
});

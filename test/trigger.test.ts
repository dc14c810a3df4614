import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, runPoll, type PollResult } from './harness/engine';
import { addServicePrincipal, clientWith, locator, synchronizationParameters } from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

let tenant: TestTenant;

function triggerParameters(servicePrincipalId: string, extra: INodeParameters = {}): INodeParameters {
	return { authentication: 'appOnly', target: locator(servicePrincipalId), watch: 'allJobs', ...extra };
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
		const result = await runPoll({ parameters: triggerParameters(sp.id), credential: tenant.appOnlyCredential(), mode: 'manual', staticData });
		expect(result.error).toBeUndefined();
		expect(emitted(result)).toEqual([
			expect.objectContaining({ events: [], servicePrincipalId: sp.id, jobId, statusCode: 'Quarantine', quarantined: true, quarantineReason: 'TooManyDeletes' }),
		]);
		expect(result.staticData).toEqual(staticData);
	});

	it('emits once when a job enters quarantine, not again on the next poll, and not after n8n restarts', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger quarantine');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		await runNode({ parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }), credential: tenant.appOnlyCredential() });
		const parameters = triggerParameters(sp.id);

		const first = await poll(parameters);
		expect(first.items).toBeNull();
		expect(first.staticData).toEqual({
			'node:Entra Provisioning': { watched: { scope: `${sp.id}/*`, jobs: { [jobId]: { statusCode: 'Active', quarantined: false, lastRunId: null } } } },
		});

		tenant.emulator.quarantineSynchronizationJob(sp.id, jobId, { reason: 'EncounteredEscrowProportionThreshold' });
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
		const afterRestart = await runPoll({ parameters, credential: tenant.appOnlyCredential(), staticData: JSON.parse(JSON.stringify(third.staticData)) });
		expect(afterRestart.items).toBeNull();

		await runNode({
			parameters: synchronizationParameters('job', 'restart', sp.id, { resetScope: ['QuarantineState'] }, { jobId }),
			credential: tenant.appOnlyCredential(),
		});
		const lifted = await poll(parameters, afterRestart.staticData);
		expect(emitted(lifted)).toEqual([
			expect.objectContaining({ events: ['quarantineLeft', 'statusChanged'], previousStatusCode: 'Quarantine', statusCode: 'Active', quarantined: false }),
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
			expect.objectContaining({ events: ['runFinishedWithIssues'], lastRunState: 'EntryLevelErrors', lastRunEscrows: 4, lastRunExported: 8 }),
		]);
		expect((await poll(parameters, escrowed.staticData)).items).toBeNull();

		tenant.emulator.completeSynchronizationRun(sp.id, jobId, { errors: 2 });
		const failed = await poll(parameters, escrowed.staticData);
		expect(emitted(failed)).toEqual([
			expect.objectContaining({ events: ['runFinishedWithIssues'], lastRunState: 'Failed', lastRunError: '2 entries could not be exported.' }),
		]);
	});

	it('reports only the chosen events, and a job created after the first poll as a status change from none', async () => {
		const sp = addServicePrincipal(tenant, 'Trigger filters');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const quarantineOnly = triggerParameters(sp.id, { events: ['quarantineEntered'] });
		const allEvents = triggerParameters(sp.id);
		const memory = (await poll(allEvents)).staticData;

		await runNode({ parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }), credential: tenant.appOnlyCredential() });
		expect((await poll(quarantineOnly, memory)).items).toBeNull();

		const added = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
		const next = await poll(allEvents, memory);
		expect(emitted(next).map((item) => [item.jobId, item.events, item.previousStatusCode, item.statusCode])).toEqual([
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
		const noEvents = await runPoll({ parameters: triggerParameters(tenant.servicePrincipal.id, { events: [] }), credential: tenant.appOnlyCredential() });
		expect(noEvents.error?.message).toBe('Choose at least one event to watch');
		const badJob = await runPoll({
			parameters: triggerParameters(tenant.servicePrincipal.id, { watch: 'job', job: locator('scim job') }),
			credential: tenant.appOnlyCredential(),
		});
		expect(badJob.error?.message).toBe('"scim job" is not a job ID');
		expect(graphCalls(tenant.emulator)).toEqual([]);

		const { credential } = clientWith(tenant, ['Application.Read.All'], 'trigger without sync permission');
		const forbidden = await runPoll({ parameters: triggerParameters(tenant.servicePrincipal.id), credential });
		expect(forbidden.error?.message).toBe('The credential is not allowed to do this in Microsoft Graph');
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
		expect(emitted(result).map((item) => [item.servicePrincipalId, item.templateId])).toEqual([[sp.id, 'API2AAD']]);
	});
});

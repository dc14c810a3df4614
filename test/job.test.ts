import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { loadPackage, NODE_TYPE, runListSearch, runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	locator,
	synchronizationParameters,
} from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

const SCIM_URL = 'https://scim.contoso-payroll.example/scim/v2';
const SCIM_TOKEN = 'scim-token-Jq4!rT8wLx2Vn6Pz0Kd';
const SCIM_RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';

let tenant: TestTenant;
const results: RunResult[] = [];

async function run(...args: Parameters<typeof runNode>) {
	const result = await runNode(...args);
	results.push(result);
	return result;
}

/** Runs one job operation with the tenant's provisioning client. */
function job(
	operation: string,
	servicePrincipalId: string,
	jobId: string | undefined,
	fields: IDataObject = {},
	extra: { options?: IDataObject; continueOnFail?: boolean; items?: IDataObject[] } = {},
) {
	return run({
		parameters: synchronizationParameters('job', operation, servicePrincipalId, fields, {
			jobId,
			options: extra.options,
		}),
		credential: tenant.appOnlyCredential(),
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
}

function statusOf(servicePrincipalId: string, jobId: string) {
	return (
		tenant.emulator.getSynchronizationJob(servicePrincipalId, jobId)?.job.status as { code: string }
	).code;
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
		// Validate Credentials sends a SCIM token: every run of this file is searched for it.
		expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: [SCIM_TOKEN] });
	} finally {
		await tenant.emulator.close();
	}
});

describe('Job › Create, from a template picked from a list', () => {
	it('lists service principals and their templates, creates a job from one (201) and outputs it NotConfigured', async () => {
		const sp = addServicePrincipal(tenant, 'Payroll SCIM');
		const principals = await runListSearch(
			'searchTargets',
			synchronizationParameters('job', 'create', ''),
			tenant.appOnlyCredential(),
			'Payroll SCIM',
		);
		expect(principals.results).toEqual([
			{ name: `Payroll SCIM (app ID ${sp.appId})`, value: sp.id },
		]);
		const templates = await runListSearch(
			'searchTemplates',
			synchronizationParameters('job', 'create', sp.id),
			tenant.appOnlyCredential(),
		);
		expect(templates.results.map((entry) => entry.value)).toEqual(['scim', 'API2AAD']);
		expect(templates.results[0].name).toMatch(/^scim \(CustomSCIM\): /);

		const result = await job('create', sp.id, undefined, { template: locator('scim', 'list') });
		expect(result.error).toBeUndefined();
		const created = result.items[0].json;
		expect(created).toMatchObject({
			servicePrincipalId: sp.id,
			templateId: 'scim',
			statusCode: 'NotConfigured',
			scheduleState: 'Disabled',
			quarantined: false,
			graphStatus: 201,
		});
		expect(created.jobId).toMatch(/^scim\.[0-9a-f]{32}\./);
		expect(created.job).toMatchObject({ id: created.jobId, templateId: 'scim' });
		const [call] = graphCalls(tenant.emulator).filter((request) => request.method === 'POST');
		expect(call.path).toBe(`/v1.0/servicePrincipals/${sp.id}/synchronization/jobs`);
		expect(JSON.parse(call.body)).toEqual({ templateId: 'scim' });
		expect(tenant.emulator.getSynchronizationJob(sp.id, String(created.jobId))).toBeDefined();
	});

	it('accepts a 200 answer as well as the documented 201', async () => {
		const sp = addServicePrincipal(tenant, 'Payroll SCIM 200');
		const existing = tenant.emulator.createSynchronizationJob(sp.id, 'scim');
		const body = tenant.emulator.getSynchronizationJob(sp.id, existing.id)?.job as object;
		tenant.emulator.injectFault({
			method: 'POST',
			path: `/v1.0/servicePrincipals/${sp.id}/synchronization/jobs`,
			status: 200,
			body,
			count: 1,
		});
		const result = await job('create', sp.id, undefined, { template: locator('scim') });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ jobId: existing.id, graphStatus: 200 });
	});

	it("maps Graph's 400 for a template the service principal does not offer", async () => {
		const sp = addServicePrincipal(tenant, 'Payroll SCIM 400');
		const result = await job('create', sp.id, undefined, { template: locator('workday') });
		expect(result.error?.message).toBe('Microsoft Graph rejected the request as invalid');
		expect(result.error?.description).toContain(
			"Graph says: The template 'workday' is not available for this service principal.",
		);
		expect(result.error?.description).toMatch(/HTTP status: 400 · request-id: [0-9a-f-]{36}/);
	});
});

/** The node's own parameter `name` as the editor shows it for the operation (current version). */
async function editorProperty(operation: string, name: string): Promise<INodeProperties> {
	const { nodeTypes } = await loadPackage();
	const { description } = nodeTypes.getByNameAndVersion(NODE_TYPE, 2);
	const property = description.properties.find(
		(candidate: INodeProperties) =>
			candidate.name === name && candidate.displayOptions?.show?.operation?.includes(operation),
	);
	if (!property) throw new Error(`The node shows no ${name} for ${operation}`);
	return property;
}

describe('Job › Start and Restart say what Graph does', () => {
	it("Start says it clears a quarantine, and a quarantined job started by the node leaves quarantine with nothing else reset (Microsoft's Start page)", async () => {
		const notice = await editorProperty('start', 'startNotice');
		expect(notice.displayName).toContain('Start clears the quarantine status, with no full cycle');
		expect(notice.displayName).not.toContain('use Restart');

		const sp = addServicePrincipal(tenant, 'Quarantined SCIM');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		tenant.emulator.completeSynchronizationRun(sp.id, jobId, { escrows: 2 });
		tenant.emulator.quarantineSynchronizationJob(sp.id, jobId);
		const started = await job('start', sp.id, jobId);
		expect(started.items[0].json).toMatchObject({ success: true, operation: 'startJob' });
		expect((await job('get', sp.id, jobId)).items[0].json).toMatchObject({
			statusCode: 'Active',
			quarantined: false,
		});
		// No restart happened: the escrows and the watermark are as they were.
		expect(tenant.emulator.getSynchronizationJob(sp.id, jobId)).toMatchObject({
			escrows: 2,
			restarts: [],
			job: { status: { progress: [{ units: 'Cycles' }] } },
		});
	});

	it("each reset scope says what it resets in the words of Microsoft's restart criteria page", async () => {
		const scope = await editorProperty('restart', 'resetScope');
		const said = Object.fromEntries(
			(scope.options as Array<{ value: string; description: string }>).map((option) => [
				option.value,
				option.description,
			]),
		);
		expect(said.Watermark).toContain('the next cycle is a full (initial) cycle');
		expect(said.Escrows).toContain('no longer retried');
		expect(said.QuarantineState).toContain('Lifts the quarantine');
		expect(said.None).toContain('Microsoft says do not use it: use Job › Start instead');
		expect(said.ConnectorDataStore).toContain('Microsoft says do not use it');
		expect(said.ForceDeletes).toContain('accidental-deletion threshold');
		expect(scope.default).toEqual(['Watermark', 'Escrows', 'QuarantineState']);
	});

	it('the editor says the default restart costs a full cycle and, on an API-driven job, the uploads not processed yet; the emulator purges them', async () => {
		const notice = await editorProperty('restart', 'restartNotice');
		expect(notice.type).toBe('notice');
		expect(notice.displayName).toContain('makes the next cycle a full one');
		expect(notice.displayName).toContain(
			'On an API-driven inbound provisioning job a restart also discards the uploads the service has not processed yet',
		);

		const sp = addServicePrincipal(tenant, 'HR inbound restart');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
		const uploader = clientWith(tenant, ['SynchronizationData-User.Upload'], 'restart uploader');
		const upload = await run({
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
			credential: uploader.credential,
			items: [{ id: 'E10001', mail: 'new.hire@contoso.com' }],
		});
		expect(upload.error).toBeUndefined();
		// The job was never started, so the upload waits.
		const waiting = tenant.emulator.provisioningLogs().waitingUploads;
		expect(waiting).toBeGreaterThan(0);

		const restarted = await job('restart', sp.id, jobId);
		expect(restarted.items[0].json.resetScope).toBe('Watermark, Escrows, QuarantineState');
		expect(tenant.emulator.provisioningLogs().waitingUploads).toBe(waiting - 1);
		expect(
			tenant.emulator
				.provisioningLogs()
				.entries.filter((entry) => (entry as { jobId?: string }).jobId === jobId),
		).toEqual([]);
	});
});

describe("Job lifecycle against the emulator's state", () => {
	let sp: { id: string };
	let jobId: string;

	beforeAll(() => {
		sp = addServicePrincipal(tenant, 'HR SCIM lifecycle');
		jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
	});

	it('start → Get shows it Active on an active schedule; pause → Paused', async () => {
		const started = await job('start', sp.id, jobId);
		expect(started.error).toBeUndefined();
		expect(started.items[0].json).toMatchObject({
			success: true,
			operation: 'startJob',
			jobId,
			graphStatus: 204,
		});
		const afterStart = await job('get', sp.id, jobId);
		expect(afterStart.items[0].json).toMatchObject({
			jobId,
			statusCode: 'Active',
			statusDescription: 'Running on its schedule',
			scheduleState: 'Active',
			quarantined: false,
		});

		await job('pause', sp.id, jobId);
		const afterPause = await job('get', sp.id, jobId);
		expect(afterPause.items[0].json).toMatchObject({
			statusCode: 'Paused',
			scheduleState: 'Paused',
		});
		expect(
			graphCalls(tenant.emulator).map(
				(call) => `${call.method} ${call.path.replace(sp.id, 'SP').replace(jobId, 'JOB')}`,
			),
		).toEqual([
			'POST /v1.0/servicePrincipals/SP/synchronization/jobs/JOB/start',
			'GET /v1.0/servicePrincipals/SP/synchronization/jobs/JOB',
			'POST /v1.0/servicePrincipals/SP/synchronization/jobs/JOB/pause',
			'GET /v1.0/servicePrincipals/SP/synchronization/jobs/JOB',
		]);
	});

	it("Get flattens quarantine and the last run, keeping Graph's job", async () => {
		tenant.emulator.completeSynchronizationRun(sp.id, jobId, { escrows: 3, exported: 40 });
		tenant.emulator.quarantineSynchronizationJob(sp.id, jobId, {
			reason: 'EncounteredEscrowProportionThreshold',
			error: {
				code: 'SystemForCrossDomainIdentityManagementServiceIncompatible',
				message: 'The SCIM endpoint answered 500.',
			},
		});
		const result = await job('get', sp.id, jobId);
		expect(result.items[0].json).toMatchObject({
			statusCode: 'Quarantine',
			quarantined: true,
			quarantineReason: 'EncounteredEscrowProportionThreshold',
			quarantineError: 'The SCIM endpoint answered 500.',
			quarantineSince: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			lastRunState: 'EntryLevelErrors',
			lastRunEscrows: 3,
			lastRunExported: 40,
			lastRunActivityId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			lastSuccessfulRunEnded: null,
			job: { id: jobId, status: { code: 'Quarantine' } },
		});
	});

	it('restart with Watermark only keeps the quarantine; with Quarantine State it lifts it and the job runs', async () => {
		const partial = await job('restart', sp.id, jobId, { resetScope: ['Watermark'] });
		expect(partial.items[0].json).toMatchObject({
			operation: 'restartJob',
			resetScope: 'Watermark',
			graphStatus: 204,
		});
		expect((await job('get', sp.id, jobId)).items[0].json).toMatchObject({
			quarantined: true,
			statusCode: 'Quarantine',
		});

		const lifted = await job('restart', sp.id, jobId, {
			resetScope: ['QuarantineState', 'Escrows'],
		});
		expect(lifted.error).toBeUndefined();
		expect((await job('get', sp.id, jobId)).items[0].json).toMatchObject({
			quarantined: false,
			statusCode: 'Active',
			consecutiveFailures: 0,
		});
		const view = tenant.emulator.getSynchronizationJob(sp.id, jobId);
		expect(view?.restarts).toEqual([['Watermark'], ['QuarantineState', 'Escrows']]);
		expect(view?.escrows).toBe(0);
		const bodies = graphCalls(tenant.emulator)
			.filter((call) => call.path.endsWith('/restart'))
			.map((call) => JSON.parse(call.body));
		expect(bodies).toEqual([
			{ criteria: { resetScope: 'Watermark' } },
			{ criteria: { resetScope: 'QuarantineState, Escrows' } },
		]);
	});

	it("restart by default sends Microsoft's example scope: Watermark, Escrows, QuarantineState", async () => {
		const result = await run({
			parameters: synchronizationParameters('job', 'restart', sp.id, {}, { jobId }),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.items[0].json.resetScope).toBe('Watermark, Escrows, QuarantineState');
	});

	it('list outputs one item per job, and the job list search shows them; delete removes one, then Get maps the 404', async () => {
		const second = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
		const listed = await job('list', sp.id, undefined);
		expect(
			listed.items.map((item) => [item.json.jobId, item.json.templateId, item.pairedItem]),
		).toEqual([
			[jobId, 'scim', { item: 0 }],
			[second, 'API2AAD', { item: 0 }],
		]);
		const search = await runListSearch(
			'searchJobs',
			synchronizationParameters('job', 'get', sp.id),
			tenant.appOnlyCredential(),
			'api2',
		);
		expect(search.results).toEqual([{ name: `API2AAD · NotRun (${second})`, value: second }]);

		const deleted = await job('delete', sp.id, second);
		expect(deleted.items[0].json).toMatchObject({
			success: true,
			operation: 'deleteJob',
			jobId: second,
			graphStatus: 204,
		});
		expect(tenant.emulator.getSynchronizationJob(sp.id, second)).toBeUndefined();
		const gone = await job('get', sp.id, second);
		expect(gone.error?.message).toBe(
			`Microsoft Graph found no provisioning job ${second} on service principal ${sp.id}`,
		);
		expect(gone.error?.description).toContain('pick it from the list');
	});

	it('a service principal without jobs lists none', async () => {
		const empty = addServicePrincipal(tenant, 'No jobs yet');
		const result = await job('list', empty.id, undefined);
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
	});
});

describe('Job › Validate Credentials', () => {
	it("tests given secrets or the saved ones; a refused token is Graph's 400 with its message", async () => {
		const sp = addServicePrincipal(tenant, 'SCIM credentials');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		tenant.emulator.acceptScimCredentials(SCIM_URL, SCIM_TOKEN);
		const given = (token: string) => ({
			credentialSource: 'given',
			secrets: {
				secret: [
					{ key: 'BaseAddress', value: SCIM_URL },
					{ key: 'SecretToken', value: token },
				],
			},
		});

		const valid = await job('validateCredentials', sp.id, jobId, given(SCIM_TOKEN));
		expect(valid.items[0].json).toMatchObject({
			credentialsValid: true,
			credentialSource: 'given',
			secretKeys: ['BaseAddress', 'SecretToken'],
			graphStatus: 204,
		});
		expect(JSON.parse(graphCalls(tenant.emulator)[0].body)).toEqual({
			useSavedCredentials: false,
			credentials: [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: SCIM_TOKEN },
			],
		});

		const refused = await job('validateCredentials', sp.id, jobId, given(`${SCIM_TOKEN}-old`));
		expect(refused.error?.httpCode).toBe('400');
		expect(refused.error?.description).toContain(
			`Graph says: You appear to have entered invalid credentials. We received an HTTP/401 Unauthorized response from ${SCIM_URL}.`,
		);
		expect(refused.error?.description).toContain(
			'Graph error code: SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
		);

		tenant.emulator.clearRequests();
		const saved = await job('validateCredentials', sp.id, jobId, { credentialSource: 'saved' });
		expect(saved.error?.httpCode).toBe('400');
		expect(JSON.parse(graphCalls(tenant.emulator)[0].body)).toEqual({ useSavedCredentials: true });
	});
});

describe('Job › Provision On Demand', () => {
	let sp: { id: string };
	let jobId: string;
	let user: { id: string; upn: string };

	beforeAll(() => {
		sp = addServicePrincipal(tenant, 'On-demand SCIM');
		jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		user = tenant.emulator.registerUser({
			upn: 'new.hire@contoso.onmicrosoft.com',
			displayName: 'New Hire',
		});
	});

	it("picks the rule from the job's schema and outputs Graph's JSON-string answer parsed", async () => {
		const rules = await runListSearch(
			'searchRules',
			synchronizationParameters('job', 'provisionOnDemand', sp.id, {}, { jobId }),
			tenant.appOnlyCredential(),
		);
		expect(rules.results).toEqual([
			{ name: 'USER_GROUP_OUTBOUND (Azure Active Directory → customappsso)', value: SCIM_RULE_ID },
		]);

		const result = await job('provisionOnDemand', sp.id, jobId, {
			rule: locator(SCIM_RULE_ID, 'list'),
			objectTypeName: 'User',
			objectId: user.id,
		});
		expect(result.error).toBeUndefined();
		const output = result.items[0].json;
		expect(output).toMatchObject({
			jobId,
			ruleId: SCIM_RULE_ID,
			objectId: user.id,
			objectTypeName: 'User',
			result: 'Success',
			details: {},
		});
		expect(output.report).toMatchObject({
			action: 'Create',
			reportableIdentifier: user.upn,
			provisioningSteps: [
				{ name: 'EntryImport', status: 'Success' },
				{ name: 'EntryExportAdd', status: 'Success' },
			],
		});
		expect(JSON.parse(graphCalls(tenant.emulator).at(-1)?.body ?? '')).toEqual({
			parameters: [
				{ ruleId: SCIM_RULE_ID, subjects: [{ objectId: user.id, objectTypeName: 'User' }] },
			],
		});
	});

	it("outputs a Failure result as Graph reports it, and maps Graph's 400 for a rule not in the schema", async () => {
		const missing = await job('provisionOnDemand', sp.id, jobId, {
			rule: locator(SCIM_RULE_ID),
			objectTypeName: 'Group',
			objectId: '1f4b4c6e-0000-4000-8000-00000000beef',
			groupMembers: user.id,
		});
		expect(missing.items[0].json).toMatchObject({
			result: 'Failure',
			details: { errorCode: 'EntryNotFound' },
		});

		const wrongRule = await job('provisionOnDemand', sp.id, jobId, {
			rule: locator('not-a-rule'),
			objectTypeName: 'User',
			objectId: user.id,
		});
		expect(wrongRule.error?.description).toContain('Graph error code: RequestParameterInvalid');
	});

	it("spaces many items to Graph's 5 requests per 10 seconds, so none is throttled", async () => {
		const paced = addServicePrincipal(tenant, 'On-demand pacing');
		const pacedJob = tenant.emulator.createSynchronizationJob(paced.id, 'scim').id;
		const result = await run({
			parameters: synchronizationParameters(
				'job',
				'provisionOnDemand',
				paced.id,
				{ rule: locator(SCIM_RULE_ID), objectTypeName: 'User', objectId: '={{ $json.id }}' },
				{ jobId: pacedJob, options: { concurrency: 10 } },
			),
			credential: tenant.appOnlyCredential(),
			items: Array.from({ length: 6 }, () => ({ id: user.id })),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => [item.json.result, item.pairedItem])).toEqual(
			Array.from({ length: 6 }, (_, index) => ['Success', { item: index }]),
		);
		const calls = graphCalls(tenant.emulator).filter((call) =>
			call.path.endsWith('/provisionOnDemand'),
		);
		expect(calls.map((call) => call.status)).toEqual([200, 200, 200, 200, 200, 200]);
		expect(calls[5].time.getTime() - calls[0].time.getTime()).toBeGreaterThanOrEqual(10_000);
	}, 30_000);

	it("still retries the emulator's 429 with its Retry-After when another client used up the window", async () => {
		const busy = addServicePrincipal(tenant, 'On-demand busy');
		const busyJob = tenant.emulator.createSynchronizationJob(busy.id, 'scim').id;
		tenant.emulator.injectFault({
			path: `/v1.0/servicePrincipals/${busy.id}/synchronization/jobs/${busyJob}/provisionOnDemand`,
			status: 429,
			headers: { 'Retry-After': '1' },
			count: 1,
		});
		const result = await job('provisionOnDemand', busy.id, busyJob, {
			rule: locator(SCIM_RULE_ID),
			objectTypeName: 'User',
			objectId: user.id,
		});
		expect(result.error).toBeUndefined();
		expect(graphCalls(tenant.emulator).map((call) => call.status)).toEqual([429, 200]);
	});
});

describe('Validation before any request', () => {
	it.each([
		[
			'a job ID with a slash',
			'get',
			{ job: locator('={{ "scim/../secrets" }}') },
			'"scim/../secrets" is not a job ID',
		],
		['no job', 'start', { job: locator('={{ "" }}') }, 'No Job is selected'],
		['no reset scope', 'restart', { resetScope: '={{ [] }}' }, 'Choose at least one Reset Scope'],
		[
			'None with other scopes',
			'restart',
			{ resetScope: ['None', 'Watermark'] },
			'Reset Scope None cannot be combined with other scopes',
		],
		[
			'a mail address as object ID',
			'provisionOnDemand',
			{ rule: locator(SCIM_RULE_ID), objectTypeName: 'User', objectId: 'new.hire@contoso.com' },
			'Object ID "new.hire@contoso.com" is not an ID of a User (Microsoft Entra ID → App)',
		],
		[
			'no rule',
			'provisionOnDemand',
			{
				rule: locator('={{ "" }}'),
				objectTypeName: 'User',
				objectId: '9bb0f679-a883-4a6f-8260-35b491b8b8c8',
			},
			'No Rule is selected',
		],
		[
			'a duplicate secret key',
			'validateCredentials',
			{
				credentialSource: 'given',
				secrets: {
					secret: [
						{ key: 'SecretToken', value: 'a' },
						{ key: 'SecretToken', value: 'b' },
					],
				},
			},
			'The secret key "SecretToken" is given twice',
		],
		[
			'a service principal that is not a GUID',
			'list',
			{ target: locator('={{ "payroll-app" }}') },
			'The Service Principal object ID is not a GUID',
		],
	])('refuses %s', async (_case, operation, fields, message) => {
		const result = await run({
			parameters: {
				...synchronizationParameters(
					'job',
					operation,
					tenant.servicePrincipal.id,
					{},
					{ jobId: 'scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.tenant' },
				),
				...fields,
			},
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error?.message).toBe(message);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

describe('Errors, retries and items', () => {
	it('403 names the permissions to grant for the call that failed', async () => {
		const { credential } = clientWith(tenant, ['Synchronization.Read.All'], 'read only');
		const sp = addServicePrincipal(tenant, 'Forbidden start');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const read = await run({
			parameters: synchronizationParameters('job', 'get', sp.id, {}, { jobId }),
			credential,
		});
		expect(read.error).toBeUndefined();
		const start = await run({
			parameters: synchronizationParameters('job', 'start', sp.id, {}, { jobId }),
			credential,
		});
		expect(start.error?.message).toBe(
			'The credential is not allowed to do this in Microsoft Graph',
		);
		expect(start.error?.description).toContain(
			'The app needs the Microsoft Graph application permission Application.ReadWrite.OwnedBy or Synchronization.ReadWrite.All',
		);
	});

	it('404 for an unknown service principal says to use its object ID, not the app ID', async () => {
		const result = await job('list', '6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60', undefined);
		expect(result.error?.message).toBe(
			'Microsoft Graph found no service principal with object ID 6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60',
		);
		expect(result.error?.description).toContain('choose Service Principal › By App ID');
	});

	it('looks a service principal named by app ID up once for all items', async () => {
		const sp = addServicePrincipal(tenant, 'By app ID');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const result = await run({
			parameters: synchronizationParameters(
				'job',
				'get',
				sp.id,
				{},
				{ jobId, target: locator(sp.appId, 'appId') },
			),
			credential: tenant.appOnlyCredential(),
			items: [{}, {}, {}],
		});
		expect(
			result.items.map((item) => [item.json.servicePrincipalId, item.json.servicePrincipalAppId]),
		).toEqual(Array.from({ length: 3 }, () => [sp.id, sp.appId]));
		expect(
			graphCalls(tenant.emulator).filter((call) => call.path.includes('(appId=')),
		).toHaveLength(1);
	});

	it('with Retry While Replicating, retries the 404 of a just-created service principal; without it, fails at once', async () => {
		const sp = addServicePrincipal(tenant, 'Just created');
		const jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const replicating = () =>
			tenant.emulator.injectFault({
				path: `/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/start`,
				status: 404,
				count: 1,
			});

		replicating();
		const plain = await job('start', sp.id, jobId);
		expect(plain.error?.httpCode).toBe('404');
		expect(graphCalls(tenant.emulator)).toHaveLength(1);

		tenant.emulator.clearRequests();
		replicating();
		const patient = await job(
			'start',
			sp.id,
			jobId,
			{},
			{ options: { retryWhileReplicating: true } },
		);
		expect(patient.error).toBeUndefined();
		expect(
			graphCalls(tenant.emulator).map((call) => [call.status, call.headers['retry-attempt']]),
		).toEqual([
			[404, undefined],
			[204, '1'],
		]);
		expect(statusOf(sp.id, jobId)).toBe('Active');
	});

	it('with Continue On Fail, a failing item becomes an error item paired with its input; the others go on', async () => {
		const sp = addServicePrincipal(tenant, 'Continue on fail');
		const jobs = [
			tenant.emulator.createSynchronizationJob(sp.id, 'scim').id,
			tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id,
		];
		const result = await run({
			parameters: {
				...synchronizationParameters('job', 'start', sp.id),
				job: locator('={{ $json.job }}'),
			},
			credential: tenant.appOnlyCredential(),
			items: [
				{ job: jobs[0] },
				{ job: 'has space' },
				{ job: 'scim.ffffffffffffffffffffffffffffffff.gone' },
				{ job: jobs[1] },
			],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.success ?? item.json.error, item.pairedItem]),
		).toEqual([
			[true, { item: 0 }],
			['"has space" is not a job ID', { item: 1 }],
			[
				`Microsoft Graph found no provisioning job scim.ffffffffffffffffffffffffffffffff.gone on service principal ${sp.id}`,
				{ item: 2 },
			],
			[true, { item: 3 }],
		]);
		expect(jobs.map((id) => statusOf(sp.id, id))).toEqual(['Active', 'Active']);
	});
});

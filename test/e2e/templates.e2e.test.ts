/**
 * The HR-onboarding, secret-rotation and alerting templates (examples/) in a real n8n against the emulator, run as a
 * user runs them by hand (`n8n execute`) after picking the demo's app (and job) in each From List target: upload →
 * outcomes → wait while pending → summary; validate → save → restart; failed log entries → a notification to a
 * loopback sink. The onboarding and HR CSV templates are published and called over HTTP as a provisioning request or
 * an HR system's export job would call them: instantiate → assign → create → authorize → map → start → the job's
 * state; a CSV file → preview, or the rows that changed → the caller's answer → outcomes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	DEMO_OBJECTS,
	DEMO_SCIM,
	exampleWorkflow,
	isWebhookWorkflow,
	withTargetPicked,
	type PickedTarget,
	type WorkflowJson,
} from '../../dev/n8n/demo-tenant';
import { startStack, type Stack } from '../../dev/n8n/e2e-stack';
import { PROJECT_ROOT, selectedLine } from '../../dev/n8n/runtime';
import {
	getExecution,
	leakedSecrets,
	listExecutions,
	waitForNewExecution,
	type RunData,
	type StoredExecution,
} from '../../dev/n8n/executions';

let stack: Stack;
let sink: Server;
const notifications: Array<Record<string, unknown>> = [];
const staleToken = `stale-${randomBytes(12).toString('hex')}`;

const ONBOARDING = exampleWorkflow('onboard-gallery-app.workflow.json');
/** The SCIM tokens posted to the onboarding webhook: none may be in what n8n stores or logs of the package's nodes. */
const onboardingTokens: string[] = [];

/** The demo app's API-driven inbound job, as the HR templates' Job › From List shows it. */
let inboundJob: PickedTarget;

/**
 * The example with the demo's app (and inbound job) picked in its From List targets, under its own ID, changed as a
 * case needs.
 */
function copyOf(file: string, id: string, change: (workflow: WorkflowJson) => void): WorkflowJson {
	const workflow = withTargetPicked(exampleWorkflow(file), undefined, inboundJob);
	workflow.id = id;
	workflow.name = `e2e ${id}`;
	change(workflow);
	return workflow;
}

function nodeNamed(workflow: WorkflowJson, name: string) {
	const node = workflow.nodes.find((candidate) => candidate.name === name);
	if (!node) throw new Error(`${workflow.id} has no node "${name}"`);
	return node;
}

function assignmentNamed(workflow: WorkflowJson, nodeName: string, field: string) {
	const { assignments } = nodeNamed(workflow, nodeName).parameters.assignments as {
		assignments: Array<{ name: string; value: string }>;
	};
	const assignment = assignments.find((candidate) => candidate.name === field);
	if (!assignment) throw new Error(`${workflow.id}'s "${nodeName}" sets no ${field}`);
	return assignment;
}

function runsOf(data: RunData, name: string) {
	return (data.resultData.runData[name] ?? []).map((run) =>
		(run.data?.main[0] ?? []).map((item) => item.json),
	);
}

/** The template's Wait shortened to a second, and Get outcomes' own wait to the given seconds, checking every second. */
function shortWaits(inNodeSeconds: number): (workflow: WorkflowJson) => void {
	return (workflow) => {
		nodeNamed(workflow, 'Wait').parameters = { amount: 1, unit: 'seconds' };
		Object.assign(nodeNamed(workflow, 'Get outcomes').parameters, {
			waitUpTo: inNodeSeconds,
			checkEvery: 1,
		});
	};
}

async function execute(id: string, allowFailure = false): Promise<{ ok: boolean; data: RunData }> {
	const result = await stack.n8n.execute(id, { allowFailure });
	if (!allowFailure && !result.ok) throw new Error(`${id} failed:\n${result.text.slice(-3000)}`);
	return { ok: result.ok, data: (result.output as { data: RunData }).data };
}

beforeAll(async () => {
	sink = createServer((request, response) => {
		let body = '';
		request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
		request.on('end', () => {
			notifications.push({
				path: request.url,
				...(JSON.parse(body || '{}') as Record<string, unknown>),
			});
			response.writeHead(204).end();
		});
	});
	await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
	const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/alerts`;
	stack = await startStack({
		name: 'templates',
		workflows: ({ inboundJobId }) => {
			inboundJob = { id: inboundJobId, displayName: 'API2AAD' };
			return [
				// Minutes in the template; a second here and one check a round, against the emulator's 3 s of processing:
				// the loop runs.
				copyOf('hr-onboarding-outcomes.workflow.json', 'e2eHrOnboarding', shortWaits(0)),
				// published, as the template is meant to run: n8n keeps static data (what was sent) for production runs only
				copyOf('hr-csv-upload.workflow.json', 'e2eHrCsv', shortWaits(10)),
				// as shipped: a webhook workflow, so the stack publishes it
				ONBOARDING,
				copyOf('rotate-scim-secret.workflow.json', 'e2eRotate', () => undefined),
				copyOf('rotate-scim-secret.workflow.json', 'e2eRotateStale', (workflow) => {
					assignmentNamed(workflow, 'New SCIM secret', 'secretToken').value = staleToken;
				}),
				copyOf('alert-provisioning-failures.workflow.json', 'e2eAlertAsShipped', () => undefined),
				copyOf('alert-provisioning-failures.workflow.json', 'e2eAlert', (workflow) => {
					assignmentNamed(workflow, 'Alert', 'alertWebhookUrl').value = sinkUrl;
				}),
			];
		},
	});
});

afterAll(async () => {
	await stack?.stop();
	await new Promise((resolve) => sink?.close(resolve));
});

describe('acquire by hand (examples/acquire-provisioning-token-manual.workflow.json)', () => {
	test("with the demo's app picked From List, it hands the example's SCIM URL and token to that service principal", async () => {
		stack.emulator.clearRequests();
		const { data } = await execute('entraAcquireManual');
		expect(runsOf(data, 'Microsoft Entra Provisioning')).toEqual([
			[
				expect.objectContaining({
					success: true,
					targetType: 'servicePrincipal',
					targetObjectId: DEMO_OBJECTS.servicePrincipalId,
					secretKeys: ['BaseAddress', 'SecretToken'],
				}),
			],
		]);
		expect(
			stack.emulator.requests
				.filter((request) => request.listener === 'graph')
				.map((request) => [request.method, request.path, request.status]),
		).toContainEqual([
			'POST',
			`/v1.0/servicePrincipals/${DEMO_OBJECTS.servicePrincipalId}/synchronization/acquireAccessToken`,
			204,
		]);
	});
});

describe('HR onboarding (examples/hr-onboarding-outcomes.workflow.json)', () => {
	const inboundJobPath = () =>
		`/v1.0/servicePrincipals/${DEMO_OBJECTS.servicePrincipalId}/synchronization/jobs/${inboundJob.id}`;

	test('uploads to the job picked in Bulk Upload, starts it as it never ran, checks until every employee is processed, and sums up the outcomes', async () => {
		stack.emulator.clearRequests();
		const { data } = await execute('e2eHrOnboarding');
		expect(
			stack.emulator.requests
				.filter((request) => request.listener === 'graph' && request.method === 'POST')
				.map((request) => request.path.replace(inboundJobPath(), '{job}')),
		).toEqual(['{job}/bulkUpload', '{job}/start']);
		expect(
			stack.emulator.getSynchronizationJob(DEMO_OBJECTS.servicePrincipalId, inboundJob.id)?.job,
		).toMatchObject({ status: { code: 'Active' } });
		const checks = runsOf(data, 'Get outcomes');
		expect(checks.length).toBeGreaterThanOrEqual(2);
		expect(checks[0].every((item) => item.outcome === 'pending')).toBe(true);
		// chained without expressions: the logs are read from the moment the upload's request left
		const [uploaded] = runsOf(data, 'Bulk Upload');
		expect(checks[0].map((item) => item.uploadedAfter)).toEqual(
			uploaded.map((item) => item.uploadedAt),
		);
		const last = checks[checks.length - 1];
		expect(last.map((item) => [item.externalId, item.outcome, item.status, item.action])).toEqual([
			['E1001', 'processed', 'success', 'create'],
			['E1002', 'processed', 'success', 'create'],
			['E1003', 'processed', 'failure', 'create'],
			['E1004', 'processed', 'success', 'create'],
			['E1005', 'processed', 'skipped', 'other'],
		]);
		expect(last[2]).toMatchObject({
			errorCode: 'UnableToResolveReferenceAttributeValue',
			recommendedAction: expect.stringContaining('E9999'),
		});
		expect(runsOf(data, 'Summary')).toEqual([
			expect.arrayContaining([
				expect.objectContaining({ outcome: 'processed', status: 'success', count_externalId: 3 }),
				expect.objectContaining({ outcome: 'processed', status: 'failure', count_externalId: 1 }),
				expect.objectContaining({ outcome: 'processed', status: 'skipped', count_externalId: 1 }),
			]),
		]);
		const logQueries = stack.emulator.requests.filter(
			(request) => request.listener === 'graph' && request.path === '/v1.0/auditLogs/provisioning',
		);
		expect(logQueries).toHaveLength(checks.length);
	});

	test('run again, it leaves the running job alone: Microsoft warns against calling Start on a running job', async () => {
		stack.emulator.clearRequests();
		const { data } = await execute('e2eHrOnboarding');
		expect(
			stack.emulator.requests
				.filter((request) => request.listener === 'graph' && request.method === 'POST')
				.map((request) => request.path.replace(inboundJobPath(), '{job}')),
		).toEqual(['{job}/bulkUpload']);
		expect(runsOf(data, 'The job of this upload')).toEqual([
			[expect.objectContaining({ jobId: inboundJob.id, statusCode: 'Active' })],
		]);
		expect(data.resultData.runData['Start the job']).toBeUndefined();
	});
});

describe('HR export as CSV (examples/hr-csv-upload.workflow.json, published)', () => {
	const CSV_WORKFLOW = 'e2eHrCsv';
	const webhookPath = String(
		nodeNamed(exampleWorkflow('hr-csv-upload.workflow.json'), 'HR export').parameters.path,
	);
	const sample = readFileSync(`${PROJECT_ROOT}/examples/hr-export.sample.csv`);
	const sampleIds = ['W1002', 'W1001', 'W1003', 'W1004', 'W1005'];
	const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

	/** POSTs the file as an HR system's export job would (curl -F file=@export.csv) and waits for the run to end. */
	async function upload(csv: Buffer | string, query = '', expectedStatus = 200) {
		stack.emulator.clearRequests();
		const uploadsBefore = inboundUploads().length;
		const known = new Set((await listExecutions(stack.rest, CSV_WORKFLOW)).map((e) => e.id));
		const form = new FormData();
		form.append('file', new Blob([csv], { type: 'text/csv' }), 'hr-export.csv');
		const response = await fetch(`${stack.n8n.baseUrl}/webhook/${webhookPath}${query}`, {
			method: 'POST',
			body: form,
		});
		const text = await response.text();
		if (response.status !== expectedStatus)
			throw new Error(`HTTP ${response.status} ${text.slice(0, 2000)}\n${stack.n8n.logTail(60)}`);
		const answer = JSON.parse(text) as Array<Record<string, unknown>>;
		// static data (what was sent) is saved when the run ends: the next upload must come after it
		const execution = await waitForNewExecution(stack.rest, CSV_WORKFLOW, known, 120_000);
		return { answer, execution, uploads: inboundUploads().slice(uploadsBefore) };
	}

	/** Every bulk request the inbound job received, oldest first. */
	function inboundUploads() {
		return (
			stack.emulator.getSynchronizationJob(DEMO_OBJECTS.servicePrincipalId, inboundJob.id)
				?.bulkUploads ?? []
		);
	}

	function statuses(answer: Array<Record<string, unknown>>) {
		return answer.map((item) => [item.externalId, item.status]);
	}

	beforeAll(async () => {
		// n8n answers its editor before it has registered the published webhooks: wait for this one to answer
		const deadline = Date.now() + 60_000;
		for (;;) {
			const response = await fetch(`${stack.n8n.baseUrl}/webhook/${webhookPath}`, {
				method: 'GET',
			});
			// registered for POST only: n8n answers a GET with "not registered for GET requests"
			if (/not registered for GET/i.test(await response.text())) break;
			if (Date.now() > deadline)
				throw new Error(
					`the HR CSV webhook was not registered within 60 s\n${stack.n8n.logTail(40)}`,
				);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	});

	test('?preview=true answers with the SCIM operation of every row and sends nothing', async () => {
		const { answer, execution, uploads } = await upload(sample, '?preview=true');
		expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
		expect(statuses(answer)).toEqual(sampleIds.map((id) => [id, 'preview']));
		const grace = answer.find((item) => item.externalId === 'W1002');
		expect(grace?.scimOperation).toMatchObject({
			method: 'POST',
			path: '/Users',
			data: expect.objectContaining({
				externalId: 'W1002',
				name: expect.objectContaining({ givenName: 'Grace', familyName: 'Hopper' }),
				// a quoted field with a comma, as HR exports write job titles
				title: 'Engineer, Compilers',
				[enterprise]: expect.objectContaining({
					department: 'Research',
					manager: expect.objectContaining({ value: 'W1001' }),
				}),
			}),
		});
		// which column went where, and what was left out (Other Fields › Ignore Them)
		expect(grace).toMatchObject({
			columnsMapped: expect.objectContaining({
				'Worker ID': 'externalId',
				'First Name': 'name.givenName',
				'Manager ID': `${enterprise}:manager.value`,
				'Worker Status': 'active',
			}),
			fieldsIgnored: expect.arrayContaining(['Pay Grade']),
		});
		expect(uploads).toEqual([]);
		expect(
			stack.emulator.requests.filter((request) => request.path.endsWith('/bulkUpload')),
		).toEqual([]);
		expect(execution.data.resultData.runData['Get outcomes']).toBeUndefined();
	});

	test('sends every row to the picked job, managers first, and follows the outcomes to the summary', async () => {
		const { answer, execution, uploads } = await upload(sample);
		expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
		expect(statuses(answer)).toEqual(sampleIds.map((id) => [id, 'sent']));
		const sent = uploads.flatMap((record) => record.operations.map((operation) => operation.data));
		expect(sent.map((data) => data.externalId).sort()).toEqual([...sampleIds].sort());
		const order = sent.map((data) => data.externalId);
		expect(order.indexOf('W1001')).toBeLessThan(order.indexOf('W1002'));
		expect(sent.find((data) => data.externalId === 'W1005')).toMatchObject({ active: false });
		expect(sent.find((data) => data.externalId === 'W1004')).toMatchObject({ active: true });
		const checks = runsOf(execution.data, 'Get outcomes');
		expect(
			checks[checks.length - 1].map((item) => [item.externalId, item.outcome, item.status]),
		).toEqual(sampleIds.map((id) => [id, 'processed', id === 'W1005' ? 'skipped' : 'success']));
		// chained without expressions: the logs are read from the moment the upload's request left
		expect(new Set(checks[0].map((item) => item.uploadedAfter))).toEqual(
			new Set(answer.map((item) => item.uploadedAt)),
		);
		expect(runsOf(execution.data, 'Summary')).toHaveLength(1);
	});

	test('the same file again sends nothing: every row is answered unchanged', async () => {
		const { answer, execution, uploads } = await upload(sample);
		expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
		expect(statuses(answer)).toEqual(sampleIds.map((id) => [id, 'unchanged']));
		expect(uploads).toEqual([]);
		expect(
			stack.emulator.requests.filter((request) => request.path.endsWith('/bulkUpload')),
		).toEqual([]);
		expect(execution.data.resultData.runData['Get outcomes']).toBeUndefined();
	});

	test('one changed row is one request with that employee alone', async () => {
		const changed = sample
			.toString('utf8')
			.replace('"Scientist, Cryptography"', '"Principal Scientist, Cryptography"');
		const { answer, execution, uploads } = await upload(changed);
		expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
		expect(statuses(answer)).toEqual(
			sampleIds.map((id) => [id, id === 'W1003' ? 'sent' : 'unchanged']),
		);
		expect(uploads).toHaveLength(1);
		expect(uploads[0].operations.map((operation) => operation.data)).toEqual([
			expect.objectContaining({ externalId: 'W1003', title: 'Principal Scientist, Cryptography' }),
		]);
	});

	const HOSTILE_HEADER = [
		'Worker ID',
		'User Name',
		'First Name',
		'Last Name',
		'Work Email',
		'Department',
		'Job Title',
		'Worker Status',
	];
	/** A record of the hostile file: its fields, then a value in each of the columns up to 5,000 */
	const wideRow = (fields: string[]) =>
		Buffer.from(
			[
				...fields,
				...Array.from({ length: 5000 - HOSTILE_HEADER.length }, (_, index) => `v${index}`),
			].join(',') + '\r\n',
			'utf8',
		);
	const hostileHeader = () =>
		Buffer.from(
			[
				...HOSTILE_HEADER,
				...Array.from({ length: 5000 - HOSTILE_HEADER.length }, (_, index) => `Extra ${index + 1}`),
			].join(',') + '\r\n',
			'utf8',
		);
	const person = (id: string, first: string, department: string, title: string) => [
		id,
		`${id.toLowerCase()}@contoso.com`,
		first,
		'Sample',
		`${id.toLowerCase()}@contoso.com`,
		department,
		title,
		'Active',
	];

	test('a hostile file (quotes, 5,000 columns, a 1 MB field, bytes that are not UTF-8): each broken row is refused naming its row and column, every other row is sent', async () => {
		const file = Buffer.concat([
			hostileHeader(),
			// quotes doubled, a comma and a line break inside one quoted field
			wideRow(person('H2001', 'Quinn', 'Payroll', '"Lead ""Payroll"", EMEA\nand APAC"')),
			wideRow(person('H2002', 'Mira', 'x'.repeat(1024 * 1024), 'Clerk')),
			// "José" written in Latin-1: 0xE9 is no UTF-8
			Buffer.concat([
				Buffer.from('H2003,h2003@contoso.com,Jos', 'utf8'),
				Buffer.from([0xe9]),
				wideRow(['', 'Sample', 'h2003@contoso.com', 'Payroll', 'Clerk', 'Active']),
			]),
			wideRow(person('H2004', 'Ravi', 'Payroll', 'Analyst')),
		]);
		const { answer, execution, uploads } = await upload(file);
		expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
		expect(answer).toHaveLength(4);
		const refusal = (index: number) => JSON.stringify(answer[index]);
		// rows 2 and 3 of the data (the header is not counted), with the column by its name
		expect([answer[1].status, refusal(1)]).toEqual([
			undefined,
			expect.stringMatching(/\b(row|item) 2\b.*Department|Department.*\b(row|item) 2\b/i),
		]);
		expect([answer[2].status, refusal(2)]).toEqual([
			undefined,
			expect.stringMatching(/\b(row|item) 3\b.*First Name|First Name.*\b(row|item) 3\b/i),
		]);
		// a megabyte is not echoed back to the caller
		expect(refusal(1).length).toBeLessThan(10_000);
		expect(statuses([answer[0], answer[3]])).toEqual([
			['H2001', 'sent'],
			['H2004', 'sent'],
		]);
		const sent = uploads.flatMap((record) => record.operations.map((operation) => operation.data));
		expect(sent).toEqual([
			expect.objectContaining({ externalId: 'H2001', title: 'Lead "Payroll", EMEA\nand APAC' }),
			expect.objectContaining({ externalId: 'H2004', title: 'Analyst' }),
		]);
	});

	test('a record with a field too many: the file is answered 400 naming its line, nothing is sent and the execution fails', async () => {
		const file = Buffer.concat([
			hostileHeader(),
			wideRow(person('H3001', 'Ada', 'Payroll', 'Clerk')),
			// an unquoted comma inside a value shifts every column after it
			wideRow(person('H3002', 'Bea', 'Payroll', 'Clerk, Senior')),
		]);
		const { answer, execution, uploads } = await upload(file, '', 400);
		expect(answer).toEqual({
			error: expect.stringMatching(/^The file could not be read as CSV: .*\bline 3\b/),
			description: expect.stringContaining('Nothing was sent'),
		});
		expect(uploads).toEqual([]);
		expect(execution).toMatchObject({ mode: 'webhook', status: 'error' });
		expect(execution.data.resultData.lastNodeExecuted).toBe('Mark the execution failed');
		expect(execution.data.resultData.runData['Upload Users']).toBeUndefined();
	});

	// n8n 2.x's Extract From File skips empty lines; 1.x's reads one as a record of one field and refuses the file,
	// which the template answers as any file that is no CSV
	test(`empty lines: ${selectedLine() === '2' ? 'skipped, every row is sent' : "refused by n8n 1.x's Extract From File, answered 400 naming the line, nothing sent"}`, async () => {
		const file = Buffer.concat([
			hostileHeader(),
			wideRow(person('H4001', 'Ada', 'Payroll', 'Clerk')),
			Buffer.from('\r\n\r\n', 'utf8'),
			wideRow(person('H4002', 'Bea', 'Payroll', 'Clerk')),
			Buffer.from('\r\n', 'utf8'),
		]);
		if (selectedLine() === '2') {
			const { answer, uploads } = await upload(file);
			expect(statuses(answer)).toEqual([
				['H4001', 'sent'],
				['H4002', 'sent'],
			]);
			expect(uploads.flatMap((record) => record.operations.map((o) => o.data.externalId))).toEqual([
				'H4001',
				'H4002',
			]);
		} else {
			const { answer, uploads } = await upload(file, '', 400);
			expect(answer).toEqual({
				error: expect.stringMatching(/^The file could not be read as CSV: .*\bline 3\b/),
				description: expect.stringContaining('empty line'),
			});
			expect(uploads).toEqual([]);
		}
	});
});

describe('secret rotation (examples/rotate-scim-secret.workflow.json)', () => {
	test('validates the new secret, saves it and restarts the job', async () => {
		stack.emulator.clearRequests();
		const { data } = await execute('e2eRotate');
		const calls = stack.emulator.requests.filter(
			(request) => request.listener === 'graph' && request.method !== 'GET',
		);
		expect(
			calls.map((call) => [
				call.method,
				call.path.replace(/jobs\/[^/]+/, 'jobs/{id}'),
				call.status,
			]),
		).toEqual([
			[
				'POST',
				`/v1.0/servicePrincipals/${DEMO_OBJECTS.servicePrincipalId}/synchronization/jobs/{id}/validateCredentials`,
				204,
			],
			[
				'PUT',
				`/v1.0/servicePrincipals/${DEMO_OBJECTS.servicePrincipalId}/synchronization/secrets`,
				204,
			],
			[
				'POST',
				`/v1.0/servicePrincipals/${DEMO_OBJECTS.servicePrincipalId}/synchronization/jobs/{id}/restart`,
				204,
			],
		]);
		expect(stack.emulator.getSavedSynchronizationSecrets(DEMO_OBJECTS.servicePrincipalId)).toEqual([
			{ key: 'BaseAddress', value: DEMO_SCIM.baseAddress },
			{ key: 'SecretToken', value: DEMO_SCIM.secretToken },
		]);
		const nodeRuns = JSON.stringify(
			['Validate the new secret', 'Save it', 'Restart the job'].map(
				(name) => data.resultData.runData[name],
			),
		);
		expect(leakedSecrets(nodeRuns, { 'SCIM token': DEMO_SCIM.secretToken })).toEqual([]);
	});

	test('a secret the application refuses is neither saved nor followed by a restart', async () => {
		stack.emulator.clearRequests();
		const { ok, data } = await execute('e2eRotateStale', true);
		expect(ok).toBe(false);
		expect(data.resultData.error?.message).toBe('Microsoft Graph rejected the request as invalid');
		expect(String(data.resultData.error?.description)).toContain('invalid credentials');
		expect(
			stack.emulator.requests
				.filter((request) => request.listener === 'graph' && request.method !== 'GET')
				.map((call) => call.path.split('/').pop()),
		).toEqual(['validateCredentials']);
		expect(
			stack.emulator.getSavedSynchronizationSecrets(DEMO_OBJECTS.servicePrincipalId),
		).not.toContainEqual({ key: 'SecretToken', value: staleToken });
	});
});

describe('alerting (examples/alert-provisioning-failures.workflow.json)', () => {
	/** A failed provisioning log entry of the demo's app, as the HR template's manager lookup leaves one. */
	function addFailure(sourceId: string) {
		return stack.emulator.addProvisioningLogEntry({
			jobId: 'API2AAD.alert',
			servicePrincipal: {
				id: DEMO_OBJECTS.servicePrincipalId,
				displayName: DEMO_OBJECTS.displayName,
			},
			provisioningAction: 'create',
			sourceIdentity: { id: sourceId, displayName: '', identityType: 'User', details: {} },
			provisioningStatusInfo: {
				status: 'failure',
				errorInformation: {
					errorCode: 'UnableToResolveReferenceAttributeValue',
					reason: `The manager E0000 of ${sourceId} was not found.`,
					recommendedAction: 'Upload E0000 first.',
				},
			},
		});
	}

	test('run by hand as shipped (no webhook URL yet), it succeeds, posts nothing and shows each alert', async () => {
		const failed = addFailure('E7006');
		notifications.length = 0;
		const { data } = await execute('e2eAlertAsShipped');
		expect(runsOf(data, 'Alert')[0]).toContainEqual({
			alertWebhookUrl: '',
			text: 'Provisioning failure for E7006 (create): The manager E0000 of E7006 was not found.. Upload E0000 first.',
			jobId: 'API2AAD.alert',
			logId: failed.id,
			errorCode: 'UnableToResolveReferenceAttributeValue',
		});
		expect(data.resultData.runData.Notify).toBeUndefined();
		expect(notifications).toEqual([]);
	});

	test('run by hand with a webhook URL, it posts each failure of the last hour with the reason and the fix', async () => {
		const failed = addFailure('E7007');
		notifications.length = 0;
		await execute('e2eAlert');
		expect(notifications).toContainEqual({
			path: '/alerts',
			text: 'Provisioning failure for E7007 (create): The manager E0000 of E7007 was not found.. Upload E0000 first.',
			jobId: 'API2AAD.alert',
			logId: failed.id,
			errorCode: 'UnableToResolveReferenceAttributeValue',
		});
	});
});

describe('onboarding a gallery app (examples/onboard-gallery-app.workflow.json, published)', () => {
	const webhookPath = String(nodeNamed(ONBOARDING, 'Webhook').parameters.path);
	const tenantUrl = 'https://payroll.contoso.example/scim/v2';
	const employeeNumber =
		'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber';

	function post(body: unknown) {
		return fetch(`${stack.n8n.baseUrl}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
	}

	function newToken(label: string): string {
		const token = `onboard-${label}-${randomBytes(12).toString('hex')}`;
		onboardingTokens.push(token);
		return token;
	}

	async function knownExecutions(): Promise<Set<string>> {
		return new Set((await listExecutions(stack.rest, ONBOARDING.id)).map((e) => e.id));
	}

	/** Graph's writes of one call, the new app's and job's IDs replaced by placeholders. */
	function writes(servicePrincipalId: string, jobId: string) {
		return stack.emulator.requests
			.filter((request) => request.listener === 'graph' && request.method !== 'GET')
			.map((request) => [
				request.method,
				request.path
					.replaceAll(servicePrincipalId, '{sp}')
					.replaceAll(jobId, '{job}')
					.replace(/applicationTemplates\/[^/]+/, 'applicationTemplates/{template}'),
				request.status,
			]);
	}

	function bodyOf(method: string, pathEnd: string): Record<string, unknown> {
		const request = stack.emulator.requests.find(
			(candidate) =>
				candidate.listener === 'graph' &&
				candidate.method === method &&
				candidate.path.endsWith(pathEnd),
		);
		if (!request) throw new Error(`Graph got no ${method} …${pathEnd}`);
		return JSON.parse(request.body) as Record<string, unknown>;
	}

	async function onboard(label: string) {
		stack.emulator.clearRequests();
		const known = await knownExecutions();
		const secretToken = newToken(label);
		const response = await post({
			appName: 'Contoso Payroll',
			groupId: DEMO_OBJECTS.groupId,
			tenantUrl,
			secretToken,
			deleteThreshold: 25,
		});
		const text = await response.text();
		if (response.status !== 201)
			throw new Error(`HTTP ${response.status} ${text}\n${stack.n8n.logTail(60)}`);
		expect(text).not.toContain(secretToken);
		const answer = JSON.parse(text) as Record<string, string>;
		const execution = await waitForNewExecution(stack.rest, ONBOARDING.id, known, 60_000);
		return { answer, execution, secretToken };
	}

	function expectOnboarded(answer: Record<string, string>, secretToken: string) {
		const { servicePrincipalId, jobId } = answer;
		expect(answer).toEqual({
			servicePrincipalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			appId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			assignmentId: expect.any(String),
			jobId: expect.stringMatching(/^scim\./),
			statusCode: 'Active',
			scheduleState: 'Active',
		});
		// in the order the template runs them, each answered as Microsoft documents
		expect(writes(servicePrincipalId, jobId)).toEqual([
			['POST', '/v1.0/applicationTemplates/{template}/instantiate', 201],
			['POST', '/v1.0/servicePrincipals/{sp}/appRoleAssignedTo', 201],
			['POST', '/v1.0/servicePrincipals/{sp}/synchronization/jobs', 201],
			['PUT', '/v1.0/servicePrincipals/{sp}/synchronization/secrets', 204],
			['PUT', '/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/schema', 204],
			['POST', '/v1.0/servicePrincipals/{sp}/synchronization/jobs/{job}/start', 204],
		]);
		expect(bodyOf('POST', '/instantiate')).toEqual({ displayName: 'Contoso Payroll' });
		expect(stack.emulator.getAppRoleAssignments(servicePrincipalId)).toMatchObject([
			{ id: answer.assignmentId, principalId: DEMO_OBJECTS.groupId, principalType: 'Group' },
		]);
		expect(bodyOf('POST', `/servicePrincipals/${servicePrincipalId}/synchronization/jobs`)).toEqual(
			expect.objectContaining({
				templateId: 'scim',
				synchronizationJobSettings: [{ name: 'QuarantineTooManyDeletesThreshold', value: '25' }],
			}),
		);
		expect(stack.emulator.getSavedSynchronizationSecrets(servicePrincipalId)).toEqual(
			expect.arrayContaining([
				{ key: 'BaseAddress', value: tenantUrl },
				{ key: 'SecretToken', value: secretToken },
			]),
		);
		const schema = bodyOf('PUT', `/jobs/${jobId}/schema`) as {
			synchronizationRules: Array<{
				objectMappings: Array<{
					sourceObjectName: string;
					attributeMappings: Array<{ targetAttributeName: string; source: { name: string } }>;
				}>;
			}>;
		};
		const userMappings = schema.synchronizationRules[0].objectMappings.find(
			(mapping) => mapping.sourceObjectName === 'User',
		)?.attributeMappings;
		// the one mapping added, the template's others kept
		expect(userMappings).toContainEqual(
			expect.objectContaining({
				targetAttributeName: employeeNumber,
				source: expect.objectContaining({ name: 'employeeId' }),
			}),
		);
		expect(userMappings?.map((mapping) => mapping.targetAttributeName)).toContain('userName');
		expect(stack.emulator.getSynchronizationJob(servicePrincipalId, jobId)?.job).toMatchObject({
			status: { code: 'Active' },
		});
	}

	beforeAll(async () => {
		// long enough for Instantiate's replication wait to poll the new objects at least once
		stack.emulator.setReplicationDelay(1500);
		// n8n answers its editor before it has registered the published webhooks: wait for this one to answer
		const deadline = Date.now() + 60_000;
		while ((await post({})).status === 404) {
			if (Date.now() > deadline)
				throw new Error(
					`the onboarding webhook was not registered within 60 s\n${stack.n8n.logTail(40)}`,
				);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	});

	let first: Record<string, string>;

	test('one call adds the app, waits out replication, assigns the group, creates, authorizes, maps and starts the job, and answers with its state', async () => {
		expect(isWebhookWorkflow(ONBOARDING)).toBe(true);
		const { answer, execution, secretToken } = await onboard('first');
		expectOnboarded(answer, secretToken);
		expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
		expect(
			stack.emulator.requests.filter(
				(request) =>
					request.listener === 'graph' &&
					request.method === 'GET' &&
					request.path.endsWith(`/servicePrincipals/${answer.servicePrincipalId}`) &&
					request.status === 404,
			).length,
		).toBeGreaterThan(0);
		first = answer;
	});

	test('a second call with the same body onboards a second app of that name and leaves the first one alone', async () => {
		// Graph's instantiate makes a new application and service principal on every call (display names need not be
		// unique), so the template is not idempotent as a whole: a second call is a second app, assigned, authorized,
		// mapped and started like the first. What it does not do is touch the first app: no request names it.
		expect(first).toBeDefined();
		const firstSecrets = stack.emulator.getSavedSynchronizationSecrets(first.servicePrincipalId);
		const { answer, secretToken } = await onboard('second');
		expectOnboarded(answer, secretToken);
		expect(answer.servicePrincipalId).not.toBe(first.servicePrincipalId);
		expect(answer.appId).not.toBe(first.appId);
		expect(
			stack.emulator.requests.filter((request) => request.path.includes(first.servicePrincipalId)),
		).toEqual([]);
		expect(stack.emulator.getAppRoleAssignments(first.servicePrincipalId)).toHaveLength(1);
		expect(stack.emulator.getSavedSynchronizationSecrets(first.servicePrincipalId)).toEqual(
			firstSecrets,
		);
	});

	test('a body without secretToken and with a groupId that is no GUID: 400 naming both, no Graph call, a failed execution', async () => {
		stack.emulator.clearRequests();
		const known = await knownExecutions();
		const response = await post({ appName: 'Contoso Payroll', groupId: 'pilot users', tenantUrl });
		expect(response.status).toBe(400);
		const body = (await response.json()) as Record<string, unknown>;
		expect(body).toEqual({
			error: 'Missing or invalid in the request body: groupId, secretToken',
			description: expect.stringContaining('POST JSON with appName'),
			refusedFields: ['groupId', 'secretToken'],
		});
		for (const field of ['appName', 'groupId', 'tenantUrl', 'secretToken', 'deleteThreshold'])
			expect(body.description).toContain(field);
		expect(stack.emulator.requests.filter((request) => request.listener === 'graph')).toEqual([]);
		const execution = await waitForNewExecution(stack.rest, ONBOARDING.id, known);
		expect(execution).toMatchObject({ mode: 'webhook', status: 'error' });
		expect(execution.data.resultData.lastNodeExecuted).toBe('Mark the execution failed');
		expect(execution.data.resultData.error?.message).toBe(
			'Refused the webhook call, missing or invalid in its body: groupId, secretToken',
		);
		expect(execution.data.resultData.runData['Add the app from the gallery']).toBeUndefined();
	});

	test("no posted SCIM token in n8n's stored runs of the package's nodes, the answers, the errors or n8n's log", async () => {
		expect(onboardingTokens.length).toBeGreaterThanOrEqual(2);
		const tokens = Object.fromEntries(
			onboardingTokens.map((token, index) => [`onboarding SCIM token #${index + 1}`, token]),
		);
		const executions: StoredExecution[] = await Promise.all(
			(await listExecutions(stack.rest, ONBOARDING.id)).map((summary) =>
				getExecution(stack.rest, summary.id),
			),
		);
		expect(executions.filter((execution) => execution.status === 'success')).toHaveLength(2);
		// The Webhook node's own output is the request n8n received, body and token included, as n8n stores any webhook
		// call: that is n8n's record of the request (execution data pruning and saving settings govern it), not output
		// of this package. Everything after it is searched.
		const packageNodes = ONBOARDING.nodes
			.filter((node) => node.type.startsWith('n8n-nodes-entra-provisioning.'))
			.map((node) => node.name);
		expect(packageNodes).toHaveLength(7);
		for (const execution of executions) {
			const { runData, error } = execution.data.resultData;
			const searched = JSON.stringify([
				packageNodes.map((name) => runData[name] ?? null),
				runData["Answer with the job's state"] ?? null,
				runData['Answer which fields to fix'] ?? null,
				error ?? null,
			]);
			expect({ execution: execution.id, leaked: leakedSecrets(searched, tokens) }).toEqual({
				execution: execution.id,
				leaked: [],
			});
		}
		expect(leakedSecrets(stack.n8n.serverLog(), tokens)).toEqual([]);
	});
});

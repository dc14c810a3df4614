/**
 * The HR-onboarding, secret-rotation and alerting templates (examples/) in a real n8n against the emulator, run as a
 * user runs them by hand (`n8n execute`) after picking the demo's app in each From List target: upload → wait →
 * outcomes → summary; validate → save → restart; failed log entries → a notification to a loopback sink.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	DEMO_OBJECTS,
	DEMO_SCIM,
	exampleWorkflow,
	withTargetPicked,
	type WorkflowJson,
} from '../../dev/n8n/demo-tenant';
import { startStack, type Stack } from '../../dev/n8n/e2e-stack';
import { leakedSecrets, type RunData } from '../../dev/n8n/executions';

let stack: Stack;
let sink: Server;
const notifications: Array<Record<string, unknown>> = [];
const staleToken = `stale-${randomBytes(12).toString('hex')}`;

/** The example with the demo's app picked in its From List targets, under its own ID, changed as a case needs. */
function copyOf(file: string, id: string, change: (workflow: WorkflowJson) => void): WorkflowJson {
	const workflow = withTargetPicked(exampleWorkflow(file));
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
		workflows: () => [
			// Minutes in the template; a second here, against the emulator's 3 s of processing: the loop runs.
			copyOf('hr-onboarding-outcomes.workflow.json', 'e2eHrOnboarding', (workflow) => {
				nodeNamed(workflow, 'Wait').parameters = { amount: 1, unit: 'seconds' };
			}),
			copyOf('rotate-scim-secret.workflow.json', 'e2eRotate', () => undefined),
			copyOf('rotate-scim-secret.workflow.json', 'e2eRotateStale', (workflow) => {
				assignmentNamed(workflow, 'New SCIM secret', 'secretToken').value = staleToken;
			}),
			copyOf('alert-provisioning-failures.workflow.json', 'e2eAlertAsShipped', () => undefined),
			copyOf('alert-provisioning-failures.workflow.json', 'e2eAlert', (workflow) => {
				assignmentNamed(workflow, 'Alert', 'alertWebhookUrl').value = sinkUrl;
			}),
		],
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
	test('uploads the records, waits and checks until every employee is processed, and sums up the outcomes', async () => {
		const { data } = await execute('e2eHrOnboarding');
		const checks = runsOf(data, 'Get outcomes');
		expect(checks.length).toBeGreaterThanOrEqual(2);
		expect(checks[0].every((item) => item.outcome === 'pending')).toBe(true);
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

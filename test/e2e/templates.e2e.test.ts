/**
 * The HR-onboarding, secret-rotation and alerting templates (examples/) in a real n8n 2.x against the emulator, run
 * as a user runs them by hand (`n8n execute`): upload → wait → outcomes → summary; validate → save → restart; failed
 * log entries → a notification to a loopback sink.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	DEMO_OBJECTS,
	DEMO_SCIM,
	exampleWorkflow,
	type WorkflowJson,
} from '../../dev/n8n/demo-tenant';
import { startStack, type Stack } from '../../dev/n8n/e2e-stack';
import { leakedSecrets, type RunData } from '../../dev/n8n/executions';

let stack: Stack;
let sink: Server;
const notifications: Array<Record<string, unknown>> = [];
const staleToken = `stale-${randomBytes(12).toString('hex')}`;

function copyOf(file: string, id: string, change: (workflow: WorkflowJson) => void): WorkflowJson {
	const workflow = JSON.parse(JSON.stringify(exampleWorkflow(file))) as WorkflowJson;
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
				const assignments = (
					nodeNamed(workflow, 'New SCIM secret').parameters.assignments as {
						assignments: Array<{ name: string; value: string }>;
					}
				).assignments;
				assignments.find((assignment) => assignment.name === 'secretToken')!.value = staleToken;
			}),
			copyOf('alert-provisioning-failures.workflow.json', 'e2eAlert', (workflow) => {
				nodeNamed(workflow, 'Notify').parameters.url = sinkUrl;
			}),
		],
	});
});

afterAll(async () => {
	await stack?.stop();
	await new Promise((resolve) => sink?.close(resolve));
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
	test('run by hand, it posts each failure of the last hour to the notification URL with the reason and the fix', async () => {
		const failed = stack.emulator.addProvisioningLogEntry({
			jobId: 'API2AAD.alert',
			servicePrincipal: {
				id: DEMO_OBJECTS.servicePrincipalId,
				displayName: DEMO_OBJECTS.displayName,
			},
			provisioningAction: 'create',
			sourceIdentity: { id: 'E7007', displayName: '', identityType: 'User', details: {} },
			provisioningStatusInfo: {
				status: 'failure',
				errorInformation: {
					errorCode: 'UnableToResolveReferenceAttributeValue',
					reason: 'The manager E0000 of E7007 was not found.',
					recommendedAction: 'Upload E0000 first.',
				},
			},
		});
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

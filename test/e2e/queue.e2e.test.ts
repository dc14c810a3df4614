/**
 * The package in n8n's queue mode: PostgreSQL, Redis, a main process, two workers and a webhook processor, all on
 * 127.0.0.1 (dev/n8n/queue-stack.ts), against the Graph + Entra emulator in this process.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { RecordedRequest } from '../../dev/emulator';
import {
	appOnlyCredential,
	CREDENTIALS,
	PROVISIONING_PERMISSIONS,
	WEBHOOK_PATH,
	type WorkflowJson,
} from '../../dev/n8n/demo-tenant';
import { NODE_NAME } from '../../dev/n8n/e2e-stack';
import type { N8n } from '../../dev/n8n/n8n';
import { startQueueStack, type QueueStack } from '../../dev/n8n/queue-stack';
import { getExecution, leakedSecrets, listExecutions } from '../../dev/n8n/executions';
import { writeReport } from '../../dev/reports';

const BULK_PATH = 'queue/acquire-many';
const BASE_ADDRESS = 'https://scim.contoso.example/scim/v2';
const TRIGGER_CREDENTIAL = { id: 'queueTrigger', name: 'queue trigger (app-only)' };
const TRIGGER_WORKFLOW_ID = 'queueTriggerFlow';
/** n8n's defaults are a 60 s lock and a stalled check every 30 s; shorter here so a crashed job is noticed sooner */
const LOCKS = {
	QUEUE_WORKER_LOCK_DURATION: '10000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '2500',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
};

let stack: QueueStack;
/** What each case measured, for the queue-mode report (written when every case recorded its line; dev/reports.ts) */
const findings = new Map<string, string>();
const CASES = ['spread', 'trigger', 'pace', 'bulk', 'crash'];
const passed = new Set<string>();

/** Prints a measurement and keeps it for the report. */
function note(name: string, text: string): void {
	process.stderr.write(`[queue] ${name}: ${text}\n`);
	findings.set(name, [findings.get(name), text].filter(Boolean).join('; '));
}
let triggerClientSecret = '';
let uploaderClientSecret = '';
let triggerClientId = '';
let triggerTarget = '';
let triggerJobId = '';

interface FanOutWorkflow {
	id: string;
	name: string;
	webhookId: string;
	path: string;
	/** The field of the posted body that holds the list, one item per entry */
	list: string;
	/** This node's parameters for each item */
	parameters: Record<string, unknown>;
	credential: { id: string; name: string };
}

/** Webhook → Split Out → this node with app-only sign-in: one execution runs every entry of the posted list, answering at once. */
function fanOutWorkflow(spec: FanOutWorkflow): WorkflowJson {
	return {
		id: spec.id,
		name: spec.name,
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: spec.webhookId,
				parameters: {
					httpMethod: 'POST',
					path: spec.path,
					responseMode: 'onReceived',
					options: {},
				},
			},
			{
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: `body.${spec.list}`, options: {} },
			},
			{
				name: NODE_NAME,
				type: 'n8n-nodes-entra-provisioning.microsoftEntraProvisioning',
				typeVersion: 1,
				position: [440, 0],
				parameters: { authentication: 'appOnly', ...spec.parameters, options: {} },
				credentials: { [CREDENTIALS.appOnly.type]: spec.credential },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

/** Webhook → Split Out → Acquire: one execution applies every target of the posted list. */
function bulkWorkflow(): WorkflowJson {
	return fanOutWorkflow({
		id: 'queueAcquireMany',
		name: 'queue: acquire for many targets',
		webhookId: 'b2a3f0de-1c57-4c0a-9a37-5d3bd3f0e6a1',
		path: BULK_PATH,
		list: 'targets',
		parameters: {
			resource: 'provisioningToken',
			operation: 'acquire',
			targetType: 'servicePrincipal',
			target: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
			secrets: {
				secret: [
					{ key: 'BaseAddress', value: BASE_ADDRESS },
					{ key: 'SecretToken', value: '={{ $json.token }}' },
				],
			},
		},
		credential: { id: CREDENTIALS.appOnly.id, name: CREDENTIALS.appOnly.name },
	});
}

const UPLOAD_PATH = 'queue/upload-employees';
const UPLOAD_CREDENTIAL = { id: 'queueUploader', name: 'queue uploader (app-only)' };

/** Webhook → Split Out → Bulk Upload: the HR feed of one API-driven inbound provisioning job. */
function uploadWorkflow(): WorkflowJson {
	return fanOutWorkflow({
		id: 'queueUploadEmployees',
		name: 'queue: upload employees',
		webhookId: 'c4f1e2aa-8d7b-4f0e-9b1c-2e6a7d9f3b52',
		path: UPLOAD_PATH,
		list: 'employees',
		parameters: {
			resource: 'bulkUpload',
			operation: 'uploadUsers',
			target: { __rl: true, mode: 'id', value: '={{ $json.servicePrincipalId }}' },
			job: { __rl: true, mode: 'id', value: '={{ $json.jobId }}' },
			attributes: {
				attribute: [
					{ attribute: 'externalId', value: '={{ $json.id }}' },
					{ attribute: 'userName', value: '={{ $json.mail }}' },
				],
			},
		},
		credential: UPLOAD_CREDENTIAL,
	});
}

/** The trigger on one service principal, polling every minute (n8n's shortest interval for a polling trigger). */
function triggerWorkflow(servicePrincipalId: string): WorkflowJson {
	return {
		id: TRIGGER_WORKFLOW_ID,
		name: 'queue: provisioning trigger',
		nodes: [
			{
				name: 'Provisioning Trigger',
				type: 'n8n-nodes-entra-provisioning.microsoftEntraProvisioningTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					authentication: 'appOnly',
					target: { __rl: true, mode: 'id', value: servicePrincipalId },
					watch: 'allJobs',
					pollTimes: { item: [{ mode: 'everyMinute' }] },
				},
				credentials: { [CREDENTIALS.appOnly.type]: TRIGGER_CREDENTIAL },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		active: true,
	};
}

beforeAll(async () => {
	stack = await startQueueStack({
		name: 'queue',
		env: LOCKS,
		credentials: ({ emulator, tenant }) => {
			triggerClientSecret = `trg~${randomBytes(24).toString('base64url')}`;
			triggerClientId = emulator.registerClientApp({
				displayName: 'n8n trigger',
				secret: triggerClientSecret,
				applicationPermissions: PROVISIONING_PERMISSIONS,
			}).clientId;
			uploaderClientSecret = `upl~${randomBytes(24).toString('base64url')}`;
			const uploader = emulator.registerClientApp({
				displayName: 'n8n HR feed',
				secret: uploaderClientSecret,
				applicationPermissions: ['SynchronizationData-User.Upload'],
			});
			return [
				appOnlyCredential(
					tenant,
					{ clientId: triggerClientId, clientSecret: triggerClientSecret },
					TRIGGER_CREDENTIAL,
				),
				appOnlyCredential(
					tenant,
					{ clientId: uploader.clientId, clientSecret: uploaderClientSecret },
					UPLOAD_CREDENTIAL,
				),
			];
		},
		workflows: ({ emulator }) => {
			const watched = emulator.addServicePrincipal({
				appId: randomUUID(),
				displayName: 'Queue trigger target',
			});
			triggerTarget = watched.id;
			triggerJobId = emulator.createSynchronizationJob(watched.id, 'scim').id;
			return [bulkWorkflow(), uploadWorkflow(), triggerWorkflow(watched.id)];
		},
	});
}, 300_000);

afterAll(async () => {
	await stack?.stop();
	if (CASES.every((name) => passed.has(name))) writeQueueReport();
});

function writeQueueReport(): void {
	const lines = [
		'# Queue mode',
		'',
		`Generated by \`test/e2e/queue.e2e.test.ts\` (\`npm run test:queue\`, into \`.test-output/reports/\`; \`npm run docs\` copies it here) at its last full run: n8n ${stack.main.options.runtime.n8nVersion} in queue mode on one machine (2 cores, shared with other work, so times vary), a main process, ${stack.workers.length} workers (\`n8n worker --concurrency=10\`) and a webhook processor, with PostgreSQL and Redis from Debian's packages, against the Graph + Entra emulator on 127.0.0.1 (no Graph latency unless said). Job locks are shortened for the test (\`QUEUE_WORKER_LOCK_DURATION=${LOCKS.QUEUE_WORKER_LOCK_DURATION}\`, \`QUEUE_WORKER_STALLED_INTERVAL=${LOCKS.QUEUE_WORKER_STALLED_INTERVAL}\` ms; n8n's defaults are 60,000 and 30,000).`,
		'',
		'| Case | What happened |',
		'| --- | --- |',
		...CASES.map((name) => `| ${name} | ${findings.get(name)} |`),
		'',
	];
	writeReport('queueMode', lines.join('\n'));
}

/** Every Graph access token n8n presented, collected before the emulator forgets its requests */
const bearerTokens = new Set<string>();

function clearRequests(): void {
	for (const request of stack.emulator.requests) {
		const header = String(request.headers.authorization ?? '');
		if (header.startsWith('Bearer ')) bearerTokens.add(header.slice(7));
	}
	stack.emulator.clearRequests();
}

/** Execution ids each worker logged as started, from its own log. */
function startedOn(worker: N8n): string[] {
	return [...worker.serverLog().matchAll(/Worker started execution (\d+)/g)].map(
		(match) => match[1],
	);
}

function tokenRequests(clientId: string): RecordedRequest[] {
	return stack.emulator.requests.filter(
		(request) =>
			request.listener === 'login' &&
			request.method === 'POST' &&
			new URLSearchParams(request.body).get('client_id') === clientId &&
			new URLSearchParams(request.body).get('grant_type') === 'client_credentials',
	);
}

function acquireCalls(): RecordedRequest[] {
	return stack.emulator.requests.filter(
		(request) =>
			request.listener === 'graph' && request.path.endsWith('/synchronization/acquireAccessToken'),
	);
}

/** Adds `count` service principals and gives each its own SCIM token. */
function addTargets(count: number, label: string): Array<{ id: string; token: string }> {
	return Array.from({ length: count }, (_, index) => {
		const sp = stack.emulator.addServicePrincipal({
			appId: randomUUID(),
			displayName: `${label} ${index}`,
		});
		return { id: sp.id, token: `scim-${label}-${index}-${randomBytes(9).toString('hex')}` };
	});
}

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = text;
	}
	return { status: response.status, json };
}

async function waitFor<T>(
	what: string,
	check: () => T | undefined | Promise<T | undefined>,
	timeoutMs: number,
	everyMs = 250,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

function expectApplied(targets: Array<{ id: string; token: string }>): void {
	const wrong = targets.filter((target) => {
		const pairs = stack.emulator.getSynchronizationSecrets('servicePrincipals', target.id);
		return (
			JSON.stringify(pairs) !==
			JSON.stringify([
				{ key: 'BaseAddress', value: BASE_ADDRESS },
				{ key: 'SecretToken', value: target.token },
			])
		);
	});
	expect(wrong.length).toBe(0);
}

describe('queue mode: main, two workers, a webhook processor, PostgreSQL and Redis', () => {
	it('webhook executions spread over both workers, all succeed, and each worker signs in once for its lifetime', async () => {
		const targets = addTargets(24, 'spread');
		const before = stack.workers.map((worker) => startedOn(worker).length);
		// three waves of eight at once, so a worker that is still busy leaves the next ones to the other
		const answers: Array<{ status: number; json: unknown }> = [];
		for (let wave = 0; wave < 3; wave++) {
			answers.push(
				...(await Promise.all(
					targets.slice(wave * 8, wave * 8 + 8).map((target) =>
						post(stack.webhookUrl(WEBHOOK_PATH), {
							targetType: 'servicePrincipal',
							targetId: target.id,
							baseAddress: BASE_ADDRESS,
							secretToken: target.token,
						}),
					),
				)),
			);
		}
		expect(answers.map((answer) => answer.status)).toEqual(targets.map(() => 200));
		expect(answers.map((answer) => (answer.json as { success?: boolean }).success)).toEqual(
			targets.map(() => true),
		);
		expectApplied(targets);
		const ran = stack.workers.map((worker, index) => startedOn(worker).length - before[index]);
		expect(ran.reduce((sum, count) => sum + count, 0)).toBe(targets.length);
		for (const count of ran) expect(count).toBeGreaterThan(0);
		// the main process and the webhook processor ran none of them
		expect(stack.main.serverLog()).not.toMatch(/Worker started execution/);

		// A second round: the workers' tokens are warm, nobody signs in again.
		const second = addTargets(8, 'warm');
		await Promise.all(
			second.map((target) =>
				post(stack.webhookUrl(WEBHOOK_PATH), {
					targetType: 'servicePrincipal',
					targetId: target.id,
					baseAddress: BASE_ADDRESS,
					secretToken: target.token,
				}),
			),
		);
		expectApplied(second);
		const signIns = tokenRequests(stack.client.clientId);
		note(
			'spread',
			`${targets.length} webhook calls (three waves of eight at once) ran ${ran.join(' / ')} on the two workers, all succeeded; with ${second.length} more, the webhook credential made ${signIns.length} token requests in all (one per worker)`,
		);
		// one per worker process: each keeps its own token cache
		expect(signIns.length).toBe(stack.workers.length);
		expect(signIns.every((request) => request.status === 200)).toBe(true);
		passed.add('spread');
	});

	it('the trigger polls on the main process only, and its memory survives a restart of main: an event is reported once', async () => {
		const polls = () =>
			stack.emulator.requests.filter(
				(request) =>
					request.listener === 'graph' &&
					request.path.includes(`/servicePrincipals/${triggerTarget}/synchronization/jobs`),
			);
		// Activation made the first poll, which only notes the job as it is.
		await waitFor(
			'the first poll at activation',
			() => (polls().length > 0 ? true : undefined),
			30_000,
		);
		expect((await listExecutions(stack.rest, TRIGGER_WORKFLOW_ID)).length).toBe(0);

		stack.emulator.quarantineSynchronizationJob(triggerTarget, triggerJobId, {
			reason: 'EncounteredQuarantineException',
		});
		// Main goes away: the workers and the webhook processor keep running, and nobody polls.
		await stack.main.stop();
		const pollsWhileMainIsDown = polls().length;
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(polls().length).toBe(pollsWhileMainIsDown);
		// Main comes back: activating the workflow polls at once, remembers the job from before and reports the change.
		await stack.main.start({ port: stack.main.port });
		const event = await waitFor(
			'the quarantine event',
			async () => {
				const executions = (await listExecutions(stack.rest, TRIGGER_WORKFLOW_ID)).filter(
					(execution) => execution.status === 'success',
				);
				return executions.length ? executions : undefined;
			},
			60_000,
			500,
		);
		expect(event.length).toBe(1);
		const stored = await getExecution(stack.rest, event[0].id);
		const items = stored.data.resultData.runData['Provisioning Trigger'][0].data!.main[0].map(
			(item) => item.json,
		);
		expect(items).toEqual([
			expect.objectContaining({
				jobId: triggerJobId,
				quarantined: true,
				events: expect.arrayContaining(['quarantineEntered']),
			}),
		]);
		// ... and a worker ran that execution.
		expect(stack.workers.some((worker) => startedOn(worker).includes(event[0].id))).toBe(true);

		// Another restart: the activation poll finds nothing new, so nothing is replayed.
		const pollsBefore = polls().length;
		await stack.restartMain();
		await waitFor(
			'the poll after the second restart',
			() => (polls().length > pollsBefore ? true : undefined),
			30_000,
		);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect((await listExecutions(stack.rest, TRIGGER_WORKFLOW_ID)).length).toBe(1);
		// the trigger's memory is in the database, as static data of the workflow
		expect(
			stack.postgres.query(
				`SELECT "staticData"::text FROM workflow_entity WHERE id = '${TRIGGER_WORKFLOW_ID}'`,
			),
		).toContain(triggerJobId);
		// the trigger's credential signed in on main only: once per main process lifetime (three of them)
		expect(tokenRequests(triggerClientId).length).toBe(3);
		note(
			'trigger',
			`no poll while main was down (workers and webhook processor up); after the restart the activation poll reported the quarantine once (execution ${event[0].id}, run by a worker); a second restart replayed nothing; the trigger credential made ${tokenRequests(triggerClientId).length} token requests, one per lifetime of main`,
		);
		passed.add('trigger');
	});

	it('both workers at once against a Graph that takes 20 calls a second: each follows the pace, all items applied', async () => {
		const perRun = 150;
		const runs = [addTargets(perRun, 'paced-a'), addTargets(perRun, 'paced-b')];
		const before = stack.workers.map((worker) => startedOn(worker));
		stack.emulator.resetStats();
		clearRequests();
		stack.emulator.setGraphCapacity({ rate: { calls: 20, windowMs: 1000 } });
		const started = Date.now();
		try {
			for (const targets of runs)
				expect((await post(stack.webhookUrl(BULK_PATH), { targets })).status).toBe(200);
			const executions = await waitFor(
				'both paced runs',
				async () => {
					const finished = (await listExecutions(stack.rest, 'queueAcquireMany')).filter(
						(execution) => !['running', 'new', 'waiting'].includes(execution.status),
					);
					const fresh = finished.filter(
						(execution) => !before.some((ids) => ids.includes(execution.id)),
					);
					return fresh.length >= 2 ? fresh : undefined;
				},
				120_000,
				500,
			);
			const seconds = (Date.now() - started) / 1000;
			expect(executions.map((execution) => execution.status)).toEqual(['success', 'success']);
			for (const targets of runs) expectApplied(targets);
			const stats = stack.emulator.stats();
			const accepted = acquireCalls().filter((request) => request.status === 204);
			// Graph's side, by the time each call arrived (the emulator admits it a moment later, by its own clock)
			const times = accepted.map((request) => request.time.getTime()).sort((a, b) => a - b);
			let busiest = 0;
			for (let first = 0, last = 0; last < times.length; last++) {
				while (times[last] - times[first] >= 1000) first++;
				busiest = Math.max(busiest, last - first + 1);
			}
			const ranOn = stack.workers.map(
				(worker, index) => startedOn(worker).filter((id) => !before[index].includes(id)).length,
			);
			note(
				'pace',
				`Graph takes 20 calls a second; two runs of ${perRun} Acquire items at once, ${ranOn.join(' / ')} on the two workers: both succeeded in ${seconds.toFixed(1)} s (the limit allows ${((2 * perRun) / 20).toFixed(0)} s), ${accepted.length} calls accepted, ${stats.capacityRefusals} refused with 429 and retried (${(stats.capacityRefusals / (2 * perRun)).toFixed(2)} per item), at most ${busiest} accepted in any second by arrival time`,
			);
			expect(ranOn).toEqual([1, 1]);
			expect(accepted.length).toBe(2 * perRun);
			// Each execution follows the pace Graph's 429s show it; without that, every round of both executions'
			// Items in Flight would meet mostly refusals again and spend the retries (the node's own suite measures
			// that alone, test/throttling.test.ts)
			expect(stats.capacityRefusals / (2 * perRun)).toBeLessThan(2);
			passed.add('pace');
		} finally {
			stack.emulator.setGraphCapacity(undefined);
		}
	});

	it('two bulk uploads at once on the two workers against the 40 requests in 5 s that Graph takes: both succeed, nothing is lost or sent twice', async () => {
		const perRun = 1500;
		const feeds = [0, 1].map((feed) => {
			const sp = stack.emulator.addServicePrincipal({
				appId: randomUUID(),
				displayName: `HR feed ${feed}`,
			});
			const jobId = stack.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
			// each row names its provisioning job, as an HR system's export for several apps would
			const employees = Array.from({ length: perRun }, (_, index) => ({
				id: `F${feed}-E${String(index).padStart(5, '0')}`,
				mail: `f${feed}.e${index}@contoso.example`,
				servicePrincipalId: sp.id,
				jobId,
			}));
			return { servicePrincipalId: sp.id, jobId, employees };
		});
		const before = stack.workers.map((worker) => startedOn(worker));
		const known = new Set(
			(await listExecutions(stack.rest, 'queueUploadEmployees')).map((execution) => execution.id),
		);
		clearRequests();
		stack.emulator.resetStats();
		const started = Date.now();
		for (const feed of feeds)
			expect((await post(stack.webhookUrl(UPLOAD_PATH), feed)).status).toBe(200);
		const executions = await waitFor(
			'both uploads',
			async () => {
				const finished = (await listExecutions(stack.rest, 'queueUploadEmployees')).filter(
					(execution) =>
						!known.has(execution.id) && !['running', 'new', 'waiting'].includes(execution.status),
				);
				return finished.length >= 2 ? finished : undefined;
			},
			180_000,
			500,
		);
		const seconds = (Date.now() - started) / 1000;
		const uploads = stack.emulator.requests.filter(
			(request) => request.listener === 'graph' && request.path.endsWith('/bulkUpload'),
		);
		const accepted = uploads
			.filter((request) => request.status === 202)
			.map((request) => request.time.getTime())
			.sort((a, b) => a - b);
		let busiest = 0;
		for (let first = 0, last = 0; last < accepted.length; last++) {
			while (accepted[last] - accepted[first] >= 5000) first++;
			busiest = Math.max(busiest, last - first + 1);
		}
		const refused = uploads.filter((request) => request.status === 429).length;
		const ranOn = stack.workers.map(
			(worker, index) => startedOn(worker).filter((id) => !before[index].includes(id)).length,
		);
		note(
			'bulk',
			`two bulk uploads of ${perRun} employees at once, ${ranOn.join(' / ')} on the two workers (the emulator, as Graph documents: 40 bulkUpload requests in any 5 s for the tenant): ${executions.map((execution) => execution.status).join(', ')} in ${seconds.toFixed(1)} s, ${accepted.length} requests accepted, ${refused} refused with 429 and retried, at most ${busiest} accepted in any 5 s by arrival time`,
		);
		expect(ranOn).toEqual([1, 1]);
		expect(executions.map((execution) => execution.status)).toEqual(['success', 'success']);
		for (const feed of feeds) {
			const received = (
				stack.emulator.getSynchronizationJob(feed.servicePrincipalId, feed.jobId)?.bulkUploads ?? []
			).flatMap((upload) => upload.operations.map((operation) => operation.bulkId));
			// every employee exactly once
			expect(received.length).toBe(perRun);
			expect(new Set(received).size).toBe(perRun);
		}
		note('bulk', 'every employee arrived exactly once');
		passed.add('bulk');
	});

	it('a worker killed in the middle of 1,000 items: n8n marks the execution, a re-run applies every target as if it ran once', async () => {
		const targets = addTargets(1000, 'crash');
		stack.emulator.setLatency({ graph: 150 });
		clearRequests();
		const before = stack.workers.map((worker) => startedOn(worker));
		try {
			expect((await post(stack.webhookUrl(BULK_PATH), { targets })).status).toBe(200);
			const { index, executionId } = await waitFor(
				'a worker to take the run',
				() => {
					for (const [at, worker] of stack.workers.entries()) {
						const fresh = startedOn(worker).filter((id) => !before[at].includes(id));
						if (fresh.length) return { index: at, executionId: fresh[0] };
					}
					return undefined;
				},
				30_000,
				50,
			);
			await waitFor(
				'a third of the targets applied',
				() =>
					acquireCalls().filter((request) => request.status === 204).length >= 300
						? true
						: undefined,
				60_000,
				20,
			);
			await stack.workers[index].stop(0, 'SIGKILL');
			const killedAt = Date.now();
			const appliedBeforeCrash = new Set(
				acquireCalls()
					.filter((request) => request.status === 204)
					.map((request) => request.path.split('/')[3]),
			);
			note(
				'crash',
				`1,000 Acquire items (150 ms Graph latency); worker-${index + 1} killed (SIGKILL) after ${appliedBeforeCrash.size} targets were applied`,
			);
			expect(appliedBeforeCrash.size).toBeLessThan(1000);

			// What n8n makes of it, as the execution list shows it
			const crashed = await waitFor(
				'n8n to notice the crashed execution',
				async () => {
					const execution = (await listExecutions(stack.rest, 'queueAcquireMany')).find(
						(candidate) => candidate.id === executionId,
					);
					return execution && !['running', 'new'].includes(execution.status)
						? execution
						: undefined;
				},
				90_000,
				1000,
			).catch(async (error: Error) => {
				const execution = (await listExecutions(stack.rest, 'queueAcquireMany')).find(
					(candidate) => candidate.id === executionId,
				);
				throw new Error(`${error.message}; execution ${executionId} is ${execution?.status}`);
			});
			const stored = await getExecution(stack.rest, executionId);
			note(
				'crash',
				`n8n marked the execution "${crashed.status}" ${((Date.now() - killedAt) / 1000).toFixed(0)} s later, message "${stored.data.resultData.error?.message ?? '(none)'}", ${Object.keys(stored.data.resultData.runData ?? {}).length ? `run data of ${Object.keys(stored.data.resultData.runData).join(', ')}` : "no run data (not even the Webhook node's)"}; no other worker took it up`,
			);
			expect(['crashed', 'error']).toContain(crashed.status);
			// the other worker did not take the job up again on its own
			expect(
				stack.workers.some((worker, at) => at !== index && startedOn(worker).includes(executionId)),
			).toBe(false);

			// The user re-runs it: a worker (the restarted one too) applies the whole list again.
			await stack.startWorker(index);
			clearRequests();
			const known = new Set(
				(await listExecutions(stack.rest, 'queueAcquireMany')).map((execution) => execution.id),
			);
			expect((await post(stack.webhookUrl(BULK_PATH), { targets })).status).toBe(200);
			const rerun = await waitFor(
				'the re-run',
				async () =>
					(await listExecutions(stack.rest, 'queueAcquireMany')).find(
						(execution) =>
							!known.has(execution.id) && !['running', 'new'].includes(execution.status),
					),
				120_000,
				500,
			);
			expect(rerun.status).toBe('success');
			expectApplied(targets);
			const calls = new Map<string, number>();
			for (const request of acquireCalls().filter((candidate) => candidate.status === 204)) {
				const id = request.path.split('/')[3];
				calls.set(id, (calls.get(id) ?? 0) + 1);
			}
			expect(calls.size).toBe(1000);
			note(
				'crash',
				`the re-run of the same 1,000 succeeded and every target holds exactly the secrets of one run`,
			);
			passed.add('crash');
		} finally {
			stack.emulator.setLatency({ graph: 0 });
		}
	});

	it('no client secret or access token reaches a log of any process or the database', () => {
		clearRequests();
		const secrets: Record<string, string> = {
			clientSecret: stack.client.clientSecret,
			triggerClientSecret,
			uploaderClientSecret,
		};
		expect(bearerTokens.size).toBeGreaterThanOrEqual(stack.workers.length);
		[...bearerTokens].forEach((token, index) => (secrets[`bearer${index}`] = token));
		const processes = [stack.main, ...stack.workers, stack.webhook];
		for (const n8n of processes)
			expect(leakedSecrets(readFileSync(n8n.logFile, 'utf8'), secrets)).toEqual([]);
		expect(leakedSecrets(stack.postgres.dump(), secrets)).toEqual([]);
		for (const n8n of processes) expect(n8n.blockedEgress()).toEqual([]);
	});
});

/**
 * The benchmark's plumbing: the emulator with realistic latency, one prepared n8n user folder (credentials and
 * workflows imported once, migrations done), a fresh n8n process started from a copy of it for each scenario, and one
 * measured run: the webhook call, n8n's stored execution, the n8n process's CPU time and peak memory, and what the
 * emulator saw.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';

import { startEmulator, type Emulator } from '../emulator';
import {
	getExecution as readExecution,
	listExecutions as readExecutions,
	type RunData,
} from '../n8n/executions';
import {
	appOnlyCredential,
	CREDENTIALS,
	emulatorTenant,
	seedDemoTenant,
	type SignInClient,
	type WorkflowJson,
} from '../n8n/demo-tenant';
import { N8n, type N8nRestClient } from '../n8n/n8n';
import { ensureN8nRuntime, PROJECT_ROOT, type N8nRuntime } from '../n8n/runtime';
import { measure, type Usage } from './process-stats';
import {
	BULK_CREDENTIALS,
	httpHeaderCredential,
	httpOAuth2Credential,
	TOOL_NODE_NAME,
	type BenchEmployee,
	type BenchFieldsItem,
	type BenchItem,
	type BulkTarget,
} from './workflows';

const OWNER = {
	email: 'bench-owner@example.com',
	password: 'Bench-Owner-Passw0rd',
	firstName: 'Bench',
	lastName: 'Owner',
};
export const OUTPUT_DIR = path.join(PROJECT_ROOT, '.test-output', 'bench');
const ACQUIRE_PATH = /\/synchronization\/acquireAccessToken$/;
const BULK_UPLOAD_PATH = /\/synchronization\/jobs\/[^/]+\/bulkUpload$/;

export interface Latency {
	graphMs: number;
	tokenMs: number;
	/** Each Graph call's latency spread evenly over ± this share of it */
	jitter: number;
}

/** How long the header credential's Graph token is valid: longer than any benchmark. */
const HEADER_TOKEN_LIFETIME_S = 12 * 3600;

export interface BenchEnvironment {
	runtime: N8nRuntime;
	emulator: Emulator;
	client: SignInClient;
	/** Service principal object IDs the items point at */
	targets: string[];
	/** The API-driven inbound provisioning job the bulk-upload runs send employees to */
	bulk: BulkTarget;
	folder: string;
	pristine: string;
	encryptionKey: string;
	caFile: string;
	close(): Promise<void>;
}

/** The emulator, its tenant (with `targetCount` service principals to provision), and the prepared n8n folder. */
export async function prepareEnvironment(options: {
	latency: Latency;
	seed: number;
	targetCount: number;
	workflows: (emulator: Emulator, bulk: BulkTarget) => WorkflowJson[];
	log: (message: string) => void;
}): Promise<BenchEnvironment> {
	const runtime = await ensureN8nRuntime();
	const folder = path.join(OUTPUT_DIR, `run-${Date.now().toString(36)}`);
	rmSync(OUTPUT_DIR, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	const emulator = await startEmulator({
		latencyMs: {
			graph: options.latency.graphMs,
			token: options.latency.tokenMs,
			jitter: options.latency.jitter,
		},
		randomSeed: options.seed,
	});
	try {
		const client = seedDemoTenant(emulator);
		const targets: string[] = [];
		for (let index = 0; index < options.targetCount; index++) {
			const suffix = index.toString(16).padStart(12, '0');
			const sp = emulator.addServicePrincipal({
				id: `5e000000-0000-4000-8000-${suffix}`,
				appId: `a0000000-0000-4000-8000-${suffix}`,
				displayName: `Bench SCIM app ${index + 1}`,
			});
			targets.push(sp.id);
		}
		// bulkUpload needs a permission the demo client does not hold: an HR upload signs in as its own app registration
		const provisioningApp = emulator.addServicePrincipal({
			displayName: 'Bench API-driven inbound provisioning',
		});
		const bulk: BulkTarget = {
			servicePrincipalId: provisioningApp.id,
			jobId: emulator.createSynchronizationJob(provisioningApp.id, 'API2AAD').id,
		};
		const uploaderSecret = `upload~${randomBytes(24).toString('base64url')}`;
		const uploader = emulator.registerClientApp({
			displayName: 'n8n HR upload',
			secret: uploaderSecret,
			applicationPermissions: ['SynchronizationData-User.Upload'],
		});
		const uploadClient = { clientId: uploader.clientId, clientSecret: uploaderSecret };
		const caFile = emulator.writeCaFile(folder);
		const encryptionKey = randomBytes(24).toString('base64url');
		const pristine = path.join(folder, 'pristine');
		const n8n = new N8n({
			runtime,
			userFolder: pristine,
			encryptionKey,
			owner: OWNER,
			caFile,
			loopbackOnly: true,
			env: {},
		});
		options.log('preparing an n8n user folder (migrations, credentials, workflows)');
		n8n.prepare();
		const tenant = emulatorTenant(emulator);
		await n8n.importCredentials([
			appOnlyCredential(tenant, client, CREDENTIALS.appOnly),
			httpOAuth2Credential(emulator, client),
			httpHeaderCredential(
				emulator.createAccessToken({
					clientId: client.clientId,
					lifetimeSeconds: HEADER_TOKEN_LIFETIME_S,
				}),
			),
			appOnlyCredential(tenant, uploadClient, BULK_CREDENTIALS.appOnly),
			httpOAuth2Credential(emulator, uploadClient, BULK_CREDENTIALS.http),
		]);
		const workflows = options.workflows(emulator, bulk);
		await n8n.importWorkflows(workflows);
		for (const workflow of workflows) await n8n.publishWorkflow(workflow.id);
		await n8n.stop();
		return {
			runtime,
			emulator,
			client,
			targets,
			bulk,
			folder,
			pristine,
			encryptionKey,
			caFile,
			close: async () => {
				await emulator.close();
			},
		};
	} catch (error) {
		await emulator.close().catch(() => undefined);
		throw error;
	}
}

export interface BenchN8n {
	n8n: N8n;
	rest: N8nRestClient;
	pid: number;
}

/** A fresh n8n process on a copy of the prepared folder: no stored OAuth2 token, no cached token, a new heap. */
export async function withFreshN8n<T>(
	environment: BenchEnvironment,
	name: string,
	work: (instance: BenchN8n) => Promise<T>,
	extraEnv: Record<string, string> = {},
): Promise<T> {
	const userFolder = path.join(environment.folder, name);
	rmSync(userFolder, { recursive: true, force: true });
	cpSync(environment.pristine, userFolder, { recursive: true, verbatimSymlinks: true });
	rmSync(path.join(userFolder, 'n8n.log'), { force: true });
	const n8n = new N8n({
		runtime: environment.runtime,
		userFolder,
		encryptionKey: environment.encryptionKey,
		owner: OWNER,
		caFile: environment.caFile,
		loopbackOnly: true,
		env: extraEnv,
	});
	n8n.prepare();
	await n8n.start();
	const stopOnExit = () => n8n.killNow();
	process.once('exit', stopOnExit);
	try {
		const rest = await n8n.login();
		const pid = n8n.pid;
		if (!pid) throw new Error('n8n started but has no process id');
		return await work({ n8n, rest, pid });
	} finally {
		await n8n.stop();
		process.off('exit', stopOnExit);
	}
}

/** The N input items: target i mod targets, a SCIM secret unique to the item (so the emulator log identifies it). */
export function makeItems(count: number, targets: string[], label: string): BenchItem[] {
	return Array.from({ length: count }, (_, index) => ({
		targetId: targets[index % targets.length],
		baseAddress: 'https://scim.contoso.example/scim/v2',
		secretToken: `bench-${label}-${index}`,
	}));
}

/** The items as Input: Item Fields reads them: fields named like the secret keys. */
export function asFieldsItems(items: BenchItem[]): BenchFieldsItem[] {
	return items.map((item) => ({
		targetId: item.targetId,
		BaseAddress: item.baseAddress,
		SecretToken: item.secretToken,
	}));
}

const GIVEN_NAMES = [
	'Ada',
	'Grace',
	'Alan',
	'Edsger',
	'Barbara',
	'Donald',
	'Frances',
	'Ken',
	'Margaret',
	'Tim',
	'Radia',
	'Linus',
	'Karen',
	'John',
	'Hedy',
	'Dennis',
];
const FAMILY_NAMES = [
	'Lovelace',
	'Hopper',
	'Turing',
	'Dijkstra',
	'Liskov',
	'Knuth',
	'Allen',
	'Thompson',
	'Hamilton',
	'Berners-Lee',
	'Perlman',
	'Torvalds',
	'Spärck Jones',
	'McCarthy',
	'Lamarr',
	'Ritchie',
];
const DEPARTMENTS = [
	'Research',
	'Engineering',
	'Finance',
	'Sales',
	'Human Resources',
	'Operations',
	'Legal',
	'Support',
];
const JOB_TITLES = [
	'Analyst',
	'Engineer',
	'Senior Engineer',
	'Manager',
	'Specialist',
	'Coordinator',
	'Director',
];

/**
 * `count` employees as an HR system exports them: an employee ID unique to this run (the job matches on it, and the
 * emulator's record of the job then tells this run's records apart), names, a work address, department, title, and
 * every 25th one a leaver (active false).
 */
export function makeEmployees(count: number, label: string): BenchEmployee[] {
	return Array.from({ length: count }, (_, index) => {
		const firstName = GIVEN_NAMES[index % GIVEN_NAMES.length];
		const lastName = FAMILY_NAMES[Math.floor(index / GIVEN_NAMES.length) % FAMILY_NAMES.length];
		const employeeId = `${label}-${String(index + 1).padStart(6, '0')}`;
		return {
			employeeId,
			firstName,
			lastName,
			displayName: `${firstName} ${lastName}`,
			workEmail:
				`${firstName}.${lastName.replace(/[^A-Za-z]/g, '')}${index + 1}@contoso.com`.toLowerCase(),
			department: DEPARTMENTS[index % DEPARTMENTS.length],
			jobTitle: JOB_TITLES[index % JOB_TITLES.length],
			active: index % 25 !== 24,
		};
	});
}

export interface GraphSide {
	tokenRequests: number;
	graphRequests: number;
	/** HTTP requests Graph's endpoint received: a JSON batch is one, however many calls it carried */
	httpRequests: number;
	acquireCalls: number;
	throttled: number;
	/** Calls beyond the first for an item */
	retries: number;
	/** Items whose secrets Graph accepted (a 204) */
	applied: number;
	/** How many 429s each item received, for the items that got any */
	throttlesPerItem: number[];
	/** Graph calls the emulator refused for its capacity (setGraphCapacity), all items of the run */
	capacityRefusals: number;
}

/** The V8 heap in use after full garbage collections (gc-probe.cjs), around one run */
export interface LiveHeap {
	/** After the last collection before the run started */
	beforeBytes: number;
	/** The most after any collection during the run */
	maxBytes: number;
	/** Collections during the run */
	samples: number;
}

/** What Graph saw of a bulk-upload run: the requests, and the records the job received. */
export interface BulkSide {
	tokenRequests: number;
	/** bulkUpload requests that reached Graph */
	requests: number;
	/** … answered 202 */
	accepted: number;
	/** … answered 429 (the 40-in-5-seconds limit or the daily quota) */
	throttled: number;
	/** Distinct employees of the run the job received */
	recordsReceived: number;
	/** … of those it should have received (absent in earlier results: every employee of the run) */
	recordsExpected?: number;
	/** From the webhook call to the first bulkUpload request reaching Graph: what n8n and the tool did before sending */
	firstRequestMs: number;
	/** … and to the last */
	lastRequestMs: number;
}

export interface ExecutionResult {
	items: number;
	/** When the webhook was called (epoch ms) */
	startedAtMs: number;
	/** Webhook call to its answer */
	wallMs: number;
	/** The tool node's own time, from n8n's run data */
	nodeMs: number;
	status: string;
	executionId: string;
	/** Items the tool node output without an error field */
	succeeded: number;
	/** Items output with an error field (Continue On Fail) */
	errorItems: number;
	/** Output items by their `status` field, where the tool sets one (Upload Users: sent, unchanged, …) */
	statuses?: Record<string, number>;
	/** The node's error message when the execution failed */
	error?: string;
	usage: Usage;
	/** Only for runs in an n8n with the GC probe */
	liveHeap?: LiveHeap;
}

export interface RunResult extends ExecutionResult {
	graph: GraphSide;
}

/** Reads what gc-probe.cjs wrote for this process around [fromUs, toUs]. */
function liveHeapOf(file: string, pid: number, fromUs: number, toUs: number): LiveHeap | undefined {
	if (!existsSync(file)) return undefined;
	const lines = readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as { pid: number; timeUs: number; heapUsed: number })
		.filter((line) => line.pid === pid);
	const before = lines.filter((line) => line.timeUs < fromUs).at(-1);
	// the timer's collections during the run, and the one asked for as soon as the webhook answered
	const during = lines.filter((line) => line.timeUs >= fromUs && line.timeUs <= toUs);
	if (!before || during.length === 0) return undefined;
	return {
		beforeBytes: before.heapUsed,
		maxBytes: Math.max(...during.map((line) => line.heapUsed)),
		samples: during.length,
	};
}

function secretTokenOf(body: string): string | undefined {
	try {
		const parsed = JSON.parse(body) as { credentials?: Array<{ key: string; value: string }> };
		return parsed.credentials?.find((pair) => pair.key === 'SecretToken')?.value;
	} catch {
		return undefined;
	}
}

function graphSide(emulator: Emulator, items: BenchItem[]): GraphSide {
	const stats = emulator.stats();
	// the secret token tells one item's calls apart from another's
	const wanted = new Set(items.map((item) => item.secretToken));
	const attempts = new Map<string, number>();
	const throttles = new Map<string, number>();
	const applied = new Set<string>();
	let acquireCalls = 0;
	let throttled = 0;
	for (const request of emulator.requests) {
		if (
			request.listener !== 'graph' ||
			request.method !== 'POST' ||
			!ACQUIRE_PATH.test(request.path)
		)
			continue;
		acquireCalls++;
		const token = secretTokenOf(request.body);
		if (!token || !wanted.has(token)) continue;
		attempts.set(token, (attempts.get(token) ?? 0) + 1);
		if (request.status === 429) {
			throttled++;
			throttles.set(token, (throttles.get(token) ?? 0) + 1);
		}
		if (request.status === 204) applied.add(token);
	}
	let retries = 0;
	for (const count of attempts.values()) retries += count - 1;
	return {
		tokenRequests: stats.tokenRequests,
		graphRequests: stats.graphRequests,
		httpRequests: stats.byListener.graph,
		acquireCalls,
		throttled,
		retries,
		applied: applied.size,
		throttlesPerItem: [...throttles.values()],
		capacityRefusals: stats.capacityRefusals,
	};
}

/**
 * Reads the job's record of bulk uploads (`before`: how many it held when the run started) and this run's requests;
 * `expected` are the employees that should reach Graph (all of them, unless only what changed is sent).
 */
export function bulkSide(
	emulator: Emulator,
	bulk: BulkTarget,
	expected: BenchEmployee[],
	before: number,
	startedAtMs: number,
): BulkSide {
	const wanted = new Set(expected.map((employee) => employee.employeeId));
	const received = new Set<string>();
	for (const upload of bulkUploadsOf(emulator, bulk).slice(before)) {
		for (const operation of upload.operations) {
			const externalId = operation.data.externalId;
			if (typeof externalId === 'string' && wanted.has(externalId)) received.add(externalId);
		}
	}
	const side: BulkSide = {
		tokenRequests: emulator.stats().tokenRequests,
		requests: 0,
		accepted: 0,
		throttled: 0,
		recordsReceived: received.size,
		recordsExpected: wanted.size,
		firstRequestMs: Number.NaN,
		lastRequestMs: Number.NaN,
	};
	for (const request of emulator.requests) {
		if (
			request.listener !== 'graph' ||
			request.method !== 'POST' ||
			!BULK_UPLOAD_PATH.test(request.path)
		)
			continue;
		const at = request.time.getTime() - startedAtMs;
		if (side.requests === 0) side.firstRequestMs = at;
		side.lastRequestMs = at;
		side.requests++;
		if (request.status === 202) side.accepted++;
		else if (request.status === 429) side.throttled++;
	}
	return side;
}

/** The job's record of the bulk requests it accepted, oldest first. */
export function bulkUploadsOf(emulator: Emulator, bulk: BulkTarget) {
	return emulator.getSynchronizationJob(bulk.servicePrincipalId, bulk.jobId)?.bulkUploads ?? [];
}

/**
 * POSTs to a webhook and waits for its answer, however long the workflow runs: fetch gives up when the answer's
 * headers take over 5 minutes, which a webhook that answers when its last node has finished may well take (10,000
 * items at a Graph latency of hundreds of milliseconds on a loaded machine).
 */
function postWebhook(
	url: string,
	body: string,
	timeoutMs = 30 * 60_000,
): Promise<{ status: number; text: string }> {
	return new Promise((resolve, reject) => {
		const request = httpRequest(
			url,
			{
				method: 'POST',
				headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						text: Buffer.concat(chunks).toString('utf8'),
					}),
				);
				response.on('error', reject);
			},
		);
		request.setTimeout(timeoutMs, () =>
			request.destroy(new Error(`no answer from ${url} within ${timeoutMs / 1000} s`)),
		);
		request.on('error', reject);
		request.end(body);
	});
}

/**
 * n8n's REST reads, repeated for a while when they fail: on a loaded machine n8n answers 503 "Database is not
 * ready" now and then (its health check timed out); reading the executions again is safe.
 */
async function repeated<T>(read: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await read();
		} catch (error) {
			if (attempt >= 60) throw error;
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}
}

const listExecutions = (rest: N8nRestClient, workflowId: string) =>
	repeated(() => readExecutions(rest, workflowId));
const getExecution = (rest: N8nRestClient, executionId: string) =>
	repeated(() => readExecution(rest, executionId));

async function waitForExecution(
	rest: N8nRestClient,
	workflowId: string,
	known: Set<string>,
	timeoutMs: number,
): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const done = (await listExecutions(rest, workflowId)).filter(
			(e) => !known.has(e.id) && e.status !== 'running' && e.status !== 'new',
		);
		if (done.length) return done[0].id;
		if (Date.now() > deadline)
			throw new Error(`no finished execution of ${workflowId} within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

export interface RunOptions {
	timeoutMs?: number;
	/** Memory runs: the GC probe's log, read for the heap in use around the run */
	gcLog?: string;
	/** A full collection before the run (the GC probe must be loaded), so no run pays for an earlier one's garbage */
	collectFirst?: boolean;
	/** Post the items with fields named like the secret keys (Input: Item Fields) */
	asFields?: boolean;
}

/** One run of the token workflows, with what the emulator saw of each item's acquireAccessToken calls. */
export async function runWorkflow(
	instance: BenchN8n,
	environment: BenchEnvironment,
	workflow: { id: string; webhookPath: string },
	items: BenchItem[],
	options: RunOptions = {},
): Promise<RunResult> {
	const result = await runExecution(
		instance,
		environment,
		workflow,
		options.asFields ? asFieldsItems(items) : items,
		options,
	);
	return { ...result, graph: graphSide(environment.emulator, items) };
}

/**
 * Several executions of one workflow at once, as simultaneous webhook calls start them in n8n: each POST carries its
 * own items. Wall time runs from the first call to the last answer; CPU and memory are the process's over all of them.
 */
export async function runConcurrently(
	instance: BenchN8n,
	environment: BenchEnvironment,
	workflow: { id: string; webhookPath: string },
	batches: BenchItem[][],
	options: { timeoutMs?: number } = {},
): Promise<{ result: RunResult; executions: ExecutionResult[] }> {
	const { emulator } = environment;
	const known = new Set((await listExecutions(instance.rest, workflow.id)).map((e) => e.id));
	emulator.clearRequests();
	emulator.resetStats();
	await new Promise((resolve) => setTimeout(resolve, 500));
	const finish = measure(instance.pid);
	const startedAtMs = Date.now();
	const started = performance.now();
	const answers = await Promise.all(
		batches.map(async (items) => {
			for (let attempt = 0; ; attempt++) {
				const response = await postWebhook(
					`${instance.n8n.baseUrl}/webhook/${workflow.webhookPath}`,
					JSON.stringify({ items }),
					options.timeoutMs,
				);
				// 503: n8n's database was busy, before any node ran (see runExecution)
				if (response.status !== 503 || attempt >= 240) return performance.now() - started;
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
		}),
	);
	const wallMs = Math.max(...answers);
	const ids: string[] = [];
	for (const deadline = Date.now() + 120_000; ids.length < batches.length;) {
		const done = (await listExecutions(instance.rest, workflow.id)).filter(
			(e) => !known.has(e.id) && e.status !== 'running' && e.status !== 'new',
		);
		ids.splice(0, ids.length, ...done.map((e) => e.id));
		if (ids.length >= batches.length) break;
		if (Date.now() > deadline)
			throw new Error(
				`only ${ids.length} of ${batches.length} executions of ${workflow.id} finished within 120 s`,
			);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	const usage = finish();
	const executions = await Promise.all(ids.map(async (id) => executionOutcome(instance, id)));
	const items = batches.flat();
	const failed = executions.filter((execution) => execution.status !== 'success');
	return {
		executions: executions.map((execution) => ({
			...execution,
			startedAtMs,
			wallMs,
			usage,
			items: execution.items,
		})),
		result: {
			items: items.length,
			startedAtMs,
			wallMs,
			nodeMs: Math.max(...executions.map((execution) => execution.nodeMs)),
			status:
				failed.length === 0
					? 'success'
					: `${failed.length} of ${executions.length} executions failed`,
			executionId: ids.join(','),
			succeeded: executions.reduce((sum, execution) => sum + execution.succeeded, 0),
			errorItems: executions.reduce((sum, execution) => sum + execution.errorItems, 0),
			error: failed[0]?.error,
			usage,
			graph: graphSide(emulator, items),
		},
	};
}

/**
 * One run: POST the items to the workflow's webhook and wait for its answer (the webhook answers when the last node
 * has finished), wait until n8n has stored the execution, then read the process's CPU time and peak memory, and the
 * stored run data. The emulator's request log then holds this run's requests only.
 */
export async function runExecution(
	instance: BenchN8n,
	environment: BenchEnvironment,
	workflow: { id: string; webhookPath: string },
	items: object[],
	options: RunOptions = {},
): Promise<ExecutionResult> {
	const { emulator } = environment;
	const known = new Set((await listExecutions(instance.rest, workflow.id)).map((e) => e.id));
	const body = JSON.stringify({ items });
	emulator.clearRequests();
	emulator.resetStats();
	// let the previous run's garbage and sockets settle, so they are not measured as this run's
	if (options.gcLog || options.collectFirst) process.kill(instance.pid, 'SIGUSR2');
	await new Promise((resolve) => setTimeout(resolve, 500));
	let finish: () => Usage;
	let wallMs: number;
	let startedAtMs: number;
	let startedUs = 0;
	for (let attempt = 0; ; attempt++) {
		startedUs = Number(process.hrtime.bigint() / 1000n);
		finish = measure(instance.pid);
		startedAtMs = Date.now();
		const started = performance.now();
		const response = await postWebhook(
			`${instance.n8n.baseUrl}/webhook/${workflow.webhookPath}`,
			body,
			options.timeoutMs,
		);
		const answer = response.text;
		wallMs = performance.now() - started;
		// n8n answers readiness before it has registered the published workflows' webhooks, and 503 while its
		// database is busy on a loaded machine; in both cases before any node ran
		if (
			((response.status === 404 && /not registered/.test(answer)) || response.status === 503) &&
			attempt < 240
		) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			continue;
		}
		break;
	}
	if (options.gcLog) {
		process.kill(instance.pid, 'SIGUSR2');
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
	const executionId = await waitForExecution(instance.rest, workflow.id, known, 120_000);
	const usage = finish();
	const endedUs = Number(process.hrtime.bigint() / 1000n);
	const liveHeap = options.gcLog
		? liveHeapOf(options.gcLog, instance.pid, startedUs, endedUs)
		: undefined;
	if (options.gcLog) {
		// a collection after the run, so the next run's "before" is taken with nothing of this one left to collect
		process.kill(instance.pid, 'SIGUSR2');
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}

	const outcome = await executionOutcome(instance, executionId);
	return { ...outcome, items: items.length, startedAtMs, wallMs, usage, liveHeap };
}

/** What n8n stored of one execution: its status, the tool node's time, output and error. */
async function executionOutcome(
	instance: BenchN8n,
	executionId: string,
): Promise<
	Pick<
		ExecutionResult,
		| 'items'
		| 'nodeMs'
		| 'status'
		| 'executionId'
		| 'succeeded'
		| 'errorItems'
		| 'statuses'
		| 'error'
	>
> {
	const execution = await getExecution(instance.rest, executionId);
	const data: RunData = execution.data;
	const run = data.resultData.runData[TOOL_NODE_NAME]?.[0] as
		| {
				startTime?: number;
				executionTime?: number;
				data?: { main: Array<Array<{ json: Record<string, unknown> }>> };
				error?: { message?: string };
		  }
		| undefined;
	const output = run?.data?.main?.[0] ?? [];
	const errorItems = output.filter((item) => item.json && 'error' in item.json).length;
	const statuses: Record<string, number> = {};
	for (const item of output) {
		const status = item.json?.status;
		if (typeof status === 'string') statuses[status] = (statuses[status] ?? 0) + 1;
	}
	return {
		items: output.length,
		nodeMs: run?.executionTime ?? Number.NaN,
		status: execution.status,
		executionId,
		succeeded: output.length - errorItems,
		errorItems,
		...(Object.keys(statuses).length > 0 ? { statuses } : {}),
		error: run?.error?.message ?? data.resultData.error?.message,
	};
}

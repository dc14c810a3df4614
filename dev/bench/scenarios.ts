/**
 * What the benchmark runs: the workflows it imports into n8n, and the scenarios, each in one fresh n8n process (so
 * its first run finds no token anywhere and its memory figures are its own). Adding a scenario is adding its
 * workflow to WORKFLOWS and one entry to SCENARIOS.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { WorkflowJson } from '../n8n/demo-tenant';
import {
	BULK_PACED_RUN_LIMIT_MS,
	BULK_UPLOAD_LIMITS,
	bucketFloor,
	bulkPacedFloor,
	callsFloor,
	rateLimitFloor,
	retryAfterFloor,
	type Floor,
} from './floors';
import {
	bulkSide,
	bulkUploadsOf,
	makeEmployees,
	makeItems,
	runConcurrently,
	runExecution,
	runWorkflow,
	withFreshN8n,
	type BenchEnvironment,
	type BenchN8n,
	type ExecutionResult,
	type RunOptions,
	type RunResult,
} from './harness';
import { MEMORY_GC_EVERY_MS, MEMORY_REPEATS, type BenchSettings } from './options';
import { monotonicMicros, readMainProfile, splitCpu, type ToolCode } from './profile';
import {
	bulkKind,
	type BenchResults,
	type BulkMeasurement,
	type BulkRunKind,
	type Measurement,
	type ProfileSplit,
	type RunKind,
	type ScenarioResults,
	type ToolId,
} from './results';
import {
	benchWorkflow,
	BULK_INPUTS,
	scimNamedEmployee,
	type BenchEmployee,
	type BulkInput,
	type BulkTarget,
	type ToolSpec,
} from './workflows';

/** Upload Users' workflow for each way of mapping the employees */
const BULK_WORKFLOWS: Record<BulkInput, string> = {
	attributeRows: 'benchBulkNode',
	mapEach: 'benchBulkNodeMapEach',
	mapAutomatically: 'benchBulkNodeAutoMap',
};
/**
 * Upload Users with Upload Options › Only What Changed, mapped as the HR onboarding template maps (resource mapper).
 * n8n saves a workflow's static data only under an ID of at most 21 characters (its isWorkflowIdValid), as the IDs
 * it makes are: a longer one silently keeps nothing between executions.
 */
const BULK_ONLY_CHANGED_WORKFLOW = 'benchBulkOnlyChanged';
const BULK_ONLY_CHANGED_INPUT: BulkInput = 'mapEach';
/** The memory runs upload with the node's current version and defaults */
const BULK_MEMORY_INPUT: BulkInput = 'mapEach';
/** Share of the employees the HR system changes between the runs of the changed-only scenario */
export const BULK_CHANGED_SHARE = 0.01;

interface WorkflowEntry {
	id: string;
	path: string;
	spec: (graphUrl: string, bulk: BulkTarget) => ToolSpec;
}

/** The HTTP Request node's Batching at exactly the documented rate: 40 items (one request each) every 5 seconds. */
const BULK_PACED_BATCHING = {
	batchSize: BULK_UPLOAD_LIMITS.requestsPerWindow,
	batchInterval: BULK_UPLOAD_LIMITS.windowMs,
};

export function workflowEntries(settings: BenchSettings): WorkflowEntry[] {
	const batching = {
		batchSize: settings.httpBatchSize,
		batchInterval: settings.httpBatchIntervalMs,
	};
	return [
		{ id: 'benchBaseline', path: 'bench/baseline', spec: () => ({ kind: 'baseline' }) },
		{ id: 'benchExpressions', path: 'bench/expressions', spec: () => ({ kind: 'expressions' }) },
		{ id: 'benchNode', path: 'bench/node', spec: () => ({ kind: 'node' }) },
		{
			id: 'benchNodeFields',
			path: 'bench/node-fields',
			spec: () => ({ kind: 'node', input: 'itemFields' }),
		},
		// its own workflow, so its executions are told apart from the single runs' by n8n's list
		{ id: 'benchNodeConcurrent', path: 'bench/node-concurrent', spec: () => ({ kind: 'node' }) },
		...settings.sweep.map((limit) => ({
			id: `benchNodeC${limit}`,
			path: `bench/node-c${limit}`,
			spec: () => ({ kind: 'node' as const, options: { concurrency: limit } }),
		})),
		{
			id: 'benchHttpOAuth2',
			path: 'bench/http-oauth2',
			spec: (graphUrl) => ({ kind: 'http', auth: 'oAuth2', graphUrl }),
		},
		{
			id: 'benchHttpHeader',
			path: 'bench/http-header',
			spec: (graphUrl) => ({ kind: 'http', auth: 'header', graphUrl }),
		},
		{
			id: 'benchHttpTuned',
			path: 'bench/http-tuned',
			spec: (graphUrl) => ({ kind: 'http', auth: 'oAuth2', graphUrl, batching }),
		},
		...(Object.keys(BULK_INPUTS) as BulkInput[]).map((input) => ({
			id: BULK_WORKFLOWS[input],
			path: `bench/bulk-node-${input.toLowerCase()}`,
			spec: (_graphUrl: string, bulk: BulkTarget) => ({ kind: 'bulkNode' as const, bulk, input }),
		})),
		{
			id: BULK_ONLY_CHANGED_WORKFLOW,
			path: 'bench/bulk-node-only-changed',
			spec: (_graphUrl, bulk) => ({
				kind: 'bulkNode',
				bulk,
				input: BULK_ONLY_CHANGED_INPUT,
				uploadOptions: { onlyChanged: true },
			}),
		},
		{
			id: 'benchBulkHttp',
			path: 'bench/bulk-http',
			spec: (graphUrl, bulk) => ({ kind: 'bulkHttp', graphUrl, bulk }),
		},
		{
			id: 'benchBulkHttpPaced',
			path: 'bench/bulk-http-paced',
			spec: (graphUrl, bulk) => ({
				kind: 'bulkHttp',
				graphUrl,
				bulk,
				batching: BULK_PACED_BATCHING,
			}),
		},
	];
}

export function benchWorkflows(
	settings: BenchSettings,
	graphUrl: string,
	bulk: BulkTarget,
): WorkflowJson[] {
	return workflowEntries(settings).map((entry) =>
		benchWorkflow(entry.id, `Benchmark: ${entry.id}`, entry.path, entry.spec(graphUrl, bulk)),
	);
}

function workflow(settings: BenchSettings, id: string): { id: string; webhookPath: string } {
	const found = workflowEntries(settings).find((candidate) => candidate.id === id);
	if (!found) throw new Error(`no benchmark workflow ${id}`);
	return { id: found.id, webhookPath: found.path };
}

export interface RunContext {
	settings: BenchSettings;
	environment: BenchEnvironment;
	log: (message: string) => void;
}

/** The tools of the token scenarios: the workflow each runs, and how it is set up. */
const TOOLS: Record<
	Exclude<ToolId, 'httpTuned'>,
	{ workflowId: string; configuration: string; asFields?: boolean }
> = {
	node: { workflowId: 'benchNode', configuration: 'defaults, Target and Secrets as expressions' },
	nodeFields: {
		workflowId: 'benchNodeFields',
		configuration: 'defaults, Input: Item Fields (no expression)',
		asFields: true,
	},
	expressions: {
		workflowId: 'benchExpressions',
		configuration: 'Edit Fields evaluating the same three expressions, no Graph call',
	},
	httpOAuth2: {
		workflowId: 'benchHttpOAuth2',
		configuration: 'default settings, generic OAuth2 credential (client credentials)',
	},
	httpHeader: {
		workflowId: 'benchHttpHeader',
		configuration: 'default settings, header credential with a bearer token',
	},
};

function setLatency(context: RunContext, latencyMs: number): void {
	const { settings, environment } = context;
	environment.emulator.setLatency({
		graph: latencyMs,
		token: settings.tokenLatencyMs,
		jitter: settings.jitter,
	});
}

function describeRun(m: Measurement): string {
	const r = m.result;
	const parts = [
		`${m.tool} ${m.kind} at ${m.latencyMs} ms${m.seed !== undefined ? ` (seed ${m.seed})` : ''}${m.executions ? ` (${m.executions} executions)` : ''}`,
		`${r.items} items in ${(r.wallMs / 1000).toFixed(2)} s`,
		`${r.graph.tokenRequests} token calls`,
		`${r.graph.acquireCalls} Graph calls (${r.graph.throttled} answered 429)`,
		`${r.items - r.graph.applied} not applied`,
		r.status,
	];
	return parts.join(', ');
}

interface RunSpec {
	tool: ToolId;
	kind: RunKind;
	workflowId: string;
	items: number;
	latencyMs: number;
	configuration: string;
	baseline?: RunResult;
	seed?: number;
	concurrency?: number;
	/** The scenario's floor, from what the run saw */
	floor?: (result: RunResult) => Floor;
	options?: RunOptions;
}

/** One measured run, with a fault of random 429s while it runs when it is a throttled one. */
async function measured(
	context: RunContext,
	instance: BenchN8n,
	run: RunSpec,
): Promise<Measurement> {
	const { settings, environment } = context;
	const items = makeItems(
		run.items,
		environment.targets,
		`${run.kind}-${run.workflowId}-${run.latencyMs}-${Date.now().toString(36)}`,
	);
	const fault =
		run.kind === 'throttled'
			? environment.emulator.injectFault({
					listener: 'graph',
					method: 'POST',
					path: /\/synchronization\/acquireAccessToken$/,
					status: 429,
					headers: { 'Retry-After': String(settings.retryAfterSeconds) },
					probability: settings.throttleShare,
					seed: run.seed,
				})
			: undefined;
	let result: RunResult;
	try {
		result = await runWorkflow(
			instance,
			environment,
			workflow(settings, run.workflowId),
			items,
			run.options,
		);
	} finally {
		fault?.remove();
	}
	const m: Measurement = {
		kind: run.kind,
		tool: run.tool,
		latencyMs: run.latencyMs,
		result,
		baseline: run.baseline,
		floor: run.floor?.(result),
		seed: run.seed,
		concurrency: run.concurrency,
		configuration: run.configuration,
	};
	context.log(describeRun(m));
	return m;
}

/** A run of the same items through Webhook → Split Out → No Operation: n8n's own cost of the fan-out. */
async function baselineRun(
	context: RunContext,
	instance: BenchN8n,
	items: number,
	options: RunOptions = {},
): Promise<RunResult> {
	const { settings, environment } = context;
	return await runWorkflow(
		instance,
		environment,
		workflow(settings, 'benchBaseline'),
		makeItems(items, environment.targets, `baseline-${items}-${Date.now()}`),
		options,
	);
}

/** One small run that fetches the token, so that the measured runs after it find it warm. */
async function warmUp(context: RunContext, instance: BenchN8n, workflowId: string): Promise<void> {
	const { settings, environment } = context;
	await runWorkflow(
		instance,
		environment,
		workflow(settings, workflowId),
		makeItems(1, environment.targets, `warm-up-${workflowId}-${Date.now()}`),
	);
}

const GUARD = path.join(__dirname, '..', 'n8n', 'loopback-guard.cjs');
const GC_PROBE = path.join(__dirname, 'gc-probe.cjs');

/** n8n with the GC probe loaded: a full collection on every signal, and every `everyMs` besides. */
function withGcProbe(gcLog: string, everyMs: number): Record<string, string> {
	return {
		NODE_OPTIONS: `--require "${GUARD}" --require "${GC_PROBE}"`,
		BENCH_GC_LOG: gcLog,
		BENCH_GC_EVERY_MS: String(everyMs),
	};
}

const perRequest = `${BULK_UPLOAD_LIMITS.recordsPerRequest} employees per request, paced to ${BULK_UPLOAD_LIMITS.requestsPerWindow} requests per ${BULK_UPLOAD_LIMITS.windowMs / 1000} s`;

/**
 * One bulk upload of `employees`, with what the job received and the documented-limit floor of the requests needed
 * for those that should reach Graph (`expected`: all of them, unless only what changed is sent).
 */
async function bulkRun(
	context: RunContext,
	instance: BenchN8n,
	run: {
		tool: ToolId;
		kind: BulkRunKind;
		input?: BulkInput;
		workflowId: string;
		recordsPerRequest: number;
		configuration: string;
		employees: BenchEmployee[];
		expected?: BenchEmployee[];
		changed?: number;
		baseline?: ExecutionResult;
		options?: RunOptions;
	},
): Promise<BulkMeasurement> {
	const { settings, environment } = context;
	const { emulator, bulk } = environment;
	// the previous run's requests must have left Graph's 5-second window, or they would count against this one
	await sleep(BULK_UPLOAD_LIMITS.windowMs);
	const { employees } = run;
	const expected = run.expected ?? employees;
	const before = bulkUploadsOf(emulator, bulk).length;
	const result = await runExecution(
		instance,
		environment,
		workflow(settings, run.workflowId),
		run.input === 'mapAutomatically' ? employees.map(scimNamedEmployee) : employees,
		run.options,
	);
	const side = bulkSide(emulator, bulk, expected, before, result.startedAtMs);
	const needed = Math.ceil(expected.length / run.recordsPerRequest);
	const latency = { graphMs: settings.graphLatencyMs, tokenMs: settings.tokenLatencyMs };
	const floor = rateLimitFloor(
		needed,
		BULK_UPLOAD_LIMITS.requestsPerWindow,
		BULK_UPLOAD_LIMITS.windowMs,
		latency,
		side.tokenRequests > 0,
	);
	const statuses = Object.entries(result.statuses ?? {})
		.map(([status, count]) => `${count} ${status}`)
		.join(', ');
	context.log(
		`${run.tool}${run.input ? ` (${BULK_INPUTS[run.input].label})` : ''} bulk ${run.kind}: ${employees.length} employees in ${(result.wallMs / 1000).toFixed(1)} s (first request after ${(side.firstRequestMs / 1000).toFixed(1)} s), ${side.requests} bulkUpload requests (${side.throttled} answered 429), ${side.recordsReceived} of ${expected.length} received${statuses ? `; output ${statuses}` : ''}, ${result.status}`,
	);
	return {
		tool: run.tool,
		kind: run.kind,
		...(run.input ? { input: run.input } : {}),
		...(run.changed !== undefined ? { changed: run.changed } : {}),
		...(run.baseline ? { baseline: run.baseline } : {}),
		configuration: run.configuration,
		latencyMs: settings.graphLatencyMs,
		recordsPerRequest: run.recordsPerRequest,
		result,
		bulk: side,
		floor,
		dailyQuota: BULK_UPLOAD_LIMITS.dailyQuota.governance,
	};
}

/** The size of the workflow's static data as n8n stored it (what Only What Changed keeps between executions). */
async function staticDataBytes(
	instance: BenchN8n,
	workflowId: string,
): Promise<number | undefined> {
	try {
		const stored = await instance.rest.request<{ staticData?: unknown }>(
			'GET',
			`/workflows/${workflowId}`,
		);
		return stored.staticData ? JSON.stringify(stored.staticData).length : 0;
	} catch {
		return undefined;
	}
}

/** The employees again, every `1 / share`-th with a new job title: an HR export of the next day. */
function withSomeChanged(
	employees: BenchEmployee[],
	share: number,
): { employees: BenchEmployee[]; changed: BenchEmployee[] } {
	const every = Math.max(1, Math.round(1 / share));
	const next = employees.map((employee, index) =>
		index % every === 0 ? { ...employee, jobTitle: `${employee.jobTitle} (promoted)` } : employee,
	);
	return { employees: next, changed: next.filter((_, index) => index % every === 0) };
}

export interface Scenario extends ScenarioResults {
	/** What --only names it by */
	name: string;
	description: (settings: BenchSettings) => string;
	/** Runs in a full benchmark when this says so; otherwise only when --only names it */
	included: (settings: BenchSettings) => boolean;
	run: (context: RunContext) => Promise<Partial<BenchResults>>;
}

const plural = (value: number, noun: string) => `${value} ${noun}${value === 1 ? '' : 's'}`;
const bucketOf = (settings: BenchSettings) => ({
	burst: settings.bucketBurst,
	perSecond: settings.bucketRate,
});
const bucketText = (settings: BenchSettings) =>
	`a token bucket of ${settings.bucketBurst} calls refilled at ${settings.bucketRate} a second`;

export const SCENARIOS: Scenario[] = [
	{
		name: 'sweep',
		measurement: (m) => (m.kind === 'cold' || m.kind === 'warm') && m.tool !== 'httpTuned',
		description: (s) =>
			`${s.items} items at Graph latencies ${s.latencies.join(', ')} ms: this node (expressions, item fields), Edit Fields, HTTP Request (OAuth2, header auth), ${plural(s.warmRuns, 'warm run')} each`,
		included: () => true,
		run: async (ctx) => {
			const { settings } = ctx;
			const N = settings.items;
			const gcLog = path.join(ctx.environment.folder, 'sweep-gc.jsonl');
			const measurements = await withFreshN8n(
				ctx.environment,
				'sweep',
				async (instance) => {
					const out: Measurement[] = [];
					// every run starts on a collected heap: no tool pays for the garbage of the one before it
					const options: RunOptions = { collectFirst: true };
					const first = settings.latencies[0];
					setLatency(ctx, first);
					for (const tool of ['node', 'httpOAuth2'] as const) {
						out.push(
							await measured(ctx, instance, {
								...TOOLS[tool],
								tool,
								kind: 'cold',
								items: N,
								latencyMs: first,
								options,
							}),
						);
					}
					// after the first runs, so that n8n's own code is as warm in the baseline as in the runs it is set against
					const baseline = await baselineRun(ctx, instance, N, options);
					for (const latencyMs of settings.latencies) {
						setLatency(ctx, latencyMs);
						// runs of the tools take turns, so that the machine's load varies alike for all of them
						for (let round = 0; round < settings.warmRuns; round++) {
							for (const tool of [
								'node',
								'nodeFields',
								'expressions',
								'httpOAuth2',
								'httpHeader',
							] as const) {
								const { workflowId, configuration, asFields } = TOOLS[tool];
								out.push(
									await measured(ctx, instance, {
										tool,
										kind: 'warm',
										workflowId,
										configuration,
										items: N,
										latencyMs,
										baseline,
										options: { ...options, asFields },
									}),
								);
							}
						}
					}
					return out;
				},
				// collections on signal only
				withGcProbe(gcLog, 24 * 3600_000),
			);
			return { measurements };
		},
	},
	{
		name: 'throttled',
		measurement: (m) => m.kind === 'throttled',
		description: (s) =>
			`${s.items} items at ${s.graphLatencyMs} ms, ${Math.round(s.throttleShare * 100)} % answered 429 (Retry-After ${s.retryAfterSeconds} s): this node over ${plural(s.throttleRuns, 'seed')}, HTTP Request once`,
		included: (s) => s.throttleRuns > 0,
		run: async (ctx) => {
			const { settings } = ctx;
			const latencyMs = settings.graphLatencyMs;
			const floor = (result: RunResult) =>
				retryAfterFloor(
					result.graph.throttlesPerItem,
					settings.retryAfterSeconds * 1000,
					latencyMs,
				);
			const measurements = await withFreshN8n(ctx.environment, 'throttled', async (instance) => {
				setLatency(ctx, latencyMs);
				await warmUp(ctx, instance, 'benchNode');
				await warmUp(ctx, instance, 'benchHttpOAuth2');
				const out: Measurement[] = [];
				for (let run = 0; run < settings.throttleRuns; run++) {
					out.push(
						await measured(ctx, instance, {
							...TOOLS.node,
							tool: 'node',
							kind: 'throttled',
							items: settings.items,
							latencyMs,
							seed: settings.seed + run,
							floor,
						}),
					);
				}
				// it does not wait for Retry-After: no floor to set it against
				out.push(
					await measured(ctx, instance, {
						...TOOLS.httpOAuth2,
						tool: 'httpOAuth2',
						kind: 'throttled',
						items: settings.items,
						latencyMs,
						seed: settings.seed,
					}),
				);
				return out;
			});
			return { measurements };
		},
	},
	{
		name: 'bucket',
		measurement: (m) => m.kind === 'bucket',
		description: (s) =>
			`${s.items} items in one execution at ${s.graphLatencyMs} ms against ${bucketText(s)}: this node, HTTP Request`,
		included: () => true,
		run: async (ctx) => {
			const { settings, environment } = ctx;
			const latencyMs = settings.graphLatencyMs;
			const floor = () =>
				bucketFloor(settings.items, settings.bucketBurst, settings.bucketRate, latencyMs);
			const measurements = await withFreshN8n(environment, 'bucket', async (instance) => {
				setLatency(ctx, latencyMs);
				await warmUp(ctx, instance, 'benchNode');
				const out: Measurement[] = [];
				try {
					for (const tool of ['node', 'httpHeader'] as const) {
						// a full bucket for each tool
						environment.emulator.setGraphCapacity({ bucket: bucketOf(settings) });
						out.push(
							await measured(ctx, instance, {
								...TOOLS[tool],
								tool,
								kind: 'bucket',
								items: settings.items,
								latencyMs,
								floor,
							}),
						);
					}
				} finally {
					environment.emulator.setGraphCapacity(undefined);
				}
				return out;
			});
			return { measurements };
		},
	},
	{
		name: 'concurrent',
		measurement: (m) => m.kind === 'concurrent',
		description: (s) =>
			`${s.executions} executions of ${s.executionItems} items at once on one credential, at ${s.graphLatencyMs} ms against ${bucketText(s)}`,
		included: (s) => s.executions > 0,
		run: async (ctx) => {
			const { settings, environment } = ctx;
			const latencyMs = settings.graphLatencyMs;
			const measurements = await withFreshN8n(environment, 'concurrent', async (instance) => {
				setLatency(ctx, latencyMs);
				await warmUp(ctx, instance, 'benchNodeConcurrent');
				const batches = Array.from({ length: settings.executions }, (_, index) =>
					makeItems(
						settings.executionItems,
						environment.targets,
						`concurrent-${index}-${Date.now().toString(36)}`,
					),
				);
				environment.emulator.setGraphCapacity({ bucket: bucketOf(settings) });
				let run: Awaited<ReturnType<typeof runConcurrently>>;
				try {
					run = await runConcurrently(
						instance,
						environment,
						workflow(settings, 'benchNodeConcurrent'),
						batches,
					);
				} finally {
					environment.emulator.setGraphCapacity(undefined);
				}
				const m: Measurement = {
					kind: 'concurrent',
					tool: 'node',
					latencyMs,
					result: run.result,
					floor: bucketFloor(
						run.result.items,
						settings.bucketBurst,
						settings.bucketRate,
						latencyMs,
					),
					executions: settings.executions,
					configuration: `${settings.executions} webhook calls at once, ${settings.executionItems} items each, one credential`,
				};
				ctx.log(describeRun(m));
				return [m];
			});
			return { measurements };
		},
	},
	{
		name: 'items-in-flight',
		measurement: (m) => m.kind === 'itemsInFlight',
		description: (s) =>
			`this node with Items in Flight ${s.sweep.join(', ')} at ${s.graphLatencyMs} ms`,
		included: (s) => s.sweep.length > 0,
		run: async (ctx) => {
			const { settings } = ctx;
			const latencyMs = settings.graphLatencyMs;
			const measurements = await withFreshN8n(
				ctx.environment,
				'items-in-flight',
				async (instance) => {
					setLatency(ctx, latencyMs);
					await warmUp(ctx, instance, 'benchNode');
					const out: Measurement[] = [];
					for (const limit of settings.sweep) {
						const floor = () =>
							callsFloor(
								settings.items,
								{ kind: 'inFlight', limit },
								{ graphMs: latencyMs, tokenMs: settings.tokenLatencyMs },
								false,
							);
						out.push(
							await measured(ctx, instance, {
								tool: 'node',
								kind: 'itemsInFlight',
								workflowId: `benchNodeC${limit}`,
								items: settings.items,
								latencyMs,
								concurrency: limit,
								configuration: `Items in Flight ${limit}`,
								floor,
							}),
						);
					}
					return out;
				},
			);
			return { measurements };
		},
	},
	{
		name: 'memory',
		measurement: (m) => m.kind === 'memory',
		description: (s) =>
			`this node with ${[...new Set([s.memoryItems, s.items])].map((size) => size.toLocaleString('en-US')).join(' and ')} items at ${s.graphLatencyMs} ms in one fresh n8n, heap in use after full collections, ${MEMORY_REPEATS} runs of each`,
		included: (s) => s.memoryItems > 0,
		run: async (ctx) => {
			const { settings } = ctx;
			const latencyMs = settings.graphLatencyMs;
			// the larger run first: it is the one that fetches the token
			const sizes = [...new Set([settings.memoryItems, settings.items])].sort((a, b) => b - a);
			const gcLog = path.join(ctx.environment.folder, 'memory-gc.jsonl');
			const measurements = await withFreshN8n(
				ctx.environment,
				'memory',
				async (instance) => {
					setLatency(ctx, latencyMs);
					const out: Measurement[] = [];
					for (let repeat = 0; repeat < MEMORY_REPEATS; repeat++)
						for (const size of sizes) {
							const baseline = await baselineRun(ctx, instance, size, { gcLog });
							out.push(
								await measured(ctx, instance, {
									...TOOLS.node,
									tool: 'node',
									kind: 'memory',
									items: size,
									latencyMs,
									baseline,
									options: { gcLog },
								}),
							);
						}
					return out;
				},
				withGcProbe(gcLog, MEMORY_GC_EVERY_MS),
			);
			return { measurements };
		},
	},
	{
		name: 'bulk',
		bulk: (m) => bulkKind(m) === 'upload',
		description: (s) =>
			`${s.bulkItems.toLocaleString('en-US')} new employees to an API-driven provisioning job under Graph's documented bulkUpload limits: this node mapping them with ${Object.values(
				BULK_INPUTS,
			)
				.map((input) => input.label)
				.join(
					', ',
				)}, then HTTP Request with one request per employee (paced at the limit too when that takes under ${BULK_PACED_RUN_LIMIT_MS / 60_000} minutes)`,
		included: (s) => s.bulkItems > 0,
		run: async (ctx) => {
			const { settings } = ctx;
			const bulk = await withFreshN8n(ctx.environment, 'bulk', async (instance) => {
				setLatency(ctx, settings.graphLatencyMs);
				// Microsoft Entra ID Governance's quota, the larger of the two Microsoft documents
				ctx.environment.emulator.setBulkUploadDailyLimit(BULK_UPLOAD_LIMITS.dailyQuota.governance);
				const out: BulkMeasurement[] = [];
				for (const input of Object.keys(BULK_INPUTS) as BulkInput[]) {
					out.push(
						await bulkRun(ctx, instance, {
							tool: 'node',
							kind: 'upload',
							input,
							workflowId: BULK_WORKFLOWS[input],
							recordsPerRequest: BULK_UPLOAD_LIMITS.recordsPerRequest,
							configuration: `${BULK_INPUTS[input].configuration}; defaults: ${perRequest}`,
							employees: makeEmployees(settings.bulkItems, `${input}-${Date.now().toString(36)}`),
						}),
					);
				}
				out.push(
					await bulkRun(ctx, instance, {
						tool: 'httpOAuth2',
						kind: 'upload',
						workflowId: 'benchBulkHttp',
						recordsPerRequest: 1,
						configuration: 'default settings, one bulkUpload request per employee',
						employees: makeEmployees(settings.bulkItems, `http-${Date.now().toString(36)}`),
					}),
				);
				if (bulkPacedFloor(settings).ms <= BULK_PACED_RUN_LIMIT_MS) {
					out.push(
						await bulkRun(ctx, instance, {
							tool: 'httpTuned',
							kind: 'upload',
							workflowId: 'benchBulkHttpPaced',
							recordsPerRequest: 1,
							configuration: `Items per Batch ${BULK_PACED_BATCHING.batchSize}, Batch Interval ${BULK_PACED_BATCHING.batchInterval} ms, one request per employee`,
							employees: makeEmployees(settings.bulkItems, `paced-${Date.now().toString(36)}`),
						}),
					);
				}
				return out;
			});
			return { bulk };
		},
	},
	{
		name: 'bulk-changes',
		bulk: (m) => ['fingerprinted', 'unchanged', 'changed'].includes(bulkKind(m)),
		description: (s) =>
			`Upload Users with Only What Changed (${BULK_INPUTS[BULK_ONLY_CHANGED_INPUT].label}): ${s.bulkItems.toLocaleString('en-US')} new employees, the same again unchanged, then again with ${BULK_CHANGED_SHARE * 100} % changed; published workflow called at its production webhook, so n8n keeps the static data between the executions`,
		included: (s) => s.bulkItems > 0,
		run: async (ctx) => {
			const { settings } = ctx;
			const bulk = await withFreshN8n(ctx.environment, 'bulk-changes', async (instance) => {
				setLatency(ctx, settings.graphLatencyMs);
				ctx.environment.emulator.setBulkUploadDailyLimit(BULK_UPLOAD_LIMITS.dailyQuota.governance);
				const common = {
					tool: 'node' as const,
					input: BULK_ONLY_CHANGED_INPUT,
					workflowId: BULK_ONLY_CHANGED_WORKFLOW,
					recordsPerRequest: BULK_UPLOAD_LIMITS.recordsPerRequest,
				};
				const configuration = `${BULK_INPUTS[BULK_ONLY_CHANGED_INPUT].configuration}; Upload Options › Only What Changed; ${perRequest}`;
				const first = makeEmployees(settings.bulkItems, `changes-${Date.now().toString(36)}`);
				const next = withSomeChanged(first, BULK_CHANGED_SHARE);
				const runs: BulkMeasurement[] = [];
				const withStaticData = async (m: BulkMeasurement) => {
					const bytes = await staticDataBytes(instance, BULK_ONLY_CHANGED_WORKFLOW);
					runs.push(bytes === undefined ? m : { ...m, staticDataBytes: bytes });
				};
				await withStaticData(
					await bulkRun(ctx, instance, {
						...common,
						kind: 'fingerprinted',
						configuration: `${configuration}; every employee new`,
						employees: first,
					}),
				);
				await withStaticData(
					await bulkRun(ctx, instance, {
						...common,
						kind: 'unchanged',
						configuration: `${configuration}; the same employees again`,
						employees: first,
						expected: [],
						changed: 0,
					}),
				);
				await withStaticData(
					await bulkRun(ctx, instance, {
						...common,
						kind: 'changed',
						configuration: `${configuration}; the same employees, ${next.changed.length} with a new job title`,
						employees: next.employees,
						expected: next.changed,
						changed: next.changed.length,
					}),
				);
				return runs;
			});
			return { bulk };
		},
	},
	{
		name: 'bulk-memory',
		bulk: (m) => bulkKind(m) === 'memory',
		description: (s) =>
			`Upload Users (${BULK_INPUTS[BULK_MEMORY_INPUT].label}) with ${[...new Set([s.bulkItems, s.items])].map((size) => size.toLocaleString('en-US')).join(' and ')} new employees at ${s.graphLatencyMs} ms in one fresh n8n, heap in use after full collections, against the same employees through the fan-out alone`,
		included: (s) => s.bulkItems > 0 && s.memoryItems > 0,
		run: async (ctx) => {
			const { settings } = ctx;
			// the larger run first: it is the one that fetches the token
			const sizes = [...new Set([settings.bulkItems, settings.items])].sort((a, b) => b - a);
			const gcLog = path.join(ctx.environment.folder, 'bulk-memory-gc.jsonl');
			const bulk = await withFreshN8n(
				ctx.environment,
				'bulk-memory',
				async (instance) => {
					setLatency(ctx, settings.graphLatencyMs);
					ctx.environment.emulator.setBulkUploadDailyLimit(
						BULK_UPLOAD_LIMITS.dailyQuota.governance,
					);
					const out: BulkMeasurement[] = [];
					for (const size of sizes) {
						const label = `memory-${size}-${Date.now().toString(36)}`;
						const baseline = await runExecution(
							instance,
							ctx.environment,
							workflow(settings, 'benchBaseline'),
							makeEmployees(size, `${label}-fan-out`),
							{ gcLog },
						);
						out.push(
							await bulkRun(ctx, instance, {
								tool: 'node',
								kind: 'memory',
								input: BULK_MEMORY_INPUT,
								workflowId: BULK_WORKFLOWS[BULK_MEMORY_INPUT],
								recordsPerRequest: BULK_UPLOAD_LIMITS.recordsPerRequest,
								configuration: `${BULK_INPUTS[BULK_MEMORY_INPUT].configuration}; defaults; a full GC every ${MEMORY_GC_EVERY_MS / 1000} s`,
								employees: makeEmployees(size, label),
								baseline,
								options: { gcLog },
							}),
						);
					}
					return out;
				},
				withGcProbe(gcLog, MEMORY_GC_EVERY_MS),
			);
			return { bulk };
		},
	},
	{
		name: 'profile',
		profile: (p) => p.run === undefined,
		description: (s) =>
			`CPU profiles of n8n at ${s.latencies[0]} ms: where the CPU time of a warm run goes, this node (both inputs), HTTP Request, Edit Fields`,
		included: (s) => s.profile,
		run: async (ctx) => {
			const { settings } = ctx;
			const latencyMs = settings.latencies[0];
			const directory = path.join(ctx.environment.folder, 'cpu-profiles');
			mkdirSync(directory, { recursive: true });
			const windows: Array<{ tool: ToolId; code: ToolCode; from: number; to: number }> = [];
			await withFreshN8n(
				ctx.environment,
				'profile',
				async (instance) => {
					setLatency(ctx, latencyMs);
					await baselineRun(ctx, instance, settings.items);
					for (const [tool, code] of [
						['node', 'package'],
						['nodeFields', 'package'],
						['httpHeader', 'httpRequestNode'],
						['expressions', 'setNode'],
					] as const) {
						const { workflowId, asFields } = TOOLS[tool];
						const target = workflow(settings, workflowId);
						// the first run warms up (token, code paths); the second is the one measured
						await runWorkflow(
							instance,
							ctx.environment,
							target,
							makeItems(settings.items, ctx.environment.targets, `profile-${tool}-warm-up`),
							{ asFields },
						);
						const from = monotonicMicros();
						await runWorkflow(
							instance,
							ctx.environment,
							target,
							makeItems(settings.items, ctx.environment.targets, `profile-${tool}`),
							{ asFields },
						);
						windows.push({ tool, code, from, to: monotonicMicros() });
					}
				},
				{ NODE_OPTIONS: `--require "${GUARD}" --cpu-prof --cpu-prof-dir="${directory}"` },
			);
			const profile = readMainProfile(directory);
			const profiles: ProfileSplit[] = windows.map((window) => ({
				tool: window.tool,
				items: settings.items,
				latencyMs,
				split: splitCpu(profile, window.from, window.to, window.code),
			}));
			return { profiles };
		},
	},
	{
		name: 'bulk-profile',
		profile: (p) => p.run !== undefined,
		description: (s) =>
			`CPU profiles of n8n uploading ${s.bulkItems.toLocaleString('en-US')} new employees at ${s.graphLatencyMs} ms, mapped with ${Object.values(
				BULK_INPUTS,
			)
				.map((input) => input.label)
				.join(', ')}: where the CPU time per employee goes`,
		// profiling slows n8n down: only when asked for
		included: (s) => s.profile && s.bulkItems > 0,
		run: async (ctx) => {
			const { settings } = ctx;
			const directory = path.join(ctx.environment.folder, 'bulk-cpu-profiles');
			mkdirSync(directory, { recursive: true });
			const windows: Array<{ input: BulkInput; items: number; from: number; to: number }> = [];
			await withFreshN8n(
				ctx.environment,
				'bulk-profile',
				async (instance) => {
					setLatency(ctx, settings.graphLatencyMs);
					ctx.environment.emulator.setBulkUploadDailyLimit(
						BULK_UPLOAD_LIMITS.dailyQuota.governance,
					);
					for (const input of Object.keys(BULK_INPUTS) as BulkInput[]) {
						// the time bulkRun waits for Graph's window to pass is idle: the profile counts no idle time
						const from = monotonicMicros();
						const m = await bulkRun(ctx, instance, {
							tool: 'node',
							kind: 'upload',
							input,
							workflowId: BULK_WORKFLOWS[input],
							recordsPerRequest: BULK_UPLOAD_LIMITS.recordsPerRequest,
							configuration: BULK_INPUTS[input].configuration,
							employees: makeEmployees(
								settings.bulkItems,
								`profile-${input}-${Date.now().toString(36)}`,
							),
						});
						windows.push({ input, items: m.result.items, from, to: monotonicMicros() });
					}
				},
				{ NODE_OPTIONS: `--require "${GUARD}" --cpu-prof --cpu-prof-dir="${directory}"` },
			);
			const profile = readMainProfile(directory);
			const profiles: ProfileSplit[] = windows.map((window) => ({
				tool: 'node',
				run: `Bulk upload, ${BULK_INPUTS[window.input].label}`,
				items: window.items,
				latencyMs: settings.graphLatencyMs,
				split: splitCpu(profile, window.from, window.to, 'package'),
			}));
			return { profiles };
		},
	},
	{
		name: 'http-batching',
		measurement: (m) => m.tool === 'httpTuned',
		description: (s) =>
			`HTTP Request with Batching (${s.httpBatchSize} items every ${s.httpBatchIntervalMs} ms) at ${s.graphLatencyMs} ms: cold and warm token`,
		// slow and no better than its defaults: only when asked for
		included: () => false,
		run: async (ctx) => {
			const { settings } = ctx;
			const latencyMs = settings.graphLatencyMs;
			const configuration = `Items per Batch ${settings.httpBatchSize}, Batch Interval ${settings.httpBatchIntervalMs} ms`;
			const measurements = await withFreshN8n(
				ctx.environment,
				'http-batching',
				async (instance) => {
					setLatency(ctx, latencyMs);
					const out: Measurement[] = [];
					for (const kind of ['cold', 'warm'] as const) {
						out.push(
							await measured(ctx, instance, {
								tool: 'httpTuned',
								kind,
								workflowId: 'benchHttpTuned',
								items: settings.items,
								latencyMs,
								configuration,
							}),
						);
					}
					return out;
				},
			);
			return { measurements };
		},
	},
];

/** The scenarios this run has: those --only names, or every one a full run includes. */
export function selectedScenarios(settings: BenchSettings): Scenario[] {
	if (settings.only.length === 0)
		return SCENARIOS.filter((scenario) => scenario.included(settings));
	const unknown = settings.only.filter(
		(name) => !SCENARIOS.some((scenario) => scenario.name === name),
	);
	if (unknown.length)
		throw new Error(
			`no scenario ${unknown.join(', ')}; there are ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`,
		);
	return SCENARIOS.filter((scenario) => settings.only.includes(scenario.name));
}

/** Runs the selected scenarios in turn; `done` gets the results so far after each, so an interrupted run keeps them. */
export async function runScenarios(
	context: RunContext,
	done: (results: BenchResults) => void = () => {},
): Promise<BenchResults> {
	const results: BenchResults = { measurements: [], profiles: [], bulk: [] };
	for (const scenario of selectedScenarios(context.settings)) {
		context.log(`— ${scenario.name}: ${scenario.description(context.settings)}`);
		const started = Date.now();
		const out = await scenario.run(context);
		results.measurements.push(...(out.measurements ?? []));
		results.profiles.push(...(out.profiles ?? []));
		results.bulk.push(...(out.bulk ?? []));
		context.log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
		done(results);
	}
	return results;
}

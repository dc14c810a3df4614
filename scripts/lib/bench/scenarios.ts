/**
 * What the benchmark runs. Each group is one fresh n8n process (so its first run finds no token anywhere and its
 * memory figures are its own); a group first runs the baseline workflow (the same items, no tool) and then the
 * tool's runs in order. The bulk-upload group needs no baseline: it counts Graph's requests and records, not CPU per
 * item. Adding a scenario is adding a workflow and a step to a group.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { DEFAULT_CONCURRENCY, DEFAULT_RETRY_LIMIT } from '../../../nodes/MicrosoftEntraProvisioning/descriptions/requestOptions';

import type { WorkflowJson } from '../demo-tenant';
import { PROJECT_ROOT } from '../../n8n-runtime';
import { BULK_UPLOAD_LIMITS, callsFloor, rateLimitFloor, throttledFloors, type Floor, type Pacing, type ThrottledFloors } from './floors';
import {
	bulkSide,
	bulkUploadsOf,
	makeEmployees,
	makeItems,
	runExecution,
	runWorkflow,
	withFreshN8n,
	type BenchEnvironment,
	type BenchN8n,
	type BulkSide,
	type ExecutionResult,
	type RunResult,
} from './harness';
import type { BenchSettings } from './options';
import { CPU_CATEGORIES, monotonicMicros, readMainProfile, splitCpu, type CpuSplit, type ToolCode } from './profile';
import { benchWorkflow, scimNamedEmployee, type BenchEmployee, type BulkTarget, type ToolSpec } from './workflows';

/** The node's defaults, so the report states what users get. */
export function nodeDefaults(): { concurrency: number; retryLimit: number } {
	return { concurrency: DEFAULT_CONCURRENCY, retryLimit: DEFAULT_RETRY_LIMIT };
}

export type ToolId = 'node' | 'httpDefault' | 'httpTuned' | 'expressions';

export type RunKind = 'cold' | 'warm' | 'sweep' | 'throttled' | 'memory';

export interface Measurement {
	group: string;
	tool: ToolId;
	kind: RunKind;
	/** Items in Flight of this node's run (sweep, defaults) */
	concurrency?: number;
	result: RunResult;
	/** The same items through the baseline workflow in the same process */
	baseline: RunResult;
	floor: Floor;
	throttled?: ThrottledFloors;
	/** What the HTTP Request node was configured with */
	configuration: string;
}

export interface ProfileSplit {
	tool: ToolId;
	items: number;
	split: CpuSplit;
}

/** One bulk upload of employees to an API-driven inbound provisioning job. */
export interface BulkMeasurement {
	tool: ToolId;
	configuration: string;
	/** Employees per bulkUpload request in the tool's way of packing them */
	recordsPerRequest: number;
	result: ExecutionResult;
	bulk: BulkSide;
	/** The documented-limit floor of the requests that packing needs for every employee */
	floor: Floor;
	/** The tenant's bulkUpload quota per 24 hours the emulator enforced */
	dailyQuota: number;
}

export interface BenchResults {
	measurements: Measurement[];
	profiles: ProfileSplit[];
	bulk: BulkMeasurement[];
}

interface WorkflowEntry {
	id: string;
	path: string;
	spec: (graphUrl: string, bulk: BulkTarget) => ToolSpec;
}

export function workflowEntries(settings: BenchSettings, defaults: { concurrency: number }): WorkflowEntry[] {
	const batching = { batchSize: settings.httpBatchSize, batchInterval: settings.httpBatchIntervalMs };
	return [
		{ id: 'benchBaseline', path: 'bench/baseline', spec: () => ({ kind: 'baseline' }) },
		{ id: 'benchExpressions', path: 'bench/expressions', spec: () => ({ kind: 'expressions' }) },
		{ id: 'benchNode', path: 'bench/node', spec: () => ({ kind: 'node' }) },
		...settings.sweep
			.filter((limit) => limit !== defaults.concurrency)
			.map((limit) => ({ id: `benchNodeC${limit}`, path: `bench/node-c${limit}`, spec: () => ({ kind: 'node' as const, options: { concurrency: limit } }) })),
		{ id: 'benchHttpDefault', path: 'bench/http-default', spec: (graphUrl) => ({ kind: 'http', graphUrl }) },
		{ id: 'benchHttpTuned', path: 'bench/http-tuned', spec: (graphUrl) => ({ kind: 'http', graphUrl, batching }) },
		{
			id: 'benchHttpTunedRetry',
			path: 'bench/http-tuned-retry',
			spec: (graphUrl) => ({ kind: 'http', graphUrl, batching, retryOnFail: { maxTries: 3, waitBetweenTries: 1000 } }),
		},
		...(settings.bulkItems > 0
			? [
					{ id: 'benchBulkNode', path: 'bench/bulk-node', spec: (_graphUrl: string, bulk: BulkTarget) => ({ kind: 'bulkNode' as const, bulk }) },
					{
						id: 'benchBulkNodeAutoMap',
						path: 'bench/bulk-node-automap',
						spec: (_graphUrl: string, bulk: BulkTarget) => ({ kind: 'bulkNodeAutoMap' as const, bulk }),
					},
					{ id: 'benchBulkHttp', path: 'bench/bulk-http', spec: (graphUrl: string, bulk: BulkTarget) => ({ kind: 'bulkHttp' as const, graphUrl, bulk }) },
					{
						id: 'benchBulkHttpPaced',
						path: 'bench/bulk-http-paced',
						spec: (graphUrl: string, bulk: BulkTarget) => ({ kind: 'bulkHttp' as const, graphUrl, bulk, batching: BULK_PACED_BATCHING }),
					},
				]
			: []),
	];
}

export function benchWorkflows(settings: BenchSettings, defaults: { concurrency: number }, graphUrl: string, bulk: BulkTarget): WorkflowJson[] {
	return workflowEntries(settings, defaults).map((entry) => benchWorkflow(entry.id, `Benchmark: ${entry.id}`, entry.path, entry.spec(graphUrl, bulk)));
}

function entry(settings: BenchSettings, defaults: { concurrency: number }, id: string): { id: string; webhookPath: string } {
	const found = workflowEntries(settings, defaults).find((candidate) => candidate.id === id);
	if (!found) throw new Error(`no benchmark workflow ${id}`);
	return { id: found.id, webhookPath: found.path };
}

export interface RunContext {
	settings: BenchSettings;
	environment: BenchEnvironment;
	defaults: { concurrency: number; retryLimit: number };
	log: (message: string) => void;
}

function nodePacing(limit: number): Pacing {
	return { kind: 'inFlight', limit };
}

function httpPacing(settings: BenchSettings, tuned: boolean, items: number): Pacing {
	return tuned ? { kind: 'batches', size: settings.httpBatchSize, intervalMs: settings.httpBatchIntervalMs } : { kind: 'inFlight', limit: items };
}

function latencyOf(settings: BenchSettings) {
	return { graphMs: settings.graphLatencyMs, tokenMs: settings.tokenLatencyMs };
}

function describeRun(tool: ToolId, kind: RunKind, concurrency: number | undefined, result: RunResult): string {
	const seconds = (result.wallMs / 1000).toFixed(1);
	return `${tool} ${kind}${concurrency ? ` (${concurrency} in flight)` : ''}: ${result.items} items in ${seconds} s, ${result.graph.tokenRequests} token calls, ${result.graph.acquireCalls} Graph calls, ${result.items - result.graph.applied} not applied, ${result.status}`;
}

/** One measured run with its floor. */
async function measured(
	context: RunContext,
	instance: BenchN8n,
	baseline: RunResult,
	run: { group: string; tool: ToolId; kind: RunKind; workflowId: string; items: number; pacing: Pacing; concurrency?: number; configuration: string; gcLog?: string },
): Promise<Measurement> {
	const { settings, environment } = context;
	const throttle = run.kind === 'throttled';
	const items = makeItems(run.items, environment.targets, `${run.group}-${run.kind}-${run.workflowId}-${Date.now()}`);
	const fault = throttle
		? environment.emulator.injectFault({
				listener: 'graph',
				method: 'POST',
				path: /\/synchronization\/acquireAccessToken$/,
				status: 429,
				headers: { 'Retry-After': String(settings.retryAfterSeconds) },
				probability: settings.throttleShare,
				seed: settings.seed,
			})
		: undefined;
	let result: RunResult;
	try {
		result = await runWorkflow(instance, environment, entry(settings, context.defaults, run.workflowId), items, { gcLog: run.gcLog });
	} finally {
		fault?.remove();
	}
	const latency = latencyOf(settings);
	const tokenFetched = result.graph.tokenRequests > 0;
	const floor = callsFloor(run.items, run.pacing, latency, tokenFetched);
	const throttled = throttle
		? throttledFloors(result.graph.acquireCalls, result.graph.throttlesPerItem, settings.retryAfterSeconds * 1000, run.pacing, latency, tokenFetched)
		: undefined;
	context.log(describeRun(run.tool, run.kind, run.concurrency, result));
	return { group: run.group, tool: run.tool, kind: run.kind, concurrency: run.concurrency, result, baseline, floor, throttled, configuration: run.configuration };
}

/** The HTTP Request node's Batching at exactly the documented rate: 40 items (one request each) every 5 seconds. */
const BULK_PACED_BATCHING = { batchSize: BULK_UPLOAD_LIMITS.requestsPerWindow, batchInterval: BULK_UPLOAD_LIMITS.windowMs };

/** Paced at the documented rate, one request per employee is slow (10,000 take over 20 minutes): run only if this short. */
export const BULK_PACED_RUN_LIMIT_MS = 180_000;

/** The least time of one request per employee at the documented rate; the report states it when the run is skipped. */
export function bulkPacedFloor(settings: BenchSettings): Floor {
	return rateLimitFloor(settings.bulkItems, BULK_UPLOAD_LIMITS.requestsPerWindow, BULK_UPLOAD_LIMITS.windowMs, latencyOf(settings), true);
}

/** One bulk upload of `settings.bulkItems` new employees, with what the job received and the documented-limit floor. */
async function bulkRun(
	context: RunContext,
	instance: BenchN8n,
	run: { tool: ToolId; workflowId: string; recordsPerRequest: number; configuration: string; asPosted?: (employee: BenchEmployee) => object },
): Promise<BulkMeasurement> {
	const { settings, environment } = context;
	const { emulator, bulk } = environment;
	// the previous run's requests must have left Graph's 5-second window, or they would count against this one
	await sleep(BULK_UPLOAD_LIMITS.windowMs);
	const employees = makeEmployees(settings.bulkItems, `${run.tool}-${Date.now().toString(36)}`);
	const before = bulkUploadsOf(emulator, bulk).length;
	const result = await runExecution(instance, environment, entry(settings, context.defaults, run.workflowId), run.asPosted ? employees.map(run.asPosted) : employees);
	const side = bulkSide(emulator, bulk, employees, before, result.startedAtMs);
	const needed = Math.ceil(employees.length / run.recordsPerRequest);
	const floor = rateLimitFloor(needed, BULK_UPLOAD_LIMITS.requestsPerWindow, BULK_UPLOAD_LIMITS.windowMs, latencyOf(settings), side.tokenRequests > 0);
	context.log(
		`${run.tool} bulk upload: ${employees.length} employees in ${(result.wallMs / 1000).toFixed(1)} s (first request after ${(side.firstRequestMs / 1000).toFixed(1)} s), ${side.requests} bulkUpload requests (${side.throttled} answered 429), ${side.recordsReceived} received, ${result.status}`,
	);
	return { tool: run.tool, configuration: run.configuration, recordsPerRequest: run.recordsPerRequest, result, bulk: side, floor, dailyQuota: BULK_UPLOAD_LIMITS.dailyQuota.governance };
}

async function baselineRun(context: RunContext, instance: BenchN8n, items: number): Promise<RunResult> {
	const { settings, environment } = context;
	return await runWorkflow(instance, environment, entry(settings, context.defaults, 'benchBaseline'), makeItems(items, environment.targets, `baseline-${Date.now()}`));
}

/** How often the memory runs force a full garbage collection to read the heap still in use (slows them down). */
export const MEMORY_GC_EVERY_MS = 2_000;

type Group = {
	name: string;
	description: string;
	run: (context: RunContext) => Promise<Measurement[] | ProfileSplit[] | BulkMeasurement[]>;
};

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The warm run with the median wall time (the one the report shows). */
export function medianRun(runs: Measurement[]): Measurement | undefined {
	if (runs.length === 0) return undefined;
	const target = median(runs.map((run) => run.result.wallMs));
	return [...runs].sort((a, b) => Math.abs(a.result.wallMs - target) - Math.abs(b.result.wallMs - target))[0];
}

export function groups(context: RunContext): Group[] {
	const { settings, defaults } = context;
	const N = settings.items;
	const nodeConfiguration = `defaults (Items in Flight ${defaults.concurrency}, Retry Limit ${defaults.retryLimit})`;
	const tunedConfiguration = `Items per Batch ${settings.httpBatchSize}, Batch Interval ${settings.httpBatchIntervalMs} ms`;
	const list: Group[] = [
		{
			name: 'node',
			description: 'this node: cold token, warm token, Items in Flight compared, throttling',
			run: async (ctx) =>
				await withFreshN8n(ctx.environment, 'node', async (instance) => {
					const baseline = await baselineRun(ctx, instance, N);
					const out: Measurement[] = [];
					const base = { group: 'node', tool: 'node' as const, workflowId: 'benchNode', items: N, pacing: nodePacing(defaults.concurrency), concurrency: defaults.concurrency, configuration: nodeConfiguration };
					out.push(await measured(ctx, instance, baseline, { ...base, kind: 'cold' }));
					for (let index = 0; index < settings.warmRuns; index++) out.push(await measured(ctx, instance, baseline, { ...base, kind: 'warm' }));
					// n8n alone evaluating the three expressions the node reads per item: less than this no node can take
					out.push(
						await measured(ctx, instance, baseline, {
							...base,
							tool: 'expressions',
							kind: 'warm',
							workflowId: 'benchExpressions',
							concurrency: undefined,
							configuration: 'Edit Fields evaluating the same three expressions, no Graph call',
						}),
					);
					for (const limit of settings.sweep) {
						if (limit === defaults.concurrency) continue;
						out.push(
							await measured(ctx, instance, baseline, {
								...base,
								kind: 'sweep',
								workflowId: `benchNodeC${limit}`,
								pacing: nodePacing(limit),
								concurrency: limit,
								configuration: `Items in Flight ${limit}`,
							}),
						);
					}
					out.push(await measured(ctx, instance, baseline, { ...base, kind: 'throttled' }));
					return out;
				}),
		},
		{
			name: 'http-default',
			description: "HTTP Request node, default settings: cold token, warm token, throttling",
			run: async (ctx) =>
				await withFreshN8n(ctx.environment, 'http-default', async (instance) => {
					const baseline = await baselineRun(ctx, instance, N);
					const out: Measurement[] = [];
					const base = { group: 'http-default', tool: 'httpDefault' as const, workflowId: 'benchHttpDefault', items: N, pacing: httpPacing(settings, false, N), configuration: 'default settings' };
					out.push(await measured(ctx, instance, baseline, { ...base, kind: 'cold' }));
					for (let index = 0; index < Math.min(settings.warmRuns, 2); index++) out.push(await measured(ctx, instance, baseline, { ...base, kind: 'warm' }));
					out.push(await measured(ctx, instance, baseline, { ...base, kind: 'throttled' }));
					return out;
				}),
		},
		{
			name: 'http-tuned',
			description: 'HTTP Request node with batching: cold token, warm token, throttling (with Retry On Fail)',
			run: async (ctx) =>
				await withFreshN8n(ctx.environment, 'http-tuned', async (instance) => {
					const baseline = await baselineRun(ctx, instance, N);
					const out: Measurement[] = [];
					const base = { group: 'http-tuned', tool: 'httpTuned' as const, workflowId: 'benchHttpTuned', items: N, pacing: httpPacing(settings, true, N), configuration: tunedConfiguration };
					out.push(await measured(ctx, instance, baseline, { ...base, kind: 'cold' }));
					if (settings.warmRuns > 0) out.push(await measured(ctx, instance, baseline, { ...base, kind: 'warm' }));
					out.push(
						await measured(ctx, instance, baseline, {
							...base,
							kind: 'throttled',
							workflowId: 'benchHttpTunedRetry',
							configuration: `${tunedConfiguration}, Retry On Fail (3 tries, 1000 ms apart)`,
						}),
					);
					return out;
				}),
		},
	];
	if (settings.bulkItems > 0) {
		list.push({
			name: 'bulk',
			description: `${settings.bulkItems.toLocaleString('en-US')} employees to an API-driven provisioning job under Graph's documented bulkUpload limits: this node, then HTTP Request with one request per employee (paced at the limit too when that takes under ${BULK_PACED_RUN_LIMIT_MS / 60_000} minutes)`,
			run: async (ctx) =>
				await withFreshN8n(ctx.environment, 'bulk', async (instance) => {
					// Microsoft Entra ID Governance's quota, the larger of the two Microsoft documents
					ctx.environment.emulator.setBulkUploadDailyLimit(BULK_UPLOAD_LIMITS.dailyQuota.governance);
					const out = [
						await bulkRun(ctx, instance, {
							tool: 'node',
							workflowId: 'benchBulkNode',
							recordsPerRequest: BULK_UPLOAD_LIMITS.recordsPerRequest,
							configuration: `defaults (Retry Limit ${defaults.retryLimit}): ${BULK_UPLOAD_LIMITS.recordsPerRequest} employees per request, paced to ${BULK_UPLOAD_LIMITS.requestsPerWindow} requests per ${BULK_UPLOAD_LIMITS.windowMs / 1000} s`,
						}),
						await bulkRun(ctx, instance, {
							tool: 'node',
							workflowId: 'benchBulkNodeAutoMap',
							recordsPerRequest: BULK_UPLOAD_LIMITS.recordsPerRequest,
							configuration: `Map Automatically (node version 2, fields named as SCIM attributes), defaults (Retry Limit ${defaults.retryLimit}): ${BULK_UPLOAD_LIMITS.recordsPerRequest} employees per request, paced to ${BULK_UPLOAD_LIMITS.requestsPerWindow} requests per ${BULK_UPLOAD_LIMITS.windowMs / 1000} s`,
							asPosted: scimNamedEmployee,
						}),
						await bulkRun(ctx, instance, {
							tool: 'httpDefault',
							workflowId: 'benchBulkHttp',
							recordsPerRequest: 1,
							configuration: 'default settings, one bulkUpload request per employee',
						}),
					];
					if (bulkPacedFloor(settings).ms <= BULK_PACED_RUN_LIMIT_MS) {
						out.push(
							await bulkRun(ctx, instance, {
								tool: 'httpTuned',
								workflowId: 'benchBulkHttpPaced',
								recordsPerRequest: 1,
								configuration: `Items per Batch ${BULK_PACED_BATCHING.batchSize}, Batch Interval ${BULK_PACED_BATCHING.batchInterval} ms, one request per employee`,
							}),
						);
					}
					return out;
				}),
		});
	}
	if (settings.memoryItems > 0) {
		// the larger run first: it is the one that fetches the token
		const sizes = [...new Set([N, settings.memoryItems])].sort((a, b) => b - a);
		list.push({
			name: 'memory',
			description: `this node with ${sizes.map((size) => size.toLocaleString('en-US')).join(' and ')} items in one fresh n8n, heap in use measured after full collections`,
			run: async (ctx) => {
				const gcLog = path.join(ctx.environment.folder, 'memory-gc.jsonl');
				const probe = path.join(PROJECT_ROOT, 'scripts', 'lib', 'bench', 'gc-probe.cjs');
				const guard = path.join(PROJECT_ROOT, 'scripts', 'lib', 'loopback-guard.cjs');
				return await withFreshN8n(
					ctx.environment,
					'memory',
					async (instance) => {
						const out: Measurement[] = [];
						for (const size of sizes) {
							const baseline = await runWorkflow(
								instance,
								ctx.environment,
								entry(settings, defaults, 'benchBaseline'),
								makeItems(size, ctx.environment.targets, `memory-baseline-${size}`),
								{ gcLog },
							);
							out.push(
								await measured(ctx, instance, baseline, {
									group: 'memory',
									tool: 'node',
									kind: 'memory',
									workflowId: 'benchNode',
									items: size,
									pacing: nodePacing(defaults.concurrency),
									concurrency: defaults.concurrency,
									configuration: nodeConfiguration,
									gcLog,
								}),
							);
						}
						return out;
					},
					{ NODE_OPTIONS: `--require "${guard}" --require "${probe}"`, BENCH_GC_LOG: gcLog, BENCH_GC_EVERY_MS: String(MEMORY_GC_EVERY_MS) },
				);
			},
		});
	}
	if (settings.profile) {
		list.push({
			name: 'profile',
			description: 'CPU profiles of n8n: where the CPU time of a warm run goes, this node and HTTP Request',
			run: async (ctx) => {
				const directory = path.join(ctx.environment.folder, 'cpu-profiles');
				mkdirSync(directory, { recursive: true });
				const windows: Array<{ tool: ToolId; code: ToolCode; from: number; to: number }> = [];
				const guard = path.join(PROJECT_ROOT, 'scripts', 'lib', 'loopback-guard.cjs');
				await withFreshN8n(
					ctx.environment,
					'profile',
					async (instance) => {
						await baselineRun(ctx, instance, N);
						for (const [tool, workflowId, code] of [
							['node', 'benchNode', 'package'],
							['httpDefault', 'benchHttpDefault', 'httpRequestNode'],
							['expressions', 'benchExpressions', 'setNode'],
						] as const) {
							const target = entry(settings, defaults, workflowId);
							// the first run warms up (token, code paths); the second is the one measured
							await runWorkflow(instance, ctx.environment, target, makeItems(N, ctx.environment.targets, `profile-${tool}-warm-up`));
							const from = monotonicMicros();
							await runWorkflow(instance, ctx.environment, target, makeItems(N, ctx.environment.targets, `profile-${tool}`));
							windows.push({ tool, code, from, to: monotonicMicros() });
						}
					},
					{ NODE_OPTIONS: `--require "${guard}" --cpu-prof --cpu-prof-dir="${directory}"` },
				);
				const profile = readMainProfile(directory);
				return windows.map((window) => ({ tool: window.tool, items: N, split: splitCpu(profile, window.from, window.to, window.code) }));
			},
		});
	}
	return settings.only.length ? list.filter((group) => settings.only.includes(group.name)) : list;
}

export async function runGroups(context: RunContext): Promise<BenchResults> {
	const results: BenchResults = { measurements: [], profiles: [], bulk: [] };
	for (const group of groups(context)) {
		context.log(`— ${group.name}: ${group.description}`);
		const started = Date.now();
		const out = await group.run(context);
		for (const item of out) {
			if ('split' in item) results.profiles.push(item);
			else if ('bulk' in item) results.bulk.push(item);
			else results.measurements.push(item);
		}
		context.log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
	}
	return results;
}

export { CPU_CATEGORIES };

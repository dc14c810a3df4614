/**
 * What the benchmark runs. Each group is one fresh n8n process (so its first run finds no token anywhere and its
 * memory figures are its own); a group first runs the baseline workflow (the same items, no tool) and then the
 * tool's runs in order. Adding a scenario is adding a workflow and a step to a group.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { DEFAULT_CONCURRENCY, DEFAULT_RETRY_LIMIT } from '../../../nodes/MicrosoftEntraProvisioning/descriptions/requestOptions';
import type { INodeType } from 'n8n-workflow';

import type { WorkflowJson } from '../demo-tenant';
import { PROJECT_ROOT } from '../../n8n-runtime';
import { callsFloor, throttledFloors, type Floor, type Pacing, type ThrottledFloors } from './floors';
import { makeItems, runWorkflow, withFreshN8n, type BenchEnvironment, type BenchN8n, type RunResult } from './harness';
import type { BenchSettings } from './options';
import { CPU_CATEGORIES, monotonicMicros, readMainProfile, splitCpu, type CpuSplit, type ToolCode } from './profile';
import { benchWorkflow, type ToolSpec } from './workflows';

/** The node's defaults, so the report states what users get. */
export function nodeDefaults(): { concurrency: number; retryLimit: number } {
	return { concurrency: DEFAULT_CONCURRENCY, retryLimit: DEFAULT_RETRY_LIMIT };
}

/** The node's bulk-upload operation, if this version has one (the lifecycle work adds it). */
export function bulkUploadOperation(): string | undefined {
	const file = path.join(PROJECT_ROOT, 'dist', 'nodes', 'MicrosoftEntraProvisioning', 'MicrosoftEntraProvisioning.node.js');
	const { MicrosoftEntraProvisioning } = createRequire(__filename)(file) as { MicrosoftEntraProvisioning: new () => INodeType };
	const values = new MicrosoftEntraProvisioning().description.properties
		.filter((property) => property.name === 'resource' || property.name === 'operation')
		.flatMap((property) => (property.options ?? []).map((option) => ('value' in option ? String(option.value) : '')));
	return values.find((value) => /bulk/i.test(value));
}

export type ToolId = 'node' | 'httpDefault' | 'httpTuned';

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

export interface BenchResults {
	measurements: Measurement[];
	profiles: ProfileSplit[];
	/** Groups that could not run, with the reason */
	notMeasured: Array<{ scenario: string; reason: string }>;
}

interface WorkflowEntry {
	id: string;
	path: string;
	spec: (graphUrl: string) => ToolSpec;
}

export function workflowEntries(settings: BenchSettings, defaults: { concurrency: number }): WorkflowEntry[] {
	const batching = { batchSize: settings.httpBatchSize, batchInterval: settings.httpBatchIntervalMs };
	return [
		{ id: 'benchBaseline', path: 'bench/baseline', spec: () => ({ kind: 'baseline' }) },
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
	];
}

export function benchWorkflows(settings: BenchSettings, defaults: { concurrency: number }, graphUrl: string): WorkflowJson[] {
	return workflowEntries(settings, defaults).map((entry) => benchWorkflow(entry.id, `Benchmark: ${entry.id}`, entry.path, entry.spec(graphUrl)));
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

async function baselineRun(context: RunContext, instance: BenchN8n, items: number): Promise<RunResult> {
	const { settings, environment } = context;
	return await runWorkflow(instance, environment, entry(settings, context.defaults, 'benchBaseline'), makeItems(items, environment.targets, `baseline-${Date.now()}`));
}

/** How often the memory runs force a full garbage collection to read the heap still in use (slows them down). */
export const MEMORY_GC_EVERY_MS = 2_000;

type Group = {
	name: string;
	description: string;
	run: (context: RunContext) => Promise<Measurement[] | ProfileSplit[]>;
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
	const results: BenchResults = { measurements: [], profiles: [], notMeasured: [] };
	for (const group of groups(context)) {
		context.log(`— ${group.name}: ${group.description}`);
		const started = Date.now();
		const out = await group.run(context);
		for (const item of out) {
			if ('split' in item) results.profiles.push(item);
			else results.measurements.push(item);
		}
		context.log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
	}
	const operation = bulkUploadOperation();
	results.notMeasured.push(
		operation
			? { scenario: 'Bulk upload of 10,000 employees', reason: `operation "${operation}" present, scenario not written yet: add it as a group here` }
			: { scenario: 'Bulk upload of 10,000 employees', reason: 'not measured: operation not present in this version of the node' },
	);
	return results;
}

export { CPU_CATEGORIES };

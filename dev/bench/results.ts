/**
 * What one benchmark run writes (docs/benchmarks.json) and the report reads: the raw measurements, and the small
 * helpers that pick them out. Types and arithmetic only, so the README generator can read results without
 * starting anything.
 */
import path from 'node:path';

import type { Floor } from './floors';
import type { BulkSide, ExecutionResult, RunResult } from './harness';
import type { BenchSettings } from './options';
import type { CpuSplit } from './profile';
import type { BulkInput } from './workflows';

/** The raw results of the last full `npm run bench`, which the README's figures are generated from. */
export const BENCHMARKS_JSON = path.resolve(__dirname, '..', '..', 'docs', 'benchmarks.json');

export type ToolId =
	'node' | 'nodeFields' | 'expressions' | 'httpOAuth2' | 'httpHeader' | 'httpTuned';

/**
 * cold: first run of a fresh n8n, token fetched; warm: the latency sweep; itemsInFlight: the node with another
 * Items in Flight; throttled: random 429s; bucket: Graph's token bucket, one execution; concurrent: several
 * executions at once under it; memory: heap in use, with full collections.
 */
export type RunKind =
	'cold' | 'warm' | 'itemsInFlight' | 'throttled' | 'bucket' | 'concurrent' | 'memory';

export interface Measurement {
	kind: RunKind;
	tool: ToolId;
	/** The Graph latency the emulator added (spread by the jitter) */
	latencyMs: number;
	result: RunResult;
	/** The same items through the baseline workflow in the same process */
	baseline?: RunResult;
	/** The scenario's floor, where it follows from the run alone (throttling, bucket) */
	floor?: Floor;
	/** The throttled run's seed */
	seed?: number;
	/** Executions at once (concurrent runs) */
	executions?: number;
	/** Items in Flight set on the node (itemsInFlight runs) */
	concurrency?: number;
	/** What the tool was configured with */
	configuration: string;
}

export interface ProfileSplit {
	tool: ToolId;
	/** What ran, when it was not the tool's run of the latency sweep (a bulk upload) */
	run?: string;
	items: number;
	latencyMs: number;
	split: CpuSplit;
}

/**
 * upload: new employees; fingerprinted: new employees with Only What Changed, which keeps their fingerprints;
 * unchanged: the same employees again; changed: again with some of them changed; memory: new employees in an n8n
 * with the GC probe, heap in use read around the run.
 */
export type BulkRunKind = 'upload' | 'fingerprinted' | 'unchanged' | 'changed' | 'memory';

/** One bulk upload of employees to an API-driven inbound provisioning job. */
export interface BulkMeasurement {
	tool: ToolId;
	/** Absent in results written before there were other kinds: an upload */
	kind?: BulkRunKind;
	/** How this node was told which field goes to which attribute */
	input?: BulkInput;
	/** Employees changed since the upload before (unchanged and changed runs) */
	changed?: number;
	/** The same employees through the fan-out alone, in the same n8n (memory runs) */
	baseline?: ExecutionResult;
	/** The size of the workflow's static data n8n kept after the run (Only What Changed's fingerprints) */
	staticDataBytes?: number;
	configuration: string;
	latencyMs: number;
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

export interface MachineInfo {
	cpuModel: string;
	cores: number;
	memoryGiB: number;
	kernel: string;
	nodeVersion: string;
	n8nVersion: string;
	loadBefore: number[];
	loadAfter: number[];
	startedAt: Date;
	durationS: number;
}

/** Scenarios measured again by a partial run after the full one, with that run's machine and load */
export interface PartialRun {
	scenarios: string[];
	machine: MachineInfo;
}

export interface ReportInput {
	settings: BenchSettings;
	machine: MachineInfo;
	results: BenchResults;
	/** Scenarios whose results a later partial run replaced (`--only … --write`) */
	partialRuns?: PartialRun[];
}

/** Which of the results a scenario writes, so that a partial run can replace them and keep the others. */
export interface ScenarioResults {
	name: string;
	measurement?: (m: Measurement) => boolean;
	bulk?: (m: BulkMeasurement) => boolean;
	profile?: (p: ProfileSplit) => boolean;
}

/** Settings without which a partial run's figures cannot stand beside the full run's */
const SHARED_SETTINGS = ['graphLatencyMs', 'tokenLatencyMs', 'jitter'] as const;

/**
 * The earlier full run's results with those of the scenarios `partial` ran replaced by its own; `scenarios` are all
 * of them, in the order their results are listed.
 */
export function mergePartialRun(
	earlier: ReportInput,
	partial: ReportInput,
	scenarios: ScenarioResults[],
): ReportInput {
	for (const key of SHARED_SETTINGS) {
		if (earlier.settings[key] !== partial.settings[key])
			throw new Error(
				`the last full run had ${key} ${earlier.settings[key]}, this one ${partial.settings[key]}: measure with the same settings, or run everything`,
			);
	}
	const ran = scenarios.filter((scenario) => partial.settings.only.includes(scenario.name));
	const owner = <T>(pick: (scenario: ScenarioResults) => ((m: T) => boolean) | undefined, m: T) =>
		scenarios.findIndex((scenario) => pick(scenario)?.(m) === true);
	const merged = <T>(
		pick: (scenario: ScenarioResults) => ((m: T) => boolean) | undefined,
		before: T[],
		after: T[],
	): T[] =>
		[...before.filter((m) => !ran.some((scenario) => pick(scenario)?.(m))), ...after]
			.map((m, order) => ({ m, order, owner: owner(pick, m) }))
			.sort((a, b) => a.owner - b.owner || a.order - b.order)
			.map(({ m }) => m);
	const names = ran.map((scenario) => scenario.name);
	return {
		settings: earlier.settings,
		machine: earlier.machine,
		results: {
			measurements: merged(
				(scenario) => scenario.measurement,
				earlier.results.measurements,
				partial.results.measurements,
			),
			profiles: merged(
				(scenario) => scenario.profile,
				earlier.results.profiles,
				partial.results.profiles,
			),
			bulk: merged((scenario) => scenario.bulk, earlier.results.bulk, partial.results.bulk),
		},
		partialRuns: [
			...(earlier.partialRuns ?? [])
				.map((run) => ({
					...run,
					scenarios: run.scenarios.filter((name) => !names.includes(name)),
				}))
				.filter((run) => run.scenarios.length > 0),
			{ scenarios: names, machine: partial.machine },
		],
	};
}

export const bulkKind = (m: BulkMeasurement): BulkRunKind => m.kind ?? 'upload';

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The run with the median wall time (of an even number, the slower of the middle two), the one the report shows. */
export function medianRun<T extends { result: { wallMs: number } }>(runs: T[]): T | undefined {
	if (runs.length === 0) return undefined;
	const sorted = [...runs].sort((a, b) => a.result.wallMs - b.result.wallMs);
	return sorted[Math.floor(sorted.length / 2)];
}

export function pick(
	results: BenchResults,
	filter: { tool?: ToolId; kind?: RunKind; latencyMs?: number },
): Measurement[] {
	return results.measurements.filter(
		(m) =>
			(filter.tool === undefined || m.tool === filter.tool) &&
			(filter.kind === undefined || m.kind === filter.kind) &&
			(filter.latencyMs === undefined || m.latencyMs === filter.latencyMs),
	);
}

/** Items whose secrets Graph did not accept. */
export function notApplied(m: Measurement): number {
	return m.result.items - m.result.graph.applied;
}

/** Nothing lost: the execution(s) succeeded and Graph accepted every item. */
export function complete(m: Measurement): boolean {
	return m.result.status === 'success' && notApplied(m) === 0;
}

/** The latencies of the sweep, in the order they ran. */
export function sweepLatencies(results: BenchResults): number[] {
	return [...new Set(pick(results, { kind: 'warm' }).map((m) => m.latencyMs))].sort(
		(a, b) => a - b,
	);
}

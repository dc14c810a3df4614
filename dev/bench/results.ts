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
	items: number;
	latencyMs: number;
	split: CpuSplit;
}

/** One bulk upload of employees to an API-driven inbound provisioning job. */
export interface BulkMeasurement {
	tool: ToolId;
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

export interface ReportInput {
	settings: BenchSettings;
	machine: MachineInfo;
	results: BenchResults;
}

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

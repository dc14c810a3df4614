/**
 * Turns the measurements into tables (printed, and written between the `<!-- bench:… -->` markers of
 * docs/benchmarks.md), the README's figures and the chart. Tables and marks only: the reasoning about the figures is
 * written by hand in docs/benchmarks.md, around these tables.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';

import { BULK_UPLOAD_LIMITS, bulkPacedFloor, sweepFloor, type Floor } from './floors';
import { MEMORY_GC_EVERY_MS, MEMORY_REPEATS, type BenchSettings } from './options';
import { CPU_CATEGORIES } from './profile';
import {
	bulkKind,
	complete,
	median,
	medianRun,
	notApplied,
	pick,
	sweepLatencies,
	type BenchResults,
	type BulkMeasurement,
	type MachineInfo,
	type Measurement,
	type ReportInput,
	type ToolId,
} from './results';
import { barChart, type BarGroup } from './svg';
import { BULK_INPUTS } from './workflows';

/** What the issue's targets ask, as ratios. */
export const TARGETS = {
	/** Parameters as expressions: at most this many times max(Edit Fields, one latency) */
	sweepWithinFloor: 1.3,
	/** … and at least this many times faster than the HTTP Request node, in both setups */
	fasterThanHttp: 2.5,
	/** Input: Item Fields: at least this many times faster than the HTTP Request node */
	fieldsFasterThanHttp: 5,
	/** Random 429s: at most this many times the Retry-After floor (median of the seeds) */
	throttledWithinFloor: 1.3,
	/** Token bucket: at most this many times its floor … */
	bucketWithinFloor: 1.2,
	/** … with at most this many refusals per item */
	refusalsPerItem: 1.5,
	/** Memory beyond the items: at most this many bytes per extra item (its output item) */
	bytesPerExtraItem: 4096,
	/** Bulk upload of new employees, in every input mode: at most this many times the documented-limit floor */
	bulkWithinFloor: 1.2,
	/** The same employees sent again unchanged with Only What Changed: no request, in less than this */
	bulkUnchangedMs: 5_000,
} as const;

export function machineInfo(
	runtime: { nodeVersion: string; n8nVersion: string },
	startedAt: Date,
	loadBefore: number[],
): MachineInfo {
	return {
		cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
		cores: cpus().length,
		memoryGiB: totalmem() / 1024 ** 3,
		kernel: `Linux ${release()}`,
		nodeVersion: runtime.nodeVersion,
		n8nVersion: runtime.n8nVersion,
		loadBefore,
		loadAfter: loadavg(),
		startedAt,
		durationS: (Date.now() - startedAt.getTime()) / 1000,
	};
}

const COLORS: Record<ToolId, string> = {
	node: '#2f6fdf',
	nodeFields: '#7a4fd0',
	expressions: '#7fb07f',
	httpOAuth2: '#e0803a',
	httpHeader: '#c0504d',
	httpTuned: '#9a9a9a',
};

const seconds = (ms: number) =>
	!Number.isFinite(ms)
		? '–'
		: ms >= 100_000
			? `${count(Math.round(ms / 1000))} s`
			: ms >= 10_000
				? `${(ms / 1000).toFixed(1)} s`
				: `${(ms / 1000).toFixed(2)} s`;
const times = (ratio: number) =>
	Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×` : '–';
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const perItem = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`);
const count = (value: number) => value.toLocaleString('en-US');
const latency = (ms: number) => `${count(ms)} ms`;
const mark = (met: boolean | undefined) => (met === undefined ? '–' : met ? 'met' : '**not met**');

function toolLabel(tool: ToolId, settings: BenchSettings): string {
	switch (tool) {
		case 'node':
			return 'This node, expressions';
		case 'nodeFields':
			return 'This node, item fields';
		case 'expressions':
			return 'Edit Fields (n8n evaluating the 3 expressions)';
		case 'httpOAuth2':
			return 'HTTP Request, OAuth2';
		case 'httpHeader':
			return 'HTTP Request, header auth';
		case 'httpTuned':
			return `HTTP Request, batching ${settings.httpBatchSize}/${settings.httpBatchIntervalMs} ms`;
	}
}

/** Process CPU per item beyond what the same items cost n8n without the tool (webhook, fan-out, saving). */
function cpuBeyondBaseline(m: Measurement): number | undefined {
	if (!m.baseline) return undefined;
	return Math.max(
		0,
		m.result.usage.cpuMs / m.result.items - m.baseline.usage.cpuMs / m.baseline.items,
	);
}

function outcome(m: Measurement): string {
	if (m.tool === 'expressions') return 'expressions evaluated, no Graph call';
	if (complete(m)) return 'all applied';
	const failed =
		m.result.status === 'success'
			? ''
			: `${m.result.status}${m.result.error ? `: ${m.result.error.slice(0, 60)}` : ''}; `;
	return `${failed}${count(notApplied(m))} not applied`;
}

export interface Table {
	/** The marker of docs/benchmarks.md it is written between */
	id: string;
	title: string;
	header: string[];
	rows: string[][];
}

/** The warm runs of one tool at one latency: their median and spread. */
function warmAt(
	results: BenchResults,
	tool: ToolId,
	latencyMs: number,
): { median?: Measurement; runs: Measurement[] } {
	const runs = pick(results, { tool, kind: 'warm', latencyMs });
	return { median: medianRun(runs), runs };
}

function spread(runs: Measurement[]): string {
	if (runs.length < 2) return '–';
	const walls = runs.map((run) => run.result.wallMs);
	return `${seconds(Math.min(...walls))}–${seconds(Math.max(...walls))}`;
}

/** The sweep's floor at a latency: max(Edit Fields' median, one latency). */
function sweepFloorAt(results: BenchResults, latencyMs: number): Floor | undefined {
	const expressions = warmAt(results, 'expressions', latencyMs).median;
	return expressions ? sweepFloor(expressions.result.wallMs, latencyMs) : undefined;
}

const SWEEP_TOOLS: ToolId[] = ['node', 'nodeFields', 'expressions', 'httpOAuth2', 'httpHeader'];

function sweepTable(input: ReportInput): Table {
	const { results, settings } = input;
	const rows: string[][] = [];
	for (const latencyMs of sweepLatencies(results)) {
		const floor = sweepFloorAt(results, latencyMs);
		const http = (tool: ToolId) => warmAt(results, tool, latencyMs).median;
		for (const tool of SWEEP_TOOLS) {
			const { median: m, runs } = warmAt(results, tool, latencyMs);
			if (!m) continue;
			const r = m.result;
			const isNode = tool === 'node' || tool === 'nodeFields';
			const faster = (other: ToolId) => {
				const against = http(other);
				return isNode && against ? times(against.result.wallMs / r.wallMs) : '–';
			};
			rows.push([
				latency(latencyMs),
				toolLabel(tool, settings),
				String(runs.length),
				seconds(r.wallMs),
				spread(runs),
				seconds(r.nodeMs),
				count(Math.round((r.items / r.wallMs) * 1000)),
				isNode && floor ? times(r.wallMs / floor.ms) : '–',
				faster('httpOAuth2'),
				faster('httpHeader'),
				count(r.graph.httpRequests),
				perItem(r.usage.cpuMs / r.items),
				(() => {
					const beyond = cpuBeyondBaseline(m);
					return beyond === undefined ? '–' : perItem(beyond);
				})(),
				outcome(m),
			]);
		}
	}
	return {
		id: 'sweep',
		title: `Latency sweep: ${count(settings.items)} items, token warm, median of each tool's runs`,
		header: [
			'Graph latency',
			'Tool',
			'Runs',
			'Wall time (median)',
			'Spread',
			'Node time',
			'Items/s',
			'× floor',
			'HTTP Request OAuth2 ÷ this',
			'HTTP Request header ÷ this',
			'HTTP requests',
			'CPU/item',
			'CPU/item beyond fan-out',
			'Outcome',
		],
		rows,
	};
}

function coldTable(input: ReportInput): Table {
	const { results, settings } = input;
	return {
		id: 'cold',
		title: 'First run of a fresh n8n (the token is fetched)',
		header: [
			'Tool',
			'Graph latency',
			'Wall time',
			'Node time',
			'Token calls',
			'Graph calls',
			'HTTP requests',
			'Peak RSS',
			'RSS growth',
			'Outcome',
		],
		rows: pick(results, { kind: 'cold' }).map((m) => [
			toolLabel(m.tool, settings),
			latency(m.latencyMs),
			seconds(m.result.wallMs),
			seconds(m.result.nodeMs),
			count(m.result.graph.tokenRequests),
			count(m.result.graph.graphRequests),
			count(m.result.graph.httpRequests),
			mib(m.result.usage.peakBytes),
			mib(m.result.usage.growthBytes),
			outcome(m),
		]),
	};
}

/** A run's floor, its formula and the run's ratio to it; the ratio only where the run is `whole` (nothing lost). */
function floorCells(m: Measurement, whole = complete(m)): string[] {
	return [
		m.floor ? seconds(m.floor.ms) : '–',
		m.floor?.formula ?? '–',
		m.floor && whole ? times(m.result.wallMs / m.floor.ms) : '–',
	];
}

type Floored = Measurement & { floor: Floor };
const hasFloor = (m: Measurement): m is Floored => m.floor !== undefined;
const ratioToFloor = (m: Floored) => m.result.wallMs / m.floor.ms;

/** This node's runs under random 429s, one per seed, and under the token bucket (one execution, then several). */
function nodeUnderLimits(results: BenchResults): { throttled: Floored[]; bucket: Floored[] } {
	return {
		throttled: pick(results, { tool: 'node', kind: 'throttled' }).filter(hasFloor),
		bucket: [
			...pick(results, { tool: 'node', kind: 'bucket' }),
			...pick(results, { tool: 'node', kind: 'concurrent' }),
		].filter(hasFloor),
	};
}

function throttledTable(input: ReportInput): Table {
	const { results, settings } = input;
	return {
		id: 'throttled',
		title: `Random throttling: ${Math.round(settings.throttleShare * 100)} % of calls answered 429 with Retry-After ${settings.retryAfterSeconds} s, token warm`,
		header: [
			'Tool',
			'Graph latency',
			'Seed',
			'Items',
			'Wall time',
			'Retry-After floor',
			'Floor formula',
			'× floor',
			'429s',
			'Retries',
			'Graph calls',
			'HTTP requests',
			'Outcome',
		],
		rows: pick(results, { kind: 'throttled' }).map((m) => [
			toolLabel(m.tool, settings),
			latency(m.latencyMs),
			String(m.seed ?? '–'),
			count(m.result.items),
			seconds(m.result.wallMs),
			...floorCells(m),
			count(m.result.graph.throttled),
			count(m.result.graph.retries),
			count(m.result.graph.acquireCalls),
			count(m.result.graph.httpRequests),
			outcome(m),
		]),
	};
}

function refusalsPerItem(m: Measurement): number {
	return m.result.graph.throttled / m.result.items;
}

function bucketTable(input: ReportInput): Table {
	const { results, settings } = input;
	const runs = [...pick(results, { kind: 'bucket' }), ...pick(results, { kind: 'concurrent' })];
	return {
		id: 'bucket',
		title: `Token bucket: Graph admits a burst of ${settings.bucketBurst} calls, then ${settings.bucketRate} a second (429 with Retry-After beyond), token warm`,
		header: [
			'Tool',
			'Executions',
			'Graph latency',
			'Items',
			'Wall time',
			'Floor',
			'Floor formula',
			'× floor',
			'Refusals (429)',
			'Refusals per item',
			'Graph calls',
			'Outcome',
		],
		rows: runs.map((m) => [
			toolLabel(m.tool, settings),
			m.executions ? `${m.executions} at once` : '1',
			latency(m.latencyMs),
			count(m.result.items),
			seconds(m.result.wallMs),
			...floorCells(m),
			count(m.result.graph.throttled),
			refusalsPerItem(m).toFixed(2),
			count(m.result.graph.acquireCalls),
			outcome(m),
		]),
	};
}

function itemsInFlightTable(input: ReportInput): Table {
	const { results } = input;
	return {
		id: 'items-in-flight',
		title: 'This node with Items in Flight set, token warm',
		header: [
			'Items in Flight',
			'Graph latency',
			'Wall time',
			'Items/s',
			'Floor',
			'Floor formula',
			'× floor',
			'CPU/item',
		],
		rows: pick(results, { kind: 'itemsInFlight' })
			.sort((a, b) => (a.concurrency ?? 0) - (b.concurrency ?? 0))
			.map((m) => [
				String(m.concurrency),
				latency(m.latencyMs),
				seconds(m.result.wallMs),
				count(Math.round((m.result.items / m.result.wallMs) * 1000)),
				...floorCells(m, true),
				perItem(m.result.usage.cpuMs / m.result.items),
			]),
	};
}

function httpBatchingTable(input: ReportInput): Table {
	const { results, settings } = input;
	return {
		id: 'http-batching',
		title: 'HTTP Request with Batching',
		header: ['Tool', 'Run', 'Graph latency', 'Wall time', 'Token calls', 'Outcome'],
		rows: pick(results, { tool: 'httpTuned' }).map((m) => [
			toolLabel(m.tool, settings),
			m.kind === 'cold' ? 'first run, token fetched' : 'token warm',
			latency(m.latencyMs),
			seconds(m.result.wallMs),
			count(m.result.graph.tokenRequests),
			outcome(m),
		]),
	};
}

/** Heap still in use after full collections: most during the run minus before it. */
function heapGrowth(
	run: { liveHeap?: { beforeBytes: number; maxBytes: number } } | undefined,
): number | undefined {
	return run?.liveHeap ? run.liveHeap.maxBytes - run.liveHeap.beforeBytes : undefined;
}

const beyondFanOut = (m: Measurement) =>
	(heapGrowth(m.result) ?? 0) - (heapGrowth(m.baseline) ?? 0);

/**
 * One memory run per size, smallest first: of the runs of a size, the one whose heap beyond the fan-out is the median
 * (n8n's own heap in use moves by 10 to 20 MiB from one run to the next, the fan-out's as much as the node's).
 */
function memoryRuns(results: BenchResults): Measurement[] {
	const bySize = new Map<number, Measurement[]>();
	for (const m of pick(results, { kind: 'memory' })) {
		if (!m.result.liveHeap || !m.baseline?.liveHeap) continue;
		bySize.set(m.result.items, [...(bySize.get(m.result.items) ?? []), m]);
	}
	return [...bySize.entries()]
		.sort(([a], [b]) => a - b)
		.map(([, runs]) => {
			const sorted = [...runs].sort((a, b) => beyondFanOut(a) - beyondFanOut(b));
			return sorted[Math.floor((sorted.length - 1) / 2)];
		});
}

function memoryTable(input: ReportInput): Table {
	const heap = (bytes: number | undefined) => (bytes === undefined ? '–' : mib(bytes));
	return {
		id: 'memory',
		title: `Memory: one fresh n8n, a full garbage collection every ${MEMORY_GC_EVERY_MS / 1000} s to read the heap still in use; of ${MEMORY_REPEATS} runs of each size, the one with the median heap beyond the fan-out`,
		header: [
			'Items',
			'Graph latency',
			'Heap growth, fan-out alone',
			'Heap growth with this node',
			'Beyond the fan-out',
			'RSS growth',
			'Peak RSS',
			'Token calls',
			'Wall time (slowed by the collections)',
			'Outcome',
		],
		rows: memoryRuns(input.results).map((m) => [
			count(m.result.items),
			latency(m.latencyMs),
			heap(heapGrowth(m.baseline)),
			heap(heapGrowth(m.result)),
			heap(beyondFanOut(m)),
			mib(m.result.usage.growthBytes),
			mib(m.result.usage.peakBytes),
			count(m.result.graph.tokenRequests),
			seconds(m.result.wallMs),
			outcome(m),
		]),
	};
}

/** Employees that should have reached Graph and did not */
function recordsLost(m: BulkMeasurement): number {
	return (m.bulk.recordsExpected ?? m.result.items) - m.bulk.recordsReceived;
}

const bulkWhole = (m: BulkMeasurement) => m.result.status === 'success' && recordsLost(m) === 0;

function bulkOutcome(m: BulkMeasurement): string {
	const lost = recordsLost(m);
	const output = Object.entries(m.result.statuses ?? {})
		.map(([status, number]) => `${count(number)} ${status}`)
		.join(', ');
	const kept =
		m.staticDataBytes === undefined
			? ''
			: `; workflow static data after it: ${count(Math.round(m.staticDataBytes / 1024))} KiB`;
	if (m.result.status === 'success')
		return `${lost === 0 ? 'succeeded, nothing lost' : `succeeded, ${count(lost)} lost`}${output ? ` (output: ${output})` : ''}${kept}`;
	return `failed: ${(m.result.error ?? m.result.status).slice(0, 60)}`;
}

const BULK_RUN_LABELS: Record<Exclude<ReturnType<typeof bulkKind>, 'upload' | 'memory'>, string> = {
	fingerprinted: 'Only What Changed, first upload',
	unchanged: 'Only What Changed, sent again unchanged',
	changed: 'Only What Changed, sent again with some changed',
};

function bulkLabel(m: BulkMeasurement): string {
	if (m.tool === 'node') {
		const kind = bulkKind(m);
		const input = m.input ? ` (${BULK_INPUTS[m.input].label})` : '';
		return kind === 'upload' || kind === 'memory'
			? `This node, Upload Users${input}`
			: `This node, ${BULK_RUN_LABELS[kind]}${input}`;
	}
	return m.tool === 'httpTuned'
		? `HTTP Request, batching ${BULK_UPLOAD_LIMITS.requestsPerWindow}/${BULK_UPLOAD_LIMITS.windowMs} ms`
		: 'HTTP Request, defaults';
}

/** The bulk runs of the upload table: all but the memory runs, which have a table of their own */
const bulkRuns = (results: BenchResults) => results.bulk.filter((m) => bulkKind(m) !== 'memory');

function bulkTable(input: ReportInput): Table {
	const { results, settings } = input;
	const { requestsPerWindow, windowMs, dailyQuota } = BULK_UPLOAD_LIMITS;
	const rows = bulkRuns(results).map((m) => {
		const expected = m.bulk.recordsExpected ?? m.result.items;
		const needed = Math.ceil(expected / m.recordsPerRequest);
		const againstFloor = bulkKind(m) === 'upload' || bulkKind(m) === 'fingerprinted';
		return [
			bulkLabel(m),
			m.configuration,
			latency(m.latencyMs),
			seconds(m.result.wallMs),
			count(m.result.items),
			m.changed === undefined ? '–' : count(m.changed),
			count(m.bulk.requests),
			count(m.bulk.recordsReceived),
			count(recordsLost(m)),
			count(m.bulk.throttled),
			seconds(m.bulk.firstRequestMs),
			`${seconds(m.floor.ms)} (${count(needed)} requests)`,
			m.floor.formula,
			againstFloor && bulkWhole(m) ? times(m.result.wallMs / m.floor.ms) : '–',
			bulkOutcome(m),
		];
	});
	const employees = bulkRuns(results)[0]?.result.items ?? settings.bulkItems;
	if (
		results.bulk.some((m) => m.tool !== 'node') &&
		!results.bulk.some((m) => m.tool === 'httpTuned')
	) {
		// too slow to run: it sends every item before it reports a failure, so its time is the floor of all its requests
		const paced = bulkPacedFloor({ ...settings, bulkItems: employees });
		const lost = Math.max(0, employees - dailyQuota.governance);
		rows.push([
			'HTTP Request, batching (computed, not measured)',
			`Items per Batch ${requestsPerWindow}, Batch Interval ${windowMs} ms, one request per employee`,
			latency(settings.graphLatencyMs),
			`≥ ${seconds(paced.ms)}`,
			count(employees),
			'–',
			count(employees),
			count(employees - lost),
			count(lost),
			count(lost),
			'–',
			`${seconds(paced.ms)} (${count(employees)} requests)`,
			paced.formula,
			'–',
			lost > 0
				? `would fail: ${count(lost)} requests beyond the daily quota of ${count(dailyQuota.governance)}`
				: 'would succeed',
		]);
	}
	return {
		id: 'bulk',
		title: `Bulk upload of ${count(employees)} employees (API-driven inbound provisioning, Graph's documented limits enforced)`,
		header: [
			'Tool',
			'Settings',
			'Graph latency',
			'Wall time',
			'Employees',
			'Changed since the last upload',
			'Requests',
			'Records received',
			'Records lost',
			'429s',
			'First request after',
			'Floor (documented limits)',
			'Floor formula',
			'× floor',
			'Outcome',
		],
		rows,
	};
}

const bulkMemoryRuns = (results: BenchResults) =>
	results.bulk
		.filter((m) => bulkKind(m) === 'memory' && m.result.liveHeap && m.baseline?.liveHeap)
		.sort((a, b) => a.result.items - b.result.items);

const bulkBeyondFanOut = (m: BulkMeasurement) =>
	(heapGrowth(m.result) ?? 0) - (heapGrowth(m.baseline) ?? 0);

function bulkMemoryTable(input: ReportInput): Table {
	const heap = (bytes: number | undefined) => (bytes === undefined ? '–' : mib(bytes));
	return {
		id: 'bulk-memory',
		title: `Bulk upload memory: one fresh n8n, a full garbage collection every ${MEMORY_GC_EVERY_MS / 1000} s to read the heap still in use`,
		header: [
			'Employees',
			'Settings',
			'Graph latency',
			'Heap growth, fan-out alone',
			'Heap growth with this node',
			'Beyond the fan-out',
			'RSS growth',
			'Peak RSS',
			'Wall time (slowed by the collections)',
			'Outcome',
		],
		rows: bulkMemoryRuns(input.results).map((m) => [
			count(m.result.items),
			m.configuration,
			latency(m.latencyMs),
			heap(heapGrowth(m.baseline)),
			heap(heapGrowth(m.result)),
			heap(bulkBeyondFanOut(m)),
			mib(m.result.usage.growthBytes),
			mib(m.result.usage.peakBytes),
			seconds(m.result.wallMs),
			bulkOutcome(m),
		]),
	};
}

function profileTable(input: ReportInput): Table {
	const { results, settings } = input;
	return {
		id: 'profile',
		title:
			'Where the CPU time of a warm run goes (n8n main thread, CPU profile), per item (per employee for a bulk upload)',
		header: [
			'Tool',
			'Graph latency',
			...CPU_CATEGORIES.map((name) => (name === 'own code' ? "tool's own code" : name)),
			'total',
		],
		rows: results.profiles.map((p) => {
			const values = CPU_CATEGORIES.map((name) => p.split[name] / p.items);
			return [
				p.run ?? toolLabel(p.tool, settings),
				latency(p.latencyMs),
				...values.map(perItem),
				perItem(values.reduce((a, b) => a + b, 0)),
			];
		}),
	};
}

export interface Check {
	target: string;
	latencyMs?: number;
	measured: string;
	/** What the measurement is set against: a floor with its formula, or the other tool */
	against: string;
	ratio: string;
	needed: string;
	met: boolean | undefined;
}

export function checks(input: ReportInput): Check[] {
	const { results, settings } = input;
	const list: Check[] = [];
	for (const latencyMs of sweepLatencies(results)) {
		const floor = sweepFloorAt(results, latencyMs);
		for (const tool of ['node', 'nodeFields'] as const) {
			const m = warmAt(results, tool, latencyMs).median;
			if (!m) continue;
			const lost = complete(m) ? '' : `, ${outcome(m)}`;
			if (tool === 'node' && floor) {
				const ratio = m.result.wallMs / floor.ms;
				list.push({
					target: `Parameters as expressions: within ${TARGETS.sweepWithinFloor}× of the larger of Edit Fields and one latency`,
					latencyMs,
					measured: `${seconds(m.result.wallMs)}${lost}`,
					against: `${seconds(floor.ms)} = ${floor.formula}`,
					ratio: times(ratio),
					needed: `≤ ${TARGETS.sweepWithinFloor}×`,
					met: ratio <= TARGETS.sweepWithinFloor && complete(m),
				});
			}
			const needed = tool === 'node' ? TARGETS.fasterThanHttp : TARGETS.fieldsFasterThanHttp;
			for (const http of ['httpOAuth2', 'httpHeader'] as const) {
				const other = warmAt(results, http, latencyMs).median;
				if (!other) continue;
				const ratio = other.result.wallMs / m.result.wallMs;
				list.push({
					target: `${tool === 'node' ? 'Parameters as expressions' : 'Input: Item Fields'}: at least ${needed}× faster than ${toolLabel(http, settings)}`,
					latencyMs,
					measured: `${seconds(m.result.wallMs)}${lost}`,
					against: `${seconds(other.result.wallMs)} (${outcome(other)})`,
					ratio: times(ratio),
					needed: `≥ ${needed}×`,
					met: ratio >= needed && complete(m),
				});
			}
		}
	}
	const underLimits = nodeUnderLimits(results);
	const throttled = underLimits.throttled;
	if (throttled.length > 0) {
		const ratios = throttled.map(ratioToFloor);
		const middle = medianRun(
			throttled.map((m, index) => ({ m, result: { wallMs: ratios[index] } })),
		)!.m;
		const ratio = median(ratios);
		list.push({
			target: `${Math.round(settings.throttleShare * 100)} % random 429s: within ${TARGETS.throttledWithinFloor}× of the Retry-After floor (median of ${throttled.length} seed${throttled.length === 1 ? '' : 's'}), nothing lost`,
			latencyMs: middle.latencyMs,
			measured: `${seconds(middle.result.wallMs)} (seed ${middle.seed}); ${throttled.map(outcome).every((text) => text === 'all applied') ? 'all applied' : throttled.map(outcome).join('; ')}`,
			against: `${seconds(middle.floor.ms)} = ${middle.floor.formula}; every seed: ${ratios.map(times).join(', ')}`,
			ratio: times(ratio),
			needed: `≤ ${TARGETS.throttledWithinFloor}×`,
			met: ratio <= TARGETS.throttledWithinFloor && throttled.every(complete),
		});
	}
	for (const m of underLimits.bucket) {
		const ratio = ratioToFloor(m);
		const refusals = refusalsPerItem(m);
		list.push({
			target: `Token bucket, ${m.executions ? `${m.executions} executions of ${count(m.result.items / m.executions)} items at once` : 'one execution'}: within ${TARGETS.bucketWithinFloor}× of (N − burst) / rate + L, at most ${TARGETS.refusalsPerItem} refusals per item, nothing lost`,
			latencyMs: m.latencyMs,
			measured: `${seconds(m.result.wallMs)}, ${refusals.toFixed(2)} refusals per item, ${outcome(m)}`,
			against: `${seconds(m.floor.ms)} = ${m.floor.formula}`,
			ratio: times(ratio),
			needed: `≤ ${TARGETS.bucketWithinFloor}×, ≤ ${TARGETS.refusalsPerItem} refusals per item`,
			met: ratio <= TARGETS.bucketWithinFloor && refusals <= TARGETS.refusalsPerItem && complete(m),
		});
	}
	const memory = memoryRuns(results);
	if (memory.length >= 1) {
		const large = memory[memory.length - 1];
		const small = memory.length >= 2 ? memory[0] : undefined;
		const perExtraItem = small
			? (beyondFanOut(large) - beyondFanOut(small)) / (large.result.items - small.result.items)
			: Number.NaN;
		list.push({
			target: `${count(large.result.items)} items: nothing lost, memory beyond the items flat`,
			latencyMs: large.latencyMs,
			measured: `${outcome(large)}; heap in use beyond the fan-out: ${memory.map((m) => `${mib(beyondFanOut(m))} for ${count(m.result.items)} items`).join(', ')}`,
			against: small ? `${count(Math.round(perExtraItem))} bytes per extra item` : '–',
			ratio: '–',
			needed: `nothing lost, ≤ ${count(TARGETS.bytesPerExtraItem)} bytes per extra item`,
			met: complete(large) && (!small || perExtraItem <= TARGETS.bytesPerExtraItem),
		});
	}
	// the first run of each fresh n8n fetches the token; every later one finds it
	const colds = [
		...pick(results, { tool: 'node', kind: 'cold' }),
		...memoryRunsInOrder(results).slice(0, 1),
	];
	const warms = results.measurements.filter(
		(m) =>
			(m.tool === 'node' || m.tool === 'nodeFields') && m.kind !== 'cold' && !colds.includes(m),
	);
	if (colds.length) {
		list.push({
			target:
				'One token-endpoint call per credential per token lifetime, whatever N; none with a warm token',
			measured: `${colds.map((m) => `${count(m.result.graph.tokenRequests)} for ${count(m.result.items)} items`).join(', ')} (first runs); ${count(warms.reduce((sum, m) => sum + m.result.graph.tokenRequests, 0))} in ${warms.length} later runs`,
			against: '–',
			ratio: '–',
			needed: '1, then 0',
			met:
				colds.every((m) => m.result.graph.tokenRequests === 1) &&
				warms.every((m) => m.result.graph.tokenRequests === 0),
		});
	}
	list.push(...bulkChecks(results));
	return list;
}

/** The bulk-upload targets: every input mode near its floor, only what changed sent again, memory flat. */
function bulkChecks(results: BenchResults): Check[] {
	const list: Check[] = [];
	for (const m of results.bulk.filter((run) => run.tool === 'node' && bulkKind(run) === 'upload')) {
		const requests = Math.ceil(m.result.items / m.recordsPerRequest);
		const ratio = m.result.wallMs / m.floor.ms;
		list.push({
			target: `Bulk upload of ${count(m.result.items)} employees, ${m.input ? BULK_INPUTS[m.input].label : m.configuration}: within ${TARGETS.bulkWithinFloor}× of the documented-limit floor, nothing lost, ${count(requests)} requests`,
			latencyMs: m.latencyMs,
			measured: `${seconds(m.result.wallMs)} (first request after ${seconds(m.bulk.firstRequestMs)}), ${count(recordsLost(m))} lost, ${count(m.bulk.requests)} requests (${count(m.bulk.throttled)} answered 429)`,
			against: `${seconds(m.floor.ms)} = ${m.floor.formula}`,
			ratio: times(ratio),
			needed: `≤ ${TARGETS.bulkWithinFloor}×, nothing lost, ${count(requests)} requests`,
			met: ratio <= TARGETS.bulkWithinFloor && bulkWhole(m) && m.bulk.requests === requests,
		});
	}
	for (const m of results.bulk.filter((run) => bulkKind(run) === 'unchanged')) {
		const unchanged = m.result.statuses?.unchanged ?? 0;
		list.push({
			target: `The same ${count(m.result.items)} employees sent again unchanged with Only What Changed: no request, under ${seconds(TARGETS.bulkUnchangedMs)}, every employee output as unchanged`,
			latencyMs: m.latencyMs,
			measured: `${seconds(m.result.wallMs)}, ${count(m.bulk.requests)} requests, ${count(unchanged)} output as unchanged`,
			against: '–',
			ratio: '–',
			needed: `0 requests, < ${seconds(TARGETS.bulkUnchangedMs)}`,
			met:
				m.result.status === 'success' &&
				m.bulk.requests === 0 &&
				m.result.wallMs < TARGETS.bulkUnchangedMs &&
				unchanged === m.result.items,
		});
	}
	for (const m of results.bulk.filter((run) => bulkKind(run) === 'changed')) {
		const changed = m.changed ?? 0;
		const requests = Math.ceil(changed / m.recordsPerRequest);
		list.push({
			target: `The same ${count(m.result.items)} employees with ${count(changed)} changed, Only What Changed: only those sent, in ${count(requests)} requests`,
			latencyMs: m.latencyMs,
			measured: `${seconds(m.result.wallMs)}, ${count(m.bulk.requests)} requests, ${count(m.bulk.recordsReceived)} of ${count(changed)} changed received`,
			against: '–',
			ratio: '–',
			needed: `${count(requests)} requests, nothing lost`,
			met: bulkWhole(m) && m.bulk.requests === requests,
		});
	}
	const memory = bulkMemoryRuns(results);
	if (memory.length >= 2) {
		const small = memory[0];
		const large = memory[memory.length - 1];
		const perExtraItem =
			(bulkBeyondFanOut(large) - bulkBeyondFanOut(small)) /
			(large.result.items - small.result.items);
		list.push({
			target: `Bulk upload of ${count(small.result.items)} to ${count(large.result.items)} employees: nothing lost, memory beyond the items flat`,
			latencyMs: large.latencyMs,
			measured: `${memory.map(bulkOutcome).join('; ')}; heap in use beyond the fan-out: ${memory.map((m) => `${mib(bulkBeyondFanOut(m))} for ${count(m.result.items)} employees`).join(', ')}`,
			against: `${count(Math.round(perExtraItem))} bytes per extra employee`,
			ratio: '–',
			needed: `nothing lost, ≤ ${count(TARGETS.bytesPerExtraItem)} bytes per extra employee`,
			met: memory.every(bulkWhole) && perExtraItem <= TARGETS.bytesPerExtraItem,
		});
	}
	return list;
}

function memoryRunsInOrder(results: BenchResults): Measurement[] {
	return pick(results, { kind: 'memory' });
}

function targetsTable(input: ReportInput): Table {
	return {
		id: 'targets',
		title: 'Targets',
		header: ['Target', 'Graph latency', 'Measured', 'Set against', 'Ratio', 'Needed', ''],
		rows: checks(input).map((check) => [
			check.target,
			check.latencyMs === undefined ? '–' : latency(check.latencyMs),
			check.measured,
			check.against,
			check.ratio,
			check.needed,
			mark(check.met),
		]),
	};
}

/** One row per latency: what the README shows. */
export function summaryTable(input: ReportInput): Table {
	const { results, settings } = input;
	const wall = (tool: ToolId, latencyMs: number) => warmAt(results, tool, latencyMs).median;
	return {
		id: 'summary',
		title: `${count(settings.items)} items, token warm, median wall time`,
		header: [
			'Graph latency',
			"n8n's expressions alone (Edit Fields)",
			'This node, expressions',
			'This node, item fields',
			'HTTP Request, OAuth2',
			'HTTP Request, header auth',
			'This node is faster (expressions), OAuth2 / header',
			'This node is faster (item fields), OAuth2 / header',
		],
		rows: sweepLatencies(results).map((latencyMs) => {
			const [expressions, node, fields, oauth2, header] = (
				['expressions', 'node', 'nodeFields', 'httpOAuth2', 'httpHeader'] as const
			).map((tool) => wall(tool, latencyMs));
			const cell = (m: Measurement | undefined) =>
				m
					? `${seconds(m.result.wallMs)}${m.tool === 'expressions' || complete(m) ? '' : ` (${outcome(m)})`}`
					: '–';
			const faster = (m: Measurement | undefined) =>
				m && oauth2 && header
					? `${times(oauth2.result.wallMs / m.result.wallMs)} / ${times(header.result.wallMs / m.result.wallMs)}`
					: '–';
			return [
				latency(latencyMs),
				cell(expressions),
				cell(node),
				cell(fields),
				cell(oauth2),
				cell(header),
				faster(node),
				faster(fields),
			];
		}),
	};
}

/** Under Graph's limits: the node against its floors, one row per scenario (README). */
export function limitsSummaryTable(input: ReportInput): Table {
	const { results, settings } = input;
	const rows: string[][] = [];
	const { throttled, bucket } = nodeUnderLimits(results);
	if (throttled.length) {
		const ratios = throttled.map(ratioToFloor);
		rows.push([
			`${Math.round(settings.throttleShare * 100)} % of calls answered 429 (Retry-After ${settings.retryAfterSeconds} s), median of ${throttled.length} seed${throttled.length === 1 ? '' : 's'}`,
			latency(throttled[0].latencyMs),
			seconds(median(throttled.map((m) => m.result.wallMs))),
			`${times(median(ratios))} the Retry-After floor`,
			throttled.every(complete) ? 'nothing lost' : throttled.map(outcome).join('; '),
			(() => {
				const http = pick(results, { kind: 'throttled' }).find((m) => m.tool !== 'node');
				return http ? `${toolLabel(http.tool, settings)}: ${outcome(http)}` : '–';
			})(),
		]);
	}
	for (const m of bucket) {
		const http =
			m.kind === 'bucket'
				? pick(results, { kind: 'bucket' }).find((other) => other.tool !== 'node')
				: undefined;
		rows.push([
			`Burst ${settings.bucketBurst}, then ${settings.bucketRate} calls/s: ${m.executions ? `${m.executions} executions of ${count(m.result.items / m.executions)} items at once` : `${count(m.result.items)} items`}`,
			latency(m.latencyMs),
			seconds(m.result.wallMs),
			`${times(ratioToFloor(m))} (N − burst) / rate + L, ${refusalsPerItem(m).toFixed(2)} refusals per item`,
			complete(m) ? 'nothing lost' : outcome(m),
			http ? `${toolLabel(http.tool, settings)}: ${outcome(http)}` : '–',
		]);
	}
	return {
		id: 'limits',
		title: "Under Graph's limits, token warm",
		header: [
			'Scenario',
			'Graph latency',
			'This node',
			'Against its floor',
			'Outcome',
			'HTTP Request',
		],
		rows,
	};
}

const loads = (machine: MachineInfo) =>
	`before ${machine.loadBefore.map((value) => value.toFixed(2)).join(', ')}; after ${machine.loadAfter.map((value) => value.toFixed(2)).join(', ')}`;
const when = (machine: MachineInfo) =>
	`${machine.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${count(Math.round(machine.durationS))} s`;

function settingsTable(input: ReportInput): Table {
	const { settings, machine } = input;
	return {
		id: 'settings',
		title: 'Machine and settings of this run',
		header: ['', ''],
		rows: [
			['Measured', when(machine)],
			[
				'Machine',
				`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB memory, ${machine.kernel}`,
			],
			['Load average (1, 5, 15 min)', loads(machine)],
			...(input.partialRuns ?? []).map((run) => [
				`Measured again: ${run.scenarios.join(', ')}`,
				`${when(run.machine)}; load average ${loads(run.machine)}`,
			]),
			[
				'n8n',
				`${machine.n8nVersion} (\`n8n start\`, SQLite, default settings) on Node.js ${machine.nodeVersion}`,
			],
			[
				'Graph latency',
				`sweep ${settings.latencies.map(latency).join(', ')}; other scenarios ${latency(settings.graphLatencyMs)}; each call ± ${Math.round(settings.jitter * 100)} % (seeded); token endpoint ${latency(settings.tokenLatencyMs)}`,
			],
			[
				'Runs',
				`${settings.warmRuns} warm runs per tool and latency; ${settings.throttleRuns} throttled runs (seeds from ${settings.seed})`,
			],
			[
				'Token bucket',
				`burst ${settings.bucketBurst}, ${settings.bucketRate} calls a second; ${settings.executions} executions of ${settings.executionItems} items at once`,
			],
		],
	};
}

export function tables(input: ReportInput): Table[] {
	// a table without rows is a scenario left out (--only, --quick)
	return [
		targetsTable(input),
		summaryTable(input),
		limitsSummaryTable(input),
		sweepTable(input),
		coldTable(input),
		throttledTable(input),
		bucketTable(input),
		memoryTable(input),
		bulkTable(input),
		bulkMemoryTable(input),
		profileTable(input),
		itemsInFlightTable(input),
		httpBatchingTable(input),
		settingsTable(input),
	].filter((t) => t.rows.length > 0);
}

/** Plain-text table for the terminal. */
export function printable(table: Table): string {
	const widths = table.header.map((heading, column) =>
		Math.max(heading.length, ...table.rows.map((row) => (row[column] ?? '').length)),
	);
	const line = (cells: string[]) =>
		cells.map((cell, column) => (cell ?? '').padEnd(widths[column])).join('  ');
	return [
		table.title,
		line(table.header),
		widths.map((width) => '-'.repeat(width)).join('  '),
		...table.rows.map(line),
	].join('\n');
}

export function markdownTable(table: Table): string {
	const cell = (value: string) => value.replace(/\|/g, '\\|');
	return [
		`| ${table.header.map(cell).join(' | ')} |`,
		`| ${table.header.map(() => '---').join(' | ')} |`,
		...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
	].join('\n');
}

const BLOCK = /<!-- bench:([a-z-]+) -->\n[\s\S]*?<!-- \/bench:\1 -->/g;

/**
 * docs/benchmarks.md with its generated blocks (`<!-- bench:ID -->` … `<!-- /bench:ID -->`) rewritten from this run;
 * the hand-written text around them stays. A table the document has no block for is added at its end.
 */
export function renderBenchmarksDoc(document: string, input: ReportInput): string {
	const byId = new Map(tables(input).map((table) => [table.id, table]));
	const block = (id: string, body: string) =>
		`<!-- bench:${id} -->\n${body}\n<!-- /bench:${id} -->`;
	const body = (id: string) => {
		const table = byId.get(id);
		return table
			? `*${table.title}*\n\n${markdownTable(table)}`
			: '*Not measured in the last run.*';
	};
	const seen = new Set<string>();
	let text = document.replace(BLOCK, (_whole, id: string) => {
		seen.add(id);
		return block(id, body(id));
	});
	const missing = [...byId.keys()].filter((id) => !seen.has(id));
	if (missing.length)
		text = `${text.trimEnd()}\n\n${missing.map((id) => block(id, body(id))).join('\n\n')}\n`;
	return text;
}

/** The README's performance figures: the sweep per latency and the runs under Graph's limits. */
export function readmeFigures(input: ReportInput): string {
	return [summaryTable(input), limitsSummaryTable(input)]
		.filter((table) => table.rows.length > 0)
		.map((table) => `*${table.title}*\n\n${markdownTable(table)}`)
		.join('\n\n');
}

export function chart(input: ReportInput): string {
	const { results, settings } = input;
	const groups: BarGroup[] = [];
	const bar = (m: Measurement | undefined, floorMs: number | undefined, label?: string) =>
		m && {
			label: label ?? toolLabel(m.tool, settings),
			value: m.result.wallMs / 1000,
			floor: floorMs === undefined ? undefined : floorMs / 1000,
			color: COLORS[m.tool],
			note: `${seconds(m.result.wallMs)}${floorMs && complete(m) ? ` · ${times(m.result.wallMs / floorMs)} floor` : ''}${m.tool === 'expressions' || complete(m) ? '' : ` · ${m.result.status === 'success' ? '' : 'failed, '}${count(notApplied(m))} not applied`}`,
		};
	const drawn = <T>(bars: Array<T | undefined>) => bars.filter((b): b is T => Boolean(b));
	for (const latencyMs of sweepLatencies(results)) {
		const floor = sweepFloorAt(results, latencyMs);
		groups.push({
			title: `${count(settings.items)} items at ${latency(latencyMs)} Graph latency (token warm, median)`,
			bars: drawn(
				SWEEP_TOOLS.map((tool) =>
					bar(
						warmAt(results, tool, latencyMs).median,
						tool === 'node' || tool === 'nodeFields' ? floor?.ms : undefined,
					),
				),
			),
		});
	}
	const throttled = pick(results, { kind: 'throttled' });
	if (throttled.length) {
		const nodeMedian = medianRun(throttled.filter((m) => m.tool === 'node'));
		const http = throttled.find((m) => m.tool !== 'node');
		groups.push({
			title: `${Math.round(settings.throttleShare * 100)} % answered 429 (Retry-After ${settings.retryAfterSeconds} s), ${latency(throttled[0].latencyMs)}`,
			bars: drawn([
				bar(nodeMedian, nodeMedian?.floor?.ms, 'This node (median seed)'),
				bar(http, undefined),
			]),
		});
	}
	const limited = [...pick(results, { kind: 'bucket' }), ...pick(results, { kind: 'concurrent' })];
	if (limited.length) {
		groups.push({
			title: `Burst ${settings.bucketBurst}, then ${settings.bucketRate} calls/s, ${latency(limited[0].latencyMs)}`,
			bars: drawn(
				limited.map((m) =>
					bar(
						m,
						m.tool === 'node' ? m.floor?.ms : undefined,
						m.executions ? `This node, ${m.executions} executions at once` : undefined,
					),
				),
			),
		});
	}
	const memory = memoryRuns(results).at(-1);
	if (memory && memory.result.items !== settings.items) {
		groups.push({
			title: `${count(memory.result.items)} items at ${latency(memory.latencyMs)} (memory run, a full GC every ${MEMORY_GC_EVERY_MS / 1000} s)`,
			bars: drawn([bar(memory, undefined)]),
		});
	}
	const uploads = results.bulk.filter((m) => bulkKind(m) === 'upload');
	if (uploads.length > 0) {
		groups.push({
			title: `Bulk upload of ${count(uploads[0].result.items)} employees (at most ${BULK_UPLOAD_LIMITS.requestsPerWindow} requests in any ${BULK_UPLOAD_LIMITS.windowMs / 1000} s)`,
			bars: uploads.map((m) => {
				const lost = recordsLost(m);
				const whole = m.result.status === 'success' && lost === 0;
				return {
					label: bulkLabel(m),
					value: m.result.wallMs / 1000,
					floor: whole ? m.floor.ms / 1000 : undefined,
					color: COLORS[m.tool],
					note: `${seconds(m.result.wallMs)}${whole ? ` · ${times(m.result.wallMs / m.floor.ms)} floor` : ` · ${m.result.status === 'success' ? '' : 'failed, '}${count(lost)} lost`}`,
				};
			}),
		});
	}
	const subtitle = `n8n ${input.machine.n8nVersion} against the Graph emulator (latency ± ${Math.round(settings.jitter * 100)} %, token endpoint ${latency(settings.tokenLatencyMs)}), ${input.machine.cores} cores; shorter is better`;
	return barChart(
		'Wall time per scenario and tool',
		subtitle,
		groups.filter((group) => group.bars.length > 0),
		(
			[
				['node', 'Node, expressions'],
				['nodeFields', 'Node, item fields'],
				['expressions', 'Edit Fields'],
				['httpOAuth2', 'HTTP, OAuth2'],
				['httpHeader', 'HTTP, header auth'],
			] as const
		).map(([tool, label]) => ({ label, color: COLORS[tool] })),
	);
}

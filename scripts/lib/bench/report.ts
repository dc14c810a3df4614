/**
 * Turns the measurements into the printed table, docs/benchmarks.md and the chart.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';

import { MAX_CONCURRENCY } from '../../../nodes/MicrosoftEntraProvisioning/descriptions/requestOptions';
import { BULK_UPLOAD_LIMITS, rateLimitFloor } from './floors';
import {
	BULK_PACED_RUN_LIMIT_MS,
	bulkPacedFloor,
	CPU_CATEGORIES,
	medianRun,
	MEMORY_GC_EVERY_MS,
	type BenchResults,
	type BulkMeasurement,
	type Measurement,
	type ToolId,
} from './scenarios';
import { DEFAULTS, type BenchSettings } from './options';
import { barChart, type BarGroup } from './svg';

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

export function machineInfo(runtime: { nodeVersion: string; n8nVersion: string }, startedAt: Date, loadBefore: number[]): MachineInfo {
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

const COLORS: Record<ToolId, string> = { node: '#2f6fdf', httpDefault: '#e0803a', httpTuned: '#9a9a9a', expressions: '#7fb07f' };

export interface ReportInput {
	settings: BenchSettings;
	defaults: { concurrency: number; retryLimit: number };
	machine: MachineInfo;
	results: BenchResults;
}

const seconds = (ms: number) => (ms >= 100_000 ? `${count(Math.round(ms / 1000))} s` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×` : '–');
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const perItem = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`);
const count = (value: number) => value.toLocaleString('en-US');

function toolLabel(tool: ToolId, settings: BenchSettings): string {
	switch (tool) {
		case 'node':
			return 'This node';
		case 'httpDefault':
			return 'HTTP Request, defaults';
		case 'httpTuned':
			return `HTTP Request, batching ${settings.httpBatchSize}/${settings.httpBatchIntervalMs} ms`;
		case 'expressions':
			return "n8n alone: the node's 3 expressions (Edit Fields)";
	}
}

function pick(results: BenchResults, tool: ToolId, kind: Measurement['kind']): Measurement[] {
	return results.measurements.filter((m) => m.tool === tool && m.kind === kind);
}

/** Process CPU per item beyond what the same items cost n8n without the tool (webhook, fan-out, saving). */
function cpuBeyondBaseline(m: Measurement): number {
	const baselinePerItem = m.baseline.usage.cpuMs / m.baseline.items;
	return Math.max(0, m.result.usage.cpuMs / m.result.items - baselinePerItem);
}

function notApplied(m: Measurement): number {
	return m.result.items - m.result.graph.applied;
}

export interface Table {
	title: string;
	header: string[];
	rows: string[][];
	notes?: string[];
}

function mainTable(input: ReportInput): Table {
	const { settings, results } = input;
	const rows: string[][] = [];
	for (const tool of ['node', 'httpDefault', 'httpTuned', 'expressions'] as ToolId[]) {
		for (const kind of ['cold', 'warm'] as const) {
			const runs = pick(results, tool, kind);
			const m = kind === 'warm' ? medianRun(runs) : runs[0];
			if (!m) continue;
			const r = m.result;
			const spread = runs.length > 1 ? ` (${seconds(Math.min(...runs.map((x) => x.result.wallMs)))}–${seconds(Math.max(...runs.map((x) => x.result.wallMs)))})` : '';
			rows.push([
				toolLabel(tool, settings),
				kind === 'cold' ? 'first run, no token' : `token warm, median of ${runs.length}`,
				`${seconds(r.wallMs)}${spread}`,
				count(Math.round((r.items / r.wallMs) * 1000)),
				seconds(r.nodeMs),
				...(tool === 'expressions' ? ['–', '–'] : [seconds(m.floor.ms), times(r.wallMs / m.floor.ms)]),
				count(r.graph.tokenRequests),
				count(r.graph.graphRequests),
				count(r.graph.httpRequests),
				perItem(r.usage.cpuMs / r.items),
				perItem(cpuBeyondBaseline(m)),
				mib(r.usage.peakBytes),
				mib(r.usage.growthBytes),
				tool === 'expressions'
					? 'expressions evaluated, no Graph call'
					: r.status === 'success' && notApplied(m) === 0
						? 'all applied'
						: `${r.status}, ${count(notApplied(m))} not applied`,
			]);
		}
	}
	return {
		title: `Token acquisition: ${count(settings.items)} items (acquireAccessToken, one per item)`,
		header: ['Tool', 'Run', 'Wall time', 'Items/s', 'Node time', 'Floor', '× floor', 'Token calls', 'Graph calls', 'HTTP requests', 'CPU/item', 'CPU/item beyond fan-out', 'Peak RSS', 'RSS growth', 'Outcome'],
		rows,
	};
}

function throttledTable(input: ReportInput): Table {
	const { settings, results } = input;
	const rows: string[][] = [];
	for (const tool of ['node', 'httpDefault', 'httpTuned'] as ToolId[]) {
		const m = pick(results, tool, 'throttled')[0];
		if (!m || !m.throttled) continue;
		const r = m.result;
		rows.push([
			toolLabel(tool, settings),
			m.configuration,
			seconds(r.wallMs),
			r.status === 'success' ? 'succeeded' : `failed: ${(r.error ?? '').slice(0, 60)}`,
			count(notApplied(m)),
			count(r.graph.throttled),
			count(r.graph.retries),
			count(r.graph.acquireCalls),
			count(r.graph.httpRequests),
			...(tool === 'node'
				? [seconds(m.throttled.floor.ms), times(r.wallMs / m.throttled.floor.ms), seconds(m.throttled.allowance.ms), times(r.wallMs / m.throttled.allowance.ms)]
				: ['does not wait', '–', '–', '–']),
		]);
	}
	return {
		title: `Under throttling: ${Math.round(settings.throttleShare * 100)} % of calls answered 429, Retry-After ${settings.retryAfterSeconds} s (seeded), ${count(settings.items)} items, token warm`,
		header: ['Tool', 'Settings', 'Wall time', 'Outcome', 'Items not applied', '429s', 'Retries', 'Graph calls', 'HTTP requests', 'Retry-After floor', '× floor', 'Work + longest wait chain', '× that'],
		rows,
	};
}

const BULK_UPLOAD_REFERENCE = 'https://learn.microsoft.com/graph/api/synchronization-synchronizationjob-post-bulkupload';
const BULK_UPLOAD_TROUBLESHOOTING = 'https://learn.microsoft.com/entra/identity/app-provisioning/inbound-provisioning-api-issues';
const BULK_UPLOAD_CONCEPTS = 'https://learn.microsoft.com/entra/identity/app-provisioning/inbound-provisioning-api-concepts';

/** The bulk runs pace the HTTP Request node at the documented rate, not at the token runs' batching. */
function bulkToolLabel(m: BulkMeasurement, settings: BenchSettings): string {
	return m.tool === 'httpTuned' ? `HTTP Request, batching ${BULK_UPLOAD_LIMITS.requestsPerWindow}/${BULK_UPLOAD_LIMITS.windowMs} ms` : toolLabel(m.tool, settings);
}

function recordsLost(m: BulkMeasurement): number {
	return m.result.items - m.bulk.recordsReceived;
}

function bulkOutcome(m: BulkMeasurement): string {
	const lost = recordsLost(m);
	if (m.result.status === 'success') return lost === 0 ? 'succeeded, nothing lost' : `succeeded, ${count(lost)} lost`;
	return `failed: ${(m.result.error ?? m.result.status).slice(0, 60)}`;
}

function bulkTable(input: ReportInput): Table | undefined {
	const { results, settings } = input;
	if (results.bulk.length === 0) return undefined;
	const employees = results.bulk[0].result.items;
	const dailyQuota = results.bulk[0].dailyQuota;
	const { requestsPerWindow, windowMs, recordsPerRequest } = BULK_UPLOAD_LIMITS;
	const rows = results.bulk.map((m) => {
		const complete = m.result.status === 'success' && recordsLost(m) === 0;
		const needed = Math.ceil(m.result.items / m.recordsPerRequest);
		return [
			bulkToolLabel(m, settings),
			m.configuration,
			seconds(m.result.wallMs),
			count(m.bulk.requests),
			count(m.result.items),
			count(m.bulk.recordsReceived),
			count(recordsLost(m)),
			count(m.bulk.throttled),
			`${seconds(m.floor.ms)} (${count(needed)} requests)`,
			complete ? times(m.result.wallMs / m.floor.ms) : '–',
			bulkOutcome(m),
		];
	});
	const latency = { graphMs: settings.graphLatencyMs, tokenMs: settings.tokenLatencyMs };
	const packed = rateLimitFloor(Math.ceil(employees / recordsPerRequest), requestsPerWindow, windowMs, latency, true);
	// The HTTP Request node paced exactly at the documented rate, one request per employee, when it was too slow to
	// run: it sends every item before it reports a failure, so its time is the floor of all its requests, and those
	// beyond the daily quota are answered 429.
	const paced = bulkPacedFloor(settings);
	const pacedLost = Math.max(0, employees - dailyQuota);
	const pacedRun = results.bulk.find((m) => m.tool === 'httpTuned');
	if (!pacedRun) rows.push([
		'HTTP Request, batching (computed, not measured)',
		`Items per Batch ${requestsPerWindow}, Batch Interval ${windowMs} ms, one request per employee`,
		`≥ ${seconds(paced.ms)}`,
		count(employees),
		count(employees),
		count(employees - pacedLost),
		count(pacedLost),
		count(pacedLost),
		`${seconds(paced.ms)} (${count(employees)} requests)`,
		'–',
		pacedLost > 0 ? `would fail: ${count(pacedLost)} requests beyond the daily quota of ${count(dailyQuota)}` : 'would succeed',
	]);
	const perEmployee = results.bulk.find((m) => m.recordsPerRequest === 1 && m.bulk.requests > 0);
	return {
		title: `Bulk upload of ${count(employees)} employees (API-driven inbound provisioning, Graph's documented limits enforced)`,
		header: ['Tool', 'Settings', 'Wall time', 'Requests', 'Records sent', 'Records received', 'Records lost', '429s', 'Floor (documented limits)', '× floor', 'Outcome'],
		rows,
		notes: [
			`Microsoft documents the limits of API-driven inbound provisioning: a bulkUpload request holds at most ${recordsPerRequest} records`,
			`([Perform bulkUpload](${BULK_UPLOAD_REFERENCE})); the endpoint takes at most ${requestsPerWindow} requests in any ${windowMs / 1000} seconds, and a`,
			`tenant at most ${count(BULK_UPLOAD_LIMITS.dailyQuota.entraIdP1P2)} requests per 24 hours with Microsoft Entra ID P1 or P2, ${count(BULK_UPLOAD_LIMITS.dailyQuota.governance)} with Microsoft Entra ID Governance;`,
			`beyond either it answers 429 ([Troubleshoot inbound provisioning API issues](${BULK_UPLOAD_TROUBLESHOOTING}),`,
			`[API-driven inbound provisioning concepts](${BULK_UPLOAD_CONCEPTS})). The API reference gives the rate as ${requestsPerWindow} requests a`,
			`second; the emulator enforces the stricter ${requestsPerWindow} in any ${windowMs / 1000} seconds, and the Governance quota of ${count(dailyQuota)} a day (these`,
			`runs used ${count(results.bulk.reduce((sum, m) => sum + m.bulk.accepted, 0))} of it).`,
			'',
			`**Floor**: with R requests and at most ${requestsPerWindow} in any ${windowMs / 1000} s, the last request cannot be sent before (⌈R / ${requestsPerWindow}⌉ − 1) × ${windowMs / 1000} s;`,
			'it then takes one Graph latency, and the token is fetched before the first. R is what the tool\'s packing needs',
			`for every employee: ${count(Math.ceil(employees / recordsPerRequest))} requests of ${recordsPerRequest} take ${packed.formula} = ${seconds(packed.ms)};`,
			`${count(employees)} requests of one take ${seconds(paced.ms)}. **Records received**: distinct employees (externalId) of the run in the job's`,
			'record of bulk uploads; lost = sent − received.',
			'',
			...(perEmployee
				? [
						`With default settings the HTTP Request node does not stop at the first 429: it sends every item, then fails.`,
						`Its ${count(perEmployee.bulk.requests)} requests reached Graph over ${seconds(perEmployee.bulk.lastRequestMs - perEmployee.bulk.firstRequestMs)}, and Graph took ${requestsPerWindow} in each ${windowMs / 1000}-second window of that:`,
						`${count(perEmployee.bulk.accepted)} employees.`,
					]
				: []),
			...(pacedRun
				? []
				: [
						`With batching it is not run (it is when that takes under ${BULK_PACED_RUN_LIMIT_MS / 60_000} minutes): paced at the documented rate, ${requestsPerWindow} items every`,
						`${count(windowMs)} ms, it needs ${seconds(paced.ms)} for ${count(employees)} requests${pacedLost > 0 ? `, ${count(pacedLost)} more than the daily quota allows; those are answered` : ''}`,
						`${pacedLost > 0 ? '429, and the node reports the failure only after sending every item' : 'and stays within the daily quota'}.`,
					]),
		],
	};
}

function sweepTable(input: ReportInput): Table | undefined {
	const { results, defaults } = input;
	const sweep = pick(results, 'node', 'sweep');
	const standard = medianRun(pick(results, 'node', 'warm'));
	if (sweep.length === 0) return undefined;
	const all = [...sweep, ...(standard ? [standard] : [])].sort((a, b) => (a.concurrency ?? 0) - (b.concurrency ?? 0));
	return {
		title: 'This node, token warm: Items in Flight compared',
		header: ['Items in Flight', 'Wall time', 'Items/s', 'Floor', '× floor', 'CPU/item'],
		rows: all.map((m) => [
			`${m.concurrency}${m.concurrency === defaults.concurrency ? ' (default)' : ''}`,
			seconds(m.result.wallMs),
			count(Math.round((m.result.items / m.result.wallMs) * 1000)),
			seconds(m.floor.ms),
			times(m.result.wallMs / m.floor.ms),
			perItem(m.result.usage.cpuMs / m.result.items),
		]),
	};
}

/** Heap still in use after full collections: most during the run minus before it. */
function heapGrowth(run: { liveHeap?: { beforeBytes: number; maxBytes: number } }): number | undefined {
	return run.liveHeap ? run.liveHeap.maxBytes - run.liveHeap.beforeBytes : undefined;
}

function memoryRuns(results: BenchResults): Measurement[] {
	return pick(results, 'node', 'memory')
		.filter((m) => m.result.liveHeap && m.baseline.liveHeap)
		.sort((a, b) => a.result.items - b.result.items);
}

function memoryTable(input: ReportInput): Table | undefined {
	const runs = memoryRuns(input.results);
	if (runs.length === 0) return undefined;
	const heap = (bytes: number | undefined) => (bytes === undefined ? '–' : mib(bytes));
	return {
		title: `Memory: one fresh n8n, a full garbage collection every ${MEMORY_GC_EVERY_MS / 1000} s to read the heap still in use`,
		header: ['Items', 'Heap growth, fan-out alone', 'Heap growth with this node', 'Beyond the fan-out', 'RSS growth', 'Peak RSS', 'Token calls', 'Wall time (slowed by the collections)'],
		rows: runs.map((m) => {
			const node = heapGrowth(m.result) ?? 0;
			const base = heapGrowth(m.baseline) ?? 0;
			return [
				count(m.result.items),
				heap(base),
				heap(node),
				heap(node - base),
				mib(m.result.usage.growthBytes),
				mib(m.result.usage.peakBytes),
				count(m.result.graph.tokenRequests),
				seconds(m.result.wallMs),
			];
		}),
	};
}

function profileTable(input: ReportInput): Table | undefined {
	const { results, settings } = input;
	if (results.profiles.length === 0) return undefined;
	return {
		title: 'Where the CPU time of a warm run goes (n8n main thread, CPU profile), per item',
		header: ['Tool', ...CPU_CATEGORIES.map((name) => (name === 'own code' ? "tool's own code" : name)), 'total'],
		rows: results.profiles.map((p) => {
			const values = CPU_CATEGORIES.map((name) => p.split[name] / p.items);
			return [toolLabel(p.tool, settings), ...values.map(perItem), perItem(values.reduce((a, b) => a + b, 0))];
		}),
	};
}

export interface Check {
	target: string;
	measured: string;
	met: boolean | undefined;
}

export function checks(input: ReportInput): Check[] {
	const { results, settings } = input;
	const list: Check[] = [];
	const nodeCold = pick(results, 'node', 'cold')[0];
	const nodeWarm = medianRun(pick(results, 'node', 'warm'));
	const httpCold = pick(results, 'httpDefault', 'cold')[0];
	const httpWarm = medianRun(pick(results, 'httpDefault', 'warm'));
	if (nodeWarm) {
		const ratio = nodeWarm.result.wallMs / nodeWarm.floor.ms;
		const coldRatio = nodeCold ? nodeCold.result.wallMs / nodeCold.floor.ms : Number.NaN;
		list.push({
			target: `${count(settings.items)} items within 1.25× of the floor for its concurrency (${nodeWarm.concurrency} in flight)`,
			measured: `${times(ratio)} token warm (${seconds(nodeWarm.result.wallMs)} against ${seconds(nodeWarm.floor.ms)}); ${times(coldRatio)} on the first run`,
			met: ratio <= 1.25,
		});
	}
	if (nodeWarm && httpWarm) {
		const warm = httpWarm.result.wallMs / nodeWarm.result.wallMs;
		const cold = nodeCold && httpCold ? httpCold.result.wallMs / nodeCold.result.wallMs : Number.NaN;
		const expressions = medianRun(pick(results, 'expressions', 'warm'));
		const bound = expressions
			? `; n8n alone takes ${seconds(expressions.result.wallMs)} to evaluate the node's three expressions for these items (Edit Fields, no Graph call), so no node reading them can be more than ${times(httpWarm.result.wallMs / expressions.result.wallMs)} faster here`
			: '';
		list.push({
			target: 'At least 5× faster than the HTTP Request node with its default settings',
			measured: `${times(warm)} token warm (${seconds(httpWarm.result.wallMs)} against ${seconds(nodeWarm.result.wallMs)}), ${times(cold)} on the first run${bound}`,
			met: warm >= 5 && (!Number.isFinite(cold) || cold >= 5),
		});
	}
	// the first run of each fresh n8n fetches the token; every later one finds it
	const memoryRunsInOrder = pick(results, 'node', 'memory');
	const colds = [...pick(results, 'node', 'cold'), ...memoryRunsInOrder.slice(0, 1)];
	const warms = [...pick(results, 'node', 'warm'), ...pick(results, 'node', 'sweep'), ...pick(results, 'node', 'throttled'), ...memoryRunsInOrder.slice(1)];
	if (colds.length) {
		list.push({
			target: 'One token-endpoint call per credential per token lifetime, whatever N; none with a warm token',
			measured: `${colds.map((m) => `${count(m.result.graph.tokenRequests)} for ${count(m.result.items)} items`).join(', ')} (first runs); ${count(warms.reduce((sum, m) => sum + m.result.graph.tokenRequests, 0))} in ${warms.length} later runs`,
			met: colds.every((m) => m.result.graph.tokenRequests === 1) && warms.every((m) => m.result.graph.tokenRequests === 0),
		});
	}
	const profile = results.profiles.find((p) => p.tool === 'node');
	if (profile) {
		const own = profile.split['own code'] / profile.items;
		const total = CPU_CATEGORIES.reduce((sum, name) => sum + profile.split[name], 0) / profile.items;
		list.push({
			target: "CPU per item well under a millisecond of the node's own work",
			measured: `${perItem(own)} in the node's own code (CPU profile); ${perItem(total)} for everything n8n does per item`,
			met: own < 0.25,
		});
	}
	const memory = memoryRuns(results);
	if (memory.length >= 2) {
		const beyond = (m: Measurement) => (heapGrowth(m.result) ?? 0) - (heapGrowth(m.baseline) ?? 0);
		const small = memory[0];
		const large = memory[memory.length - 1];
		const perExtraItem = (beyond(large) - beyond(small)) / (large.result.items - small.result.items);
		list.push({
			target: 'Memory does not grow with N beyond the items themselves',
			measured: `heap still in use beyond the fan-out of the same items: ${mib(beyond(small))} for ${count(small.result.items)} items, ${mib(beyond(large))} for ${count(large.result.items)}, i.e. ${count(Math.round(perExtraItem))} bytes per extra item (its output item); peak RSS growth ${mib(large.result.usage.growthBytes)} with collections every ${MEMORY_GC_EVERY_MS / 1000} s, ${mib(nodeCold?.result.usage.growthBytes ?? 0)} for ${count(nodeCold?.result.items ?? 0)} items without (garbage V8 had not collected yet)`,
			met: perExtraItem <= 4096,
		});
	}
	const throttled = pick(results, 'node', 'throttled')[0];
	if (throttled?.throttled) {
		list.push({
			target: 'Nothing lost under throttling',
			measured: `${count(notApplied(throttled))} of ${count(throttled.result.items)} not applied, execution ${throttled.result.status}; ${count(throttled.result.graph.throttled)} 429s, ${count(throttled.result.graph.retries)} retries`,
			met: notApplied(throttled) === 0 && throttled.result.status === 'success',
		});
		const ratio = throttled.result.wallMs / throttled.throttled.floor.ms;
		list.push({
			target: 'Under throttling, within 1.2× of the Retry-After floor',
			measured: `${times(ratio)} (${seconds(throttled.result.wallMs)} against ${seconds(throttled.throttled.floor.ms)}, set by the item throttled most often); ${times(throttled.result.wallMs / throttled.throttled.allowance.ms)} of the work plus that item's waits (${seconds(throttled.throttled.allowance.ms)})`,
			met: ratio <= 1.2,
		});
	}
	const bulkNode = results.bulk.find((m) => m.tool === 'node');
	if (bulkNode) {
		const ratio = bulkNode.result.wallMs / bulkNode.floor.ms;
		list.push({
			target: `Bulk upload of ${count(bulkNode.result.items)} employees: nothing lost, requests made, time against the documented limits`,
			measured: `${count(recordsLost(bulkNode))} of ${count(bulkNode.result.items)} lost, execution ${bulkNode.result.status}; ${count(bulkNode.bulk.requests)} requests, ${count(bulkNode.bulk.throttled)} answered 429; ${seconds(bulkNode.result.wallMs)}, ${times(ratio)} the least time the limits allow (${seconds(bulkNode.floor.ms)})`,
			met: recordsLost(bulkNode) === 0 && bulkNode.result.status === 'success',
		});
	}
	return list;
}

export function tables(input: ReportInput): Table[] {
	// a table without rows is a group left out (--only)
	return [mainTable(input), throttledTable(input), bulkTable(input), sweepTable(input), memoryTable(input), profileTable(input)].filter(
		(t): t is Table => t !== undefined && t.rows.length > 0,
	);
}

/** Plain-text table for the terminal. */
export function printable(table: Table): string {
	const widths = table.header.map((heading, column) => Math.max(heading.length, ...table.rows.map((row) => (row[column] ?? '').length)));
	const line = (cells: string[]) => cells.map((cell, column) => (cell ?? '').padEnd(widths[column])).join('  ');
	return [table.title, line(table.header), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(line)].join('\n');
}

function markdownTable(table: Table): string {
	const cell = (value: string) => value.replace(/\|/g, '\\|');
	return [`| ${table.header.map(cell).join(' | ')} |`, `| ${table.header.map(() => '---').join(' | ')} |`, ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

export function chart(input: ReportInput): string {
	const { results, settings } = input;
	const groups: BarGroup[] = [];
	const bar = (m: { tool: ToolId; result: { wallMs: number } } | undefined, floorMs: number | undefined, extra = '') =>
		m && {
			label: toolLabel(m.tool, settings),
			value: m.result.wallMs / 1000,
			floor: floorMs === undefined ? undefined : floorMs / 1000,
			color: COLORS[m.tool],
			note: `${seconds(m.result.wallMs)}${floorMs ? ` · ${times(m.result.wallMs / floorMs)} floor` : ''}${extra}`,
		};
	const lostNote = (m: Measurement | undefined) => (m && (notApplied(m) > 0 || m.result.status !== 'success') ? ` · ${m.result.status === 'success' ? '' : 'failed, '}${count(notApplied(m))} not applied` : '');
	const tools: ToolId[] = ['node', 'httpDefault', 'httpTuned', 'expressions'];
	for (const [title, kind] of [
		[`${count(settings.items)} items, first run (token fetched)`, 'cold'],
		[`${count(settings.items)} items, token warm (median)`, 'warm'],
	] as const) {
		const bars = tools.map((tool) => {
			const m = kind === 'warm' ? medianRun(pick(results, tool, 'warm')) : pick(results, tool, 'cold')[0];
			return bar(m, tool === 'expressions' ? undefined : m?.floor.ms);
		});
		groups.push({ title, bars: bars.filter((b): b is NonNullable<typeof b> => Boolean(b)) });
	}
	const throttledBars = tools.map((tool) => {
		const m = pick(results, tool, 'throttled')[0];
		const drawn = bar(m, tool === 'node' ? m?.throttled?.floor.ms : undefined, lostNote(m));
		return drawn && tool === 'httpTuned' ? { ...drawn, label: `${drawn.label}, Retry On Fail` } : drawn;
	});
	groups.push({
		title: `${count(settings.items)} items, ${Math.round(settings.throttleShare * 100)} % answered 429 (Retry-After ${settings.retryAfterSeconds} s)`,
		bars: throttledBars.filter((b): b is NonNullable<typeof b> => Boolean(b)),
	});
	if (results.bulk.length > 0) {
		groups.push({
			title: `Bulk upload of ${count(results.bulk[0].result.items)} employees (at most ${BULK_UPLOAD_LIMITS.requestsPerWindow} requests in any ${BULK_UPLOAD_LIMITS.windowMs / 1000} s)`,
			bars: results.bulk.map((m) => {
				const complete = m.result.status === 'success' && recordsLost(m) === 0;
				const drawn = bar(m, complete ? m.floor.ms : undefined, complete ? '' : ` · ${m.result.status === 'success' ? '' : 'failed, '}${count(recordsLost(m))} lost`);
				const labels: Partial<Record<ToolId, string>> = { node: 'This node, Upload Users', httpDefault: 'HTTP Request, 1 per request', httpTuned: 'HTTP Request, 1 per request, paced' };
				const label = labels[m.tool] ?? drawn!.label;
				return { ...drawn!, label };
			}),
		});
	}
	const memory = memoryRuns(results).at(-1);
	if (memory && memory.result.items !== settings.items) {
		groups.push({ title: `${count(memory.result.items)} items (memory run, a full GC every ${MEMORY_GC_EVERY_MS / 1000} s)`, bars: [bar(memory, memory.floor.ms)!] });
	}
	const subtitle = `n8n ${input.machine.n8nVersion} against the Graph emulator (Graph ${settings.graphLatencyMs} ms, token endpoint ${settings.tokenLatencyMs} ms per call), ${input.machine.cores} cores; shorter is better`;
	return barChart('Wall time per scenario and tool', subtitle, groups.filter((group) => group.bars.length > 0), [
		{ label: 'This node (defaults)', color: COLORS.node },
		{ label: 'HTTP Request, defaults', color: COLORS.httpDefault },
		{ label: `HTTP Request, batching ${settings.httpBatchSize}/${settings.httpBatchIntervalMs} ms`, color: COLORS.httpTuned },
	]);
}

/** The reasoning behind the default and the targets not met, with this run's figures. */
function discussion(input: ReportInput): string[] {
	const { results, defaults, settings } = input;
	const lines: string[] = [];
	const warm = medianRun(pick(results, 'node', 'warm'));
	const sweep = [...pick(results, 'node', 'sweep'), ...(warm ? [warm] : [])].sort((a, b) => (a.concurrency ?? 0) - (b.concurrency ?? 0));
	const nodeProfile = results.profiles.find((p) => p.tool === 'node');
	const httpProfile = results.profiles.find((p) => p.tool === 'httpDefault');
	const total = (p: { split: Record<string, number>; items: number }) => CPU_CATEGORIES.reduce((sum, name) => sum + p.split[name], 0) / p.items;
	const httpWarm = medianRun(pick(results, 'httpDefault', 'warm'));
	lines.push(`## Why Items in Flight defaults to ${defaults.concurrency}`, '');
	if (sweep.length > 1) {
		const widest = sweep[sweep.length - 1];
		const saved = warm && widest !== warm ? 1 - widest.result.wallMs / warm.result.wallMs : 0;
		lines.push(
			`In this run ${sweep.map((m) => `${m.concurrency} in flight took ${seconds(m.result.wallMs)} (${times(m.result.wallMs / m.floor.ms)} its floor)`).join(', ')}.`,
			'Items in Flight bounds the calls at Graph; meanwhile the node has n8n evaluate the parameters of up to twice as many',
			'further items, so the slots a returning batch frees are filled again at once. A batch holds half the calls in flight,',
			'so from 40 in flight on two batches of Graph\'s maximum of 20 are at Graph at a time. Beyond that n8n\'s own CPU time',
			'per item (below) sets the pace on a small host: ' +
				(saved >= 0.1
					? `${widest.concurrency} in flight took ${Math.round(saved * 100)} % less time here, at a burst rate on Graph ${Math.round(((widest.concurrency ?? 0) / defaults.concurrency) * 100)} % of the default's.`
					: 'more calls in flight add load on Graph but hardly shorten the run.'),
			'',
		);
	}
	lines.push(
		'Graph does not publish throttling limits for the synchronization API. The nearest documented ones are those of',
		'identity and access (Microsoft Entra ID) in Microsoft Graph: per app and tenant, a write quota of 3,000 requests per',
		'2 minutes 30 seconds (a bucket refilled at 20 writes a second) and 3,500–8,000 resource units per 10 seconds',
		'depending on the tenant\'s size; per app across all tenants, 130,000 requests per 10 seconds',
		'([Microsoft Graph service-specific throttling limits](https://learn.microsoft.com/graph/throttling-limits)). The one',
		'synchronization action with a published limit, provisionOnDemand, allows 5 requests per 10 seconds: the provisioning',
		'service keeps its own, lower limits.',
		'',
		'Calls in flight are not a rate: at a latency L, C calls in flight make C / L calls a second. For a call that stores',
		`secrets in the provisioning service, a few hundred milliseconds is a fair guess (Microsoft publishes none; the emulator`,
		`uses ${settings.graphLatencyMs} ms). At 100–300 ms, ${defaults.concurrency} in flight is about ${Math.round(defaults.concurrency / 0.3)}–${Math.round(defaults.concurrency / 0.1)} calls a second: a 1,000-item run stays inside`,
		'the 3,000-write burst, and a longer one reaches the sustained 20 writes a second after 15–45 seconds, where Graph',
		'answers 429: the node lowers its calls in flight to the share of a round of calls Graph accepted (by half at most),',
		'and while Graph refuses most calls it sends them at the pace Graph accepted them at, so that no item spends its',
		'retries on 429s (the test suite runs 150 items against a Graph that takes 10 calls a second: all applied). The',
		'calls of a JSON batch count one by one against these limits, exactly as if sent alone. Up to 50 can be set for hosts',
		'with cores to spare and tenants known to allow it; lower it when other workflows use the same app registration.',
		'',
	);
	const unmet = checks(input).filter((check) => check.met === false);
	const unmetTarget = (text: string) => unmet.some((check) => check.target.includes(text));
	if (unmet.length > 0) lines.push('## Targets not met, and why', '');
	if (nodeProfile && httpProfile && warm && httpWarm) {
		const nodeTotal = total(nodeProfile);
		const httpTotal = total(httpProfile);
		const fastest = sweep.reduce((best, m) => (m.result.wallMs < best.result.wallMs ? m : best), sweep[0] ?? warm);
		const expressions = medianRun(pick(results, 'expressions', 'warm'));
		const parameters = nodeProfile.split['n8n: parameters and expressions'] / nodeProfile.items;
		if (unmetTarget('5× faster')) {
			lines.push(
				`**Five times the HTTP Request node.** With default settings the HTTP Request node sends every item at once; it is`,
				`bound by n8n\'s CPU time per item, not by latency: ${perItem(httpTotal)} per item on n8n\'s main thread here, of which`,
				`${perItem(httpProfile.split['n8n: parameters and expressions'] / httpProfile.items)} evaluating its URL and body expressions, ${perItem(httpProfile.split['n8n: HTTP client and TLS'] / httpProfile.items)} in n8n\'s HTTP client (a new connection and TLS`,
				`handshake per request) and ${perItem(httpProfile.split['n8n: credential reads'] / httpProfile.items)} reading its credential twice per item. This node needs ${perItem(nodeTotal)} per item: ${perItem(nodeProfile.split['own code'] / nodeProfile.items)} of its own`,
				`code, ${perItem(nodeProfile.split['n8n: HTTP client and TLS'] / nodeProfile.items)} of HTTP client now that up to 20 calls share one request, and ${perItem(parameters)} — most of it — for n8n to`,
				'evaluate the three expressions that give each item its target and secrets.',
				...(expressions
					? [
							`n8n\'s Edit Fields node evaluating the same three expressions, with no Graph call at all, took`,
							`${seconds(expressions.result.wallMs)} for these ${count(settings.items)} items: no node that reads an item\'s target and secrets through n8n\'s expressions`,
							`can be more than ${times(httpWarm.result.wallMs / expressions.result.wallMs)} faster than the HTTP Request node\'s ${seconds(httpWarm.result.wallMs)} on this host. This node reaches ${times(httpWarm.result.wallMs / warm.result.wallMs)} at its`,
							`default${fastest === warm ? ', the fastest setting measured' : ` and ${times(httpWarm.result.wallMs / fastest.result.wallMs)} at ${fastest.concurrency} in flight`}. What separates it from that bound is Graph\'s latency: ⌈N / C⌉ round`,
							`trips, each ${settings.graphLatencyMs} ms plus a new connection and TLS handshake (n8n\'s HTTP helper keeps no connection open), at`,
							`least ${seconds(warm.floor.ms)} at ${defaults.concurrency} in flight. The node overlaps them with n8n\'s CPU time (n8n evaluates the next items while`,
							'batches are at Graph), but a run cannot be shorter than the longer of the two, and more calls in flight shorten the',
							`round trips\' share while n8n\'s CPU time then sets the pace (see the comparison above); the node keeps ${defaults.concurrency} by default and ${MAX_CONCURRENCY} at most.`,
						]
					: []),
				'',
			);
		}
		if (unmetTarget('1.25×')) {
			const calmest = sweep.reduce((best, m) => (m.result.wallMs / m.floor.ms < best.result.wallMs / best.floor.ms ? m : best), sweep[0] ?? warm);
			const roundTrip = calmest.result.wallMs / Math.ceil(settings.items / (calmest.concurrency ?? defaults.concurrency));
			lines.push(
				`**1.25× of the floor.** The floor counts Graph\'s latency only: ⌈N / C⌉ × ${settings.graphLatencyMs} ms, ${seconds(warm.floor.ms)} at ${defaults.concurrency} in flight. A round trip costs`,
				'more than that: n8n\'s HTTP helper opens a new connection with a TLS handshake for every request, and each request and',
				`answer passes through n8n\'s HTTP stack and the emulator\'s. Closest to its floor was ${calmest.concurrency} in flight, where n8n is idle most of`,
				`the time: ${times(calmest.result.wallMs / calmest.floor.ms)} its floor, about ${Math.round(roundTrip)} ms per round trip against Graph\'s ${settings.graphLatencyMs} ms. At ${defaults.concurrency} in flight n8n\'s own CPU time`,
				`fills most of the floor besides (${perItem(nodeTotal)} per item on its main thread, ${seconds(nodeTotal * settings.items)} for ${count(settings.items)} items, plus the Webhook and Split Out`,
				`fan-out every tool shares), and the run took ${times(warm.result.wallMs / warm.floor.ms)} its floor. At real Graph latencies (a few hundred milliseconds for`,
				'a write) the same overheads are a smaller share of each round trip.',
				'',
			);
		}
	}
	const bulkNode = results.bulk.find((m) => m.tool === 'node');
	if (bulkNode && bulkNode.result.wallMs / bulkNode.floor.ms > 1.2) {
		lines.push('## Bulk upload: where the time goes', '');
		const { requestsPerWindow, windowMs } = BULK_UPLOAD_LIMITS;
		const sending = bulkNode.bulk.lastRequestMs - bulkNode.bulk.firstRequestMs;
		const limit = (Math.ceil(bulkNode.bulk.accepted / requestsPerWindow) - 1) * windowMs;
		lines.push(
			`The floor counts Graph's limit only. The node reads and checks`,
			'every employee before it sends one, so that an invalid employee stops the upload before any record leaves (without',
			`Continue On Fail): the first request reached Graph ${seconds(bulkNode.bulk.firstRequestMs)} after the webhook call, the time n8n took to take in`,
			`${count(bulkNode.result.items)} items, split them and evaluate each employee's attribute expressions. The ${count(bulkNode.bulk.requests)} requests then took ${seconds(sending)} from first to`,
			`last, against ${seconds(limit)} that the limit requires: the node leaves a margin after each ${windowMs / 1000}-second window so that no`,
			'request lands inside the previous one.',
			'',
		);
	}
	const throttled = pick(results, 'node', 'throttled')[0];
	if (throttled?.throttled && throttled.result.wallMs / throttled.throttled.floor.ms > 1.2) {
		const longest = Math.max(0, ...throttled.result.graph.throttlesPerItem);
		lines.push(
			`**1.2× of the Retry-After floor.** The floor is set by the item Graph throttled most often (${longest} times in a`,
			`row: ${seconds(throttled.throttled.floor.ms)} of waits and calls). Reaching it means sending that item first, which no tool can know; an item`,
			'started after the first seconds that then meets the same streak ends the run later. The node adds nothing beyond',
			`Graph's waits: it finishes at ${times(throttled.result.wallMs / throttled.throttled.allowance.ms)} of the work floor plus that item's waits, retries each throttled item as soon`,
			"as its Retry-After has passed (before any new item), and keeps the other calls going meanwhile.",
			'',
		);
	}
	return lines;
}

export function markdown(input: ReportInput, chartPath: string): string {
	const { settings, machine, defaults, results } = input;
	const bulk = results.bulk[0];
	const computed = bulk && !results.bulk.some((m) => m.tool === 'httpTuned');
	const flags = [settings.items !== DEFAULTS.items ? `--items ${settings.items}` : '', settings.bulkItems !== DEFAULTS.bulkItems ? `--bulk-items ${settings.bulkItems}` : '']
		.filter(Boolean)
		.join(' ');
	const all = tables(input);
	const checkRows = checks(input);
	const mark = (met: boolean | undefined) => (met === undefined ? '–' : met ? 'met' : '**not met**');
	const lines: string[] = [
		'# Benchmarks',
		'',
		'<!-- Written by `npm run bench` (scripts/bench.ts); do not edit by hand. -->',
		'',
		`Measured ${machine.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round(machine.durationS)} s, with \`npm run bench${flags ? ` -- ${flags}` : ''}\`.`,
		'Every figure comes from a real n8n running the workflows below against the project\'s Graph and Entra ID emulator',
		`on the same machine; nothing is extrapolated${computed ? ' except the bulk-upload row marked *computed, not measured*' : ''}.`,
		'',
		`![Wall time per scenario and tool](${chartPath})`,
		'',
		'## Targets',
		'',
		'| Target | Measured | |',
		'| --- | --- | --- |',
		...checkRows.map((check) => `| ${check.target} | ${check.measured} | ${mark(check.met)} |`),
		'',
		...discussion(input),
		...all.flatMap((table) => [`## ${table.title}`, '', markdownTable(table), '', ...(table.notes ? [...table.notes, ''] : [])]),
		'## Machine and settings',
		'',
		`- ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB memory, ${machine.kernel}.`,
		`- n8n ${machine.n8nVersion} (\`n8n start\`, SQLite, default settings, expressions in its default \`vm\` engine) on Node.js ${machine.nodeVersion}; the emulator runs in the benchmark's own Node.js process on the same machine.`,
		`- Load average (1, 5, 15 min) before: ${machine.loadBefore.map((value) => value.toFixed(2)).join(', ')}; after: ${machine.loadAfter.map((value) => value.toFixed(2)).join(', ')}. Other processes on the machine share its cores; figures vary from run to run by 10–30 %.`,
		`- Latency added by the emulator: ${settings.graphLatencyMs} ms per Graph call, ${settings.tokenLatencyMs} ms per token-endpoint call.`,
		`- This node: its defaults (Items in Flight ${defaults.concurrency}, Retry Limit ${defaults.retryLimit}), app-only credential with a client secret.`,
		`- HTTP Request node (n8n-nodes-base, version 4.5): the same POST with a generic OAuth2 credential (grant type Client Credentials, scope \`<graph>/.default\`), body from an expression; defaults, and batching of ${settings.httpBatchSize} items every ${settings.httpBatchIntervalMs} ms (the values n8n fills in when the Batching option is added).`,
		`- Throttling: ${Math.round(settings.throttleShare * 100)} % of acquireAccessToken calls answered 429 with Retry-After ${settings.retryAfterSeconds} s, drawn with seed ${settings.seed}.`,
		...(bulk
			? [
					`- Bulk upload: ${count(bulk.result.items)} generated employees to an API-driven inbound provisioning job (template API2AAD), signed in as an app registration holding only SynchronizationData-User.Upload; the emulator enforces ${BULK_UPLOAD_LIMITS.requestsPerWindow} bulkUpload requests in any ${BULK_UPLOAD_LIMITS.windowMs / 1000} seconds and the Microsoft Entra ID Governance quota of ${count(bulk.dailyQuota)} a day, both answered 429 with a Retry-After.`,
				]
			: []),
		'',
		'## How it is measured',
		'',
		'- **Workflow**: Webhook (answers when the last node has finished) → Split Out (one item per array entry) → the tool.',
		'  Each item names a service principal (a pool of up to 1,000) and carries a BaseAddress and a SecretToken unique to it,',
		'  so the emulator\'s log shows which item each call was for.',
		'- **One fresh n8n per tool** (a copy of one prepared user folder): the first run finds no token anywhere (the HTTP',
		'  Request node keeps its OAuth2 token in the credential, this node in memory), later runs in the same process find it',
		'  warm. Each process first runs the same items through Webhook → Split Out → No Operation: the **baseline**.',
		'- **Wall time**: from the webhook call to its answer. **Node time**: the tool node\'s `executionTime` in n8n\'s run data.',
		'- **CPU/item**: user + system CPU time of the n8n process (`/proc/<pid>/stat`) over the run, divided by the items;',
		'  *beyond fan-out* subtracts the baseline\'s CPU per item. The split by code comes from a V8 CPU profile of a separate',
		'  n8n (`--cpu-prof`), counting only samples inside the measured run.',
		'- **Peak RSS**: `VmHWM` of the n8n process, reset before each run (`/proc/<pid>/clear_refs`), so it is the run\'s own',
		'  peak; *growth* is that peak minus the RSS when the run started.',
		'- **Token calls, Graph calls, 429s, retries, items not applied**: counted by the emulator. An item is applied when',
		'  Graph answered 204 to a call carrying its secret. **HTTP requests**: what Graph\'s endpoint received; a JSON batch',
		'  (`POST /v1.0/$batch`) is one request however many Graph calls it carries, and Graph counts, throttles and answers',
		'  each of those calls on its own. The emulator runs the calls of a batch side by side, each with the Graph latency,',
		'  and answers when the last is done.',
		'- **Floors**: with per-call latency L and C calls in flight, N calls cannot take less than ⌈N / C⌉ × L, plus the',
		'  token fetch when the run made one. The HTTP Request node with default settings sends every item at once (C = N);',
		'  with batching, batch b starts (b − 1) × interval after the first. Under throttling, the **Retry-After floor** is the',
		'  larger of the calls floor for every call made (retries included) and the chain of the item throttled most often',
		'  (k × (Retry-After + L) + L): no tool can finish sooner. A tool reaches it only if it knew in advance which items',
		'  Graph will throttle and sent those first; *work + longest wait chain* adds that item\'s waits to the calls floor',
		'  instead, the time a tool needs that wastes nothing beyond what Graph asks for but cannot know the future.',
		'- **Bulk upload**: Webhook → Split Out (one item per employee) → this node\'s Upload Users with its defaults (SCIM',
		'  attributes mapped by expressions such as `{{ $json.employeeId }}`), or the HTTP Request node posting each employee',
		'  as a SCIM BulkRequest of one operation built by an expression (Content-Type `application/scim+json`). Requests and',
		'  429s are counted by the emulator; its floor is set by the documented request limit, not by latency (see its table).',
		'',
		'## What the HTTP Request node does with many items',
		'',
		'Read from its source in n8n-nodes-base 2.41 (`nodes/HttpRequest/V3/HttpRequestV3.node.ts`): it evaluates each',
		'item\'s parameters in turn and starts that item\'s request without waiting for it, then waits for all of them',
		'(`Promise.allSettled`). With default settings every item is in flight at once; **Batching** (*Items per Batch*,',
		'*Batch Interval*) only sleeps between the starts of batches, it does not wait for a batch to finish. It does not',
		'retry a 429 itself: the first failed item fails the node once all have settled, unless *On Error* continues; n8n\'s',
		'*Retry On Fail* runs the whole node again, every item included. Its OAuth2 client-credentials token is fetched by',
		'whichever items start before one is stored in the credential (each fetches its own), then read from the credential',
		'for every item.',
		'',
		'Both tools pay n8n\'s per-request and per-expression costs: n8n 2.41\'s HTTP helper builds a new HTTPS agent for every',
		'request (no connection reuse, a TLS handshake per request), and every expression is evaluated in n8n\'s sandbox. This',
		'node sends the calls of the items in flight as Graph JSON batches (one request and one handshake for up to 20 calls)',
		'and reads its credential once per execution; like any node, it has n8n evaluate its three expressions for every',
		'item. The HTTP Request node makes one request per item, evaluates its URL and body expressions and reads its',
		'credential twice for every item.',
		'',
		'## Run it',
		'',
		'```sh',
		'npm run bench                      # this report, about 8 minutes on 2 cores',
		'npm run bench -- --items 10000     # every scenario with 10,000 items',
		'npm run bench -- --only bulk       # the bulk upload of 10,000 employees alone',
		'npm run bench -- --help            # latency, throttling, batching, sweep, …',
		'```',
		'',
	];
	return lines.join('\n');
}

import { bucketFloor, rateLimitFloor, retryAfterFloor, sweepFloor } from '../dev/bench/floors';
import { readSettings } from '../dev/bench/options';
import { checks, renderBenchmarksDoc } from '../dev/bench/report';
import {
	mergePartialRun,
	type BulkMeasurement,
	type Measurement,
	type ProfileSplit,
	type ReportInput,
	type ToolId,
} from '../dev/bench/results';
import { SCENARIOS } from '../dev/bench/scenarios';
import type { RunResult } from '../dev/bench/harness';

/** A run as the harness records it: `items` items in `wallMs`, `applied` of them accepted by Graph. */
function run(wallMs: number, items = 1000, extra: Partial<RunResult['graph']> = {}): RunResult {
	return {
		items,
		startedAtMs: 0,
		wallMs,
		nodeMs: wallMs,
		status: 'success',
		executionId: '1',
		succeeded: items,
		errorItems: 0,
		usage: { cpuMs: items, rssBeforeBytes: 0, peakBytes: 0, growthBytes: 0, peakWasReset: true },
		graph: {
			tokenRequests: 0,
			graphRequests: items,
			httpRequests: items / 20,
			acquireCalls: items,
			throttled: 0,
			retries: 0,
			applied: items,
			throttlesPerItem: [],
			capacityRefusals: 0,
			...extra,
		},
	};
}

function warm(tool: ToolId, latencyMs: number, wallMs: number): Measurement {
	return { kind: 'warm', tool, latencyMs, result: run(wallMs), configuration: '' };
}

function input(measurements: Measurement[]): ReportInput {
	return {
		settings: readSettings([], {}),
		machine: {
			cpuModel: 'test',
			cores: 2,
			memoryGiB: 1,
			kernel: 'Linux',
			nodeVersion: '24',
			n8nVersion: '2.41.1',
			loadBefore: [0, 0, 0],
			loadAfter: [0, 0, 0],
			startedAt: new Date(0),
			durationS: 1,
		},
		results: { measurements, profiles: [], bulk: [] },
	};
}

describe('benchmark floors', () => {
	it('the sweep floor is the larger of n8n evaluating the expressions and one latency', () => {
		expect(sweepFloor(1340, 300)).toEqual({ ms: 1340, formula: 'max(Edit Fields 1.34 s, 300 ms)' });
		expect(sweepFloor(1340, 1000).ms).toBe(1340);
		expect(sweepFloor(800, 1000).ms).toBe(1000);
	});

	it('the Retry-After floor is the chain of the item throttled most often, and the bucket floor (N − burst) / rate + L', () => {
		expect(retryAfterFloor([1, 4, 2], 1000, 300)).toEqual({
			ms: 4 * 1300 + 300,
			formula: '4 × (1000 + 300) ms + 300 ms',
		});
		expect(retryAfterFloor([], 1000, 300).ms).toBe(300);
		expect(bucketFloor(1000, 100, 50, 300)).toEqual({
			ms: 18_300,
			formula: '(1000 − 100) / 50 per s + 300 ms',
		});
		expect(bucketFloor(80, 100, 50, 300).ms).toBe(300);
	});
});

describe('benchmark targets', () => {
	it('are marked met or not from the medians of the same latency', () => {
		const measurements = [
			...[1400, 1500, 9000].map((wallMs) => warm('node', 300, wallMs)),
			...[600, 700, 650].map((wallMs) => warm('nodeFields', 300, wallMs)),
			...[1200, 1300, 1250].map((wallMs) => warm('expressions', 300, wallMs)),
			...[4000, 4100, 4200].map((wallMs) => warm('httpOAuth2', 300, wallMs)),
			...[3000, 3100, 3200].map((wallMs) => warm('httpHeader', 300, wallMs)),
		];
		const byTarget = new Map(checks(input(measurements)).map((check) => [check.target, check]));

		const withinFloor = byTarget.get(
			'Parameters as expressions: within 1.3× of the larger of Edit Fields and one latency',
		);
		expect(withinFloor).toMatchObject({
			latencyMs: 300,
			measured: '1.50 s',
			ratio: '1.20×',
			met: true,
		});
		expect(withinFloor?.against).toBe('1.25 s = max(Edit Fields 1.25 s, 300 ms)');
		expect(
			byTarget.get('Parameters as expressions: at least 2.5× faster than HTTP Request, OAuth2'),
		).toMatchObject({ ratio: '2.73×', met: true });
		expect(
			byTarget.get(
				'Parameters as expressions: at least 2.5× faster than HTTP Request, header auth',
			),
		).toMatchObject({ ratio: '2.07×', met: false });
		expect(
			byTarget.get('Input: Item Fields: at least 5× faster than HTTP Request, OAuth2'),
		).toMatchObject({ ratio: '6.31×', met: true });
		expect(
			byTarget.get('Input: Item Fields: at least 5× faster than HTTP Request, header auth'),
		).toMatchObject({ ratio: '4.77×', met: false });
	});

	it('a fast run that lost items does not meet its target', () => {
		const lossy = {
			...warm('node', 300, 1000),
			result: { ...run(1000), graph: { ...run(1000).graph, applied: 990 } },
		};
		const [withinFloor] = checks(input([lossy, warm('expressions', 300, 1000)]));
		expect(withinFloor).toMatchObject({ measured: '1.00 s, 10 not applied', met: false });
	});
});

describe('benchmark settings', () => {
	it('one latency asked for runs the sweep at it; --quick runs a small subset and writes no docs', () => {
		expect(readSettings([], {})).toMatchObject({
			latencies: [50, 300, 1000],
			graphLatencyMs: 300,
			warmRuns: 3,
			throttleRuns: 3,
			write: true,
		});
		expect(readSettings(['--graph-latency', '500'], {})).toMatchObject({
			latencies: [500],
			graphLatencyMs: 500,
		});
		expect(readSettings(['--quick'], {})).toMatchObject({
			latencies: [300],
			warmRuns: 1,
			throttleRuns: 1,
			memoryItems: 0,
			bulkItems: 0,
			write: false,
		});
		expect(readSettings(['--quick', '--warm-runs', '2', '--write'], {})).toMatchObject({
			warmRuns: 2,
			write: true,
		});
		expect(readSettings(['--only', 'bucket'], {}).write).toBe(false);
		expect(() => readSettings(['--jitter', '1'], {})).toThrow(/jitter/);
	});
});

describe('docs/benchmarks.md', () => {
	it('gets its marked tables rewritten and keeps the text around them', () => {
		const document = [
			'# Benchmarks',
			'',
			'Written by hand.',
			'',
			'<!-- bench:summary -->',
			'old table',
			'<!-- /bench:summary -->',
			'',
			'Also by hand.',
			'',
			'<!-- bench:bulk -->',
			'old',
			'<!-- /bench:bulk -->',
			'',
		].join('\n');
		const rendered = renderBenchmarksDoc(
			document,
			input([warm('node', 50, 900), warm('expressions', 50, 800)]),
		);
		expect(rendered).toContain(
			'Written by hand.\n\n<!-- bench:summary -->\n*1,000 items, token warm, median wall time*',
		);
		expect(rendered).toContain('| 50 ms | 0.80 s | 0.90 s | – | – | – | – | – |');
		expect(rendered).toContain(
			'Also by hand.\n\n<!-- bench:bulk -->\n*Not measured in the last run.*\n<!-- /bench:bulk -->',
		);
		expect(rendered).not.toContain('old table');
		// a table the document has no place for yet is added at its end
		expect(rendered.trimEnd().endsWith('<!-- /bench:settings -->')).toBe(true);
		expect(
			renderBenchmarksDoc(rendered, input([warm('node', 50, 900), warm('expressions', 50, 800)])),
		).toBe(rendered);
	});
});

/** A bulk upload as the harness records it: `employees` in `wallMs`, `requests` requests, `received` records received. */
function bulkRun(
	extra: Partial<BulkMeasurement> & {
		wallMs: number;
		requests: number;
		received?: number;
		expected?: number;
	},
	employees = 10_000,
): BulkMeasurement {
	const { wallMs, requests, received, expected, ...rest } = extra;
	return {
		tool: 'node',
		kind: 'upload',
		configuration: '',
		latencyMs: 300,
		recordsPerRequest: 50,
		result: { ...run(wallMs, employees), statuses: { sent: employees } },
		bulk: {
			tokenRequests: 0,
			requests,
			accepted: requests,
			throttled: 0,
			recordsReceived: received ?? employees,
			recordsExpected: expected ?? employees,
			firstRequestMs: 500,
			lastRequestMs: wallMs - 300,
		},
		floor: rateLimitFloor(Math.ceil((expected ?? employees) / 50), 40, 5000, latency, false),
		dailyQuota: 6000,
		...rest,
	};
}

const latency = { graphMs: 300, tokenMs: 200 };

function withBulk(bulk: BulkMeasurement[]): ReportInput {
	const base = input([]);
	return { ...base, results: { ...base.results, bulk } };
}

describe('bulk-upload targets', () => {
	it('hold every input mode to 1.2× of the documented-limit floor, nothing lost', () => {
		const byTarget = checks(
			withBulk([
				bulkRun({ input: 'attributeRows', wallMs: 24_000, requests: 200 }),
				bulkRun({ input: 'mapEach', wallMs: 25_000, requests: 200 }),
				bulkRun({ input: 'mapAutomatically', wallMs: 22_000, requests: 200, received: 9_950 }),
			]),
		);
		expect(byTarget.map((check) => [check.target, check.ratio, check.met])).toEqual([
			[
				'Bulk upload of 10,000 employees, attribute rows: within 1.2× of the documented-limit floor, nothing lost, 200 requests',
				'1.18×',
				true,
			],
			[
				'Bulk upload of 10,000 employees, Map Each Attribute: within 1.2× of the documented-limit floor, nothing lost, 200 requests',
				'1.23×',
				false,
			],
			// fast, but 50 employees lost
			[
				'Bulk upload of 10,000 employees, Map Automatically: within 1.2× of the documented-limit floor, nothing lost, 200 requests',
				'1.08×',
				false,
			],
		]);
	});

	it('want no request and under 5 s for the same employees again, and only the changed ones sent after 1 % changed', () => {
		const unchanged = (wallMs: number, requests: number, output?: Record<string, number>) => {
			const m = bulkRun({
				kind: 'unchanged',
				changed: 0,
				wallMs,
				requests,
				expected: 0,
				received: 0,
			});
			m.result.statuses = output;
			return m;
		};
		const outcome = (bulk: BulkMeasurement[]) =>
			checks(withBulk(bulk)).map((check) => [check.measured, check.met]);
		expect(
			outcome([
				unchanged(3_200, 0, { unchanged: 10_000 }),
				unchanged(5_100, 0, { unchanged: 10_000 }),
				unchanged(3_000, 200, { sent: 10_000 }),
			]),
		).toEqual([
			['3.20 s, 0 requests, 10,000 output as unchanged', true],
			['5.10 s, 0 requests, 10,000 output as unchanged', false],
			['3.00 s, 200 requests, 0 output as unchanged', false],
		]);
		const changed = (requests: number, received: number) =>
			bulkRun({
				kind: 'changed',
				changed: 100,
				wallMs: 4_000,
				requests,
				expected: 100,
				received,
			});
		expect(outcome([changed(2, 100), changed(200, 100), changed(2, 99)])).toEqual([
			['4.00 s, 2 requests, 100 of 100 changed received', true],
			['4.00 s, 200 requests, 100 of 100 changed received', false],
			['4.00 s, 2 requests, 99 of 100 changed received', false],
		]);
	});

	it('want the memory beyond the fan-out flat from 1,000 to 10,000 employees', () => {
		const heap = (beforeBytes: number, maxBytes: number) => ({ beforeBytes, maxBytes, samples: 3 });
		const memory = (employees: number, fanOutMiB: number, nodeMiB: number) => {
			const m = bulkRun({ kind: 'memory', wallMs: 25_000, requests: employees / 50 }, employees);
			return {
				...m,
				result: { ...m.result, liveHeap: heap(0, nodeMiB * 2 ** 20) },
				baseline: { ...run(1000, employees), liveHeap: heap(0, fanOutMiB * 2 ** 20) },
			};
		};
		const [flat] = checks(withBulk([memory(10_000, 30, 40), memory(1_000, 5, 12)]));
		expect(flat).toMatchObject({
			target:
				'Bulk upload of 1,000 to 10,000 employees: nothing lost, memory beyond the items flat',
			against: `${Math.round((3 * 2 ** 20) / 9_000).toLocaleString('en-US')} bytes per extra employee`,
			met: true,
		});
		const [growing] = checks(withBulk([memory(10_000, 30, 90), memory(1_000, 5, 12)]));
		expect(growing.met).toBe(false);
	});
});

describe('the memory target', () => {
	it('reads the median of the runs of each size, so one run caught by n8n’s own swings neither meets nor misses it', () => {
		const heap = (maxMiB: number) => ({ beforeBytes: 0, maxBytes: maxMiB * 2 ** 20, samples: 3 });
		const memory = (items: number, fanOutMiB: number, nodeMiB: number): Measurement => ({
			kind: 'memory',
			tool: 'node',
			latencyMs: 300,
			configuration: '',
			result: { ...run(5_000, items), liveHeap: heap(nodeMiB) },
			baseline: { ...run(1_000, items), liveHeap: heap(fanOutMiB) },
		});
		const target = (measurements: Measurement[]) =>
			checks(input(measurements)).find((check) => check.target.startsWith('10,000 items'));
		// beyond the fan-out, in the order run: 25, 20 and 60 MiB at 10,000; 30, 5 and 2 MiB at 1,000
		const runs = [
			memory(10_000, 0, 25),
			memory(1_000, -20, 10),
			memory(10_000, 10, 30),
			memory(1_000, 0, 5),
			memory(10_000, 0, 60),
			memory(1_000, 0, 2),
		];
		expect(target(runs)).toMatchObject({
			measured:
				'all applied; heap in use beyond the fan-out: 5 MiB for 1,000 items, 25 MiB for 10,000 items',
			against: `${Math.round((20 * 2 ** 20) / 9_000).toLocaleString('en-US')} bytes per extra item`,
			met: true,
		});
		// the last pair alone is 6,757 bytes per extra item
		expect(target(runs.slice(4))?.met).toBe(false);
	});
});

describe('a partial run with --write', () => {
	function partialRun(only: string[], bulk: BulkMeasurement[]): ReportInput {
		const measured = withBulk(bulk);
		return {
			...measured,
			settings: readSettings(['--only', only.join(',')], {}),
			machine: {
				...measured.machine,
				startedAt: new Date('2026-12-06T10:45:00Z'),
				durationS: 400,
				loadBefore: [1.5, 2, 2.5],
				loadAfter: [2, 2, 2.5],
			},
		};
	}

	it('replaces the results of the scenarios it ran and keeps the rest: their tables come out as before', () => {
		const full = withBulk([
			bulkRun({ input: 'attributeRows', wallMs: 33_000, requests: 200 }),
			bulkRun({ kind: 'unchanged', wallMs: 30_000, requests: 200, expected: 0, received: 0 }),
		]);
		full.results.measurements.push(warm('node', 50, 900), warm('expressions', 50, 800));
		const document = renderBenchmarksDoc('# Benchmarks\n', full);

		const merged = mergePartialRun(
			full,
			partialRun(['bulk'], [bulkRun({ input: 'attributeRows', wallMs: 22_000, requests: 200 })]),
			SCENARIOS,
		);
		expect(merged.results.measurements).toEqual(full.results.measurements);
		expect(merged.results.bulk.map((m) => [m.kind, m.result.wallMs])).toEqual([
			['upload', 22_000],
			['unchanged', 30_000],
		]);
		const rendered = renderBenchmarksDoc(document, merged);
		const block = (text: string, id: string) =>
			new RegExp(`<!-- bench:${id} -->[\\s\\S]*?<!-- /bench:${id} -->`).exec(text)?.[0];
		expect(block(rendered, 'summary')).toBe(block(document, 'summary'));
		expect(block(rendered, 'sweep')).toBe(block(document, 'sweep'));
		expect(block(rendered, 'bulk')).toContain('| 22.0 s |');
		expect(block(rendered, 'bulk')).not.toContain('| 33.0 s |');
		expect(block(rendered, 'settings')).toContain(
			'| Measured again: bulk | 2026-12-06 10:45 UTC, in 400 s; load average before 1.50, 2.00, 2.50; after 2.00, 2.00, 2.50 |',
		);

		// a later partial run of the other bulk scenarios keeps the first one's bulk uploads and its note
		const again = mergePartialRun(
			merged,
			partialRun(
				['bulk-changes'],
				[bulkRun({ kind: 'unchanged', wallMs: 3_000, requests: 0, expected: 0, received: 0 })],
			),
			SCENARIOS,
		);
		expect(again.results.bulk.map((m) => [m.kind, m.result.wallMs])).toEqual([
			['upload', 22_000],
			['unchanged', 3_000],
		]);
		expect(again.partialRuns?.map((run) => run.scenarios)).toEqual([['bulk'], ['bulk-changes']]);

		// CPU profiles: those of the bulk uploads belong to bulk-profile, the sweep's to profile
		const split = { 'own code': 1 } as ProfileSplit['split'];
		const profiled = mergePartialRun(
			{
				...full,
				results: {
					...full.results,
					profiles: [
						{ tool: 'node', items: 1000, latencyMs: 50, split },
						{ tool: 'node', run: 'Bulk upload, old', items: 10_000, latencyMs: 300, split },
					],
				},
			},
			{
				...partialRun(['bulk-profile'], []),
				results: {
					measurements: [],
					bulk: [],
					profiles: [
						{ tool: 'node', run: 'Bulk upload, new', items: 10_000, latencyMs: 300, split },
					],
				},
			},
			SCENARIOS,
		);
		expect(profiled.results.profiles.map((p) => p.run)).toEqual([undefined, 'Bulk upload, new']);
	});

	it('refuses to set figures of another latency beside the full run’s', () => {
		const other = partialRun(['bulk'], []);
		other.settings = { ...other.settings, graphLatencyMs: 50 };
		expect(() => mergePartialRun(withBulk([]), other, SCENARIOS)).toThrow(
			/graphLatencyMs 300, this one 50/,
		);
	});
});

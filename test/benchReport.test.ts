import { bucketFloor, retryAfterFloor, sweepFloor } from '../dev/bench/floors';
import { readSettings } from '../dev/bench/options';
import { checks, renderBenchmarksDoc } from '../dev/bench/report';
import type { Measurement, ReportInput, ToolId } from '../dev/bench/results';
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

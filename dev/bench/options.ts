/** The benchmark's settings: command-line flags, each also settable by an environment variable. */

/** How often the memory runs force a full garbage collection to read the heap still in use (slows them down). */
export const MEMORY_GC_EVERY_MS = 2_000;
/** Runs of each size in the memory scenario (fan-out alone, then this node, in turn); the report keeps the median. */
export const MEMORY_REPEATS = 3;

export interface BenchSettings {
	/** Items per run */
	items: number;
	/** Graph latency of the scenarios run at one latency (throttling, token bucket, 10,000 items, bulk upload), ms */
	graphLatencyMs: number;
	/** Graph latencies of the sweep (1,000 items, every tool), ms */
	latencies: number[];
	/** Each Graph call's latency spread evenly over ± this share of it */
	jitter: number;
	/** Added to every token endpoint answer, ms */
	tokenLatencyMs: number;
	/** Share of acquireAccessToken calls answered 429 in the throttling runs */
	throttleShare: number;
	/** Retry-After of those 429s, seconds */
	retryAfterSeconds: number;
	/** Seed of the first throttled run's draws (and of the jitter); the next runs take the following seeds */
	seed: number;
	/** Throttled runs of this node, one seed each; the report gives their median */
	throttleRuns: number;
	/** Token bucket of the rate-limit scenarios: calls Graph admits at once from a full bucket */
	bucketBurst: number;
	/** … and calls a second it refills */
	bucketRate: number;
	/** Executions at once on one credential under the token bucket (0: none) */
	executions: number;
	/** … items each */
	executionItems: number;
	/** Runs with a warm token per tool and latency; the report gives their median */
	warmRuns: number;
	/** The HTTP Request node's batching when tuned: Items per Batch */
	httpBatchSize: number;
	/** … and Batch Interval (ms) */
	httpBatchIntervalMs: number;
	/** Items in Flight values to compare (this node, warm token); empty: none */
	sweep: number[];
	/** A run of this many items in a fresh n8n for memory growth (0: none; skipped when equal to items) */
	memoryItems: number;
	/** Employees of the bulk-upload runs (0: none) */
	bulkItems: number;
	/** CPU profiles of n8n to split the CPU time per item by where it goes */
	profile: boolean;
	/** Scenario groups to run (all when empty) */
	only: string[];
	/** A small subset for day-to-day work: one latency, one run each, no memory, bulk or profile runs */
	quick: boolean;
	/** Write docs/benchmarks.md's tables, docs/benchmarks.json and the chart (default: for full runs only) */
	write: boolean;
	/** Render the report from the results of an earlier run (its results.json) instead of measuring */
	from: string;
}

interface Flag {
	key: keyof BenchSettings;
	flag: string;
	env: string;
	kind: 'int' | 'number' | 'list' | 'bool' | 'names' | 'text';
	help: string;
}

const FLAGS: Flag[] = [
	{
		key: 'items',
		flag: 'items',
		env: 'BENCH_ITEMS',
		kind: 'int',
		help: 'items per run (default 1000)',
	},
	{
		key: 'graphLatencyMs',
		flag: 'graph-latency',
		env: 'BENCH_GRAPH_LATENCY_MS',
		kind: 'int',
		help: 'ms of Graph latency of the one-latency scenarios, and of the sweep unless --latencies (default 300)',
	},
	{
		key: 'latencies',
		flag: 'latencies',
		env: 'BENCH_LATENCIES',
		kind: 'list',
		help: 'Graph latencies of the sweep, ms (default 50,300,1000)',
	},
	{
		key: 'jitter',
		flag: 'jitter',
		env: 'BENCH_JITTER',
		kind: 'number',
		help: "spread of each Graph call's latency, ± share (default 0.2)",
	},
	{
		key: 'tokenLatencyMs',
		flag: 'token-latency',
		env: 'BENCH_TOKEN_LATENCY_MS',
		kind: 'int',
		help: 'ms added to every token answer (default 200)',
	},
	{
		key: 'throttleShare',
		flag: 'throttle',
		env: 'BENCH_THROTTLE_SHARE',
		kind: 'number',
		help: 'share of calls answered 429 when throttling (default 0.2)',
	},
	{
		key: 'retryAfterSeconds',
		flag: 'retry-after',
		env: 'BENCH_RETRY_AFTER_S',
		kind: 'number',
		help: 'Retry-After of those 429s, s (default 1)',
	},
	{
		key: 'seed',
		flag: 'seed',
		env: 'BENCH_SEED',
		kind: 'int',
		help: 'seed of the first throttled run and of the jitter (default 20260206)',
	},
	{
		key: 'throttleRuns',
		flag: 'throttle-runs',
		env: 'BENCH_THROTTLE_RUNS',
		kind: 'int',
		help: 'throttled runs of this node, one seed each (default 3)',
	},
	{
		key: 'bucketBurst',
		flag: 'bucket-burst',
		env: 'BENCH_BUCKET_BURST',
		kind: 'int',
		help: 'token bucket: burst (default 100)',
	},
	{
		key: 'bucketRate',
		flag: 'bucket-rate',
		env: 'BENCH_BUCKET_RATE',
		kind: 'number',
		help: 'token bucket: calls a second (default 50)',
	},
	{
		key: 'executions',
		flag: 'executions',
		env: 'BENCH_EXECUTIONS',
		kind: 'int',
		help: 'executions at once under the bucket (default 20; 0 for none)',
	},
	{
		key: 'executionItems',
		flag: 'execution-items',
		env: 'BENCH_EXECUTION_ITEMS',
		kind: 'int',
		help: 'items of each of those (default 50)',
	},
	{
		key: 'warmRuns',
		flag: 'warm-runs',
		env: 'BENCH_WARM_RUNS',
		kind: 'int',
		help: 'runs with a warm token per tool and latency (default 3)',
	},
	{
		key: 'httpBatchSize',
		flag: 'http-batch-size',
		env: 'BENCH_HTTP_BATCH_SIZE',
		kind: 'int',
		help: "tuned HTTP Request: Items per Batch (default 50, n8n's own)",
	},
	{
		key: 'httpBatchIntervalMs',
		flag: 'http-batch-interval',
		env: 'BENCH_HTTP_BATCH_INTERVAL_MS',
		kind: 'int',
		help: "tuned HTTP Request: Batch Interval, ms (default 1000, n8n's own)",
	},
	{
		key: 'sweep',
		flag: 'sweep',
		env: 'BENCH_SWEEP',
		kind: 'list',
		help: 'Items in Flight values to compare at --graph-latency (default none, e.g. 10,20,50)',
	},
	{
		key: 'memoryItems',
		flag: 'memory-items',
		env: 'BENCH_MEMORY_ITEMS',
		kind: 'int',
		help: 'items of the memory-growth run (default 10000; 0 for none)',
	},
	{
		key: 'bulkItems',
		flag: 'bulk-items',
		env: 'BENCH_BULK_ITEMS',
		kind: 'int',
		help: 'employees of the bulk-upload runs (default 10000; 0 for none)',
	},
	{
		key: 'profile',
		flag: 'profile',
		env: 'BENCH_PROFILE',
		kind: 'bool',
		help: 'CPU profiles to split CPU time by where it goes (default off; --profile)',
	},
	{
		key: 'only',
		flag: 'only',
		env: 'BENCH_ONLY',
		kind: 'names',
		help: 'scenario groups to run, comma-separated (default all; --help lists them)',
	},
	{
		key: 'quick',
		flag: 'quick',
		env: 'BENCH_QUICK',
		kind: 'bool',
		help: 'a couple of minutes: the sweep at --graph-latency, one run each, one throttled seed, the bucket',
	},
	{
		key: 'write',
		flag: 'write',
		env: 'BENCH_WRITE',
		kind: 'bool',
		help: 'write the docs (default: full runs only; --no-write)',
	},
	{
		key: 'from',
		flag: 'from',
		env: 'BENCH_FROM',
		kind: 'text',
		help: "render the report from an earlier run's results.json, measure nothing",
	},
];

export const DEFAULTS: BenchSettings = {
	items: 1000,
	graphLatencyMs: 300,
	latencies: [50, 300, 1000],
	jitter: 0.2,
	tokenLatencyMs: 200,
	throttleShare: 0.2,
	retryAfterSeconds: 1,
	seed: 20260206,
	throttleRuns: 3,
	bucketBurst: 100,
	bucketRate: 50,
	executions: 20,
	executionItems: 50,
	warmRuns: 3,
	httpBatchSize: 50,
	httpBatchIntervalMs: 1000,
	sweep: [],
	memoryItems: 10_000,
	bulkItems: 10_000,
	profile: false,
	only: [],
	quick: false,
	write: true,
	from: '',
};

/** What --quick changes, unless a flag sets it explicitly. */
const QUICK: Partial<BenchSettings> = {
	warmRuns: 1,
	throttleRuns: 1,
	memoryItems: 0,
	bulkItems: 0,
	sweep: [],
};

export function usage(): string {
	return [
		'npm run bench -- [flags]',
		...FLAGS.map((flag) => `  --${flag.flag.padEnd(20)} ${flag.help}  [${flag.env}]`),
	].join('\n');
}

function parse(flag: Flag, text: string): unknown {
	switch (flag.kind) {
		case 'int':
		case 'number': {
			const value = Number(text);
			if (
				!Number.isFinite(value) ||
				value < 0 ||
				(flag.kind === 'int' && !Number.isInteger(value))
			) {
				throw new Error(
					`--${flag.flag} wants a ${flag.kind === 'int' ? 'whole ' : ''}number ≥ 0, not "${text}"`,
				);
			}
			return value;
		}
		case 'list':
			return text
				.split(',')
				.map((part) => part.trim())
				.filter(Boolean)
				.map((part) => {
					const value = Number(part);
					if (!Number.isInteger(value) || value < 1)
						throw new Error(`--${flag.flag}: "${part}" is not a whole number ≥ 1`);
					return value;
				});
		case 'names':
			return text
				.split(',')
				.map((part) => part.trim())
				.filter(Boolean);
		case 'bool':
			return !/^(0|false|no|off)$/i.test(text);
		case 'text':
			return text;
	}
}

export function readSettings(argv: string[], env: NodeJS.ProcessEnv): BenchSettings {
	const settings: BenchSettings = { ...DEFAULTS };
	const given = new Set<keyof BenchSettings>();
	const assign = (flag: Flag, value: unknown) => {
		given.add(flag.key);
		Object.assign(settings, { [flag.key]: value });
	};
	for (const flag of FLAGS) {
		const fromEnv = env[flag.env];
		if (fromEnv !== undefined && fromEnv !== '') assign(flag, parse(flag, fromEnv));
	}
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index];
		if (argument === '--help' || argument === '-h') throw new UsageRequest();
		const match = /^--(no-)?([a-z-]+)(?:=(.*))?$/.exec(argument);
		const flag = match && FLAGS.find((candidate) => candidate.flag === match[2]);
		if (!match || !flag) throw new Error(`Unknown argument "${argument}"\n${usage()}`);
		if (flag.kind === 'bool') {
			assign(flag, match[1] ? false : match[3] === undefined ? true : parse(flag, match[3]));
			continue;
		}
		const text = match[3] ?? argv[++index];
		if (text === undefined) throw new Error(`--${flag.flag} needs a value`);
		assign(flag, parse(flag, text));
	}
	if (settings.quick) {
		for (const [key, value] of Object.entries(QUICK))
			if (!given.has(key as keyof BenchSettings)) Object.assign(settings, { [key]: value });
	}
	// one latency asked for: the sweep runs at it too
	if (!given.has('latencies') && (given.has('graphLatencyMs') || settings.quick))
		settings.latencies = [settings.graphLatencyMs];
	// the docs show the full set; a partial run writes them only when asked
	if (!given.has('write')) settings.write = !settings.quick && settings.only.length === 0;
	if (settings.items < 1) throw new Error('--items must be at least 1');
	if (settings.latencies.length === 0) throw new Error('--latencies needs at least one latency');
	if (settings.throttleShare >= 1) throw new Error('--throttle must be below 1');
	if (settings.jitter >= 1) throw new Error('--jitter must be below 1');
	if (settings.bucketBurst < 1 || settings.bucketRate <= 0)
		throw new Error('--bucket-burst must be at least 1 and --bucket-rate above 0');
	return settings;
}

export class UsageRequest extends Error {
	constructor() {
		super(usage());
	}
}

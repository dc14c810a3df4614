/**
 * `npm run bench`: this node against n8n's HTTP Request node in a real n8n 2.41, against the Graph + Entra ID
 * emulator with realistic latency. Prints the tables; a full run also writes the raw results (docs/benchmarks.json),
 * the tables between the markers of docs/benchmarks.md and the chart (docs/images/benchmarks.svg); `npm run bench`
 * then runs `npm run docs`, which writes README's figures from those results. `npm run bench -- --help` lists the
 * settings and scenarios.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';

import { OUTPUT_DIR, prepareEnvironment } from './bench/harness';
import { readSettings, UsageRequest, type BenchSettings } from './bench/options';
import { chart, checks, machineInfo, printable, renderBenchmarksDoc, tables } from './bench/report';
import {
	BENCHMARKS_JSON,
	mergePartialRun,
	type BenchResults,
	type ReportInput,
} from './bench/results';
import { benchWorkflows, runScenarios, SCENARIOS, selectedScenarios } from './bench/scenarios';
import { PROJECT_ROOT } from './n8n/runtime';

const BENCHMARKS_MD = path.join(PROJECT_ROOT, 'docs', 'benchmarks.md');
const CHART = path.join(PROJECT_ROOT, 'docs', 'images', 'benchmarks.svg');
const RESULTS = path.join(OUTPUT_DIR, 'results.json');

function log(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

async function measure(settings: BenchSettings): Promise<ReportInput> {
	const startedAt = new Date();
	const loadBefore = loadavg();
	const scenarios = selectedScenarios(settings);
	log(
		`${settings.items} items; scenarios ${scenarios.map((scenario) => scenario.name).join(', ')}; Graph ${settings.latencies.join('/')} ms (± ${Math.round(settings.jitter * 100)} %), token ${settings.tokenLatencyMs} ms`,
	);
	const environment = await prepareEnvironment({
		latency: {
			graphMs: settings.graphLatencyMs,
			tokenMs: settings.tokenLatencyMs,
			jitter: settings.jitter,
		},
		seed: settings.seed,
		targetCount: Math.min(1000, Math.max(settings.items, settings.memoryItems)),
		workflows: (emulator, bulk) => benchWorkflows(settings, emulator.graphUrl, bulk),
		log,
	});
	try {
		// the results so far, after each scenario: `--from` renders them if the run is cut short
		const keep = (results: BenchResults) =>
			writeFileSync(
				RESULTS,
				JSON.stringify(
					{ settings, machine: machineInfo(environment.runtime, startedAt, loadBefore), results },
					null,
					1,
				),
			);
		const results = await runScenarios({ settings, environment, log }, keep);
		return { settings, machine: machineInfo(environment.runtime, startedAt, loadBefore), results };
	} finally {
		await environment.close();
	}
}

function readResults(file: string, write: boolean): ReportInput {
	const input = JSON.parse(readFileSync(file, 'utf8'), (key, value: unknown) =>
		key === 'startedAt' && typeof value === 'string' ? new Date(value) : value,
	) as ReportInput;
	return { ...input, settings: { ...input.settings, write } };
}

async function main(): Promise<void> {
	let settings: BenchSettings;
	try {
		settings = readSettings(process.argv.slice(2), process.env);
	} catch (error) {
		if (error instanceof UsageRequest) {
			const list = SCENARIOS.map(
				(scenario) => `  ${scenario.name.padEnd(16)} ${scenario.description(readSettings([], {}))}`,
			);
			process.stdout.write(`${error.message}\n\nScenarios (--only):\n${list.join('\n')}\n`);
			return;
		}
		throw error;
	}
	const input = settings.from
		? readResults(settings.from, settings.write)
		: await measure(settings);
	if (!settings.from) writeFileSync(RESULTS, JSON.stringify(input, null, 1));
	process.stdout.write('\n');
	for (const table of tables(input)) process.stdout.write(`${printable(table)}\n\n`);
	for (const check of checks(input)) {
		const flag = check.met === undefined ? '  ' : check.met ? 'ok' : '!!';
		process.stdout.write(
			`${flag}  ${check.target}${check.latencyMs === undefined ? '' : ` (${check.latencyMs} ms)`}: ${check.measured} against ${check.against}: ${check.ratio}\n`,
		);
	}
	if (input.settings.write) {
		// a partial run replaces the results of the scenarios it ran; the last full run's others stay
		const partial = !settings.from && settings.only.length > 0 && existsSync(BENCHMARKS_JSON);
		const written = partial
			? mergePartialRun(readResults(BENCHMARKS_JSON, true), input, SCENARIOS)
			: input;
		mkdirSync(path.dirname(CHART), { recursive: true });
		writeFileSync(BENCHMARKS_JSON, `${JSON.stringify(written, null, 1)}\n`);
		writeFileSync(CHART, chart(written));
		const document = existsSync(BENCHMARKS_MD)
			? readFileSync(BENCHMARKS_MD, 'utf8')
			: '# Benchmarks\n';
		writeFileSync(BENCHMARKS_MD, renderBenchmarksDoc(document, written));
		process.stdout.write(
			`\nWrote docs/benchmarks.json, the tables of docs/benchmarks.md and docs/images/benchmarks.svg${partial ? ` (the results of ${settings.only.join(', ')} replaced, the others kept)` : ''}; README's figures follow from them (npm run docs; n8n folders and logs: ${path.relative(PROJECT_ROOT, OUTPUT_DIR)}/)\n`,
		);
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});

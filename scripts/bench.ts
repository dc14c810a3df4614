/**
 * `npm run bench`: this node against n8n's HTTP Request node in a real n8n 2.41, against the Graph + Entra ID
 * emulator with realistic latency; prints the tables and writes docs/benchmarks.md with a chart
 * (docs/images/benchmarks.svg). `npm run bench -- --help` lists the settings.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';

import { OUTPUT_DIR, prepareEnvironment } from './lib/bench/harness';
import { readSettings, UsageRequest, type BenchSettings } from './lib/bench/options';
import { chart, checks, machineInfo, markdown, printable, tables, type ReportInput } from './lib/bench/report';
import { benchWorkflows, nodeDefaults, runGroups } from './lib/bench/scenarios';
import { PROJECT_ROOT } from './n8n-runtime';

function log(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

async function measure(settings: BenchSettings): Promise<ReportInput> {
	const startedAt = new Date();
	const loadBefore = loadavg();
	const defaults = nodeDefaults();
	const targetCount = Math.min(1000, Math.max(settings.items, settings.memoryItems));
	log(`${settings.items} items; Graph ${settings.graphLatencyMs} ms, token ${settings.tokenLatencyMs} ms; this node's defaults: Items in Flight ${defaults.concurrency}, Retry Limit ${defaults.retryLimit}`);
	const environment = await prepareEnvironment({
		latency: { graphMs: settings.graphLatencyMs, tokenMs: settings.tokenLatencyMs },
		seed: settings.seed,
		targetCount,
		workflows: (emulator, bulk) => benchWorkflows(settings, defaults, emulator.graphUrl, bulk),
		log,
	});
	try {
		const results = await runGroups({ settings, environment, defaults, log });
		return { settings, defaults, machine: machineInfo(environment.runtime, startedAt, loadBefore), results };
	} finally {
		await environment.close();
	}
}

async function main(): Promise<void> {
	let settings: BenchSettings;
	try {
		settings = readSettings(process.argv.slice(2), process.env);
	} catch (error) {
		if (error instanceof UsageRequest) {
			process.stdout.write(`${error.message}\n`);
			return;
		}
		throw error;
	}
	let input: ReportInput;
	if (settings.from) {
		input = JSON.parse(readFileSync(settings.from, 'utf8'), (key, value: unknown) =>
			key === 'startedAt' && typeof value === 'string' ? new Date(value) : value,
		) as ReportInput;
		input.settings = { ...input.settings, write: settings.write };
		// results written before the bulk-upload scenario existed have none
		input.results.bulk ??= [];
	} else {
		input = await measure(settings);
		writeFileSync(path.join(OUTPUT_DIR, 'results.json'), JSON.stringify(input, null, 1));
	}
	settings = input.settings;
	process.stdout.write('\n');
	for (const table of tables(input)) process.stdout.write(`${printable(table)}\n\n`);
	for (const check of checks(input)) {
		process.stdout.write(`${check.met === undefined ? '  ' : check.met ? 'ok' : '!!'}  ${check.target}: ${check.measured}\n`);
	}
	if (settings.write) {
		const docs = path.join(PROJECT_ROOT, 'docs');
		const images = path.join(docs, 'images');
		mkdirSync(images, { recursive: true });
		const suffix = settings.items === 1000 ? '' : `-${settings.items}`;
		writeFileSync(path.join(images, `benchmarks${suffix}.svg`), chart(input));
		writeFileSync(path.join(docs, `benchmarks${suffix}.md`), markdown(input, `images/benchmarks${suffix}.svg`));
		process.stdout.write(`\nWrote docs/benchmarks${suffix}.md and docs/images/benchmarks${suffix}.svg (n8n folders and logs: ${path.relative(PROJECT_ROOT, OUTPUT_DIR)}/)\n`);
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});

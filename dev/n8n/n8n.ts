/**
 * One n8n process from a runtime (the pinned 2.41.1, or 1.123.81 of the 1.x line), bound to 127.0.0.1 on free
 * ports, with its own user folder and SQLite database (or the database its `env` names): the CLI (import, publish,
 * execute), the server (`n8n start`, or in queue mode `n8n worker` / `n8n webhook`) and a small REST client.
 * Anything that goes wrong fails loudly with the tail of n8n's log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	createWriteStream,
	existsSync,
	mkdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
	type WriteStream,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import type { N8nLine, N8nRuntime } from './runtime';
import { installCommunityPackage } from './community-package';
import { freePort } from './ports';

export interface N8nOwner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

export interface N8nOptions {
	runtime: N8nRuntime;
	/** N8N_USER_FOLDER: n8n keeps .n8n/ (database, settings, community packages) inside it */
	userFolder: string;
	/** N8N_ENCRYPTION_KEY; keep it to reuse a user folder */
	encryptionKey: string;
	owner: N8nOwner;
	/** A CA n8n must trust (NODE_EXTRA_CA_CERTS), e.g. the emulator's */
	caFile?: string;
	/** Refuse every connection that is not to 127.0.0.1 (for runs against the emulator) */
	loopbackOnly?: boolean;
	/** Extra environment for n8n */
	env?: Record<string, string>;
	/** Where n8n's output goes; default <userFolder>/n8n.log */
	logFile?: string;
	/** Fail start() when n8n reports that a community package did not load (default true) */
	requirePackage?: boolean;
	/** Also copy n8n's output to this stream (the demo shows it with --verbose) */
	echo?: NodeJS.WritableStream;
}

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

export class N8nError extends Error {}

/**
 * The n8n process to run: `start` (the main process: editor, API, triggers; in queue mode it hands executions to
 * workers), `worker` (runs queued executions) or `webhook` (a webhook processor: answers production webhooks and
 * queues their executions).
 */
export type N8nCommand = 'start' | 'worker' | 'webhook';

export interface N8nStartOptions {
	command?: N8nCommand;
	/** The port its server listens on (the worker's health check for `worker`); default a free one */
	port?: number;
	/** More command-line arguments, e.g. --concurrency=10 for a worker */
	args?: string[];
	timeoutMs?: number;
}

const LOG_TAIL_LINES = 80;

/** Where the two release lines differ in what this harness uses of n8n (everything else is the same). */
interface LineDifferences {
	/** The CLI command that makes an imported workflow active at the next start (webhooks, triggers) */
	activate(id: string): string[];
	/** Modules to switch off: 2.x's MCP registry would reach a remote host; 1.x has no such module and refuses the name */
	disabledModules?: string;
	/** 2.x sets the owner account from N8N_INSTANCE_OWNER_*; 1.x has the owner set up once through POST /rest/owner/setup */
	ownerFromEnvironment: boolean;
}

export const LINE_DIFFERENCES: Record<N8nLine, LineDifferences> = {
	'2': {
		activate: (id) => ['publish:workflow', `--id=${id}`],
		disabledModules: 'mcp-registry',
		ownerFromEnvironment: true,
	},
	'1': {
		activate: (id) => ['update:workflow', `--id=${id}`, '--active=true'],
		ownerFromEnvironment: false,
	},
};

/** Variables a parent process may carry that would change how this n8n runs (jest sets NODE_ENV=test, which n8n obeys). */
const INHERITED_VARIABLES_TO_DROP =
	/^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$|CREDENTIALS_OVERWRITE|VUE_APP_|EXTERNAL_HOOK_FILES$|NODES_(INCLUDE|EXCLUDE)$|AZURE_|IDENTITY_(ENDPOINT|HEADER)$|MSI_|NODE_ENV$|JEST_)/;
const PROXY_VARIABLES = /^(https?_proxy|all_proxy|no_proxy)$/i;

export class N8n {
	readonly logFile: string;

	readonly egressLog: string;

	port = 0;

	private server?: ChildProcess;

	/** Process group of the running server, kept until it has exited (for killNow during a stop). */
	private serverGroup?: number;

	private serverExit?: Promise<number | null>;

	private readonly lines: string[] = [];

	/** CLI commands still running (killNow ends them too) */
	private readonly commands = new Set<ChildProcess>();

	private readonly serverOutput: string[] = [];

	private logStream?: WriteStream;

	private ownerHash?: string;

	constructor(readonly options: N8nOptions) {
		this.logFile = options.logFile ?? path.join(options.userFolder, 'n8n.log');
		this.egressLog = path.join(options.userFolder, 'egress-blocked.jsonl');
	}

	get baseUrl(): string {
		if (!this.port) throw new N8nError('n8n is not started');
		return `http://127.0.0.1:${this.port}`;
	}

	/** Creates the user folder and installs this package into it as a community package. */
	prepare(): void {
		mkdirSync(this.options.userFolder, { recursive: true });
		mkdirSync(path.dirname(this.logFile), { recursive: true });
		installCommunityPackage(this.options.userFolder, this.options.runtime);
		this.logStream ??= createWriteStream(this.logFile, { flags: 'a' });
	}

	/** The environment every n8n command of this instance runs with. */
	environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {};
		for (const [key, value] of Object.entries(process.env)) {
			if (INHERITED_VARIABLES_TO_DROP.test(key)) continue;
			if (this.options.loopbackOnly && PROXY_VARIABLES.test(key)) continue;
			env[key] = value;
		}
		const { runtime, owner } = this.options;
		Object.assign(env, {
			PATH: `${path.dirname(runtime.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.options.userFolder,
			N8N_ENCRYPTION_KEY: this.options.encryptionKey,
			DB_TYPE: 'sqlite',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
			GENERIC_TIMEZONE: 'UTC',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
			// Nothing that phones home: telemetry, update and "what's new" checks, templates, banners, the MCP
			// registry, verified-package lookups, the license server, AI features.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		});
		const line = LINE_DIFFERENCES[runtime.line];
		if (line.disabledModules) env.N8N_DISABLED_MODULES = line.disabledModules;
		if (line.ownerFromEnvironment) {
			// The editor login: an owner account set from the environment at every start (a bcrypt hash, as n8n wants)
			Object.assign(env, {
				N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
				N8N_INSTANCE_OWNER_EMAIL: owner.email,
				N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
				N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
				N8N_INSTANCE_OWNER_PASSWORD_HASH: this.passwordHash(),
			});
		}
		if (this.options.caFile) env.NODE_EXTRA_CA_CERTS = this.options.caFile;
		if (this.options.loopbackOnly) {
			env.NODE_OPTIONS = `--require "${path.join(__dirname, 'loopback-guard.cjs')}"`;
			env.E2E_EGRESS_LOG = this.egressLog;
			env.NO_PROXY = '127.0.0.1,localhost';
		}
		Object.assign(env, this.options.env, extra);
		return env;
	}

	private passwordHash(): string {
		if (!this.ownerHash) {
			// n8n's own bcrypt implementation, from the runtime
			const requireFromN8n = createRequire(
				path.join(this.options.runtime.dir, 'node_modules', 'n8n', 'package.json'),
			);
			const bcrypt = requireFromN8n('bcryptjs') as {
				hashSync(password: string, rounds: number): string;
			};
			this.ownerHash = bcrypt.hashSync(this.options.owner.password, 10);
		}
		return this.ownerHash;
	}

	private capture(text: string, fromServer = false): void {
		this.logStream?.write(text);
		this.options.echo?.write(text);
		for (const line of text.split('\n')) {
			if (!line) continue;
			this.lines.push(line);
			if (this.lines.length > 20_000) this.lines.splice(0, this.lines.length - 20_000);
		}
		if (fromServer) this.serverOutput.push(text);
	}

	/** Everything `n8n start` printed (not the CLI commands). */
	serverLog(): string {
		return this.serverOutput.join('');
	}

	/** The last lines n8n printed (server and CLI commands alike). */
	logTail(lines = LOG_TAIL_LINES): string {
		return this.lines.slice(-lines).join('\n');
	}

	/** Connections to anything but 127.0.0.1 that the guard refused (loopbackOnly). */
	blockedEgress(): Array<{ kind: string; target: string; pid: number }> {
		if (!existsSync(this.egressLog)) return [];
		return readFileSync(this.egressLog, 'utf8')
			.split('\n')
			.filter(Boolean)
			.map((line) => JSON.parse(line));
	}

	private failure(message: string): N8nError {
		return new N8nError(
			`${message}\n----- n8n log (last ${LOG_TAIL_LINES} lines, full log: ${this.logFile}) -----\n${this.logTail()}\n-----`,
		);
	}

	/** Runs `n8n <args>` to completion. Each CLI command gets its own task-broker port. */
	async cli(
		args: string[],
		options: { timeoutMs?: number; allowFailure?: boolean; env?: Record<string, string> } = {},
	): Promise<CliResult> {
		const brokerPort = await freePort();
		const child = spawn(this.options.runtime.nodeBin, [this.options.runtime.n8nBin, ...args], {
			cwd: this.options.userFolder,
			env: this.environment({
				...options.env,
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				N8N_PORT: String(await freePort()),
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.capture(`\n$ n8n ${args.join(' ')}\n`);
		this.commands.add(child);
		child.once('exit', () => this.commands.delete(child));
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
			this.capture(chunk);
		});
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
			this.capture(chunk);
		});
		const timeoutMs = options.timeoutMs ?? 120_000;
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		const code = await new Promise<number>((resolve, reject) => {
			child.once('error', reject);
			child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
		}).finally(() => clearTimeout(timer));
		if (timedOut) throw this.failure(`n8n ${args[0]} did not finish within ${timeoutMs / 1000} s`);
		if (code !== 0 && !options.allowFailure)
			throw this.failure(`n8n ${args.join(' ')} failed with exit code ${code}`);
		return { code, stdout, stderr };
	}

	/** `n8n import:credentials` from objects (plaintext `data`; n8n encrypts it on import). */
	async importCredentials(credentials: object[]): Promise<void> {
		const file = path.join(
			this.options.userFolder,
			'import',
			`credentials-${randomBytes(4).toString('hex')}.json`,
		);
		mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
		writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
		try {
			await this.cli(['import:credentials', `--input=${file}`]);
		} finally {
			// the file holds secrets in plain text
			rmSync(file, { force: true });
		}
	}

	/** `n8n import:workflow` from objects. */
	async importWorkflows(workflows: object[]): Promise<void> {
		const file = path.join(
			this.options.userFolder,
			'import',
			`workflows-${randomBytes(4).toString('hex')}.json`,
		);
		mkdirSync(path.dirname(file), { recursive: true });
		writeFileSync(file, JSON.stringify(workflows));
		await this.cli(['import:workflow', `--input=${file}`]);
	}

	/** Makes an imported workflow active from the next start: 2.x `publish:workflow`, 1.x `update:workflow --active=true`. */
	async publishWorkflow(id: string): Promise<void> {
		await this.cli(LINE_DIFFERENCES[this.options.runtime.line].activate(id));
	}

	/**
	 * `n8n execute --id=… --rawOutput`. Resolves with the run data n8n prints; on a failed execution (exit 1) throws,
	 * unless allowFailure, then resolves with what n8n printed.
	 */
	async execute(
		id: string,
		options: { allowFailure?: boolean; env?: Record<string, string> } = {},
	): Promise<{ ok: boolean; output: unknown; text: string }> {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput'], {
			allowFailure: true,
			timeoutMs: 120_000,
			env: options.env,
		});
		const text = `${result.stdout}\n${result.stderr}`;
		// a successful run prints its JSON on stdout, a failed one after "Execution error:" on stderr
		const output = parseTrailingJson(result.stdout) ?? parseTrailingJson(result.stderr);
		if (result.code !== 0 && !options.allowFailure) {
			throw this.failure(`Workflow ${id} failed (n8n execute exit code ${result.code})`);
		}
		return { ok: result.code === 0, output, text };
	}

	/**
	 * `n8n start` (or `n8n worker`, `n8n webhook`), resolved when /healthz/readiness answers 200: on the server's port,
	 * or for a worker on its health-check server, which this switches on at that port.
	 */
	async start(options: N8nStartOptions = {}): Promise<void> {
		if (this.server) throw new N8nError('already started');
		const command = options.command ?? 'start';
		this.port = options.port ?? (await freePort());
		const brokerPort = await freePort();
		const base = `http://127.0.0.1:${this.port}/`;
		const serverEnv: Record<string, string> =
			command === 'worker'
				? {
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(this.port),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
						// its server is the health check above; N8N_PORT gets a free port too, so nothing collides with main's
						N8N_PORT: String(await freePort()),
					}
				: { N8N_PORT: String(this.port), N8N_EDITOR_BASE_URL: base, WEBHOOK_URL: base };
		const args = [command, ...(options.args ?? [])];
		this.logStream ??= createWriteStream(this.logFile, { flags: 'a' });
		this.capture(`\n$ n8n ${args.join(' ')} (port ${this.port}, task broker ${brokerPort})\n`);
		const child = spawn(this.options.runtime.nodeBin, [this.options.runtime.n8nBin, ...args], {
			cwd: this.options.userFolder,
			env: this.environment({ ...serverEnv, N8N_RUNNERS_BROKER_PORT: String(brokerPort) }),
			stdio: ['ignore', 'pipe', 'pipe'],
			// its own process group, so stop() ends n8n and the task runner it starts
			detached: true,
		});
		this.server = child;
		this.serverGroup = child.pid;
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.capture(chunk, true));
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.capture(chunk, true));
		this.serverExit = new Promise((resolve) =>
			child.once('exit', (code, signal) => {
				if (this.serverGroup === child.pid) this.serverGroup = undefined;
				resolve(signal ? 128 : code);
			}),
		);
		let exited: number | null | undefined;
		void this.serverExit.then((code) => {
			exited = code;
		});

		const deadline = Date.now() + (options.timeoutMs ?? 120_000);
		for (;;) {
			if (exited !== undefined) {
				this.server = undefined;
				throw this.failure(`n8n exited during start-up (exit code ${exited})`);
			}
			try {
				const response = await fetch(`${base}healthz/readiness`, {
					signal: AbortSignal.timeout(2000),
				});
				if (response.ok) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) {
				await this.stop();
				throw this.failure(
					`n8n did not become ready on ${base} within ${(options.timeoutMs ?? 120_000) / 1000} s`,
				);
			}
			await new Promise((resolve) => setTimeout(resolve, 300));
		}
		const failedPackage = /Failed to load package "([^"]+)"/.exec(this.logTail(2000));
		if (failedPackage && this.options.requirePackage !== false) {
			await this.stop();
			throw this.failure(
				`n8n started but could not load the community package "${failedPackage[1]}"`,
			);
		}
		if (!LINE_DIFFERENCES[this.options.runtime.line].ownerFromEnvironment)
			await this.setUpOwner(base);
	}

	/** n8n 1.x: the first start has no owner yet; POST /rest/owner/setup creates it (once per user folder). */
	private async setUpOwner(base: string): Promise<void> {
		// readiness answers before 1.x has mounted its REST routes (until then the editor's index.html answers)
		let settings: { data?: { userManagement?: { showSetupOnFirstLoad?: boolean } } } | undefined;
		for (const deadline = Date.now() + 60_000; !settings;) {
			const response = await fetch(`${base}rest/settings`);
			if (response.ok && String(response.headers.get('content-type')).includes('json'))
				settings = (await response.json()) as typeof settings;
			else if (Date.now() > deadline)
				throw this.failure('n8n did not serve its REST API within 60 s of being ready');
			else await new Promise((resolve) => setTimeout(resolve, 300));
		}
		if (settings?.data?.userManagement?.showSetupOnFirstLoad === false) return;
		const { owner } = this.options;
		const response = await fetch(`${base}rest/owner/setup`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({
				email: owner.email,
				firstName: owner.firstName,
				lastName: owner.lastName,
				password: owner.password,
			}),
		});
		if (!response.ok) {
			await this.stop();
			throw this.failure(
				`n8n owner setup failed: HTTP ${response.status} ${(await response.text()).slice(0, 500)}`,
			);
		}
	}

	/** Process id of the running `n8n start` (the main n8n process), e.g. to read its CPU time and memory. */
	get pid(): number | undefined {
		return this.running ? this.server?.pid : undefined;
	}

	/** Whether the server process is still running. */
	get running(): boolean {
		return (
			this.server !== undefined && this.server.exitCode === null && this.server.signalCode === null
		);
	}

	/**
	 * Stops n8n (SIGTERM to its process group, SIGKILL after the grace period). With `first` = 'SIGKILL' it dies at
	 * once, as when its machine or container goes away.
	 */
	async stop(graceMs = 15_000, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
		const child = this.server;
		if (!child) return;
		this.server = undefined;
		if (child.exitCode === null && child.signalCode === null && child.pid) {
			const signal = (name: NodeJS.Signals) => {
				try {
					process.kill(-child.pid!, name);
				} catch {
					// already gone
				}
			};
			signal(first);
			const timer = setTimeout(() => signal('SIGKILL'), graceMs);
			await this.serverExit;
			clearTimeout(timer);
			// the task runner, if it outlived n8n
			signal('SIGKILL');
		}
		this.logStream?.end();
		this.logStream = undefined;
	}

	/** Synchronous last resort for process exit handlers. */
	killNow(): void {
		for (const command of this.commands) command.kill('SIGKILL');
		const pid = this.serverGroup;
		if (!pid) return;
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}

	/** Logs in as the owner and returns a REST client with the session cookie. */
	async login(): Promise<N8nRestClient> {
		const client = new N8nRestClient(this.baseUrl);
		await client.login(this.options.owner.email, this.options.owner.password);
		return client;
	}
}

/**
 * The JSON document `n8n execute --rawOutput` prints: log lines come before it and, on failure, more text after it.
 * It starts with a line "{" or "[" and ends with the first line "}" or "]" that closes it.
 */
export function parseTrailingJson(text: string): unknown {
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (!/^[[{]/.test(lines[i])) continue;
		for (let j = i; j < lines.length; j++) {
			if (!/^[\]}]/.test(lines[j]) && !(j === i && /[\]}]\s*$/.test(lines[j]))) continue;
			try {
				return JSON.parse(lines.slice(i, j + 1).join('\n'));
			} catch {
				// not closed yet, or not JSON
			}
		}
	}
	return undefined;
}

export class N8nRestClient {
	private cookie = '';

	readonly browserId = randomBytes(16).toString('hex');

	constructor(readonly baseUrl: string) {}

	async login(email: string, password: string): Promise<void> {
		const response = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'browser-id': this.browserId },
			body: JSON.stringify({ emailOrLdapLoginId: email, password }),
		});
		if (!response.ok)
			throw new N8nError(`n8n login failed: HTTP ${response.status} ${await response.text()}`);
		const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]);
		this.cookie = cookies.join('; ');
		if (!this.cookie.includes('n8n-auth=')) throw new N8nError('n8n login set no n8n-auth cookie');
	}

	get cookies(): Array<{ name: string; value: string }> {
		return this.cookie
			.split('; ')
			.filter(Boolean)
			.map((pair) => ({
				name: pair.slice(0, pair.indexOf('=')),
				value: pair.slice(pair.indexOf('=') + 1),
			}));
	}

	/** A REST call; resolves with n8n's `data` (n8n wraps answers as {data}). Throws on HTTP errors. */
	async request<T = unknown>(method: string, pathAndQuery: string, body?: unknown): Promise<T> {
		const { status, json, text } = await this.raw(method, pathAndQuery, body);
		if (status >= 400)
			throw new N8nError(`${method} ${pathAndQuery}: HTTP ${status} ${text.slice(0, 2000)}`);
		return (
			json && typeof json === 'object' && 'data' in json ? (json as { data: T }).data : json
		) as T;
	}

	async raw(
		method: string,
		pathAndQuery: string,
		body?: unknown,
	): Promise<{ status: number; json: unknown; text: string }> {
		const response = await fetch(`${this.baseUrl}/rest${pathAndQuery}`, {
			method,
			headers: {
				Cookie: this.cookie,
				'browser-id': this.browserId,
				...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, json, text };
	}
}

/**
 * PostgreSQL and Redis from the system's packages (Debian: `postgresql`, `redis-server`; .ci/setup.sh queue installs
 * them), started as this run's own processes on 127.0.0.1 with free ports and their data in a folder of the run.
 * Nothing is registered with the system: stop() (or killNow() from an exit handler) ends them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';

import { freePort } from './ports';

export class ServiceError extends Error {}

/** The bin folder of the newest PostgreSQL installed (or PG_BIN_DIR). */
export function postgresBinDir(): string {
	if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((version) => existsSync(path.join(root, version, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!versions.length)
		throw new ServiceError(
			'PostgreSQL is not installed: run bash .ci/setup.sh queue (apt-get install postgresql)',
		);
	return path.join(root, versions[0], 'bin');
}

export function redisServerBin(): string {
	const bin = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
	if (!existsSync(bin))
		throw new ServiceError(
			'redis-server is not installed: run bash .ci/setup.sh queue (apt-get install redis-server)',
		);
	return bin;
}

/** PostgreSQL refuses to run as root: as root, its commands run as the system's `postgres` user. */
function asPostgresUser(command: string, args: string[]): { command: string; args: string[] } {
	if (process.getuid?.() !== 0) return { command, args };
	return { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] };
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith('postgres:'));
	if (!line)
		throw new ServiceError(
			'Running as root, but there is no postgres user to run PostgreSQL as (apt-get install postgresql creates it)',
		);
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

function run(command: string, args: string[], what: string): string {
	const result = spawnSync(command, args, {
		encoding: 'utf8',
		maxBuffer: 1 << 30,
		env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
	});
	if (result.status !== 0) {
		throw new ServiceError(
			`${what} failed (exit ${result.status ?? result.signal}): ${`${result.stdout}\n${result.stderr}`.trim().slice(-2000)}`,
		);
	}
	return result.stdout;
}

/** A PostgreSQL server of its own: trust authentication for the superuser `user` on 127.0.0.1 only. */
export class Postgres {
	readonly user = 'n8n';

	readonly database = 'n8n';

	private running = false;

	private constructor(
		readonly dir: string,
		readonly port: number,
		private readonly bin: string,
	) {}

	get dataDir(): string {
		return path.join(this.dir, 'data');
	}

	get logFile(): string {
		return path.join(this.dir, 'postgres.log');
	}

	/** Creates the cluster in dir (unless it is there from an earlier run) and starts it; port 0 = a free one. */
	static async start(dir: string, port = 0): Promise<Postgres> {
		const server = new Postgres(dir, port || (await freePort()), postgresBinDir());
		mkdirSync(dir, { recursive: true });
		const owner = postgresUserIds();
		if (owner) chownSync(dir, owner.uid, owner.gid);
		const fresh = !existsSync(path.join(server.dataDir, 'PG_VERSION'));
		if (fresh) {
			const initdb = asPostgresUser(path.join(server.bin, 'initdb'), [
				'-D',
				server.dataDir,
				'-A',
				'trust',
				'-U',
				server.user,
				'-E',
				'UTF8',
				'--no-sync',
			]);
			run(initdb.command, initdb.args, 'initdb');
		}
		const settings = [
			`-p ${server.port}`,
			'-c listen_addresses=127.0.0.1',
			`-c unix_socket_directories=${dir}`,
			// a test database: losing it in a power cut is fine, waiting for the disk is not
			'-c fsync=off',
			'-c synchronous_commit=off',
			'-c full_page_writes=off',
		].join(' ');
		const pgCtl = asPostgresUser(path.join(server.bin, 'pg_ctl'), [
			'-D',
			server.dataDir,
			'-l',
			server.logFile,
			'-w',
			'-t',
			'60',
			'-o',
			settings,
			'start',
		]);
		try {
			run(pgCtl.command, pgCtl.args, 'pg_ctl start');
		} catch (error) {
			const log = existsSync(server.logFile)
				? readFileSync(server.logFile, 'utf8').slice(-2000)
				: '';
			throw new ServiceError(`${(error as Error).message}\n${log}`);
		}
		server.running = true;
		if (fresh)
			run(
				path.join(server.bin, 'createdb'),
				['-h', '127.0.0.1', '-p', String(server.port), '-U', server.user, server.database],
				'createdb',
			);
		return server;
	}

	/** What n8n needs to use it. */
	n8nEnvironment(schema = 'public'): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: this.database,
			DB_POSTGRESDB_USER: this.user,
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_SCHEMA: schema,
		};
	}

	/** Runs one SQL statement with psql and returns its rows as tab-separated text. */
	query(sql: string): string {
		return run(
			path.join(this.bin, 'psql'),
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(this.port),
				'-U',
				this.user,
				'-d',
				this.database,
				'-At',
				'-F',
				'\t',
				'-c',
				sql,
			],
			'psql',
		);
	}

	/** The whole database as SQL text (pg_dump), e.g. to search it for secrets. */
	dump(): string {
		return run(
			path.join(this.bin, 'pg_dump'),
			['-h', '127.0.0.1', '-p', String(this.port), '-U', this.user, this.database],
			'pg_dump',
		);
	}

	async stop(): Promise<void> {
		this.halt('fast');
	}

	/** Synchronous, for exit handlers. */
	killNow(): void {
		this.halt('immediate');
	}

	private halt(mode: 'fast' | 'immediate'): void {
		if (!this.running) return;
		this.running = false;
		const pgCtl = asPostgresUser(path.join(this.bin, 'pg_ctl'), [
			'-D',
			this.dataDir,
			'-m',
			mode,
			'-w',
			'-t',
			'30',
			'stop',
		]);
		spawnSync(pgCtl.command, pgCtl.args, { stdio: 'ignore' });
	}
}

/** A Redis server of its own, in memory only (no snapshots, no append-only file). */
export class Redis {
	private exit?: Promise<void>;

	private constructor(
		readonly port: number,
		private readonly child: ChildProcess,
	) {}

	static async start(dir: string, port = 0): Promise<Redis> {
		mkdirSync(dir, { recursive: true });
		const chosen = port || (await freePort());
		const child = spawn(
			redisServerBin(),
			[
				'--port',
				String(chosen),
				'--bind',
				'127.0.0.1',
				'--protected-mode',
				'yes',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				dir,
				'--logfile',
				path.join(dir, 'redis.log'),
			],
			{ stdio: 'ignore', detached: true },
		);
		const redis = new Redis(chosen, child);
		redis.exit = new Promise((resolve) => child.once('exit', () => resolve()));
		let exited = false;
		void redis.exit.then(() => {
			exited = true;
		});
		const deadline = Date.now() + 20_000;
		while (!(await redis.ping())) {
			if (exited || Date.now() > deadline) {
				redis.killNow();
				const log = existsSync(path.join(dir, 'redis.log'))
					? readFileSync(path.join(dir, 'redis.log'), 'utf8').slice(-2000)
					: '';
				throw new ServiceError(`redis-server did not start on 127.0.0.1:${chosen}\n${log}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		return redis;
	}

	/** Whether it answers PING. */
	private async ping(): Promise<boolean> {
		return await new Promise((resolve) => {
			const socket = createConnection({ host: '127.0.0.1', port: this.port });
			const done = (answer: boolean) => {
				socket.destroy();
				resolve(answer);
			};
			socket.setTimeout(1000, () => done(false));
			socket.once('error', () => done(false));
			socket.once('connect', () => socket.write('PING\r\n'));
			socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
		});
	}

	n8nEnvironment(prefix = 'bull'): Record<string, string> {
		return {
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.port),
			QUEUE_BULL_PREFIX: prefix,
		};
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		this.child.kill('SIGTERM');
		const timer = setTimeout(() => this.killNow(), 10_000);
		await this.exit;
		clearTimeout(timer);
	}

	killNow(): void {
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		this.child.kill('SIGKILL');
	}
}

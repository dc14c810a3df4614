/**
 * A real HTTPS proxy on 127.0.0.1 for the end-to-end proxy test: Debian's tinyproxy (installed by
 * .ci/setup.sh platforms when missing), on a free port, its configuration and log in the given folder. Its log has one
 * line per CONNECT tunnel it opened, so a test can account for every connection a server saw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { freePort } from './ports';

export const TINYPROXY_PATH = process.env.TINYPROXY_PATH ?? '/usr/bin/tinyproxy';

export interface Tunnel {
	/** host:port the client asked the proxy to connect to */
	target: string;
}

export interface RunningProxy {
	url: string;
	port: number;
	logFile: string;
	/** Every CONNECT the proxy was asked for, oldest first */
	tunnels(): Tunnel[];
	stop(): Promise<void>;
}

/** tinyproxy's log line for a CONNECT request, e.g. `Request (file descriptor 6): CONNECT 127.0.0.1:40123 HTTP/1.1` */
const CONNECT_LINE = /Request \(file descriptor \d+\): CONNECT (\S+) HTTP\/1\.[01]/;

export async function startTinyproxy(folder: string): Promise<RunningProxy> {
	if (!existsSync(TINYPROXY_PATH))
		throw new Error(
			`${TINYPROXY_PATH} is missing: run bash .ci/setup.sh platforms (apt-get install -y tinyproxy)`,
		);
	mkdirSync(folder, { recursive: true });
	const port = await freePort();
	const logFile = path.join(folder, 'tinyproxy.log');
	const configFile = path.join(folder, 'tinyproxy.conf');
	writeFileSync(logFile, '');
	// No ConnectPort line: tunnels to any port (the emulator's are random). Only 127.0.0.1 may use it.
	writeFileSync(
		configFile,
		[
			`Port ${port}`,
			'Listen 127.0.0.1',
			'Allow 127.0.0.1',
			'Timeout 120',
			'MaxClients 200',
			`LogFile "${logFile}"`,
			'LogLevel Connect',
			'DisableViaHeader Yes',
			'',
		].join('\n'),
	);
	const child: ChildProcess = spawn(TINYPROXY_PATH, ['-d', '-c', configFile], {
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	let stderr = '';
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);

	const stop = async () => {
		process.off('exit', killOnExit);
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(timer);
		}
	};
	// ready once it accepts connections
	for (const deadline = Date.now() + 10_000; ;) {
		if (child.exitCode !== null)
			throw new Error(`tinyproxy exited at start-up: ${stderr}${readFileSync(logFile, 'utf8')}`);
		const listening = await new Promise<boolean>((resolve) => {
			const socket = net.connect({ host: '127.0.0.1', port }, () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (listening) break;
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`tinyproxy did not listen on 127.0.0.1:${port} within 10 s`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		logFile,
		tunnels: () =>
			readFileSync(logFile, 'utf8')
				.split('\n')
				.map((line) => CONNECT_LINE.exec(line)?.[1])
				.filter((target): target is string => target !== undefined)
				.map((target) => ({ target })),
		stop,
	};
}

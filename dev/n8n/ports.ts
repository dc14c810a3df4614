import { createServer } from 'node:net';

/**
 * Ports this process handed out. The OS may offer a port again as soon as the probe below closes it, before the
 * process it was asked for binds it: two asked in a row (an n8n's port and its task broker's) came back equal once.
 */
const handedOut = new Set<number>();

/** Asks the OS for a free TCP port on 127.0.0.1, one this process has not handed out before. */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = await probeFreePort();
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
}

async function probeFreePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.once('error', reject);
		server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Whether a port on 127.0.0.1 can be listened on right now. */
export async function portIsFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
			server.close(() => resolve(true)),
		);
	});
}

/**
 * Listener plumbing shared by the three listeners: reads each request, records it, applies
 * faults and latency, runs the listener's handler and writes its reply. Handlers are pure
 * functions from an Exchange to a Reply, so this is the only place touching sockets.
 */
import {
	createServer as createHttpServer,
	IncomingMessage,
	Server,
	ServerResponse,
	STATUS_CODES,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { capacityRefusal, type GraphCapacity } from './capacity';
import {
	countCallsInFlight,
	type EmulatorStats,
	type Exchange,
	type ListenerName,
	type RecordedRequest,
	type Reply,
} from './exchange';
import { cannedFaultReply, type FaultHandle, type FaultRegistry } from './faults';

/** What all listeners share. */
export interface ServerContext {
	requests: RecordedRequest[];
	faults: FaultRegistry;
	stats: EmulatorStats;
	/** How many Graph calls are worked on at once */
	capacity: GraphCapacity;
	/** The emulated tenant, named in throttling headers */
	tenantId: string;
	/** Aborted by close(): cancels pending delays. */
	closing: AbortSignal;
}

export interface ListenerOptions {
	name: ListenerName;
	tls?: { key: string; cert: string };
	handler: (ex: Exchange) => Reply | Promise<Reply>;
	/** Headers added to every reply of this listener (e.g. Graph's request-id). */
	decorate?: (ex: Exchange, reply: Reply) => Reply;
	/** Reply for a fault status given without a body, in this listener's error format. */
	faultReply?: (ex: Exchange, status: number) => Reply;
	/** Added before each reply; evaluated per request so it can change at runtime. */
	latencyMs?: (ex: Exchange) => number;
	/** Counts the request in the stats this listener keeps beyond requests and byListener (counted for all). */
	tally?: (ex: Exchange, stats: EmulatorStats) => void;
	/** Whether the request is one Graph operation, in flight until answered (a $batch counts its own). */
	isOneCall?: (ex: Exchange) => boolean;
}

const MAX_BODY = 20 * 1024 * 1024;

export class Listener {
	private readonly server: Server;
	private readonly sockets = new Set<Socket>();
	port = 0;

	constructor(
		private readonly options: ListenerOptions,
		private readonly ctx: ServerContext,
	) {
		const onRequest = (req: IncomingMessage, res: ServerResponse) => {
			res.on('error', () => undefined);
			this.handle(req, res).catch(() => {
				// The emulator is closing or the client went away mid-request.
				if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
				else res.destroy();
			});
		};
		this.server = options.tls
			? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
			: createHttpServer(onRequest);
		// Raw TCP sockets (before any TLS handshake), so close() can destroy every one of them.
		this.server.on('connection', (socket: Socket) => {
			this.ctx.stats.connectionsByListener[this.options.name]++;
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		// Clients that give up during a TLS handshake must not crash the emulator.
		this.server.on('tlsClientError', () => undefined);
		this.server.on('clientError', (_error, socket) => socket.destroy());
	}

	async listen(port = 0): Promise<number> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen({ port, host: '127.0.0.1' }, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		this.port = (this.server.address() as AddressInfo).port;
		return this.port;
	}

	async close(): Promise<void> {
		if (!this.server.listening) return;
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		for (const socket of this.sockets) socket.destroy();
		await closed;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = await readBody(req);
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const method = (req.method ?? 'GET').toUpperCase();
		const record: RecordedRequest = {
			listener: this.options.name,
			method,
			path: url.pathname,
			query: url.searchParams,
			headers: req.headers,
			body: body ?? '',
			status: 0,
			time: new Date(),
		};
		this.ctx.requests.push(record);
		this.ctx.stats.requests++;
		this.ctx.stats.byListener[this.options.name]++;
		const ex: Exchange = {
			listener: this.options.name,
			method,
			url,
			headers: req.headers,
			body: body ?? '',
			record,
		};
		this.options.tally?.(ex, this.ctx.stats);
		const calls = this.options.isOneCall?.(ex) ? 1 : 0;
		countCallsInFlight(this.ctx.stats, calls);
		try {
			await this.respond(req, res, ex, body);
		} finally {
			countCallsInFlight(this.ctx.stats, -calls);
		}
	}

	private async respond(
		req: IncomingMessage,
		res: ServerResponse,
		ex: Exchange,
		body: string | undefined,
	): Promise<void> {
		const { method, url } = ex;

		if (body === undefined) {
			this.send(res, ex, {
				status: 413,
				headers: { 'Content-Type': 'text/plain' },
				body: 'Request body too large',
			});
			return;
		}

		const fault = this.ctx.faults.take({
			listener: this.options.name,
			method,
			pathname: url.pathname,
			search: url.search,
		});
		if (fault) {
			ex.record.fault = fault.id;
			this.ctx.stats.faultsTriggered++;
			await this.applyFault(fault, ex, req, res);
			return;
		}
		const oneCall = this.options.isOneCall?.(ex) === true;
		const refusedFor = oneCall ? this.ctx.capacity.admit() : undefined;
		if (refusedFor !== undefined) {
			this.send(res, ex, capacityRefusal(this.ctx, ex, refusedFor, this.options.faultReply));
			return;
		}
		try {
			const handled = await this.run(ex);
			const reply = oneCall
				? { ...handled, headers: { ...handled.headers, ...this.ctx.capacity.usageHeaders() } }
				: handled;
			await this.sleep(this.options.latencyMs?.(ex) ?? 0);
			this.answer(req, res, ex, reply);
		} finally {
			if (oneCall) this.ctx.capacity.leave();
		}
	}

	private async applyFault(
		fault: FaultHandle,
		ex: Exchange,
		req: IncomingMessage,
		res: ServerResponse,
	): Promise<void> {
		const spec = fault.spec;
		await this.sleep(spec.delayMs ?? 0);
		if (spec.reset === 'immediately') {
			req.socket.destroy();
			return;
		}
		if (spec.reset === 'mid-response') {
			this.breakConnection(req, { ...(await this.run(ex)), reset: 'mid-response' });
			return;
		}
		if (spec.status === undefined) {
			// A delay alone: a slow but otherwise normal answer.
			const reply = await this.run(ex);
			await this.sleep(this.options.latencyMs?.(ex) ?? 0);
			this.answer(req, res, ex, reply);
			return;
		}
		this.send(res, ex, cannedFaultReply(ex, spec, spec.status, this.options.faultReply));
	}

	private async run(ex: Exchange): Promise<Reply> {
		const reply = await runHandler(this.options.handler, ex);
		return this.options.decorate ? this.options.decorate(ex, reply) : reply;
	}

	/** Sends the reply, or breaks the connection when the handler asked for it. */
	private answer(req: IncomingMessage, res: ServerResponse, ex: Exchange, reply: Reply): void {
		if (reply.reset) this.breakConnection(req, reply);
		else this.send(res, ex, reply);
	}

	/** The socket destroyed: at once, or after half of the reply's bytes (the request was handled, its answer is lost). */
	private breakConnection(req: IncomingMessage, reply: Reply): void {
		if (reply.reset !== 'mid-response') {
			req.socket.destroy();
			return;
		}
		const raw = serialize(reply);
		const cut = Math.max(1, Math.floor(raw.length / 2));
		req.socket.write(raw.subarray(0, cut), () => req.socket.destroy());
	}

	private send(res: ServerResponse, ex: Exchange, reply: Reply): void {
		if (res.destroyed || res.writableEnded) return;
		ex.record.status = reply.status;
		const body = reply.body ?? '';
		const headers: Record<string, string | number> = { ...reply.headers };
		if (reply.status !== 204 && reply.status !== 304) {
			headers['Content-Length'] = Buffer.byteLength(body);
		}
		res.writeHead(reply.status, headers);
		res.end(reply.status === 204 || reply.status === 304 ? undefined : body);
	}

	private sleep(ms: number): Promise<void> {
		return sleep(ms, this.ctx.closing);
	}
}

/** The handler's reply; a handler that throws answers 500 with the stack, so a bug shows in the test that hit it. */
export async function runHandler(
	handler: (ex: Exchange) => Reply | Promise<Reply>,
	ex: Exchange,
): Promise<Reply> {
	try {
		return await handler(ex);
	} catch (error) {
		return {
			status: 500,
			headers: { 'Content-Type': 'text/plain' },
			body: `emulator error: ${(error as Error).stack ?? String(error)}`,
		};
	}
}

/** Waits ms; rejects when the emulator closes, so no timer outlives it. */
export function sleep(ms: number, closing: AbortSignal): Promise<void> {
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve, reject) => {
		if (closing.aborted) return reject(new Error('emulator closed'));
		const timer = setTimeout(() => {
			closing.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(new Error('emulator closed'));
		};
		closing.addEventListener('abort', onAbort, { once: true });
	});
}

/** The body, or undefined when larger than MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > MAX_BODY) return undefined;
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** A reply as HTTP/1.1 bytes, for writing half of it before a reset. */
function serialize(reply: Reply): Buffer {
	const body = Buffer.from(reply.body ?? '');
	const lines = [
		`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Unknown'}`,
		`Date: ${new Date().toUTCString()}`,
	];
	for (const [name, value] of Object.entries(reply.headers ?? {})) lines.push(`${name}: ${value}`);
	if (reply.status !== 204) lines.push(`Content-Length: ${body.length}`);
	return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]);
}

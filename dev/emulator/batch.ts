/**
 * Graph's JSON batching (https://learn.microsoft.com/graph/json-batching): POST /{version}/$batch carries up to
 * 20 requests, and each goes through the Graph pipeline as if sent alone (the batch's bearer token, routes,
 * permissions, and faults, since Graph throttles every request in a batch on its own). The batch answers
 * 200 with one response per request, in no particular order: clients match them by id.
 *
 * Timing: Graph runs the requests without dependsOn side by side and answers when the last is done, so each
 * request waits the Graph latency concurrently with its siblings and the $batch itself adds none (its
 * listener's latencyMs is 0): a batch takes as long as its slowest request, or its longest dependsOn chain.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { capacityRefusal } from './capacity';
import { authenticate, graphErrorReply, GraphEnvironment, GraphRouter } from './graph';
import { countCallsInFlight, type Exchange, type RecordedRequest, type Reply } from './exchange';
import { cannedFaultReply } from './faults';
import { runHandler, sleep, type ServerContext } from './server';

const BATCH_MAX_REQUESTS = 20;

export interface BatchEnvironment {
	ctx: ServerContext;
	router: GraphRouter;
	graph: GraphEnvironment;
	/** Graph's error body for a fault given only a status. */
	faultReply: (ex: Exchange, status: number) => Reply;
	/** The Graph latency, read per request so it can change at runtime. */
	latencyMs: () => number;
	/** Draws the order of the responses. */
	random: () => number;
}

/** One request of the batch as read from the payload. */
interface ParsedRequest {
	id: string;
	method: string;
	/** Below the batch's version: `/v1.0/servicePrincipals/…`. */
	url: URL;
	headers: IncomingHttpHeaders;
	body: string;
	/** Ids (lower-cased, as Graph compares them) of the requests it waits for. */
	dependsOn: string[];
}

/** One request of the batch, ready to run as an Exchange of its own. */
interface BatchedRequest {
	id: string;
	ex: Exchange;
	dependsOn: string[];
}

interface BatchResponse {
	id: string;
	status: number;
	headers?: Record<string, string>;
	body?: unknown;
}

/** The path of a JSON batch, either version, `$` sent as is or percent-encoded */
export const BATCH_PATH = /^\/(v1\.0|beta)\/(\$|%24)batch\/?$/i;

export function isBatchRequest(ex: Pick<Exchange, 'method' | 'url'>): boolean {
	return ex.method === 'POST' && BATCH_PATH.test(ex.url.pathname);
}

export class GraphBatch {
	constructor(private readonly env: BatchEnvironment) {}

	async handle(outer: Exchange): Promise<Reply> {
		// Graph checks the token before reading the body, for $batch as for any call.
		const check = authenticate(outer, this.env.graph);
		if ('status' in check) return check;
		const version = (BATCH_PATH.exec(outer.url.pathname)?.[1] ?? 'v1.0').toLowerCase();
		const parsed = parse(outer, version);
		if (typeof parsed === 'string') return graphErrorReply(outer, 400, 'BadRequest', parsed);
		const requests = parsed.map((request) => this.accept(request));
		countCallsInFlight(this.env.ctx.stats, requests.length);
		try {
			return await this.runAll(requests);
		} finally {
			countCallsInFlight(this.env.ctx.stats, -requests.length);
		}
	}

	/** Runs the batch's requests side by side and answers with all their responses. */
	private async runAll(requests: BatchedRequest[]): Promise<Reply> {
		// Memoized, so a request that several others depend on runs once; dependencies are acyclic (checked by parse).
		const byId = new Map(requests.map((request) => [request.id.toLowerCase(), request]));
		const running = new Map<string, Promise<Reply>>();
		const outcome = (request: BatchedRequest): Promise<Reply> => {
			const key = request.id.toLowerCase();
			let promise = running.get(key);
			if (!promise) {
				promise = this.runAfter(
					request,
					request.dependsOn.map((dependency) => outcome(byId.get(dependency) as BatchedRequest)),
				);
				running.set(key, promise);
			}
			return promise;
		};
		const replies = await Promise.all(requests.map(outcome));

		const responses = this.shuffle(
			requests.map((request, index) => batchResponse(request.id, replies[index])),
		);
		// One broken inner connection breaks the batch's: the client cannot tell which requests ran.
		const reset = replies.some((reply) => reply.reset === 'immediately')
			? 'immediately'
			: replies.find((reply) => reply.reset)?.reset;
		return {
			status: 200,
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ responses }),
			...(reset && { reset }),
		};
	}

	/** Logs and counts the request like one sent alone (after its $batch, in batch order): only a batch Graph accepts runs. */
	private accept({ id, method, url, headers, body, dependsOn }: ParsedRequest): BatchedRequest {
		const record: RecordedRequest = {
			listener: 'graph',
			method,
			path: url.pathname,
			query: url.searchParams,
			headers,
			body,
			status: 0,
			time: new Date(),
		};
		this.env.ctx.requests.push(record);
		this.env.ctx.stats.graphRequests++;
		return { id, dependsOn, ex: { listener: 'graph', method, url, headers, body, record } };
	}

	/** Runs the request once its dependencies are done, or answers 424 without running it if one of them failed. */
	private async runAfter(
		request: BatchedRequest,
		dependencies: Array<Promise<Reply>>,
	): Promise<Reply> {
		const done = await Promise.all(dependencies);
		if (done.some((reply) => reply.reset !== undefined || reply.status >= 400)) {
			request.ex.record.status = 424;
			return graphErrorReply(
				request.ex,
				424,
				'FailedDependency',
				'The request depends on a request of the batch that failed.',
			);
		}
		return this.run(request.ex);
	}

	/** One request through the Graph pipeline, with the faults and latency it would meet on its own. */
	private async run(ex: Exchange): Promise<Reply> {
		const { ctx } = this.env;
		const fault = ctx.faults.take({
			listener: 'graph',
			method: ex.method,
			pathname: ex.url.pathname,
			search: ex.url.search,
		});
		const spec = fault?.spec;
		if (fault) {
			ex.record.fault = fault.id;
			ctx.stats.faultsTriggered++;
			await sleep(spec?.delayMs ?? 0, ctx.closing);
		}
		// No answer at all: the listener destroys the batch's connection (handle passes the reset on).
		if (spec?.reset === 'immediately') return { status: 0, reset: 'immediately' };
		if (spec?.status !== undefined) {
			const reply = cannedFaultReply(ex, spec, spec.status, this.env.faultReply);
			ex.record.status = reply.status;
			return reply;
		}
		const refusedFor = ctx.capacity.admit();
		if (refusedFor !== undefined) return capacityRefusal(ctx, ex, refusedFor, this.env.faultReply);
		let reply: Reply;
		try {
			const handled = await runHandler(
				(inner) => this.env.router.handle(inner, this.env.graph),
				ex,
			);
			reply = { ...handled, headers: { ...handled.headers, ...ctx.capacity.usageHeaders() } };
			await sleep(this.env.latencyMs(), ctx.closing);
		} finally {
			ctx.capacity.leave();
		}
		// Handled, so the state changed, but the answer is lost with the connection: the record keeps status 0.
		if (spec?.reset === 'mid-response') return { ...reply, reset: 'mid-response' };
		ex.record.status = reply.status;
		return reply;
	}

	/** Graph does not keep the request order: a shuffle, never the identity, so matching by position always fails here. */
	private shuffle<T>(items: T[]): T[] {
		const shuffled = [...items];
		for (let i = shuffled.length - 1; i > 0; i--) {
			const j = Math.floor(this.env.random() * (i + 1));
			[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
		}
		if (shuffled.length > 1 && shuffled.every((item, index) => item === items[index]))
			shuffled.push(shuffled.shift() as T);
		return shuffled;
	}
}

/** The batch's requests, or the reason the whole batch is refused (400). */
function parse(outer: Exchange, version: string): ParsedRequest[] | string {
	let payload: unknown;
	try {
		payload = JSON.parse(outer.body);
	} catch {
		return 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';
	}
	const requests = isObject(payload) ? payload.requests : undefined;
	if (!Array.isArray(requests) || requests.length === 0)
		return 'Invalid batch payload format: requests must be a non-empty array.';
	if (requests.length > BATCH_MAX_REQUESTS)
		return `Number of requests exceeds the limit of ${BATCH_MAX_REQUESTS}.`;

	const seen = new Set<string>();
	const valid: ParsedRequest[] = [];
	for (const request of requests) {
		if (
			!isObject(request) ||
			!isText(request.id) ||
			!isText(request.method) ||
			!isText(request.url)
		) {
			return 'Each request needs an id, a method and a url.';
		}
		const { id, url } = request;
		if (seen.has(id.toLowerCase())) return `Request id '${id}' is not unique in the batch.`;
		seen.add(id.toLowerCase());
		if (/^[a-z][a-z\d+.-]*:\/\//i.test(url))
			return `Request '${id}': url must be relative to /${version}, not absolute.`;
		const target = new URL(
			`/${version}${url.startsWith('/') ? '' : '/'}${url}`,
			'http://emulator.invalid',
		);
		if (BATCH_PATH.test(target.pathname))
			return `Request '${id}': a $batch cannot contain another $batch.`;

		const own = request.headers ?? {};
		if (!isObject(own) || !Object.values(own).every((value) => typeof value === 'string'))
			return `Request '${id}': headers must be an object of strings.`;
		// The batch's authorization, client-request-id… apply to every request; its entity headers describe the envelope, not this request's body.
		const headers: IncomingHttpHeaders = { ...outer.headers };
		delete headers['content-type'];
		delete headers['content-length'];
		delete headers['transfer-encoding'];
		for (const [name, value] of Object.entries(own)) headers[name.toLowerCase()] = value as string;
		const hasBody = request.body !== undefined && request.body !== null;
		if (hasBody && !headers['content-type'])
			return `Request '${id}': a request with a body needs a Content-Type header.`;

		const dependsOn = request.dependsOn ?? [];
		if (!Array.isArray(dependsOn) || !dependsOn.every(isText))
			return `Request '${id}': dependsOn must be an array of request ids.`;
		valid.push({
			id,
			method: request.method.toUpperCase(),
			url: target,
			headers,
			body: !hasBody
				? ''
				: typeof request.body === 'string'
					? request.body
					: JSON.stringify(request.body),
			dependsOn: dependsOn.map((dependency) => dependency.toLowerCase()),
		});
	}
	for (const request of valid) {
		const unknown = request.dependsOn.find((dependency) => !seen.has(dependency));
		if (unknown !== undefined)
			return `Request '${request.id}' depends on '${unknown}', which is not in the batch.`;
	}
	const cycle = dependencyCycle(valid);
	if (cycle) return `Request '${cycle}' depends on itself through dependsOn.`;
	return valid;
}

/**
 * A reply as an entry of `responses`: only the headers Graph puts there (the route's own, Content-Type for a
 * body; request-id and the other per-connection headers belong to the $batch's answer), a JSON body parsed, and
 * any other body base64-encoded as Graph sends binary content.
 */
function batchResponse(id: string, reply: Reply): BatchResponse {
	const headers: Record<string, string> = { 'Cache-Control': 'no-cache', ...reply.headers };
	const text = reply.status === 204 || reply.status === 304 ? '' : (reply.body ?? '');
	const response: BatchResponse = { id, status: reply.status, headers };
	if (text === '') {
		for (const name of Object.keys(headers))
			if (name.toLowerCase() === 'content-type') delete headers[name];
		return response;
	}
	const contentType =
		Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
	if (!/json/i.test(contentType)) {
		response.body = Buffer.from(text).toString('base64');
		return response;
	}
	try {
		response.body = JSON.parse(text);
	} catch {
		// A broken JSON payload (a fault's truncated body) is passed on as text, for the client to choke on.
		response.body = text;
	}
	return response;
}

/** The id of a request that reaches itself through dependsOn, if any. */
function dependencyCycle(requests: Array<{ id: string; dependsOn: string[] }>): string | undefined {
	const byId = new Map(requests.map((request) => [request.id.toLowerCase(), request]));
	const state = new Map<string, 'visiting' | 'done'>();
	const visit = (key: string): string | undefined => {
		if (state.get(key) === 'done') return undefined;
		if (state.get(key) === 'visiting') return byId.get(key)?.id;
		state.set(key, 'visiting');
		for (const dependency of byId.get(key)?.dependsOn ?? []) {
			const found = visit(dependency);
			if (found) return found;
		}
		state.set(key, 'done');
		return undefined;
	};
	for (const key of byId.keys()) {
		const found = visit(key);
		if (found) return found;
	}
	return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/** Graph's limit on the requests one JSON batch may carry. */
export const MAX_BATCH_REQUESTS = 20;

/** One Graph call waiting for a batch: everything Graph needs to run it as if it had been sent alone. */
export interface BatchEntry {
	method: IHttpRequestMethods;
	/** Path and query below the version segment, e.g. /servicePrincipals/{id}/synchronization/acquireAccessToken */
	url: string;
	headers: Record<string, string>;
	body?: IDataObject;
}

/** What n8n's HTTP helper returns with returnFullResponse; a batched call's answer is handed back in the same shape. */
export interface FullResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, unknown>;
}

/**
 * A batched call Graph answered with an error status: shaped like the error n8n's HTTP helper throws, so the
 * caller retries and explains it exactly as it would a call sent alone.
 */
export class BatchedCallFailed extends Error {
	constructor(
		readonly response: { status: number; headers: Record<string, unknown>; data: unknown },
	) {
		super(`Microsoft Graph answered ${response.status} to a batched call`);
	}
}

/** Graph's batch answer left this call out; it was not necessarily run. */
export class BatchAnswerIncomplete extends Error {
	constructor() {
		super('Microsoft Graph’s batch answer had no response for this call');
	}
}

interface Pending {
	entry: BatchEntry;
	resolve(response: FullResponse): void;
	reject(error: unknown): void;
}

interface BatchResponse {
	id?: unknown;
	status?: unknown;
	headers?: Record<string, unknown>;
	body?: unknown;
}

function lowerCaseNames(headers: Record<string, unknown> | undefined): Record<string, unknown> {
	return Object.fromEntries(
		Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
	);
}

/** A call as one request of a JSON batch, numbered from 1 in the order the calls came. */
function batchRequest(entry: BatchEntry, index: number): IDataObject {
	return {
		id: String(index + 1),
		method: entry.method,
		url: entry.url,
		...(entry.body === undefined
			? { headers: entry.headers }
			: { headers: { 'Content-Type': 'application/json', ...entry.headers }, body: entry.body }),
	};
}

/**
 * Gathers the Graph calls that the items in flight make at the same moment and sends them as JSON batches
 * (POST /$batch, up to 20 calls each): one HTTP request and one TLS handshake instead of twenty. Graph still runs,
 * throttles and answers every call on its own, so each caller gets its own status, headers and body back and
 * handles them as if it had sent the call alone; a batch that fails as a whole fails each of its calls.
 *
 * Calls queue until the batch is full, or until a turn of the event loop adds no call to it (the items under way
 * have made theirs); a lone call is sent alone, without the batch envelope.
 */
export class GraphBatcher {
	private readonly queues = new Map<string, Pending[]>();

	/**
	 * @param send sends one request with the node's credential, as n8n's httpRequestWithAuthentication does
	 * @param batchSize calls per batch (at most Graph's 20), asked afresh for every batch
	 */
	constructor(
		private readonly send: (options: IHttpRequestOptions) => Promise<FullResponse>,
		private readonly batchSize: () => number = () => MAX_BATCH_REQUESTS,
	) {}

	/**
	 * Queues a call for the batch endpoint of one Graph version (e.g. https://graph.microsoft.com/v1.0);
	 * calls with different timeouts never share a batch.
	 */
	submit(versionRoot: string, timeoutMs: number, entry: BatchEntry): Promise<FullResponse> {
		const key = `${timeoutMs} ${versionRoot}`;
		return new Promise<FullResponse>((resolve, reject) => {
			let queue = this.queues.get(key);
			if (!queue) {
				queue = [];
				this.queues.set(key, queue);
				void this.flushOnceSettled(key, queue, versionRoot, timeoutMs);
			}
			queue.push({ entry, resolve, reject });
			if (queue.length >= Math.min(MAX_BATCH_REQUESTS, Math.max(1, this.batchSize())))
				this.flush(key, versionRoot, timeoutMs);
		});
	}

	/** Sends the queue when a zero-delay timer finds it no longer growing, unless it was sent full before. */
	private async flushOnceSettled(
		key: string,
		queue: Pending[],
		versionRoot: string,
		timeoutMs: number,
	): Promise<void> {
		let seen: number;
		do {
			seen = queue.length;
			await sleep(0);
		} while (this.queues.get(key) === queue && queue.length > seen);
		if (this.queues.get(key) === queue) this.flush(key, versionRoot, timeoutMs);
	}

	private flush(key: string, versionRoot: string, timeoutMs: number): void {
		const queue = this.queues.get(key);
		if (!queue) return;
		this.queues.delete(key);
		if (queue.length === 1) void this.sendAlone(queue[0], versionRoot, timeoutMs);
		else void this.sendBatch(queue, versionRoot, timeoutMs);
	}

	private async sendAlone(call: Pending, versionRoot: string, timeoutMs: number): Promise<void> {
		const { method, url, headers, body } = call.entry;
		try {
			call.resolve(
				await this.send({
					method,
					url: `${versionRoot}${url}`,
					body,
					headers,
					json: true,
					returnFullResponse: true,
					timeout: timeoutMs,
				}),
			);
		} catch (error) {
			call.reject(error);
		}
	}

	private async sendBatch(calls: Pending[], versionRoot: string, timeoutMs: number): Promise<void> {
		let answer: FullResponse;
		try {
			answer = await this.send({
				method: 'POST',
				url: `${versionRoot}/$batch`,
				body: { requests: calls.map(({ entry }, index) => batchRequest(entry, index)) },
				json: true,
				returnFullResponse: true,
				timeout: timeoutMs,
			});
		} catch (error) {
			for (const call of calls) call.reject(error);
			return;
		}
		const batchHeaders = lowerCaseNames(answer.headers);
		const responses = (answer.body as { responses?: BatchResponse[] } | undefined)?.responses;
		const byId = new Map(
			(Array.isArray(responses) ? responses : []).map((response) => [
				String(response.id),
				response,
			]),
		);
		calls.forEach((call, index) => {
			const response = byId.get(String(index + 1));
			const status = Number(response?.status);
			if (!response || !Number.isInteger(status)) {
				call.reject(new BatchAnswerIncomplete());
				return;
			}
			// A batched call's own headers need not carry a request-id; Graph's logs know it by the batch's.
			const headers = {
				'request-id': batchHeaders['request-id'],
				...lowerCaseNames(response.headers),
			};
			if (status >= 400)
				call.reject(new BatchedCallFailed({ status, headers, data: response.body }));
			else call.resolve({ statusCode: status, headers, body: response.body });
		});
	}
}

import { graphErrorDetails, type FailureContext } from '../errors';
import type { TransportFailure } from '../failureShapes';
import type { FullResponse } from './batcher';
import type {
	GraphConnection,
	GraphFunctions,
	GraphRequest,
	GraphResponse,
	RequestSettings,
} from '../types';

/*
 * A Graph call passes through a chain of steps, each with one concern, as in Microsoft's Graph SDKs: a step gets the
 * call and the rest of the chain, and may act before it, after it, instead of it, or more than once. The chain is
 * put together in one place, graphRequest (../index.ts).
 */

/** One Graph call on its way down the chain. */
export interface GraphCall {
	ctx: GraphFunctions;
	connection: GraphConnection;
	request: GraphRequest;
	/** The request's URL, resolved (and checked to stay on the credential's Graph) before the first attempt */
	url: string;
	settings: RequestSettings;
	/** What an error about the call names: the operation, the object, the item */
	failureContext: FailureContext;
	/** Which attempt this is, 0 for the first */
	attempt: number;
}

export type Handler = (call: GraphCall) => Promise<GraphResponse>;

/** A step of the chain: given the steps after it, the handler that runs it before them. */
export type Step = (next: Handler) => Handler;

/** One attempt failed on the wire or at Graph: what went wrong, read once, and when the attempt went out. */
export class FailedAttempt extends Error {
	constructor(
		readonly failure: TransportFailure,
		readonly sentAt: number,
	) {
		super('A Microsoft Graph call failed');
	}
}

/** The last attempt failed and no retry is due: what went wrong, how many retries came before it, and why no more. */
export class CallAbandoned extends Error {
	constructor(
		readonly failure: TransportFailure,
		readonly retries: number,
		/** The Retry-After Graph asked that was longer than the node waits, if that is why */
		readonly refusedWaitMs: number | undefined,
	) {
		super('A Microsoft Graph call failed after its retries');
	}
}

/** The headers of one attempt: a retry says which one it is, as Microsoft's SDKs do. */
export function attemptHeaders(call: GraphCall): Record<string, string> {
	return {
		...call.request.headers,
		...(call.attempt > 0 ? { 'Retry-Attempt': String(call.attempt) } : {}),
	};
}

/** Graph's answer as the node reads it; n8n 1.x keeps no headers of an error, whose body repeats the request-id. */
export function graphResponse(answer: FullResponse): GraphResponse {
	const requestId = answer.headers?.['request-id'];
	return {
		status: answer.statusCode,
		body: answer.body,
		requestId: typeof requestId === 'string' ? requestId : graphErrorDetails(answer.body).requestId,
		headers: answer.headers,
	};
}

/** The steps, outermost first, in front of the handler that ends the chain. */
export function chain(steps: readonly Step[], last: Handler): Handler {
	return steps.reduceRight<Handler>((next, step) => step(next), last);
}

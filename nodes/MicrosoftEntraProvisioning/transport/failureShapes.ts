import { readSignInContext, SignInError } from '../../../lib/appOnlySignIn';
import { BatchAnswerIncomplete, BatchedCallFailed } from './steps/batcher';

/**
 * What went wrong with one Graph call, read once from whatever n8n's HTTP helper threw. Retrying, pacing and
 * explaining a failure work on this, never on the thrown error itself.
 */
export type TransportFailure =
	/** App-only sign-in failed before the call could go out */
	| { kind: 'signIn'; error: SignInError }
	/** Graph answered with an error status */
	| { kind: 'http'; status: number; headers: Record<string, unknown>; body: unknown }
	/** Graph's batch answer left this call out: it may or may not have run */
	| { kind: 'batchIncomplete' }
	/** The connection failed (or cut an answer off half-way) with this code */
	| { kind: 'network'; code: string }
	/** Neither an answer nor a network failure: n8n could not use the credential (e.g. OAuth2 never connected) */
	| { kind: 'credential'; message: string };

/*
 * n8n does not throw one shape. httpRequestWithAuthentication wraps whatever went wrong in a NodeApiError, and the
 * two release lines keep different parts of it (test/fixtures/failure-shapes/ holds each shape as n8n produced it):
 *   - n8n 2.x keeps the original error as `cause`: an axios error with `response` (status, headers, data), or with
 *     a `code` for a failed connection, or the credential's own SignInError.
 *   - n8n 1.x drops `cause` (a class field resets it after the constructor set it). What survives is `httpCode`
 *     (the status as a string, or a connection error's code), `context.data` (the JSON error body) and the
 *     `context` of an n8n error it wrapped. Graph's response headers, Retry-After among them, are gone.
 * The batcher throws its own errors, never wrapped by n8n. Each adapter below reads one of these shapes by its
 * structure; the first that recognises the error wins.
 */

type Adapter = (error: unknown) => TransportFailure | undefined;

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** The error and the errors it wraps through `cause`, outermost first. */
function causeChain(error: unknown): Record<string, unknown>[] {
	const chain: Record<string, unknown>[] = [];
	let current: unknown = error;
	while (isObject(current) && chain.length < 6 && !chain.includes(current)) {
		chain.push(current);
		current = current.cause;
	}
	return chain;
}

function headersOf(value: unknown): Record<string, unknown> {
	return isObject(value) ? value : {};
}

/** Codes axios gives an answer it received (with a status), not a failed connection. */
const ANSWER_CODES = new Set(['ERR_BAD_REQUEST', 'ERR_BAD_RESPONSE']);

/** The credential's sign-in failed: its SignInError itself (2.x cause), or the context n8n 1.x copied from it. */
const signInFailure: Adapter = (error) => {
	for (const link of causeChain(error)) {
		if (link instanceof SignInError) return { kind: 'signIn', error: link };
		const signIn = readSignInContext(link.context);
		if (signIn) return { kind: 'signIn', error: signIn };
	}
	return undefined;
};

/** The batcher's own errors: a batched call Graph answered with an error status, or one its answer left out. */
const batchAnswer: Adapter = (error) => {
	if (error instanceof BatchAnswerIncomplete) return { kind: 'batchIncomplete' };
	if (error instanceof BatchedCallFailed) {
		const { status, headers, data } = error.response;
		return { kind: 'http', status, headers: headersOf(headers), body: data };
	}
	return undefined;
};

/** An axios error with the answer it got (n8n 2.x: the `cause` of the NodeApiError). */
const axiosAnswer: Adapter = (error) => {
	for (const link of causeChain(error)) {
		const response = link.response;
		if (!isObject(response) || typeof response.status !== 'number') continue;
		// A failure that carries a success status is an answer the connection cut off half-way.
		if (response.status < 400) return { kind: 'network', code: 'ECONNRESET' };
		return {
			kind: 'http',
			status: response.status,
			headers: headersOf(response.headers),
			body: response.data,
		};
	}
	return undefined;
};

/** n8n 1.x's NodeApiError without its cause: the status survives as `httpCode`, the JSON body as `context.data`. */
const nodeApiErrorStatus: Adapter = (error) => {
	if (!isObject(error) || typeof error.httpCode !== 'string' || !/^\d{3}$/.test(error.httpCode))
		return undefined;
	const status = Number(error.httpCode);
	const context = isObject(error.context) ? error.context : {};
	if (status < 400) return { kind: 'network', code: 'ECONNRESET' };
	return { kind: 'http', status, headers: {}, body: context.data };
};

/** A connection that failed: the code of the innermost error that has one (2.x), or 1.x's `httpCode` holding it. */
const connectionFailure: Adapter = (error) => {
	const chain = causeChain(error);
	for (const link of chain.reverse()) {
		if (typeof link.code === 'string' && !ANSWER_CODES.has(link.code))
			return { kind: 'network', code: link.code };
	}
	if (isObject(error) && typeof error.httpCode === 'string' && /^E[A-Z_]+$/.test(error.httpCode)) {
		return { kind: 'network', code: error.httpCode };
	}
	return undefined;
};

const ADAPTERS: readonly Adapter[] = [
	signInFailure,
	batchAnswer,
	axiosAnswer,
	nodeApiErrorStatus,
	connectionFailure,
];

export function readFailure(error: unknown): TransportFailure {
	for (const adapter of ADAPTERS) {
		const failure = adapter(error);
		if (failure) return failure;
	}
	return { kind: 'credential', message: error instanceof Error ? error.message : String(error) };
}

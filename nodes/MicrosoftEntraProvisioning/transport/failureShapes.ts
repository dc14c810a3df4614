import { SignInError } from '../../../lib/appOnlySignIn';
import { BatchAnswerIncomplete } from './batch';

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

interface HttpFailure {
	response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
	code?: string;
	cause?: unknown;
}

/** n8n wraps transport errors; find the innermost one that says what happened. */
function innermost(error: unknown): unknown {
	let current = error;
	for (let depth = 0; depth < 5; depth++) {
		if (current instanceof SignInError) return current;
		const failure = current as HttpFailure;
		if (failure?.response?.status) return current;
		if (failure && typeof failure === 'object' && failure.cause && failure.cause !== current) {
			current = failure.cause;
			continue;
		}
		return current;
	}
	return current;
}

function networkCode(error: unknown): string | undefined {
	let current = error as HttpFailure | undefined;
	for (let depth = 0; current && depth < 5; depth++) {
		if (typeof current.code === 'string' && current.code !== 'ERR_BAD_REQUEST' && current.code !== 'ERR_BAD_RESPONSE') {
			return current.code;
		}
		current = current.cause as HttpFailure | undefined;
	}
	return undefined;
}

export function readFailure(error: unknown): TransportFailure {
	const failure = innermost(error);
	if (failure instanceof SignInError) return { kind: 'signIn', error: failure };
	if (failure instanceof BatchAnswerIncomplete) return { kind: 'batchIncomplete' };
	const response = (failure as HttpFailure).response;
	if (response?.status !== undefined) {
		// A failure that carries a success status is an answer the connection cut off half-way.
		if (response.status < 400) return { kind: 'network', code: 'ECONNRESET' };
		return { kind: 'http', status: response.status, headers: response.headers ?? {}, body: response.data };
	}
	const code = networkCode(failure);
	if (code !== undefined) return { kind: 'network', code };
	return { kind: 'credential', message: failure instanceof Error ? failure.message : String(failure) };
}

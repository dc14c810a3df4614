import { sleep } from 'n8n-workflow';

import { renewAppOnlyTokenAfterRefusal } from '../../../../lib/appOnlySignIn';
import type { TransportFailure } from '../failureShapes';
import { CallAbandoned, FailedAttempt, graphResponse, type GraphCall, type Step } from './chain';

/** Statuses Graph documents as transient; Microsoft's own SDKs retry exactly these. */
const RETRYABLE_STATUSES = new Set([429, 503, 504]);
/**
 * What Graph answers for a while about a service principal (or its jobs) created moments ago, until directory
 * replication catches up; Terraform's azuread provider retries these for synchronization calls too. Opt-in, because
 * a genuine missing permission or wrong ID then fails only after the retries.
 */
const REPLICATION_STATUSES = new Set([403, 404, 409]);
const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/** The longest Retry-After the node will wait; Microsoft's SDKs cap it the same way. */
export const MAX_RETRY_AFTER_MS = 180_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;

/** Seconds or an HTTP date, as Graph sends in Retry-After; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const header = Array.isArray(value) ? value[0] : value;
	if (typeof header !== 'string' && typeof header !== 'number') return undefined;
	const text = String(header).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** Exponential back-off with jitter: between half and all of 1 s × 2^attempt, at most 30 s. */
export function backoffDelay(attempt: number, random = Math.random): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryPolicy {
	retryLimit: number;
	/** A reset or timed-out connection may be retried: the call is safe to repeat */
	idempotent: boolean;
	/** 403/404/409 are retried too, while directory replication catches up */
	retryWhileReplicating: boolean;
}

/** What to do after a failed attempt. */
export interface RetryDecision {
	/** Graph (or the network) may answer differently later */
	retryable: boolean;
	/** Wait this long and try again; undefined: give up */
	delayMs?: number;
	/** The Retry-After Graph asked, if any */
	askedMs?: number;
	/** Graph asked for a wait longer than the node waits (a quota spent for hours) */
	waitRefused: boolean;
}

/** Decides from the failure of attempt `attempt` (0 for the first) whether and when to send the call again. */
export function decideRetry(
	failure: TransportFailure,
	attempt: number,
	policy: RetryPolicy,
): RetryDecision {
	const status = failure.kind === 'http' ? failure.status : undefined;
	const code = failure.kind === 'network' ? failure.code : undefined;
	const retryable =
		status !== undefined
			? RETRYABLE_STATUSES.has(status) ||
				(policy.retryWhileReplicating && REPLICATION_STATUSES.has(status))
			: policy.idempotent &&
				(failure.kind === 'batchIncomplete' ||
					(code !== undefined && RETRYABLE_NETWORK_CODES.has(code)));
	const askedMs =
		failure.kind === 'http' ? parseRetryAfter(failure.headers['retry-after']) : undefined;
	const waitRefused = askedMs !== undefined && askedMs > MAX_RETRY_AFTER_MS;
	const retry = retryable && attempt < policy.retryLimit && !waitRefused;
	return {
		retryable,
		delayMs: retry ? (askedMs ?? backoffDelay(attempt)) : undefined,
		askedMs,
		waitRefused,
	};
}

/**
 * Sends the call again while Graph (or the network) may answer differently later, as Graph asks (retry.ts decides
 * whether and when); hands back an error status the request takes as its answer; gives up with CallAbandoned.
 */
export const retryTransient: Step = (next) => async (call) => {
	const { ctx, connection, request, settings } = call;
	const policy = { ...settings, retryWhileReplicating: connection.retryWhileReplicating === true };
	let renewedToken = false;
	for (let attempt = 0; ; attempt++) {
		let failed: FailedAttempt;
		try {
			return await next({ ...call, attempt });
		} catch (error) {
			if (!(error instanceof FailedAttempt)) throw error;
			failed = error;
		}
		const { failure } = failed;
		if (failure.kind === 'http' && request.answerStatuses?.includes(failure.status))
			return graphResponse({
				statusCode: failure.status,
				body: failure.body,
				headers: failure.headers,
			});
		if (!renewedToken && (await renewedAfterRefusal(call, failed))) {
			renewedToken = true;
			ctx.logger.debug(
				'Microsoft Graph answered 403 to a token fetched before the call; sending it again with a fresh token',
				{ node: ctx.getNode().name },
			);
			continue;
		}

		const decision = decideRetry(failure, attempt, policy);
		if (decision.delayMs === undefined) {
			throw new CallAbandoned(
				failure,
				attempt,
				decision.retryable && decision.waitRefused ? decision.askedMs : undefined,
			);
		}
		ctx.logger.debug(
			`Microsoft Graph answered ${failure.kind === 'http' ? failure.status : failure.kind === 'network' ? failure.code : 'a batch without this call'}; retry ${attempt + 1} of ${settings.retryLimit} in ${decision.delayMs} ms`,
			{ node: ctx.getNode().name },
		);
		// Resting through the pace lets the runner start other items meanwhile: a resting call holds no slot.
		if (connection.throttle) await connection.throttle.rest(decision.delayMs);
		else await sleep(decision.delayMs);
	}
};

/**
 * An app-only token carries the roles granted when it was issued: one kept from before an admin's consent keeps
 * answering 403 for its lifetime (up to an hour). Whether a 403 got the token renewed, for the call to go again.
 */
async function renewedAfterRefusal(call: GraphCall, failed: FailedAttempt): Promise<boolean> {
	const { failure } = failed;
	const credential = call.connection.decrypted?.data;
	if (failure.kind !== 'http' || failure.status !== 403 || !credential) return false;
	return await renewAppOnlyTokenAfterRefusal(credential, failed.sentAt);
}

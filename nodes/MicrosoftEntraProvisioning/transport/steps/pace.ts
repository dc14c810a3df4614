import type { TransportFailure } from '../failureShapes';
import type { CallLimit } from '../throttling/callLimit';
import type { GraphRequest } from '../types';
import { FailedAttempt, type Step } from './chain';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry';

/**
 * Holds each attempt to the execution's pace: it waits for a slot (a retry before first attempts), holds it while the
 * attempt is at Graph, and tells the pace how Graph answered.
 */
export const keepPace: Step = (next) => async (call) => {
	const pace = call.connection.throttle;
	if (!pace) return await next(call);
	await pace.acquire(call.attempt > 0);
	const sentAt = Date.now();
	try {
		const response = await next(call);
		pace.release();
		pace.shared.succeeded(Date.now() - sentAt);
		return response;
	} catch (error) {
		pace.release();
		if (error instanceof FailedAttempt) reportRefusal(pace.shared, call.request, error.failure);
		throw error;
	}
};

/**
 * A 429 slows the pace, unless the request takes it as its answer, or Graph asked for a wait the node refuses (a
 * quota spent for the day), which says nothing about the pace of the calls that follow.
 */
function reportRefusal(pace: CallLimit, request: GraphRequest, failure: TransportFailure): void {
	if (failure.kind !== 'http' || failure.status !== 429) return;
	if (request.answerStatuses?.includes(failure.status)) return;
	const askedMs = parseRetryAfter(failure.headers['retry-after']);
	if (askedMs !== undefined && askedMs > MAX_RETRY_AFTER_MS) return;
	pace.throttled(askedMs);
}

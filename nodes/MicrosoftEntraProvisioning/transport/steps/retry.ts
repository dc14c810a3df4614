import { sleep } from 'n8n-workflow';

import { renewAppOnlyTokenAfterRefusal } from '../../../../lib/appOnlySignIn';
import { graphErrorDetails } from '../errors';
import { decideRetry } from '../retry';
import { CallAbandoned, FailedAttempt, type Step } from './chain';

/**
 * Sends the call again while Graph (or the network) may answer differently later, as Graph asks (retry.ts decides
 * whether and when); hands back an error status the request takes as its answer; gives up with CallAbandoned.
 */
export const retryTransient: Step = (next) => async (call) => {
	const { ctx, connection, request, settings } = call;
	const node = ctx.getNode();
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
		if (failure.kind === 'http' && request.answerStatuses?.includes(failure.status)) {
			const requestId = failure.headers['request-id'];
			return {
				status: failure.status,
				body: failure.body,
				// n8n 1.x keeps no response headers; Graph's error body repeats the request-id.
				requestId:
					typeof requestId === 'string' ? requestId : graphErrorDetails(failure.body).requestId,
				headers: failure.headers,
			};
		}
		// An app-only token carries the roles granted when it was issued: one kept from before an admin's consent
		// keeps answering 403 for its lifetime (up to an hour). Once per call, a fresh token, and the call again.
		if (
			failure.kind === 'http' &&
			failure.status === 403 &&
			!renewedToken &&
			connection.decrypted?.data &&
			(await renewAppOnlyTokenAfterRefusal(connection.decrypted.data, failed.sentAt))
		) {
			renewedToken = true;
			ctx.logger.debug(
				'Microsoft Graph answered 403 to a token fetched before the call; sending it again with a fresh token',
				{ node: node.name },
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
			{ node: node.name },
		);
		// Resting through the pace lets the runner start other items meanwhile: a resting call holds no slot.
		if (connection.throttle) await connection.throttle.rest(decision.delayMs);
		else await sleep(decision.delayMs);
	}
};

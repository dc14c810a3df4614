import type { IExecuteFunctions } from 'n8n-workflow';

import { readFailure } from '../failureShapes';
import type { GraphConnection } from '../types';
import { GraphBatcher } from './batcher';
import { attemptHeaders, FailedAttempt, graphResponse, type Step } from './chain';
import { sendWithCredential } from './send';

/**
 * Puts an attempt in the execution's next JSON batch, when the execution batches and the request may go in one
 * (addressed by path, not by a link Graph handed out, and not marked to go alone); passes it on otherwise.
 */
export const batchCalls: Step = (next) => async (call) => {
	const { connection, request, settings } = call;
	const batcher = connection.batcher;
	if (!batcher || request.sendAlone === true || request.path === undefined) return await next(call);
	const query = Object.entries(request.qs ?? {})
		.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
		.join('&');
	const sentAt = Date.now();
	try {
		return graphResponse(
			await batcher.submit(`${connection.graphUrl}/${settings.apiVersion}`, settings.timeoutMs, {
				method: request.method,
				url: query ? `${request.path}?${query}` : request.path,
				headers: attemptHeaders(call),
				body: request.body,
			}),
		);
	} catch (error) {
		throw new FailedAttempt(readFailure(error), sentAt);
	}
};

/**
 * A batcher that sends with the connection's credential, for the items of one execution to share. A batch holds
 * half the calls allowed in flight at the moment (at most 20; fewer while Graph throttles), so one batch is on the
 * wire while the next one fills.
 */
export function createBatcher(
	ctx: IExecuteFunctions,
	connection: GraphConnection,
	callsInFlight: () => number,
): GraphBatcher {
	return new GraphBatcher(
		async (options) => await sendWithCredential(ctx, connection, options),
		() => Math.ceil(callsInFlight() / 2),
	);
}

import { readFailure } from '../failureShapes';
import { sendWithCredential } from '../send';
import { attemptHeaders, FailedAttempt, graphResponse, type Handler } from './chain';

/** The end of the chain: one attempt sent on its own with the node's credential. */
export const sendAlone: Handler = async (call) => {
	const { request, settings } = call;
	const sentAt = Date.now();
	try {
		return graphResponse(
			await sendWithCredential(call.ctx, call.connection, {
				method: request.method,
				url: call.url,
				qs: request.qs,
				body: request.body,
				json: true,
				returnFullResponse: true,
				timeout: settings.timeoutMs,
				headers: attemptHeaders(call),
			}),
		);
	} catch (error) {
		throw new FailedAttempt(readFailure(error), sentAt);
	}
};

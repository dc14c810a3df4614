import { failureError } from '../errors';
import { CallAbandoned, type Step } from './chain';

/**
 * Turns a call given up on into an error that says what to fix (errors.ts words it). The request body never reaches
 * an error or a log line.
 */
export const explainFailures: Step = (next) => async (call) => {
	try {
		return await next(call);
	} catch (error) {
		if (!(error instanceof CallAbandoned)) throw error;
		throw failureError(call.ctx.getNode(), error.failure, call.failureContext, {
			retries: error.retries,
			refusedWaitMs: error.refusedWaitMs,
			idempotent: call.settings.idempotent,
		});
	}
};

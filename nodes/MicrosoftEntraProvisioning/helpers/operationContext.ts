import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createBatcher, getGraphConnection, type GraphConnection } from '../transport';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../transport/requestLimits';
import {
	executionThrottle,
	type ExecutionThrottle,
	type PacerScope,
} from '../transport/throttling';
import type { ServicePrincipalLookups } from './servicePrincipalCalls';

/** What every operation of one execution shares: the connection and lookups already made. */
export interface OperationContext extends ServicePrincipalLookups {
	/** Client-side pacing for calls Graph limits per time window, shared by every execution on the tenant */
	pacerScope: PacerScope;
}

/** The execution's context, or the failure that kept it from opening (every item fails with it) */
export type OpenedContext = OperationContext | { failure: unknown };

function readConcurrency(ctx: IExecuteFunctions): number {
	const { concurrency } = ctx.getNodeParameter('options', 0, {}) as { concurrency?: unknown };
	const value = Number(concurrency ?? DEFAULT_CONCURRENCY);
	if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Max Items in Flight must be a whole number from 1 to ${MAX_CONCURRENCY}`,
			{
				description: `Set Options › Max Items in Flight, e.g. ${DEFAULT_CONCURRENCY}.`,
			},
		);
	}
	return value;
}

/** Like Items in Flight, settings of the execution: read from the first item. */
function readExecutionSwitches(ctx: IExecuteFunctions): {
	retryWhileReplicating: boolean;
	batching: boolean;
} {
	const { retryWhileReplicating, batching } = ctx.getNodeParameter('options', 0, {}) as {
		retryWhileReplicating?: unknown;
		batching?: unknown;
	};
	return { retryWhileReplicating: retryWhileReplicating === true, batching: batching !== false };
}

/**
 * Opens what the execution's items share: the Graph connection with its throttle (Items in Flight) and, for operations
 * that handle one item at a time, the batcher that packs their calls (a batch operation's items already share
 * requests of their own making). Read once per execution, before the first item; a credential problem still fails
 * item by item, so Continue On Fail can pair it. Resolved here, an item's parameters are read as soon as it starts.
 */
export async function openOperationContext(
	ctx: IExecuteFunctions,
	batchItemCalls: boolean,
): Promise<{ context: OpenedContext; throttle: ExecutionThrottle }> {
	const maximum = readConcurrency(ctx);
	const switches = readExecutionSwitches(ctx);
	try {
		const resolved = await getGraphConnection(ctx);
		const throttle = executionThrottle(resolved.throttleKey, maximum);
		const connection: GraphConnection = {
			...resolved,
			throttle,
			retryWhileReplicating: switches.retryWhileReplicating,
			batcher:
				switches.batching && batchItemCalls
					? createBatcher(ctx, resolved, () => throttle.limit)
					: undefined,
		};
		return {
			context: { connection, objectIds: new Map(), pacerScope: { tenantKey: resolved.tenantKey } },
			throttle,
		};
	} catch (failure) {
		// Without a connection the items fail one by one; the throttle only bounds the runner then.
		return { context: { failure }, throttle: executionThrottle(undefined, maximum) };
	}
}

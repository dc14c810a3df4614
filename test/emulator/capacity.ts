/**
 * How many calls the emulated Graph works on at once. Beyond that, a call is answered 429 at once with a
 * Retry-After, as Graph's services that limit concurrent requests per app do. Unlimited unless a test sets it: the
 * answers that tell a client to slow down come from the load the client itself makes, not from a random draw.
 */
import type { Exchange, Reply, ServerContext } from './server';
import { cannedFaultReply } from './server';

export class GraphCapacity {
	limit = Number.POSITIVE_INFINITY;
	retryAfterSeconds = 1;
	private running = 0;

	/** Admits a call (leave() when answered), or refuses it when `limit` calls are being worked on. */
	enter(): boolean {
		if (this.running >= this.limit) return false;
		this.running++;
		return true;
	}

	leave(): void {
		this.running--;
	}
}

/** The 429 for a call beyond the capacity, in Graph's error format, counted in the stats. */
export function capacityRefusal(ctx: ServerContext, ex: Exchange, faultReply?: (ex: Exchange, status: number) => Reply): Reply {
	ctx.stats.capacityRefusals++;
	ex.record.status = 429;
	return cannedFaultReply(ex, { status: 429, headers: { 'Retry-After': String(ctx.capacity.retryAfterSeconds) } }, 429, faultReply);
}

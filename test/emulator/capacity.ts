/**
 * How much the emulated Graph takes: calls at once, and calls in any window of time. Beyond either, a call is
 * answered 429 at once with a Retry-After, as Graph's services do beyond their per-app limits. Unlimited unless a
 * test sets it: these answers come from the load the client itself makes, not from a random draw.
 */
import type { Exchange, Reply, ServerContext } from './server';
import { cannedFaultReply } from './server';
import { RequestWindow } from './synchronization';

export interface GraphCapacitySettings {
	/** Calls worked on at once */
	callsAtOnce?: number;
	/** The Retry-After of a call beyond callsAtOnce; 1 when omitted */
	retryAfterSeconds?: number;
	/** At most `calls` admitted in any `windowMs` */
	rate?: { calls: number; windowMs: number };
}

export class GraphCapacity {
	private callsAtOnce = Number.POSITIVE_INFINITY;
	private retryAfterSeconds = 1;
	private rate?: RequestWindow;
	private running = 0;

	set(settings: GraphCapacitySettings = {}): void {
		this.callsAtOnce = settings.callsAtOnce ?? Number.POSITIVE_INFINITY;
		this.retryAfterSeconds = settings.retryAfterSeconds ?? 1;
		this.rate = settings.rate ? new RequestWindow(settings.rate.calls, settings.rate.windowMs) : undefined;
	}

	/**
	 * Admits a call (leave() once it is answered), or says how many seconds to wait: Graph is working on as many
	 * calls as it takes at once, or took as many as its rate allows in the window.
	 */
	admit(): number | undefined {
		if (this.running >= this.callsAtOnce) return this.retryAfterSeconds;
		const wait = this.rate?.take();
		if (wait !== undefined) return wait;
		this.running++;
		return undefined;
	}

	leave(): void {
		this.running--;
	}
}

/** The 429 for a call beyond the capacity, in Graph's error format, counted in the stats. */
export function capacityRefusal(ctx: ServerContext, ex: Exchange, retryAfterSeconds: number, faultReply?: (ex: Exchange, status: number) => Reply): Reply {
	ctx.stats.capacityRefusals++;
	ex.record.status = 429;
	return cannedFaultReply(ex, { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } }, 429, faultReply);
}

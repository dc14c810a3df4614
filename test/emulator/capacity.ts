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
	/**
	 * A token bucket, as Graph's per-app limits work: it holds up to `burst` calls and starts full, refills at
	 * `perSecond`; a call finding it empty is answered 429 with the whole seconds until the next call fits.
	 */
	bucket?: { burst: number; perSecond: number };
}

/** Calls Graph admits in a burst, then at a steady rate. */
export class TokenBucket {
	private tokens: number;
	private refilledAt: number;

	constructor(
		readonly burst: number,
		readonly perSecond: number,
		now = Date.now(),
	) {
		if (!(burst >= 1 && perSecond > 0)) throw new Error(`a token bucket needs a burst of at least 1 and a rate above 0, not ${burst} and ${perSecond}`);
		this.tokens = burst;
		this.refilledAt = now;
	}

	/** Takes one call's token; undefined when admitted, otherwise the Retry-After in whole seconds (at least 1). */
	take(now = Date.now()): number | undefined {
		this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
		this.refilledAt = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return undefined;
		}
		return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
	}
}

export class GraphCapacity {
	private callsAtOnce = Number.POSITIVE_INFINITY;
	private retryAfterSeconds = 1;
	private rate?: RequestWindow;
	private bucket?: TokenBucket;
	private running = 0;

	set(settings: GraphCapacitySettings = {}): void {
		this.callsAtOnce = settings.callsAtOnce ?? Number.POSITIVE_INFINITY;
		this.retryAfterSeconds = settings.retryAfterSeconds ?? 1;
		this.rate = settings.rate ? new RequestWindow(settings.rate.calls, settings.rate.windowMs) : undefined;
		this.bucket = settings.bucket ? new TokenBucket(settings.bucket.burst, settings.bucket.perSecond) : undefined;
	}

	/**
	 * Admits a call (leave() once it is answered), or says how many seconds to wait: Graph is working on as many
	 * calls as it takes at once, or took as many as its rate allows in the window.
	 */
	admit(): number | undefined {
		if (this.running >= this.callsAtOnce) return this.retryAfterSeconds;
		const wait = this.rate?.take() ?? this.bucket?.take();
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

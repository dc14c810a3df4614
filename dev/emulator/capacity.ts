/**
 * How much the emulated Graph takes: calls at once, and calls in any window of time. Beyond either, a call is
 * answered 429 at once with a Retry-After, as Graph's services do beyond their per-app limits. Unlimited unless a
 * test sets it: these answers come from the load the client itself makes, not from a random draw.
 *
 * Like Graph's identity and access APIs (throttling limits page, "Additional headers"), an answer carries
 * x-ms-throttle-limit-percentage (the share of the rate used, 0.8 to 1.8) once the client has used more than 0.8 of
 * the rate, and a refusal carries x-ms-throttle-scope (`Tenant_Application/Write/<app ID>/<tenant ID>`) and
 * x-ms-throttle-information (WriteLimitExceeded beyond the rate, CPULimitExceeded beyond the calls at once).
 */
import type { EmulatorStats, Exchange, Reply } from './exchange';
import { cannedFaultReply } from './faults';
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
	/** Leave out x-ms-throttle-limit-percentage, as APIs other than identity and access do */
	withoutUsageHeader?: boolean;
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
		if (!(burst >= 1 && perSecond > 0))
			throw new Error(
				`a token bucket needs a burst of at least 1 and a rate above 0, not ${burst} and ${perSecond}`,
			);
		this.tokens = burst;
		this.refilledAt = now;
	}

	/** Takes one call's token; undefined when admitted, otherwise the Retry-After in whole seconds (at least 1). */
	take(now = Date.now()): number | undefined {
		this.tokens = Math.min(
			this.burst,
			this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond,
		);
		this.refilledAt = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return undefined;
		}
		return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
	}
}

/** What Graph documents x-ms-throttle-limit-percentage to range over, and the use it starts at */
const LIMIT_USAGE_FROM = 0.8;
const LIMIT_USAGE_MOST = 1.8;

export interface CapacityRefusal {
	retryAfterSeconds: number;
	information: 'WriteLimitExceeded' | 'CPULimitExceeded';
}

export class GraphCapacity {
	private callsAtOnce = Number.POSITIVE_INFINITY;
	private retryAfterSeconds = 1;
	private rate?: RequestWindow;
	private bucket?: TokenBucket;
	private running = 0;

	private usageHeader = true;

	set(settings: GraphCapacitySettings = {}): void {
		this.usageHeader = settings.withoutUsageHeader !== true;
		this.callsAtOnce = settings.callsAtOnce ?? Number.POSITIVE_INFINITY;
		this.retryAfterSeconds = settings.retryAfterSeconds ?? 1;
		this.rate = settings.rate
			? new RequestWindow(settings.rate.calls, settings.rate.windowMs)
			: undefined;
		this.bucket = settings.bucket
			? new TokenBucket(settings.bucket.burst, settings.bucket.perSecond)
			: undefined;
	}

	/**
	 * Admits a call (leave() once it is answered), or says how many seconds to wait: Graph is working on as many
	 * calls as it takes at once, or took as many as its rate allows in the window.
	 */
	admit(): CapacityRefusal | undefined {
		if (this.running >= this.callsAtOnce)
			return { retryAfterSeconds: this.retryAfterSeconds, information: 'CPULimitExceeded' };
		const wait = this.rate?.take() ?? this.bucket?.take();
		if (wait !== undefined) return { retryAfterSeconds: wait, information: 'WriteLimitExceeded' };
		this.running++;
		return undefined;
	}

	/** The headers of an admitted call's answer: x-ms-throttle-limit-percentage once more than 0.8 of the rate is used. */
	usageHeaders(): Record<string, string> {
		const used = this.rate?.used() ?? 0;
		if (!this.usageHeader || used <= LIMIT_USAGE_FROM) return {};
		return { 'x-ms-throttle-limit-percentage': Math.min(LIMIT_USAGE_MOST, used).toFixed(2) };
	}

	leave(): void {
		this.running--;
	}
}

/** The app a call's bearer token was issued to (its appid or azp claim), read without checking: only named in a header. */
function callerAppId(ex: Exchange): string {
	const token = /^Bearer (.+)$/.exec(String(ex.headers.authorization ?? ''))?.[1] ?? '';
	try {
		const claims = JSON.parse(
			Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
		) as { appid?: unknown; azp?: unknown };
		const appId = claims.appid ?? claims.azp;
		return typeof appId === 'string' ? appId : '00000000-0000-0000-0000-000000000000';
	} catch {
		return '00000000-0000-0000-0000-000000000000';
	}
}

/** The 429 for a call beyond the capacity, in Graph's error format and with its throttling headers, counted in the stats. */
export function capacityRefusal(
	ctx: { stats: EmulatorStats; tenantId: string },
	ex: Exchange,
	refusal: CapacityRefusal,
	faultReply?: (ex: Exchange, status: number) => Reply,
): Reply {
	ctx.stats.capacityRefusals++;
	ex.record.status = 429;
	const headers = {
		'Retry-After': String(refusal.retryAfterSeconds),
		'x-ms-throttle-scope': `Tenant_Application/Write/${callerAppId(ex)}/${ctx.tenantId}`,
		'x-ms-throttle-information': refusal.information,
	};
	return cannedFaultReply(ex, { status: 429, headers }, 429, faultReply);
}

import { sleep } from 'n8n-workflow';

/** 429s closer together than this (or than the Retry-After they carry) are one throttling episode. */
export const THROTTLE_EPISODE_MIN_MS = 1_000;

/**
 * Counts events in 100 ms buckets over the last ten seconds: how many calls Graph accepted lately, at any moment,
 * in constant memory whatever the pace.
 */
export class RecentCount {
	static readonly BUCKET_MS = 100;
	static readonly MEMORY_MS = 10_000;
	private static readonly BUCKETS = RecentCount.MEMORY_MS / RecentCount.BUCKET_MS;
	private readonly counts = new Array<number>(RecentCount.BUCKETS).fill(0);
	/** Which bucket (time / BUCKET_MS) each slot holds now */
	private readonly holds = new Array<number>(RecentCount.BUCKETS).fill(-1);

	add(now: number): void {
		const bucket = Math.floor(now / RecentCount.BUCKET_MS);
		const slot = bucket % RecentCount.BUCKETS;
		if (this.holds[slot] !== bucket) {
			this.holds[slot] = bucket;
			this.counts[slot] = 0;
		}
		this.counts[slot]++;
	}

	/** Events of the last `ms` (at most MEMORY_MS), to the bucket */
	since(now: number, ms: number): number {
		const last = Math.floor(now / RecentCount.BUCKET_MS);
		const first = last - Math.min(RecentCount.BUCKETS, Math.ceil(ms / RecentCount.BUCKET_MS)) + 1;
		let count = 0;
		for (let bucket = first; bucket <= last; bucket++) {
			const slot = bucket % RecentCount.BUCKETS;
			if (this.holds[slot] === bucket) count += this.counts[slot];
		}
		return count;
	}
}

/** The limit grows after a run of successes only if Graph throttled at most one call for this many it accepted. */
const GROWTH_REFUSALS_RATIO = 3;

/**
 * Bounds how many Graph calls are in flight at once, and follows Graph's pace while it throttles.
 *
 * - A 429 starts a throttling episode, which lasts its Retry-After (at least a second). The next round of answers
 *   (as many as the limit) is counted, and the limit falls to the share of them Graph accepted, by half at most: 40
 *   calls of which Graph throttled 8 leave 32; a round throttled entirely leaves 20. Further 429s of the episode (the
 *   rest of the round, Graph still catching up) do not cut it again.
 * - If Graph throttled more than half of that round, it has reached a rate limit and refuses nearly every call
 *   beyond it, however few are in flight (a 429 comes back at once and frees its slot). Every call, retries too, then
 *   keeps to the pace at which Graph accepted calls over the last episode's length, from the end of the Retry-After
 *   on: sent faster, calls would only spend their retries on 429s. The pace is lifted once that long passes without
 *   a 429. If Graph accepted no call in that time there is no pace to read: the next round is counted too, and cuts
 *   again if Graph refuses most of it; calls then wait out only their own Retry-After, and fail after their retries
 *   rather than crawl.
 * - A run of successes as long as the limit raises it by one, up to the maximum, unless Graph throttled more than
 *   one call for every three it accepted meanwhile.
 * - A call holds its slot only while it is on the wire: a retry waits out its Retry-After without one, then gets
 *   the next free slot before any first attempt.
 */
export class AdaptiveConcurrency {
	private active = 0;

	private successes = 0;

	/** 429s answered since the last cut or growth check */
	private refusals = 0;

	/** When the throttling episode under way ends (or the last one ended), and how long it lasts */
	private episodeEnds = Number.NEGATIVE_INFINITY;

	private episodeLength = THROTTLE_EPISODE_MIN_MS;

	/** When Graph last answered 429 */
	private lastRefusal = Number.NEGATIVE_INFINITY;

	/** The calls Graph accepted lately */
	private readonly accepted = new RecentCount();

	/** The pace every call keeps to while Graph refuses nearly all calls: one per interval, the next one not before nextAt */
	private rate?: { intervalMs: number; nextAt: number; windowMs: number };

	/** A dispatch is already due when the pace next allows a call */
	private rateTimer = false;

	/** The round of answers counted after the 429 that started an episode, until it is complete */
	private round?: { size: number; answers: number; throttled: number };

	/** First attempts waiting for a slot */
	private readonly waiting: Array<() => void> = [];

	/** Retries waiting for a slot: served before first attempts */
	private readonly retrying: Array<() => void> = [];

	/** Calls waiting out a Retry-After or a back-off */
	private resting = 0;

	/** Told when a call starts resting, which widens the window of items */
	onRest?: () => void;

	private current: number;

	constructor(
		readonly maximum: number,
		private readonly now: () => number = Date.now,
	) {
		this.current = maximum;
	}

	get limit(): number {
		return this.current;
	}

	/** Calls in flight (slots taken) right now */
	get inFlight(): number {
		return this.active;
	}

	/**
	 * How many items may be under way: those with a call in flight, twice as many being prepared for the next calls
	 * (enough to fill the slots a returning batch frees while n8n evaluates more), and those waiting out a
	 * Retry-After (which hold no slot).
	 */
	get itemWindow(): number {
		return 3 * this.current + this.resting;
	}

	/** Waits for a free slot; a slot freed by release() is handed straight to the longest waiter, retries first. */
	async acquire(retry = false): Promise<void> {
		if (this.active < this.current && this.waiting.length === 0 && this.retrying.length === 0 && this.paced()) {
			this.take();
			return;
		}
		await new Promise<void>((resolve) => (retry ? this.retrying : this.waiting).push(resolve));
	}

	release(): void {
		this.active--;
		this.dispatch();
	}

	/** Waits `ms` before a retry, holding no slot; the window of items widens meanwhile. */
	async rest(ms: number): Promise<void> {
		this.resting++;
		this.onRest?.();
		try {
			await sleep(ms);
		} finally {
			this.resting--;
		}
	}

	/** Graph answered 429 (with this Retry-After, if any). */
	throttled(retryAfterMs?: number): void {
		const now = this.now();
		if (!this.round && now >= this.episodeEnds) {
			this.round = { size: this.current, answers: 0, throttled: 0 };
			this.episodeLength = Math.max(THROTTLE_EPISODE_MIN_MS, retryAfterMs ?? 0);
			this.episodeEnds = now + this.episodeLength;
		}
		this.lastRefusal = now;
		this.refusals++;
		this.count(true);
	}

	succeeded(): void {
		const now = this.now();
		this.accepted.add(now);
		if (this.rate && now - this.lastRefusal >= this.rate.windowMs) {
			this.rate = undefined;
			this.dispatch();
		}
		if (this.round) {
			this.count(false);
			return;
		}
		if (this.current >= this.maximum) return;
		if (++this.successes >= this.current) {
			// Grow only while Graph takes nearly all calls: under a rate limit a larger limit only draws more 429s.
			if (this.refusals * GROWTH_REFUSALS_RATIO <= this.successes) {
				this.current++;
				this.dispatch();
			}
			this.successes = 0;
			this.refusals = 0;
		}
	}

	/** Counts an answer of the round after a 429; the last one sets the new limit. */
	private count(throttled: boolean): void {
		const round = this.round;
		if (!round) return;
		round.answers++;
		if (throttled) round.throttled++;
		if (round.answers < round.size) return;
		this.current = Math.max(1, Math.floor(round.size / 2), round.size - round.throttled);
		this.successes = 0;
		this.refusals = 0;
		this.round = undefined;
		// Nothing accepted lately gives no pace to read (calls then only wait out their own Retry-After, and fail
		// after their retries rather than crawl): the next round is counted too.
		if (round.throttled * 2 > round.size && !this.keepToAcceptedRate()) this.round = { size: this.current, answers: 0, throttled: 0 };
	}

	/** Sets the pace Graph accepted calls at over the episode's length; false if it accepted none in that time. */
	private keepToAcceptedRate(): boolean {
		const windowMs = Math.min(this.episodeLength, RecentCount.MEMORY_MS);
		const accepted = this.accepted.since(this.now(), windowMs);
		if (accepted === 0) return false;
		this.rate = { intervalMs: windowMs / accepted, nextAt: this.episodeEnds, windowMs };
		return true;
	}

	/** Whether the pace allows a call now; if not, a dispatch is due when it will. */
	private paced(): boolean {
		const rate = this.rate;
		if (!rate) return true;
		const now = this.now();
		if (now >= rate.nextAt) return true;
		if (!this.rateTimer) {
			this.rateTimer = true;
			void sleep(rate.nextAt - now).then(() => {
				this.rateTimer = false;
				this.dispatch();
			});
		}
		return false;
	}

	private take(): void {
		this.active++;
		if (this.rate) this.rate.nextAt = Math.max(this.now(), this.rate.nextAt) + this.rate.intervalMs;
	}

	private dispatch(): void {
		while (this.active < this.current && (this.retrying.length > 0 || this.waiting.length > 0) && this.paced()) {
			const next = (this.retrying.shift() ?? this.waiting.shift()) as () => void;
			this.take();
			next();
		}
	}
}

/**
 * n8n evaluates an item's parameters synchronously; a long run of them would hold back the answers and TLS
 * handshakes of the calls already sent, so the runner lets the event loop in after this much of it.
 */
const YIELD_AFTER_MS = 2;

/**
 * Runs `work` for indexes 0..count-1 while the limiter's window of items allows, and stops starting new work once
 * `shouldStop` says so. The window is wider than the calls allowed in flight, so that the next items' parameters
 * are being evaluated while the calls of the earlier ones are on the wire.
 */
export async function runBounded(
	count: number,
	limiter: AdaptiveConcurrency,
	work: (index: number) => Promise<void>,
	shouldStop: () => boolean,
): Promise<void> {
	const running = new Set<Promise<void>>();
	// Wakes the loop when the window may have room: an item finished, or a call started resting.
	let wake: (() => void) | undefined;
	limiter.onRest = () => wake?.();
	let lastYield = Date.now();
	for (let index = 0; index < count && !shouldStop(); index++) {
		if (running.size >= limiter.itemWindow) {
			while (running.size >= limiter.itemWindow) await new Promise<void>((resolve) => (wake = resolve));
			lastYield = Date.now();
		}
		if (shouldStop()) break;
		const task = work(index).finally(() => {
			running.delete(task);
			wake?.();
		});
		running.add(task);
		if (Date.now() - lastYield >= YIELD_AFTER_MS) {
			await sleep(0);
			lastYield = Date.now();
		}
	}
	await Promise.all(running);
}

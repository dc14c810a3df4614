import { sleep } from 'n8n-workflow';

/** 429s closer together than this (or than the Retry-After they carry) are one throttling episode. */
export const THROTTLE_EPISODE_MIN_MS = 1_000;

/**
 * Bounds how many Graph calls are in flight at once, and backs off while Graph is throttling.
 *
 * - A 429 halves the limit (down to one) — once per throttling episode: every 429 that arrives before the
 *   Retry-After of the one that lowered the limit has passed belongs to the same episode. (Calls already in flight
 *   when Graph starts throttling all come back 429 together; halving for each would drop to one at once.)
 * - A run of successes as long as the current limit raises it by one, up to the maximum.
 * - A call holds its slot only while it is on the wire: a retry waits out its Retry-After without one, then gets
 *   the next free slot before any first attempt.
 *
 * This keeps a large run close to Graph's pace without hammering it.
 */
export class AdaptiveConcurrency {
	private active = 0;

	private successes = 0;

	private episodeEnds = Number.NEGATIVE_INFINITY;

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
		if (this.active < this.current && this.waiting.length === 0 && this.retrying.length === 0) {
			this.active++;
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
		if (now < this.episodeEnds) return;
		this.current = Math.max(1, Math.floor(this.current / 2));
		this.successes = 0;
		this.episodeEnds = now + Math.max(THROTTLE_EPISODE_MIN_MS, retryAfterMs ?? 0);
	}

	succeeded(): void {
		if (this.current >= this.maximum) return;
		if (++this.successes >= this.current) {
			this.current++;
			this.successes = 0;
			this.dispatch();
		}
	}

	private dispatch(): void {
		while (this.active < this.current) {
			const next = this.retrying.shift() ?? this.waiting.shift();
			if (!next) return;
			this.active++;
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

import { sleep } from 'n8n-workflow';

/** 429s closer together than this (or than the Retry-After they carry) are one throttling episode. */
export const THROTTLE_EPISODE_MIN_MS = 1_000;

/**
 * Bounds how many Graph calls are in flight at once, and backs off while Graph is throttling.
 *
 * - A 429 starts a throttling episode. The limit then falls to the share of the next round of answers (as many as
 *   the limit) that Graph accepted, and never by more than half at once: 40 calls of which Graph throttled 8 leave
 *   32; a round Graph throttled entirely leaves 20. A few 429s among many calls thus cost a few slots, not half.
 * - An episode lasts the first 429's Retry-After, and at least a second: the 429s that arrive meanwhile (the retries
 *   of the same round, Graph still catching up) do not cut the limit again.
 * - Once the round is counted, each run of successes as long as the current limit raises the limit by one, up to
 *   the maximum.
 * - A call holds its slot only while it is on the wire: a retry waits out its Retry-After without one, then gets
 *   the next free slot before any first attempt.
 *
 * This keeps a large run close to Graph's pace without hammering it.
 */
export class AdaptiveConcurrency {
	private active = 0;

	private successes = 0;

	private episodeEnds = Number.NEGATIVE_INFINITY;

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
		if (!this.round && now >= this.episodeEnds) {
			this.round = { size: this.current, answers: 0, throttled: 0 };
			this.episodeEnds = now + Math.max(THROTTLE_EPISODE_MIN_MS, retryAfterMs ?? 0);
		}
		this.count(true);
	}

	succeeded(): void {
		if (this.round) {
			this.count(false);
			return;
		}
		if (this.current >= this.maximum) return;
		if (++this.successes >= this.current) {
			this.current++;
			this.successes = 0;
			this.dispatch();
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
		this.round = undefined;
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

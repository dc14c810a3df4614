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
 * - An item waiting out a Retry-After (or a back-off) has no call in flight, so it gives its slot back for the wait
 *   and gets the next free one, before any new item, when the wait is over.
 *
 * This keeps a large batch close to Graph's pace without hammering it.
 */
export class AdaptiveConcurrency {
	private active = 0;

	private successes = 0;

	private episodeEnds = Number.NEGATIVE_INFINITY;

	/** New items waiting for a slot */
	private readonly waiting: Array<() => void> = [];

	/** Items coming back from a wait: served before new ones */
	private readonly returning: Array<() => void> = [];

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

	/** Waits for a free slot; a slot freed by release() is handed straight to the longest waiter. */
	async acquire(): Promise<void> {
		if (this.active < this.current && this.waiting.length === 0 && this.returning.length === 0) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	release(): void {
		this.active--;
		this.dispatch();
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

	/** Waits `ms` without holding a slot (the caller holds one before and after). */
	async pause(ms: number): Promise<void> {
		this.release();
		await sleep(ms);
		if (this.active < this.current && this.returning.length === 0) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve) => this.returning.push(resolve));
	}

	private dispatch(): void {
		while (this.active < this.current) {
			const next = this.returning.shift() ?? this.waiting.shift();
			if (!next) return;
			this.active++;
			next();
		}
	}
}

/** Runs `work` for indexes 0..count-1 with the limiter; stops starting new work once `shouldStop` says so. */
export async function runBounded(
	count: number,
	limiter: AdaptiveConcurrency,
	work: (index: number) => Promise<void>,
	shouldStop: () => boolean,
): Promise<void> {
	const running = new Set<Promise<void>>();
	for (let index = 0; index < count && !shouldStop(); index++) {
		await limiter.acquire();
		if (shouldStop()) {
			limiter.release();
			break;
		}
		const task = work(index).finally(() => {
			limiter.release();
			running.delete(task);
		});
		running.add(task);
	}
	await Promise.all(running);
}

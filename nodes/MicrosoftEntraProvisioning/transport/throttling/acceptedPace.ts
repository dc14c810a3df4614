/** How much a period without a 429 quickens the pace, and a 429 at a pace Graph once took whole slows it. */
const PACE_STEP = 1.25;
/** The most one quiet period quickens the pace by, after several in a row */
const PACE_MOST_STEP = 2;

/**
 * The pace every call of a period keeps to once Graph refuses nearly every call beyond a rate: one call per
 * interval. It starts at the rate Graph accepted calls at and follows Graph from there, a step at a time, since a
 * rate limit says nothing of itself but by refusing:
 * - a period in which Graph refused no call quickens it by a quarter (the limit may have been a burst, or
 *   been raised), the next one in a row by a half, then each by double. A pace read while other callers of the app
 *   took most of the limit, one call a second say, so regains Graph's whole rate in seconds once they stop, while
 *   against a hard limit the first, small step is all that is refused;
 * - a 429 after a quickening takes it back to the last pace Graph took whole, and one at that pace slows it by a
 *   quarter, once per period (another app of the tenant may be spending the same limit).
 * Lifted all at once instead, a pace Graph kept to for a second lets every waiting call go at the next free slot,
 * and against a hard limit such a burst is refused again, round after round.
 */
export class AcceptedPace {
	private nextAt: number;

	/** When the interval last changed: answers sooner than a period later may be to calls sent at the pace before */
	private changedAt: number;

	/** The last interval Graph took every call of a period at */
	private quietIntervalMs?: number;

	/** Periods in a row Graph took whole, each quickening the pace */
	private quietPeriods = 0;

	constructor(
		private intervalMs: number,
		/** The time Graph's limit is read over: the throttling episode's length */
		private readonly periodMs: number,
		/** The first call goes no sooner than this (the end of the Retry-After) */
		startAt: number,
	) {
		this.nextAt = startAt;
		this.changedAt = startAt;
	}

	get interval(): number {
		return this.intervalMs;
	}

	/** When the next call may go. */
	get nextCallAt(): number {
		return this.nextAt;
	}

	/** A call goes at `now`: the next one an interval later. */
	take(now: number): void {
		this.nextAt = Math.max(now, this.nextAt) + this.intervalMs;
	}

	/**
	 * Graph accepted a call at `now` and last refused one at `lastRefusal`: a whole period at this pace without a
	 * refusal quickens it. Returns whether it did.
	 */
	accepted(now: number, lastRefusal: number): boolean {
		if (now - Math.max(lastRefusal, this.changedAt) < this.periodMs) return false;
		const step = Math.min(PACE_MOST_STEP, 1 + (PACE_STEP - 1) * 2 ** this.quietPeriods);
		this.quietIntervalMs = this.intervalMs;
		this.change(this.intervalMs / step, now);
		this.quietPeriods++;
		return true;
	}

	/** Graph refused a call at `now`. */
	refused(now: number): void {
		this.quietPeriods = 0;
		if (this.quietIntervalMs !== undefined && this.intervalMs < this.quietIntervalMs)
			this.change(this.quietIntervalMs, now);
		else if (now - this.changedAt >= this.periodMs) this.change(this.intervalMs * PACE_STEP, now);
	}

	private change(intervalMs: number, now: number): void {
		// The next call keeps to the new interval from the last one sent.
		this.nextAt += intervalMs - this.intervalMs;
		this.intervalMs = intervalMs;
		this.changedAt = now;
	}
}

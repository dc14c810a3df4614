/** How much a window of time without a 429 quickens the pace, and a 429 at a pace Graph once took whole slows it. */
export const PACE_STEP = 1.25;

/**
 * The pace every call of a window keeps to once Graph refuses nearly every call beyond a rate: one call per
 * interval. It starts at the rate Graph accepted calls at and follows Graph from there, a step at a time, since a
 * rate limit says nothing of itself but by refusing:
 * - a window of time in which Graph neither refused a call nor said the app was near its limit quickens it by a
 *   quarter (the limit may have been a burst, or been raised);
 * - a 429 after a quickening takes it back to the last pace Graph took whole, and one at that pace slows it by a
 *   quarter, once per window (another app of the tenant may be spending the same limit).
 * Lifted all at once instead, a pace Graph kept to for a second lets every waiting call go at the next free slot,
 * and against a hard limit such a burst is refused again, round after round.
 */
export class AcceptedPace {
	private nextAt: number;

	/** When the interval last changed: answers sooner than a window later may be to calls sent at the pace before */
	private changedAt: number;

	/** The last interval Graph took every call of a window at */
	private quietIntervalMs?: number;

	constructor(
		private intervalMs: number,
		/** The time Graph's limit is read over: the throttling episode's length */
		readonly windowMs: number,
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
	 * Graph accepted a call at `now`, and last refused or warned at `lastSignal`: a whole window at this pace
	 * without either quickens it. Returns whether it did.
	 */
	accepted(now: number, lastSignal: number): boolean {
		if (now - Math.max(lastSignal, this.changedAt) < this.windowMs) return false;
		this.quietIntervalMs = this.intervalMs;
		this.change(this.intervalMs / PACE_STEP, now);
		return true;
	}

	/** Graph refused a call at `now`. */
	refused(now: number): void {
		if (this.quietIntervalMs !== undefined && this.intervalMs < this.quietIntervalMs)
			this.change(this.quietIntervalMs, now);
		else if (now - this.changedAt >= this.windowMs) this.change(this.intervalMs * PACE_STEP, now);
	}

	private change(intervalMs: number, now: number): void {
		// The next call keeps to the new interval from the last one sent.
		this.nextAt += intervalMs - this.intervalMs;
		this.intervalMs = intervalMs;
		this.changedAt = now;
	}
}

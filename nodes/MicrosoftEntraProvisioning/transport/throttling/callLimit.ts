import { sleep } from 'n8n-workflow';

import { AcceptedPace } from './acceptedPace';
import { RecentCount } from './recentCount';

/** 429s closer together than this (or than the Retry-After they carry) are one throttling episode. */
export const THROTTLE_EPISODE_MIN_MS = 1_000;

/**
 * Above this share of 429s in a round (by more than chance explains, see beyond) Graph is full, not unlucky: a
 * quarter of calls refused costs more than a smaller limit.
 */
export const LOAD_SHARE = 1 / 4;
/**
 * Standard errors a round's share must lie beyond a bound to count: chance alone gets there about once in 700 rounds.
 * Without it, a round of ten in which random 429s happen to take six reads as a rate limit and sets a pace of the
 * few calls Graph accepted (one benchmark run of 20 % random 429s took 62 s instead of 6).
 */
const SIGNIFICANCE = 3;

/** Whether `share` of `answers` lies above `bound` by more than SIGNIFICANCE standard errors of a share at `bound`. */
function above(share: number, bound: number, answers: number): boolean {
	const p = Math.min(0.99, Math.max(0.01, bound));
	return share > bound + SIGNIFICANCE * Math.sqrt((p * (1 - p)) / answers);
}
/** Fewer answers than this say nothing about a share: a round counts at least this many. */
export const MIN_ROUND = 10;

/** An execution's part of the limit: its own calls in flight, kept to its own Items in Flight as well. */
export interface CallShare {
	active: number;
	readonly maximum: number;
}

interface Waiter {
	resolve(): void;
	share?: CallShare;
}

function hasRoom(share: CallShare | undefined): boolean {
	return share === undefined || share.active < share.maximum;
}

interface Round {
	/** Answers to count */
	size: number;
	/** The calls in flight it judges: the limit it may cut */
	base: number;
	answers: number;
	throttled: number;
	/** The longest Retry-After Graph asked in the round */
	longestWaitMs: number;
}

/**
 * How many Graph calls of one credential and tenant may be at Graph at once, following Graph's answers (one per
 * credential and tenant in the process, shared by all executions).
 *
 * - It opens at the user's maximum (Items in Flight) and grows by one for every call Graph accepts while Graph has not
 *   throttled for an episode, up to the maximum; right after throttling, by one per round of accepted calls.
 * - A 429 starts a throttling episode, which lasts its Retry-After (at least a second), and a round: the next
 *   answers, as many as the calls in flight then (at least MIN_ROUND). A round decides whether the 429s are load or
 *   noise. Load is more than a quarter of the round throttled, or a share above the previous round's, each by more
 *   than chance explains (three standard errors), or a Retry-After longer than both a second and the round trip.
 *   Noise (a lone 429, or a steady small share) is retried after its Retry-After and leaves the limit as it is.
 *   Load lowers the limit to the share of the round Graph accepted, by half at most (a long Retry-After halves it).
 * - If Graph throttled more than half of a round, it has reached a rate limit and refuses nearly every call beyond
 *   it, however few are in flight (a 429 comes back at once and frees its slot). Every call, retries too, then keeps
 *   to the pace at which Graph accepted calls over the episode's length, from the end of the Retry-After on, and the
 *   limit stays as it is. The pace then follows Graph a step at a time (AcceptedPace) and is lifted once it lets
 *   calls go faster than the limit would send them. If Graph accepted no call in that time there is no pace to
 *   read: the next round is counted too.
 * - Slots are taken in order, retries first; a call holds one only while it is on the wire.
 */
export class CallLimit {
	private active = 0;

	private current: number;

	/** Successes since the last step of growth by one per round */
	private successes = 0;

	/** When the throttling episode under way ends (or the last one ended), and how long it lasts */
	private episodeEnds = Number.NEGATIVE_INFINITY;

	private episodeLength = THROTTLE_EPISODE_MIN_MS;

	/** When Graph last answered 429 */
	private lastRefusal = Number.NEGATIVE_INFINITY;

	/** Share throttled in the last round judged */
	private previousShare?: number;

	/** Whether Graph has answered any call through this limit */
	private answered = false;

	/** Round trip of accepted calls, smoothed */
	private roundTripMs?: number;

	private readonly accepted = new RecentCount();

	/** The pace every call keeps to since Graph refused nearly all calls beyond a rate */
	private pace?: AcceptedPace;

	/** Answers still due before the pace is read, from the calls that were at Graph when it refused most of a round */
	private answersBeforePace?: number;

	private paceTimer = false;

	private round?: Round;

	/** The one queue of calls waiting for a slot, retries apart so that they go first */
	private readonly waiting: Waiter[] = [];

	private readonly retrying: Waiter[] = [];

	constructor(
		private maximumCalls: number,
		private readonly now: () => number = Date.now,
	) {
		this.current = maximumCalls;
	}

	get limit(): number {
		return this.current;
	}

	get maximum(): number {
		return this.maximumCalls;
	}

	/** The interval between calls the pace keeps to, while there is one */
	get paceIntervalMs(): number | undefined {
		return this.pace?.interval;
	}

	/** Calls in flight (slots taken) right now */
	get inFlight(): number {
		return this.active;
	}

	/** Nothing in flight or waiting, and no paced dispatch due: the limit may be dropped. */
	get idle(): boolean {
		return (
			this.active === 0 &&
			this.waiting.length === 0 &&
			this.retrying.length === 0 &&
			!this.paceTimer
		);
	}

	/** Another execution with a higher Items in Flight shares the limit: it may grow that far. */
	raiseMaximum(maximum: number): void {
		if (maximum <= this.maximumCalls) return;
		if (this.current === this.maximumCalls) this.current = maximum;
		this.maximumCalls = maximum;
		this.dispatch();
	}

	/**
	 * Waits for a free slot, within the caller's share if it has one; a slot freed by release() is handed straight to
	 * the longest waiter whose share has room, retries first.
	 */
	async acquire(retry = false, share?: CallShare): Promise<void> {
		if (
			this.active < this.current &&
			hasRoom(share) &&
			this.nextWaiter() === undefined &&
			this.paced()
		) {
			this.take(share);
			return;
		}
		await new Promise<void>((resolve) =>
			(retry ? this.retrying : this.waiting).push({ resolve, share }),
		);
	}

	release(share?: CallShare): void {
		this.active--;
		if (share) share.active--;
		this.dispatch();
	}

	/** Whether the calls may be at Graph's limit: Graph has not answered a call yet, or answered 429 within `ms`. */
	mayBeAtLimit(ms: number): boolean {
		return !this.answered || this.now() - this.lastRefusal < ms;
	}

	/** Graph answered 429 (with this Retry-After, if any). */
	throttled(retryAfterMs?: number): void {
		const now = this.now();
		this.dropStaleRound(now);
		if (!this.round && now >= this.episodeEnds) {
			this.episodeLength = Math.max(THROTTLE_EPISODE_MIN_MS, retryAfterMs ?? 0);
			this.episodeEnds = now + this.episodeLength;
			this.round = this.newRound();
		}
		this.lastRefusal = now;
		this.answered = true;
		this.pace?.refused(now);
		this.answeredBeforePace();
		if (this.round)
			this.round.longestWaitMs = Math.max(this.round.longestWaitMs, retryAfterMs ?? 0);
		this.count(true);
	}

	/** Graph accepted a call that was at Graph for `elapsedMs`. */
	succeeded(elapsedMs = 0): void {
		const now = this.now();
		this.dropStaleRound(now);
		this.accepted.add(now);
		this.answered = true;
		if (elapsedMs > 0)
			this.roundTripMs =
				this.roundTripMs === undefined ? elapsedMs : 0.8 * this.roundTripMs + 0.2 * elapsedMs;
		if (this.pace?.accepted(now, this.lastRefusal)) {
			if (this.paceHoldsNothingBack()) this.pace = undefined;
			this.dispatch();
		}
		this.answeredBeforePace();
		this.successes++;
		if (this.round) this.count(false);
		else this.grow(now);
	}

	/** One more accepted call: the limit grows, unless Graph pushed back lately or a pace sets how many calls go. */
	private grow(now: number): void {
		// While a pace holds calls back, a wider limit would send none sooner.
		if (this.pace || this.current >= this.maximumCalls) return;
		if (now - this.lastRefusal >= this.episodeLength && now >= this.episodeEnds) {
			// Graph has been quiet for an episode: grow by one per accepted call, which doubles the limit per round.
			this.current++;
			this.dispatch();
		} else if (this.successes >= this.current) {
			// Right after throttling, one more per round of accepted calls: a larger limit draws more 429s.
			this.current++;
			this.successes = 0;
			this.dispatch();
		}
	}

	/** A round still short of answers a whole episode after it ended was a few calls meeting a lone 429: noise. */
	private dropStaleRound(now: number): void {
		if (this.round && now >= this.episodeEnds + this.episodeLength) this.round = undefined;
	}

	/** A round judging the calls in flight now (and the one whose 429 starts it), or the limit just set. */
	private newRound(base = Math.min(this.current, this.active + 1)): Round {
		return { size: Math.max(MIN_ROUND, base), base, answers: 0, throttled: 0, longestWaitMs: 0 };
	}

	/** Counts an answer of the round after a 429; the last one decides whether the 429s were load. */
	private count(throttled: boolean): void {
		const round = this.round;
		if (!round) return;
		round.answers++;
		if (throttled) round.throttled++;
		if (round.answers < round.size) return;
		this.round = undefined;
		const share = round.throttled / round.answers;
		const previous = this.previousShare;
		this.previousShare = share;
		const full = above(share, LOAD_SHARE, round.answers);
		const rising = previous !== undefined && above(share, previous, round.answers);
		const longWait = round.longestWaitMs > Math.max(THROTTLE_EPISODE_MIN_MS, this.roundTripMs ?? 0);
		if (!full && !rising && !longWait) return;
		const cut = full || rising ? Math.floor(round.base * (1 - share)) : 0;
		this.current = Math.max(1, Math.floor(round.base / 2), cut);
		this.successes = 0;
		if (share > 1 / 2) this.readPaceOnceAnswered();
	}

	/**
	 * Graph refused most of a round: the pace it accepts is read once the calls at Graph now have answered too. A
	 * refusal comes back at once, an accepted call only after its round trip, so the round is over before Graph's
	 * answers to the calls it accepted are in.
	 */
	private readPaceOnceAnswered(): void {
		if (this.active > 0) this.answersBeforePace = this.active;
		else this.readPace();
	}

	/** One more answer of those the pace waits for. */
	private answeredBeforePace(): void {
		if (this.answersBeforePace === undefined || --this.answersBeforePace > 0) return;
		this.answersBeforePace = undefined;
		this.readPace();
	}

	/**
	 * Sets the pace Graph accepted calls at over the episode's length. Nothing accepted in that time gives no pace to
	 * read (calls then only wait out their own Retry-After, and fail after their retries rather than crawl): the next
	 * round is counted too.
	 */
	private readPace(): void {
		const periodMs = Math.min(this.episodeLength, RecentCount.MEMORY_MS);
		const accepted = this.accepted.since(this.now(), periodMs);
		if (accepted === 0) {
			this.round = this.newRound(this.current);
			return;
		}
		const pace = new AcceptedPace(periodMs / accepted, periodMs, this.episodeEnds);
		this.pace = pace;
		// The pace now sets how many calls go. A limit narrower than the calls the pace keeps at Graph would send
		// fewer than Graph accepts, and lift the pace at its first step: room for twice as many.
		const atGraph = Math.ceil((this.roundTripMs ?? 0) / pace.interval);
		this.current = Math.min(this.maximumCalls, Math.max(this.current, 2 * atGraph));
	}

	/** Whether the limit alone would now send calls no faster than the pace lets them go. */
	private paceHoldsNothingBack(): boolean {
		const pace = this.pace;
		if (!pace || this.roundTripMs === undefined) return false;
		return pace.interval * this.current <= this.roundTripMs;
	}

	/** Whether the pace allows a call now; if not, a dispatch is due when it will. */
	private paced(): boolean {
		const pace = this.pace;
		if (!pace) return true;
		const now = this.now();
		if (now >= pace.nextCallAt) return true;
		if (!this.paceTimer) {
			this.paceTimer = true;
			void sleep(pace.nextCallAt - now).then(() => {
				this.paceTimer = false;
				this.dispatch();
			});
		}
		return false;
	}

	private take(share: CallShare | undefined): void {
		this.active++;
		if (share) share.active++;
		this.pace?.take(this.now());
	}

	/** The queue and place of the longest waiter whose share has room, retries first. */
	private nextWaiter(): { queue: Waiter[]; index: number } | undefined {
		for (const queue of [this.retrying, this.waiting]) {
			const index = queue.findIndex((waiter) => hasRoom(waiter.share));
			if (index >= 0) return { queue, index };
		}
		return undefined;
	}

	private dispatch(): void {
		while (this.active < this.current) {
			const next = this.nextWaiter();
			if (!next || !this.paced()) return;
			const [waiter] = next.queue.splice(next.index, 1);
			this.take(waiter.share);
			waiter.resolve();
		}
	}
}

import { sleep } from 'n8n-workflow';

import { CallLimit, type CallShare } from './callLimit';
import { IdleRegistry } from './idleRegistry';

/*
 * Everything that keeps the node's calls within Graph's limits, behind one entry: an execution's throttle (how many
 * calls may be at Graph, and at what pace, shared by every execution on a credential and tenant) and the pacers of
 * APIs with a documented "at most N in any window" limit.
 */
export { pacerFor, type PacerScope, type RequestPacer } from './requestPacer';

/**
 * The most items prepared ahead of a free slot. Each holds its evaluated parameters and request until its call goes
 * (about 5 KB for an Acquire item in the memory benchmark): twice a limit of 3,000 (the default) let 9,000 of 10,000
 * items be under way at once, so an execution's memory grew with its items. 200 are the answers one 20 ms stretch of
 * evaluation can miss at that limit and 300 ms.
 */
const PREPARED_AHEAD = 200;

/** How long a 429 counts as Graph pushing back (several Retry-After waits) */
const PRESSURE_MEMORY_MS = 10_000;

/** One call limit per credential and tenant in the process: concurrent executions on one credential keep one pace. */
const callLimits = new IdleRegistry<CallLimit>((callLimit) => callLimit.idle);

export function sharedCallLimit(key: string, maximum: number): CallLimit {
	const callLimit = callLimits.get(key, () => new CallLimit(maximum));
	callLimit.raiseMaximum(maximum);
	return callLimit;
}

/**
 * The throttle of one execution: shared with every execution under `key` (a credential and tenant), or its own
 * when there is none (no connection could be made; the items then fail one by one).
 */
export function executionThrottle(key: string | undefined, maximum: number): ExecutionThrottle {
	return new ExecutionThrottle(
		key === undefined ? new CallLimit(maximum) : sharedCallLimit(key, maximum),
		maximum,
	);
}

/**
 * One execution's way through the shared call limit, whose one queue keeps its calls to its own Items in Flight as
 * well; it counts only its own calls resting before a retry. Nothing of one execution's calls reaches another's but
 * the pace. A call holds a slot from acquire() until its answer, never while waiting out a Retry-After, and tells
 * the shared limit how Graph answered (throttled(), succeeded()).
 */
export class ExecutionThrottle {
	/** This execution's calls in flight, which the shared call limit keeps to `maximum` */
	private readonly share: CallShare;

	private resting = 0;

	/** Told when a call starts resting, which lets more items be under way */
	onRest?: () => void;

	constructor(
		readonly shared: CallLimit,
		readonly maximum: number,
	) {
		this.share = { active: 0, maximum };
	}

	/** Calls this execution may have at Graph now */
	get limit(): number {
		return Math.min(this.maximum, this.shared.limit);
	}

	/** Calls of this execution in flight */
	get inFlight(): number {
		return this.share.active;
	}

	/**
	 * How many items may be under way: those with a call in flight, twice as many being prepared for the next calls
	 * (enough to fill the slots a returning batch frees while n8n evaluates more) but no more than PREPARED_AHEAD,
	 * and those waiting out a Retry-After (which hold no slot).
	 */
	get itemsAllowed(): number {
		return this.limit + Math.min(2 * this.limit, PREPARED_AHEAD) + this.resting;
	}

	/**
	 * Graph has not answered yet, or refused calls lately: its answers are worth reading as soon as they come, since
	 * they set how many calls may follow
	 */
	get mayBeAtLimit(): boolean {
		return this.shared.mayBeAtLimit(PRESSURE_MEMORY_MS);
	}

	/** Resolves when the call may go; a retry goes before first attempts. */
	async acquire(retry = false): Promise<void> {
		await this.shared.acquire(retry, this.share);
	}

	release(): void {
		this.shared.release(this.share);
	}

	/** Waits before a retry, holding no slot */
	async rest(ms: number): Promise<void> {
		this.resting++;
		this.onRest?.();
		try {
			await sleep(ms);
		} finally {
			this.resting--;
		}
	}
}

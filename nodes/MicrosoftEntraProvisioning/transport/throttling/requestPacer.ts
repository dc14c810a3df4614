import { sleep } from 'n8n-workflow';

import { IdleRegistry } from './idleRegistry';

/**
 * Graph counts a call when it arrives and this node when it sends it; the margin covers the trip, so a paced call
 * never lands inside the previous window.
 */
const ARRIVAL_MARGIN_MS = 500;

/**
 * Keeps calls to one Graph API within "at most N per T" (a sliding window, as Graph documents such limits): a call
 * waits for a free slot instead of provoking a 429. Concurrent callers take their turns in order.
 */
export class RequestPacer {
	private readonly sent: number[] = [];

	private turns: Promise<void> = Promise.resolve();

	/** Callers waiting for their turn */
	private pending = 0;

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	/** Resolves when one more call may be sent, and counts it. */
	async next(): Promise<void> {
		this.pending++;
		const turn = this.turns.then(async () => {
			this.forgetOlderThan(Date.now() - this.windowMs);
			if (this.sent.length >= this.limit) {
				await sleep(this.sent[0] + this.windowMs + ARRIVAL_MARGIN_MS - Date.now());
				this.forgetOlderThan(Date.now() - this.windowMs);
			}
			this.sent.push(Date.now());
			this.pending--;
		});
		this.turns = turn;
		await turn;
	}

	/** No caller waits and no call sent lately still counts: forgetting the pacer changes nothing. */
	get idle(): boolean {
		this.forgetOlderThan(Date.now() - this.windowMs);
		return this.pending === 0 && this.sent.length === 0;
	}

	private forgetOlderThan(time: number): void {
		while (this.sent.length > 0 && this.sent[0] <= time) this.sent.shift();
	}
}

/** Where an execution's pacers are shared: Graph counts these limits per tenant, whichever execution calls. */
export interface PacerScope {
	readonly tenantKey: string;
}

/** One pacer per limited API and tenant, shared by every item of every execution in the process. */
const pacers = new IdleRegistry<RequestPacer>((pacer) => pacer.idle);

export function pacerFor(
	scope: PacerScope,
	api: string,
	limit: number,
	windowMs: number,
): RequestPacer {
	return pacers.get(
		`${scope.tenantKey} ${api} ${limit}/${windowMs}`,
		() => new RequestPacer(limit, windowMs),
	);
}

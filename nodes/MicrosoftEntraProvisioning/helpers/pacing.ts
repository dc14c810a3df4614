import { sleep } from 'n8n-workflow';

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

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	/** Resolves when one more call may be sent, and counts it. */
	async next(): Promise<void> {
		const turn = this.turns.then(async () => {
			this.forgetOlderThan(Date.now() - this.windowMs);
			if (this.sent.length >= this.limit) {
				await sleep(this.sent[0] + this.windowMs + ARRIVAL_MARGIN_MS - Date.now());
				this.forgetOlderThan(Date.now() - this.windowMs);
			}
			this.sent.push(Date.now());
		});
		this.turns = turn;
		await turn;
	}

	private forgetOlderThan(time: number): void {
		while (this.sent.length > 0 && this.sent[0] <= time) this.sent.shift();
	}
}

/** One pacer per limited API, shared by every item of an execution. */
export type RequestPacers = Map<string, RequestPacer>;

export function pacerFor(pacers: RequestPacers, api: string, limit: number, windowMs: number): RequestPacer {
	let pacer = pacers.get(api);
	if (!pacer) {
		pacer = new RequestPacer(limit, windowMs);
		pacers.set(api, pacer);
	}
	return pacer;
}

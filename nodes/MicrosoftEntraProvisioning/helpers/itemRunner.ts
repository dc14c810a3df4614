import { sleep } from 'n8n-workflow';

/** What the runner needs of the execution's throttle: how many items may be under way, and word when that grows. */
export interface ItemAllowance {
	readonly itemsAllowed: number;
	/** Graph has not answered yet, or pushed back lately (429s): read its answers as they come */
	readonly mayBeAtLimit?: boolean;
	onRest?: () => void;
}

/**
 * n8n evaluates an item's parameters synchronously; a long run of them would hold back the calls they make (sent
 * only once the loop gets in), the answers and TLS handshakes of those already sent, so the runner lets the event
 * loop in after 20 ms of it. Each pause is a zero-delay timer, which Node.js fires no sooner than 1 ms later, about
 * what n8n 2.41.1 spends on an item whose parameters are expressions: a pause after every item would almost double
 * the evaluation time, one every 20 ms adds a twentieth. Until Graph has answered, and while it pushes back, its
 * answers must be read before many more calls go, since they set how many follow: then the loop gets in after 10
 * items as well. Cheap items started 20 ms (a hundred) at a time against a Graph that takes 10 calls at once drew
 * 3.3 429s per item; a pause every 2 ms, after every item of the usual cost, slowed a run with a 429 every second or
 * so by a third throughout.
 */
export const PAUSE_AFTER = { ms: 20, itemsWhileMayBeAtLimit: 10 } as const;

/**
 * Runs `work` for indexes 0..count-1 while the throttle allows that many items under way, and stops starting new
 * work once `shouldStop` says so. It allows more items than calls in flight, so that the next items' parameters
 * are being evaluated while the calls of the earlier ones are on the wire.
 */
export async function runItems(
	count: number,
	throttle: ItemAllowance,
	work: (index: number) => Promise<void>,
	shouldStop: () => boolean,
): Promise<void> {
	const running = new Set<Promise<void>>();
	// Wakes the loop when another item may start: an item finished, or a call started resting.
	let wake: (() => void) | undefined;
	throttle.onRest = () => wake?.();
	let lastYield = Date.now();
	let startedSinceYield = 0;
	for (let index = 0; index < count && !shouldStop(); index++) {
		if (running.size >= throttle.itemsAllowed) {
			while (running.size >= throttle.itemsAllowed)
				await new Promise<void>((resolve) => (wake = resolve));
			lastYield = Date.now();
			startedSinceYield = 0;
		}
		if (shouldStop()) break;
		const task = work(index).finally(() => {
			running.delete(task);
			wake?.();
		});
		running.add(task);
		startedSinceYield++;
		if (
			Date.now() - lastYield >= PAUSE_AFTER.ms ||
			(throttle.mayBeAtLimit && startedSinceYield >= PAUSE_AFTER.itemsWhileMayBeAtLimit)
		) {
			await sleep(0);
			lastYield = Date.now();
			startedSinceYield = 0;
		}
	}
	await Promise.all(running);
}

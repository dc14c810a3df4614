import { sleep } from 'n8n-workflow';

/** What the runner needs of the execution's gate: how many items may be under way, and word when that widens. */
export interface ItemWindow {
	readonly itemWindow: number;
	onRest?: () => void;
}

/**
 * n8n evaluates an item's parameters synchronously; a long run of them would hold back the answers and TLS
 * handshakes of the calls already sent, so the runner lets the event loop in after this much of it. Each pause is a
 * zero-delay timer, which Node.js fires no sooner than 1 ms later, so with about 2 ms of expressions per item the
 * pauses cost about a third of the evaluation time. Pausing less often (every 5, 10 or 20 ms) left Graph's 429s
 * unread for that long, and against a Graph that takes 10 calls at once or 10 a second items used up their retries.
 */
const YIELD_AFTER_MS = 2;

/**
 * Runs `work` for indexes 0..count-1 while the gate's window of items allows, and stops starting new work once
 * `shouldStop` says so. The window is wider than the calls allowed in flight, so that the next items' parameters
 * are being evaluated while the calls of the earlier ones are on the wire.
 */
export async function runBounded(
	count: number,
	gate: ItemWindow,
	work: (index: number) => Promise<void>,
	shouldStop: () => boolean,
): Promise<void> {
	const running = new Set<Promise<void>>();
	// Wakes the loop when the window may have room: an item finished, or a call started resting.
	let wake: (() => void) | undefined;
	gate.onRest = () => wake?.();
	let lastYield = Date.now();
	for (let index = 0; index < count && !shouldStop(); index++) {
		if (running.size >= gate.itemWindow) {
			while (running.size >= gate.itemWindow)
				await new Promise<void>((resolve) => (wake = resolve));
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

import { sleep } from 'n8n-workflow';

/** What the runner needs of the execution's gate: how many items may be under way, and word when that widens. */
export interface ItemWindow {
	readonly itemWindow: number;
	/** Graph has not answered yet, or pushed back lately (429s, near-limit warnings): read its answers as they come */
	readonly mayBeAtLimit?: boolean;
	onRest?: () => void;
}

/**
 * n8n evaluates an item's parameters synchronously; a long run of them would hold back the answers and TLS
 * handshakes of the calls already sent, so the runner lets the event loop in after this much of it. Each pause is a
 * zero-delay timer, which Node.js fires no sooner than 1 ms later: with about 2 ms of expressions per item, a pause
 * every 2 ms costs about a third of the evaluation time, one every 20 ms a twentieth. Until Graph has answered, and
 * while it pushes back, its answers must be read at once: they set how many calls follow, and cheap items started
 * 20 ms at a time against a Graph that takes 10 calls at once drew 3.3 429s per item, where the throttling test
 * allows 2. Otherwise an answer waiting 20 ms is nothing beside Graph's round trip.
 */
export const PAUSE_AFTER_MS = { mayBeAtLimit: 2, otherwise: 20 } as const;

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
		const pauseAfterMs = gate.mayBeAtLimit ? PAUSE_AFTER_MS.mayBeAtLimit : PAUSE_AFTER_MS.otherwise;
		if (Date.now() - lastYield >= pauseAfterMs) {
			await sleep(0);
			lastYield = Date.now();
		}
	}
	await Promise.all(running);
}

/**
 * Bounds how many items are in flight at once, and backs off while Graph is throttling: each 429 halves the
 * limit (down to one), and a run of successes as long as the current limit raises it by one, up to the maximum.
 * This keeps a large batch close to Graph's pace without hammering it.
 */
export class AdaptiveConcurrency {
	private active = 0;

	private successStreak = 0;

	private readonly waiting: Array<() => void> = [];

	private current: number;

	constructor(readonly maximum: number) {
		this.current = maximum;
	}

	get limit(): number {
		return this.current;
	}

	/** Waits for a free slot; a slot freed by release() is handed straight to the longest waiter. */
	async acquire(): Promise<void> {
		if (this.active < this.current) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	release(): void {
		this.active--;
		this.dispatch();
	}

	throttled(): void {
		this.current = Math.max(1, Math.floor(this.current / 2));
		this.successStreak = 0;
	}

	succeeded(): void {
		if (this.current >= this.maximum) return;
		if (++this.successStreak >= this.current) {
			this.current++;
			this.successStreak = 0;
			this.dispatch();
		}
	}

	private dispatch(): void {
		while (this.waiting.length > 0 && this.active < this.current) {
			this.active++;
			this.waiting.shift()?.();
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

/**
 * Counts events in 100 ms buckets over the last ten seconds: how many calls Graph accepted lately, at any moment,
 * in constant memory whatever the pace.
 */
export class RecentCount {
	static readonly BUCKET_MS = 100;
	static readonly MEMORY_MS = 10_000;
	private static readonly BUCKETS = RecentCount.MEMORY_MS / RecentCount.BUCKET_MS;
	private readonly counts = new Array<number>(RecentCount.BUCKETS).fill(0);
	/** Which bucket (time / BUCKET_MS) each slot holds now */
	private readonly holds = new Array<number>(RecentCount.BUCKETS).fill(-1);

	add(now: number): void {
		const bucket = Math.floor(now / RecentCount.BUCKET_MS);
		const slot = bucket % RecentCount.BUCKETS;
		if (this.holds[slot] !== bucket) {
			this.holds[slot] = bucket;
			this.counts[slot] = 0;
		}
		this.counts[slot]++;
	}

	/** Events of the last `ms` (at most MEMORY_MS), to the bucket */
	since(now: number, ms: number): number {
		const last = Math.floor(now / RecentCount.BUCKET_MS);
		const first = last - Math.min(RecentCount.BUCKETS, Math.ceil(ms / RecentCount.BUCKET_MS)) + 1;
		let count = 0;
		for (let bucket = first; bucket <= last; bucket++) {
			const slot = bucket % RecentCount.BUCKETS;
			if (this.holds[slot] === bucket) count += this.counts[slot];
		}
		return count;
	}
}

/**
 * Objects shared by every execution in the process under a key (a credential and tenant, an API's budget), kept
 * only while in use: an entry idle for IDLE_MS is dropped when the registry is next used, and beyond `capacity`
 * entries the idle ones least recently used go first. Memory stays bounded however many credentials come and go.
 */
export class IdleRegistry<T> {
	static readonly IDLE_MS = 10 * 60_000;

	private readonly entries = new Map<string, { value: T; lastUsed: number }>();

	constructor(
		private readonly isIdle: (value: T) => boolean,
		private readonly capacity = 256,
		private readonly now: () => number = Date.now,
	) {}

	get size(): number {
		return this.entries.size;
	}

	get(key: string, create: () => T): T {
		const now = this.now();
		const found = this.entries.get(key);
		if (found) {
			// Re-inserted, so the map's order is the order of last use.
			this.entries.delete(key);
			this.entries.set(key, { value: found.value, lastUsed: now });
			return found.value;
		}
		this.prune(now);
		const value = create();
		this.entries.set(key, { value, lastUsed: now });
		return value;
	}

	private prune(now: number): void {
		for (const [key, entry] of this.entries) {
			const idle = this.isIdle(entry.value);
			if (
				idle &&
				(now - entry.lastUsed >= IdleRegistry.IDLE_MS || this.entries.size >= this.capacity)
			)
				this.entries.delete(key);
		}
	}
}

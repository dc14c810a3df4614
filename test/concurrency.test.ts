/**
 * The limiter behind "Items in Flight": at most the limit of calls in flight, halved once per throttling episode,
 * raised again after successes, and no slot held while an item waits out a Retry-After.
 */
import { AdaptiveConcurrency, runBounded, THROTTLE_EPISODE_MIN_MS } from '../nodes/MicrosoftEntraProvisioning/helpers/concurrency';

function clock(start = 1_000_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => (now += ms) };
}

const tick = async () => await new Promise((resolve) => setImmediate(resolve));

describe('AdaptiveConcurrency', () => {
	it('halves once for all the 429s of one episode, and again after its Retry-After has passed', () => {
		const time = clock();
		const limiter = new AdaptiveConcurrency(40, time.now);
		// 40 calls were in flight when Graph started throttling: they all come back 429
		for (let call = 0; call < 40; call++) limiter.throttled(2_000);
		expect(limiter.limit).toBe(20);
		time.advance(1_999);
		limiter.throttled(2_000);
		expect(limiter.limit).toBe(20);
		time.advance(1);
		limiter.throttled(2_000);
		expect(limiter.limit).toBe(10);
	});

	it('treats 429s without a Retry-After within a second as one episode; never goes below one', () => {
		const time = clock();
		const limiter = new AdaptiveConcurrency(4, time.now);
		limiter.throttled();
		limiter.throttled();
		expect(limiter.limit).toBe(2);
		for (let episode = 0; episode < 5; episode++) {
			time.advance(THROTTLE_EPISODE_MIN_MS);
			limiter.throttled(0);
		}
		expect(limiter.limit).toBe(1);
	});

	it('raises the limit by one after as many successes as the limit, up to the maximum', () => {
		const limiter = new AdaptiveConcurrency(8);
		limiter.throttled();
		expect(limiter.limit).toBe(4);
		for (let call = 0; call < 3; call++) limiter.succeeded();
		expect(limiter.limit).toBe(4);
		limiter.succeeded();
		expect(limiter.limit).toBe(5);
		for (let call = 0; call < 100; call++) limiter.succeeded();
		expect(limiter.limit).toBe(8);
	});

	it('lends the slot of an item waiting out a Retry-After, and gives it back before any new item', async () => {
		const limiter = new AdaptiveConcurrency(1);
		const order: string[] = [];
		await limiter.acquire();
		const waiting = limiter.pause(30).then(() => order.push('retry'));
		await tick();
		// the slot is free while the first item waits
		expect(limiter.inFlight).toBe(0);
		await limiter.acquire();
		order.push('second');
		// a third item queues behind; when the second finishes, the waiting item goes first
		const third = limiter.acquire().then(() => order.push('third'));
		await new Promise((resolve) => setTimeout(resolve, 60));
		limiter.release();
		await waiting;
		limiter.release();
		await third;
		expect(order).toEqual(['second', 'retry', 'third']);
		limiter.release();
		expect(limiter.inFlight).toBe(0);
	});
});

describe('runBounded', () => {
	it('never has more items in flight than the limit, and runs every item', async () => {
		const limiter = new AdaptiveConcurrency(5);
		let inFlight = 0;
		let most = 0;
		const done: number[] = [];
		await runBounded(
			40,
			limiter,
			async (index) => {
				inFlight++;
				most = Math.max(most, inFlight);
				await new Promise((resolve) => setTimeout(resolve, 1 + (index % 3)));
				if (index % 7 === 0) {
					// a retry wait: the item is not in flight meanwhile
					inFlight--;
					await limiter.pause(2);
					inFlight++;
				}
				inFlight--;
				done.push(index);
			},
			() => false,
		);
		expect(most).toBeLessThanOrEqual(5);
		expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index));
		expect(limiter.inFlight).toBe(0);
	});
});

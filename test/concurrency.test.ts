/**
 * The limiter behind "Items in Flight": at most the limit of calls in flight, lowered once per throttling episode to
 * the share of calls Graph accepted (by half at most), raised again after successes, and no slot held while a call
 * waits out a Retry-After; and the runner that starts items ahead of their calls.
 */
import { AdaptiveConcurrency, RecentCount, runBounded, THROTTLE_EPISODE_MIN_MS } from '../nodes/MicrosoftEntraProvisioning/helpers/concurrency';

function clock(start = 1_000_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => (now += ms) };
}

const tick = async () => await new Promise((resolve) => setImmediate(resolve));

describe('AdaptiveConcurrency', () => {
	it('falls to the share of a round of answers Graph accepted: 8 of 40 throttled leave 32', () => {
		const limiter = new AdaptiveConcurrency(40);
		// the first 429 begins the episode and its round: 40 answers, 8 of them 429
		for (let call = 0; call < 40; call++) {
			if (call % 5 === 0) limiter.throttled(1_000);
			else limiter.succeeded();
			if (call < 39) expect(limiter.limit).toBe(40);
		}
		expect(limiter.limit).toBe(32);
	});

	it('falls by half at most, once per episode; again after the Retry-After has passed', () => {
		const time = clock();
		const limiter = new AdaptiveConcurrency(40, time.now);
		for (let call = 0; call < 40; call++) limiter.succeeded();
		// 40 calls were in flight when Graph started throttling: they all come back 429
		for (let call = 0; call < 40; call++) limiter.throttled(2_000);
		expect(limiter.limit).toBe(20);
		time.advance(1_999);
		for (let call = 0; call < 20; call++) limiter.throttled(2_000);
		expect(limiter.limit).toBe(20);
		time.advance(1);
		for (let call = 0; call < 20; call++) limiter.throttled(2_000);
		expect(limiter.limit).toBe(10);
	});

	it('treats 429s without a Retry-After within a second as one episode; never goes below one', () => {
		const time = clock();
		const limiter = new AdaptiveConcurrency(4, time.now);
		for (let call = 0; call < 4; call++) limiter.succeeded();
		for (let call = 0; call < 6; call++) limiter.throttled();
		expect(limiter.limit).toBe(2);
		for (let episode = 0; episode < 5; episode++) {
			time.advance(THROTTLE_EPISODE_MIN_MS);
			for (let call = 0; call < limiter.limit; call++) limiter.throttled(0);
		}
		expect(limiter.limit).toBe(1);
	});

	it('raises the limit by one after as many successes as the limit, up to the maximum', () => {
		const limiter = new AdaptiveConcurrency(8);
		for (let call = 0; call < 8; call++) limiter.succeeded();
		for (let call = 0; call < 8; call++) limiter.throttled();
		expect(limiter.limit).toBe(4);
		for (let call = 0; call < 3; call++) limiter.succeeded();
		expect(limiter.limit).toBe(4);
		limiter.succeeded();
		expect(limiter.limit).toBe(5);
		for (let call = 0; call < 100; call++) limiter.succeeded();
		expect(limiter.limit).toBe(8);
	});

	it('does not grow while Graph throttles more than one call for every three it accepts', () => {
		const limiter = new AdaptiveConcurrency(8);
		for (let call = 0; call < 8; call++) limiter.succeeded();
		for (let call = 0; call < 8; call++) limiter.throttled(5_000);
		expect(limiter.limit).toBe(4);
		// still within the episode: these 429s cut nothing, but they count against growing
		limiter.throttled(5_000);
		limiter.throttled(5_000);
		for (let call = 0; call < 4; call++) limiter.succeeded();
		expect(limiter.limit).toBe(4);
		for (let call = 0; call < 4; call++) limiter.succeeded();
		expect(limiter.limit).toBe(5);
	});

	it('keeps every call, retries too, to the pace Graph accepted calls at once it refuses most of a round', async () => {
		const limiter = new AdaptiveConcurrency(4);
		// Graph accepted 10 calls in the last second, then refuses a whole round
		for (let call = 0; call < 10; call++) limiter.succeeded();
		for (let call = 0; call < 4; call++) limiter.throttled(0);
		expect(limiter.limit).toBe(2);
		const started = Date.now();
		const sentAt: number[] = [];
		// from the end of the Retry-After (the episode's second) on, one call per 100 ms
		for (const retry of [true, false, true]) {
			await limiter.acquire(retry);
			sentAt.push(Date.now() - started);
			limiter.release();
		}
		expect(sentAt[0]).toBeGreaterThanOrEqual(THROTTLE_EPISODE_MIN_MS - 5);
		expect(sentAt[1] - sentAt[0]).toBeGreaterThanOrEqual(95);
		expect(sentAt[2] - sentAt[1]).toBeGreaterThanOrEqual(95);
		// a success once the episode's length has passed without a 429 lifts the pace
		await new Promise((resolve) => setTimeout(resolve, THROTTLE_EPISODE_MIN_MS - sentAt[2] + THROTTLE_EPISODE_MIN_MS));
		limiter.succeeded();
		const free = Date.now();
		await limiter.acquire();
		limiter.release();
		await limiter.acquire();
		expect(Date.now() - free).toBeLessThan(50);
	});

	it('keeps to no pace when Graph accepted nothing lately, and counts the next round too', async () => {
		const limiter = new AdaptiveConcurrency(40);
		for (let call = 0; call < 40; call++) limiter.throttled(0);
		expect(limiter.limit).toBe(20);
		// no pace: calls only wait out their own Retry-After
		const started = Date.now();
		await limiter.acquire(true);
		await limiter.acquire();
		expect(Date.now() - started).toBeLessThan(50);
		limiter.release();
		limiter.release();
		// the next round, refused whole as well, cuts again within the episode
		for (let call = 0; call < 20; call++) limiter.throttled(0);
		expect(limiter.limit).toBe(10);
		// a round Graph accepted whole leaves the limit as it is, and ends the counting
		for (let call = 0; call < 10; call++) limiter.succeeded();
		expect(limiter.limit).toBe(10);
		for (let call = 0; call < 10; call++) limiter.throttled(0);
		expect(limiter.limit).toBe(10);
	});

	it('holds no slot while a call rests before its retry, and gives the retry the next free slot before any first attempt', async () => {
		const limiter = new AdaptiveConcurrency(1);
		const order: string[] = [];
		await limiter.acquire();
		// the call in flight was throttled: it gives its slot back and rests
		limiter.release();
		const resting = limiter.rest(30).then(async () => {
			await limiter.acquire(true);
			order.push('retry');
		});
		await tick();
		expect(limiter.inFlight).toBe(0);
		await limiter.acquire();
		order.push('second');
		// a third call queues behind; when the second finishes, the retry goes first
		const third = limiter.acquire().then(() => order.push('third'));
		await new Promise((resolve) => setTimeout(resolve, 60));
		limiter.release();
		await resting;
		limiter.release();
		await third;
		expect(order).toEqual(['second', 'retry', 'third']);
		limiter.release();
		expect(limiter.inFlight).toBe(0);
	});

	it('lets three times the limit of items be under way, plus those resting before a retry', async () => {
		const limiter = new AdaptiveConcurrency(4);
		expect(limiter.itemWindow).toBe(12);
		const resting = [limiter.rest(20), limiter.rest(20)];
		expect(limiter.itemWindow).toBe(14);
		await Promise.all(resting);
		expect(limiter.itemWindow).toBe(12);
		for (let call = 0; call < 4; call++) limiter.throttled();
		expect(limiter.itemWindow).toBe(6);
	});
});

describe('RecentCount', () => {
	it('counts the events of the last seconds, to the 100 ms bucket, and forgets those older than ten seconds', () => {
		const recent = new RecentCount();
		const start = 5_000_000;
		for (let event = 0; event < 30; event++) recent.add(start + event * 100);
		const now = start + 2_999;
		expect(recent.since(now, 1_000)).toBe(10);
		expect(recent.since(now, 3_000)).toBe(30);
		// ten seconds on, the buckets are reused for new events and the old ones no longer count
		recent.add(start + 10_050);
		expect(recent.since(start + 10_050, 10_000)).toBe(30);
		expect(recent.since(start + 12_999, 10_000)).toBe(1);
	});
});

describe('runBounded', () => {
	it('keeps the calls in flight within the limit and the items under way within the window, and runs every item', async () => {
		const limiter = new AdaptiveConcurrency(5);
		let callsInFlight = 0;
		let mostCalls = 0;
		let underWay = 0;
		let mostUnderWay = 0;
		let mostWindow = 0;
		const done: number[] = [];
		await runBounded(
			60,
			limiter,
			async (index) => {
				underWay++;
				mostUnderWay = Math.max(mostUnderWay, underWay);
				mostWindow = Math.max(mostWindow, limiter.itemWindow);
				for (let attempt = 0; ; attempt++) {
					await limiter.acquire(attempt > 0);
					callsInFlight++;
					mostCalls = Math.max(mostCalls, callsInFlight);
					await new Promise((resolve) => setTimeout(resolve, 1 + (index % 3)));
					callsInFlight--;
					limiter.release();
					// every seventh item is throttled once and rests before its retry
					if (index % 7 !== 0 || attempt > 0) break;
					await limiter.rest(2);
				}
				underWay--;
				done.push(index);
			},
			() => false,
		);
		expect(mostCalls).toBe(5);
		expect(mostUnderWay).toBeGreaterThan(5);
		expect(mostUnderWay).toBeLessThanOrEqual(mostWindow);
		expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, index) => index));
		expect(limiter.inFlight).toBe(0);
	});

	it('starts no item once told to stop, and waits for those under way', async () => {
		const limiter = new AdaptiveConcurrency(2);
		const started: number[] = [];
		let finished = 0;
		await runBounded(
			50,
			limiter,
			async (index) => {
				started.push(index);
				await new Promise((resolve) => setTimeout(resolve, 5));
				finished++;
			},
			() => started.includes(6),
		);
		expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
		expect(finished).toBe(7);
	});
});

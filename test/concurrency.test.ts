/**
 * The pace behind "Max Items in Flight", on its own (no n8n): the shared window of calls in flight, which opens
 * wide, grows while Graph accepts calls and falls only when Graph's answers say it is at a limit; the execution's
 * gate through it; the registry that keeps one window per credential and tenant; and the runner that starts items
 * ahead of their calls.
 */
import { PAUSE_AFTER, runItems } from '../nodes/MicrosoftEntraProvisioning/helpers/itemRunner';
import { pacerFor } from '../nodes/MicrosoftEntraProvisioning/transport/throttling/requestPacer';
import { AcceptedPace } from '../nodes/MicrosoftEntraProvisioning/transport/throttling/acceptedPace';
import {
	ExecutionThrottle,
	sharedCallLimit,
} from '../nodes/MicrosoftEntraProvisioning/transport/throttling';
import {
	CallLimit,
	MIN_ROUND,
	THROTTLE_EPISODE_MIN_MS,
} from '../nodes/MicrosoftEntraProvisioning/transport/throttling/callLimit';
import { RecentCount } from '../nodes/MicrosoftEntraProvisioning/transport/throttling/recentCount';
import { MAX_CONCURRENCY } from '../nodes/MicrosoftEntraProvisioning/transport/requestLimits';
import { IdleRegistry } from '../nodes/MicrosoftEntraProvisioning/transport/throttling/idleRegistry';

function clock(start = 1_000_000) {
	let now = start;
	return { now: () => now, advance: (ms: number) => (now += ms) };
}

const tick = async () => await new Promise((resolve) => setImmediate(resolve));

/** Takes `count` slots, as calls sent at once would. */
async function send(window: CallLimit, count: number): Promise<void> {
	for (let call = 0; call < count; call++) await window.acquire();
}

/** One call's answer: its slot freed, then Graph's verdict, as the transport reports it. */
function answer(window: CallLimit, verdict: 'ok' | number): void {
	window.release();
	if (verdict === 'ok') window.succeeded(300);
	else window.throttled(verdict);
}

/**
 * `count` calls, sent in waves as wide as the window, of which those `isThrottled` picks come back 429 (with a
 * Retry-After of 1 s unless told otherwise).
 */
async function round(
	window: CallLimit,
	count: number,
	isThrottled: (call: number) => boolean,
	retryAfterMs = 1_000,
): Promise<void> {
	for (let sent = 0; sent < count;) {
		const wave = Math.min(window.limit, count - sent);
		await send(window, wave);
		for (let call = sent; call < sent + wave; call++)
			answer(window, isThrottled(call) ? retryAfterMs : 'ok');
		sent += wave;
	}
}

describe('CallLimit: opening and growing', () => {
	it('opens at the maximum', () => {
		expect(new CallLimit(MAX_CONCURRENCY).limit).toBe(MAX_CONCURRENCY);
		expect(new CallLimit(40).limit).toBe(40);
	});

	it('grows by one for every call Graph accepts once it has not throttled for an episode, which doubles the window per round, up to the maximum', async () => {
		const time = clock();
		const window = new CallLimit(100, time.now);
		await round(window, 100, (call) => call === 0, 5_000);
		expect(window.limit).toBe(50);
		time.advance(5_000);
		await round(window, 25, () => false);
		expect(window.limit).toBe(75);
		await round(window, 75, () => false);
		expect(window.limit).toBe(100);
	});

	it('takes a raised maximum from another execution sharing it, and opens that wide if it had not moved', () => {
		const window = new CallLimit(40);
		window.raiseMaximum(MAX_CONCURRENCY);
		expect(window.limit).toBe(MAX_CONCURRENCY);
		expect(window.maximum).toBe(MAX_CONCURRENCY);
		window.raiseMaximum(10);
		expect(window.maximum).toBe(MAX_CONCURRENCY);
	});
});

describe('CallLimit: telling load from noise', () => {
	it('keeps the window for a lone 429', async () => {
		const window = new CallLimit(40);
		await round(window, 40, (call) => call === 7);
		expect(window.limit).toBe(40);
	});

	it('keeps the window for a steady one in five (what random throttling looks like)', async () => {
		const time = clock();
		const window = new CallLimit(40, time.now);
		for (let episode = 0; episode < 5; episode++) {
			time.advance(THROTTLE_EPISODE_MIN_MS);
			await round(window, 40, (call) => call % 5 === 0);
			expect(window.limit).toBe(40);
		}
	});

	it('falls to the share Graph accepted when clearly more than a quarter of a round is throttled: 40 of 100 leave 60, all of them half', async () => {
		const time = clock();
		const window = new CallLimit(100, time.now);
		// 30 of 100 is within chance of a quarter: noise
		await round(window, 100, (call) => call % 10 < 3);
		expect(window.limit).toBe(100);
		time.advance(THROTTLE_EPISODE_MIN_MS);
		await round(window, 100, (call) => call % 10 < 4);
		expect(window.limit).toBe(60);
		time.advance(THROTTLE_EPISODE_MIN_MS);
		await round(window, 60, () => true);
		expect(window.limit).toBe(30);
	});

	it('cuts once per episode: the rest of the round and the episode’s later 429s do not cut again', async () => {
		const time = clock();
		const window = new CallLimit(100, time.now);
		const everyOther = (call: number) => call % 2 === 0;
		await round(window, 100, everyOther, 2_000);
		expect(window.limit).toBe(50);
		time.advance(1_999);
		await round(window, 50, everyOther, 2_000);
		expect(window.limit).toBe(50);
		time.advance(1);
		await round(window, 50, everyOther, 2_000);
		expect(window.limit).toBe(25);
	});

	it('falls when the share rises by more than chance explains, even below a quarter', async () => {
		const time = clock();
		const window = new CallLimit(40, time.now);
		await round(window, 40, (call) => call < 2);
		expect(window.limit).toBe(40);
		time.advance(THROTTLE_EPISODE_MIN_MS);
		// 2 of 40, then 8 of 40: 5 % to 20 %, four standard errors up
		await round(window, 40, (call) => call < 8);
		expect(window.limit).toBe(32);
	});

	it('halves for a Retry-After longer than a second and the round trip, even for a lone 429', async () => {
		const window = new CallLimit(40);
		await round(window, 40, (call) => call === 0, 5_000);
		expect(window.limit).toBe(20);
	});

	it('counts at least ten answers to a round, and forgets one a few calls could not complete', async () => {
		const time = clock();
		const window = new CallLimit(40, time.now);
		await round(window, 3, (call) => call === 0);
		expect(MIN_ROUND).toBe(10);
		// the round still waits for answers: growth waits too
		expect(window.limit).toBe(40);
		time.advance(2 * THROTTLE_EPISODE_MIN_MS);
		await round(window, 5, () => false);
		expect(window.limit).toBe(40);
		// and the next 429 starts a round of its own, which judges the 12 calls in flight: Graph took 2, half stay
		await round(window, 12, (call) => call < 10);
		expect(window.limit).toBe(6);
	});

	it('never goes below one', async () => {
		const time = clock();
		const window = new CallLimit(4, time.now);
		for (let episode = 0; episode < 5; episode++) {
			await round(window, MIN_ROUND, () => true, 0);
			time.advance(THROTTLE_EPISODE_MIN_MS);
		}
		expect(window.limit).toBe(1);
	});

	it('right after throttling grows by one per round of successes, even while 429s keep coming as noise', async () => {
		const time = clock();
		const window = new CallLimit(20, time.now);
		await round(window, 20, (call) => call % 2 === 0, 5_000);
		expect(window.limit).toBe(10);
		await round(window, 10, () => false);
		expect(window.limit).toBe(11);
		time.advance(5_000);
		// a 429 as noise: one in eleven
		await round(window, 11, (call) => call === 0);
		expect(window.limit).toBe(11);
		await round(window, 11, () => false);
		expect(window.limit).toBe(12);
	});
});

describe('CallLimit: keeping the pace Graph accepted', () => {
	it('keeps every call, retries too, to the pace Graph accepted calls at once it refuses most of a round', async () => {
		const window = new CallLimit(12);
		// Graph accepted 10 calls in the last second, then refuses a whole round
		await round(window, 10, () => false);
		await round(window, 12, () => true, 0);
		expect(window.limit).toBe(6);
		expect(window.idle).toBe(true);
		const started = Date.now();
		const sentAt: number[] = [];
		// from the end of the Retry-After (the episode's second) on, one call per 100 ms
		for (const retry of [true, false, true]) {
			await window.acquire(retry);
			sentAt.push(Date.now() - started);
			window.release();
		}
		expect(sentAt[0]).toBeGreaterThanOrEqual(THROTTLE_EPISODE_MIN_MS - 5);
		expect(sentAt[1] - sentAt[0]).toBeGreaterThanOrEqual(95);
		expect(sentAt[2] - sentAt[1]).toBeGreaterThanOrEqual(95);
	});

	it('reads the pace once the calls at Graph when it refused most of a round have answered too', async () => {
		const time = clock();
		const window = new CallLimit(100, time.now);
		// Graph refuses ten calls at once, the first with ten at Graph (the round it judges) and the others with ten
		// more sent since
		await send(window, 10);
		answer(window, 0);
		await send(window, 10);
		for (let call = 0; call < 9; call++) answer(window, 0);
		expect(window.paceIntervalMs).toBeUndefined();
		// of the ten still at Graph it accepted eight: eight calls in the episode's second
		for (let call = 0; call < 10; call++) answer(window, call < 8 ? 'ok' : 0);
		expect(window.paceIntervalMs).toBe(THROTTLE_EPISODE_MIN_MS / 8);
	});

	it('keeps room in the window for twice the calls the pace keeps at Graph, within the maximum', async () => {
		const time = clock();
		const window = new CallLimit(4, time.now);
		await round(window, 10, () => false);
		await round(window, 10, () => true, 0);
		// halved to 2, but one call per 100 ms with a round trip of 300 ms keeps 3 at Graph: room for 6, at most 4
		expect(window.paceIntervalMs).toBe(100);
		expect(window.limit).toBe(4);
	});

	/** A window keeping to one call per 100 ms since Graph accepted 10 calls in a second, then refused 40. */
	async function pacedWindow(time: ReturnType<typeof clock>): Promise<CallLimit> {
		const window = new CallLimit(40, time.now);
		await round(window, 10, () => false);
		await round(window, 40, () => true, 0);
		expect(window.paceIntervalMs).toBe(100);
		expect(window.limit).toBe(20);
		// the pace starts at the end of the Retry-After (the episode's second)
		time.advance(THROTTLE_EPISODE_MIN_MS);
		return window;
	}

	/** A call a second later, answered with this verdict. */
	async function aSecondLater(
		time: ReturnType<typeof clock>,
		window: CallLimit,
		verdict: 'ok' | number,
	): Promise<void> {
		time.advance(1_000);
		await window.acquire();
		answer(window, verdict);
	}

	it('quickens the pace for every second Graph takes whole, by a quarter, a half, then double, and lifts it once the window sends fewer', async () => {
		const time = clock();
		const window = await pacedWindow(time);
		const intervals: Array<number | undefined> = [];
		const limits: number[] = [];
		for (let second = 0; second < 4; second++) {
			await aSecondLater(time, window, 'ok');
			intervals.push(window.paceIntervalMs && Math.round(window.paceIntervalMs));
			limits.push(window.limit);
		}
		// 20 calls in flight a round trip of 300 ms apart go every 15 ms: a pace of one per 13 ms holds nothing back
		expect(intervals).toEqual([80, 53, 27, undefined]);
		// the pace held the window where it was; without it, it grows again from the answer that lifted it
		expect(limits).toEqual([20, 20, 20, 21]);
		await aSecondLater(time, window, 'ok');
		expect(window.limit).toBe(22);
	});

	it('goes back to the last pace Graph took whole on a 429, and slows by a quarter on one at that pace, once per second', async () => {
		const time = clock();
		const window = await pacedWindow(time);
		await aSecondLater(time, window, 'ok');
		await aSecondLater(time, window, 'ok');
		expect(window.paceIntervalMs).toBeCloseTo(100 / 1.25 / 1.5);
		await aSecondLater(time, window, 1_000);
		expect(window.paceIntervalMs).toBe(80);
		time.advance(100);
		await window.acquire();
		answer(window, 1_000);
		expect(window.paceIntervalMs).toBe(80);
		await aSecondLater(time, window, 1_000);
		expect(window.paceIntervalMs).toBe(100);
		// a second without a 429 quickens it again, from the smallest step
		await aSecondLater(time, window, 'ok');
		expect(window.paceIntervalMs).toBe(80);
	});

	it('keeps to no pace when Graph accepted nothing lately, and counts the next round too', async () => {
		const window = new CallLimit(40);
		await round(window, 40, () => true, 0);
		expect(window.limit).toBe(20);
		// no pace: calls only wait out their own Retry-After
		const started = Date.now();
		await window.acquire(true);
		await window.acquire();
		expect(Date.now() - started).toBeLessThan(50);
		window.release();
		window.release();
		// the next round, refused whole as well, cuts again within the episode
		await round(window, 20, () => true, 0);
		expect(window.limit).toBe(10);
	});
});

describe('AcceptedPace', () => {
	it('lets a call go an interval after the last, and a change of pace moves the next one', () => {
		const pace = new AcceptedPace(100, 1_000, 5_000);
		expect(pace.nextCallAt).toBe(5_000);
		pace.take(5_000);
		pace.take(5_010);
		expect(pace.nextCallAt).toBe(5_200);
		// no call for a while: the next goes at once, then an interval later
		pace.take(9_000);
		expect(pace.nextCallAt).toBe(9_100);
		pace.accepted(10_000, Number.NEGATIVE_INFINITY);
		expect(pace.interval).toBe(80);
		expect(pace.nextCallAt).toBe(9_080);
	});

	it('quickens only after a whole window since its last change without a refusal', () => {
		const pace = new AcceptedPace(100, 1_000, 0);
		expect(pace.accepted(999, Number.NEGATIVE_INFINITY)).toBe(false);
		expect(pace.accepted(1_000, Number.NEGATIVE_INFINITY)).toBe(true);
		expect(pace.accepted(1_500, Number.NEGATIVE_INFINITY)).toBe(false);
		// a refusal at 1,800 holds it until 2,800
		expect(pace.accepted(2_500, 1_800)).toBe(false);
		expect(pace.accepted(2_800, 1_800)).toBe(true);
		// the second quiet window in a row quickens it by a half
		expect(pace.interval).toBeCloseTo(80 / 1.5);
	});

	it('quickens by a quarter, a half, then double for quiet windows in a row, from a quarter again after a refusal', () => {
		const pace = new AcceptedPace(1_000, 1_000, 0);
		const steps: number[] = [];
		for (let window = 1; window <= 5; window++) {
			const before = pace.interval;
			pace.accepted(window * 1_000, Number.NEGATIVE_INFINITY);
			steps.push(before / pace.interval);
		}
		expect(steps).toEqual([1.25, 1.5, 2, 2, 2]);
		// back to the last pace taken whole, then a quarter at a time
		pace.refused(5_500);
		expect(pace.interval).toBe(1_000 / 1.25 / 1.5 / 2 / 2);
		pace.accepted(6_500, 5_500);
		expect(pace.interval).toBe(1_000 / 1.25 / 1.5 / 2 / 2 / 1.25);
	});
});

describe('ExecutionThrottle', () => {
	it('keeps each execution to its own maximum and all of them to the shared window', async () => {
		const window = new CallLimit(6);
		const first = new ExecutionThrottle(window, 4);
		const second = new ExecutionThrottle(window, 4);
		for (let call = 0; call < 4; call++) await first.acquire();
		let secondIn = 0;
		const waiting = Array.from({ length: 4 }, () => second.acquire().then(() => secondIn++));
		await tick();
		// the window holds 6: the second execution gets the 2 left
		expect(secondIn).toBe(2);
		expect(window.inFlight).toBe(6);
		const fifth = first.acquire();
		first.release();
		await tick();
		// a freed slot goes to the longest waiter of the window, the second execution
		expect(secondIn).toBe(3);
		first.release();
		await tick();
		expect(secondIn).toBe(4);
		first.release();
		await fifth;
		expect(first.inFlight).toBe(2);
		await Promise.all(waiting);
	});

	it('holds no slot while a call rests before its retry, and gives the retry the next free slot before any first attempt', async () => {
		const gate = new ExecutionThrottle(new CallLimit(1), 1);
		const order: string[] = [];
		await gate.acquire();
		// the call in flight was throttled: it gives its slot back and rests
		gate.release();
		const resting = gate.rest(30).then(async () => {
			await gate.acquire(true);
			order.push('retry');
		});
		await tick();
		expect(gate.inFlight).toBe(0);
		await gate.acquire();
		order.push('second');
		// a third call queues behind; when the second finishes, the retry goes first
		const third = gate.acquire().then(() => order.push('third'));
		await new Promise((resolve) => setTimeout(resolve, 60));
		gate.release();
		await resting;
		gate.release();
		await third;
		expect(order).toEqual(['second', 'retry', 'third']);
		gate.release();
		expect(gate.inFlight).toBe(0);
		expect(gate.shared.idle).toBe(true);
	});

	it('lets three times its calls of items be under way, plus those resting before a retry', async () => {
		const window = new CallLimit(40);
		const gate = new ExecutionThrottle(window, 4);
		expect(gate.itemsAllowed).toBe(12);
		const resting = [gate.rest(20), gate.rest(20)];
		expect(gate.itemsAllowed).toBe(14);
		await Promise.all(resting);
		expect(gate.itemsAllowed).toBe(12);
		// bounded by the shared window too, when that is lower
		const wide = new ExecutionThrottle(window, 100);
		expect(wide.itemsAllowed).toBe(120);
		await round(window, 40, () => true, 5_000);
		expect(wide.itemsAllowed).toBe(60);
		expect(gate.itemsAllowed).toBe(12);
	});

	it('prepares at most 200 items ahead of their calls, so a wide limit does not hold most of a large input', () => {
		const gate = new ExecutionThrottle(new CallLimit(MAX_CONCURRENCY), MAX_CONCURRENCY);
		expect(gate.limit).toBe(MAX_CONCURRENCY);
		expect(gate.itemsAllowed).toBe(MAX_CONCURRENCY + 200);
		expect(new ExecutionThrottle(new CallLimit(100), 100).itemsAllowed).toBe(300);
	});
});

describe("ExecutionThrottle: may the window be at Graph's limit", () => {
	it('says so until Graph first answers, and for 10 s after a 429, whichever execution met it', async () => {
		const time = clock();
		const window = new CallLimit(MAX_CONCURRENCY, time.now);
		const gate = new ExecutionThrottle(window, 100);
		const other = new ExecutionThrottle(window, 100);
		expect(gate.mayBeAtLimit).toBe(true);
		await send(window, 4);
		answer(window, 'ok');
		expect(gate.mayBeAtLimit).toBe(false);
		answer(window, 1_000);
		expect(gate.mayBeAtLimit).toBe(true);
		expect(other.mayBeAtLimit).toBe(true);
		time.advance(9_999);
		expect(gate.mayBeAtLimit).toBe(true);
		time.advance(1);
		expect(gate.mayBeAtLimit).toBe(false);
	});
});

describe('One pace per credential and tenant', () => {
	it('hands every execution on one credential and tenant the same window, and others their own', () => {
		const key = `test ${Math.random()}`;
		const window = sharedCallLimit(key, 40);
		expect(sharedCallLimit(key, 40)).toBe(window);
		expect(sharedCallLimit(`${key} other tenant`, 40)).not.toBe(window);
		// a second execution allowing more raises what the shared window may grow to
		expect(sharedCallLimit(key, 200).maximum).toBe(200);
	});

	it('shares a pacer of a limited API between executions on one tenant', async () => {
		const scope = { tenantKey: `tenant ${Math.random()}` };
		const first = pacerFor(scope, 'bulkUpload', 2, 60_000);
		expect(pacerFor({ tenantKey: scope.tenantKey }, 'bulkUpload', 2, 60_000)).toBe(first);
		expect(pacerFor({ tenantKey: `${scope.tenantKey}-b` }, 'bulkUpload', 2, 60_000)).not.toBe(
			first,
		);
		expect(first.idle).toBe(true);
		await first.next();
		expect(first.idle).toBe(false);
	});

	it('drops entries idle for ten minutes and keeps its size bounded, never dropping one in use', () => {
		const time = clock();
		const busy = new Set<string>();
		const registry = new IdleRegistry<string>((value) => !busy.has(value), 3, time.now);
		registry.get('a', () => 'a');
		busy.add('b');
		registry.get('b', () => 'b');
		time.advance(IdleRegistry.IDLE_MS);
		registry.get('c', () => 'c');
		// 'a' was idle for ten minutes; 'b' is in use
		expect(registry.size).toBe(2);
		registry.get('d', () => 'd');
		registry.get('e', () => 'e');
		registry.get('f', () => 'f');
		expect(registry.size).toBeLessThanOrEqual(3);
		expect(registry.get('b', () => 'new b')).toBe('b');
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

describe('runItems', () => {
	it('keeps the calls in flight within the limit and the items under way within the window, and runs every item', async () => {
		const gate = new ExecutionThrottle(new CallLimit(40), 5);
		let callsInFlight = 0;
		let mostCalls = 0;
		let underWay = 0;
		let mostUnderWay = 0;
		let mostWindow = 0;
		const done: number[] = [];
		await runItems(
			60,
			gate,
			async (index) => {
				underWay++;
				mostUnderWay = Math.max(mostUnderWay, underWay);
				mostWindow = Math.max(mostWindow, gate.itemsAllowed);
				for (let attempt = 0; ; attempt++) {
					await gate.acquire(attempt > 0);
					callsInFlight++;
					mostCalls = Math.max(mostCalls, callsInFlight);
					await new Promise((resolve) => setTimeout(resolve, 1 + (index % 3)));
					callsInFlight--;
					gate.release();
					// every seventh item is throttled once and rests before its retry
					if (index % 7 !== 0 || attempt > 0) break;
					await gate.rest(2);
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
		expect(gate.inFlight).toBe(0);
	});

	/** How many items of `itemMs` the runner starts before the event loop first gets in (a zero-delay timer set first fires). */
	async function itemsBeforeTheLoopGetsIn(mayBeAtLimit: boolean, itemMs: number): Promise<number> {
		let started = 0;
		let seen: number | undefined;
		setTimeout(() => (seen = started), 0);
		await runItems(
			200,
			{ itemsAllowed: 1_000, mayBeAtLimit },
			async () => {
				started++;
				// n8n evaluating an item's parameters: synchronous work
				const end = performance.now() + itemMs;
				while (performance.now() < end);
			},
			() => false,
		);
		return seen ?? started;
	}

	it("lets the event loop in after 20 ms of items, and after 10 items while the window may be at Graph's limit", async () => {
		expect(PAUSE_AFTER).toEqual({ ms: 20, itemsWhileMayBeAtLimit: 10 });
		// cheap items (0.2 ms): after 10 of them while the window may be at the limit, some hundred otherwise (fewer
		// only if the machine stalls the process meanwhile)
		expect(await itemsBeforeTheLoopGetsIn(true, 0.2)).toBeLessThanOrEqual(10);
		expect(await itemsBeforeTheLoopGetsIn(false, 0.2)).toBeGreaterThanOrEqual(30);
		// items of 3 ms, dearer than n8n's usual: after 20 ms (some seven) either way, not after every item
		const dearItems = await itemsBeforeTheLoopGetsIn(true, 3);
		expect(dearItems).toBeGreaterThanOrEqual(3);
		expect(dearItems).toBeLessThanOrEqual(10);
	});

	it('starts no item once told to stop, and waits for those under way', async () => {
		const gate = new ExecutionThrottle(new CallLimit(2), 2);
		const started: number[] = [];
		let finished = 0;
		await runItems(
			50,
			gate,
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

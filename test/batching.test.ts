/**
 * Combine Calls into Batches: the calls of items in flight travel in Graph JSON batches, yet every item gets the
 * answer, the retries and the error message it would get alone. Real workflows through n8n-core, real sockets to
 * the emulator's $batch.
 */
import { BATCH_PATH } from '../dev/emulator/batch';
import { acquireParameters, isBatchEnvelope, startTenant, type TestTenant } from './support/tenant';
import { expectNoSecrets } from './support/secrets';
import { runNode, type RunResult } from './harness/engine';

const SCIM_URL = 'https://scim.fabrikam-payroll.example/scim/v2';

let tenant: TestTenant;
let targets: string[];
const results: RunResult[] = [];
/** Distinct per item, so a value delivered to the wrong target would show */
const tokenOf = (index: number) => `scim-token-${String(index).padStart(3, '0')}-Vb7!qR2zK9`;

const byExpression = (options = {}) =>
	acquireParameters(
		{ type: 'servicePrincipal', value: '={{ $json.targetId }}' },
		[
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: '={{ $json.token }}' },
		],
		{ options },
	);

/** Runs the items; `credentialId` names a credential of the test's own, so the pace earlier tests left is not its. */
async function run(
	items: Array<{ targetId: string; token: string }>,
	options = {},
	continueOnFail = false,
	credentialId = 'batching',
) {
	const result = await runNode({
		parameters: byExpression(options),
		credential: tenant.appOnlyCredential({}, credentialId),
		items,
		continueOnFail,
	});
	results.push(result);
	return result;
}

const roundTrips = () =>
	tenant.emulator.requests.filter(
		(request) => request.listener === 'graph' && isBatchEnvelope(request.path),
	);
const acquireCalls = () =>
	tenant.emulator.requests.filter(
		(request) =>
			request.listener === 'graph' && request.path.endsWith('/synchronization/acquireAccessToken'),
	);

beforeAll(async () => {
	tenant = await startTenant();
	targets = Array.from(
		{ length: 45 },
		(_, index) => tenant.emulator.addServicePrincipal({ displayName: `Payroll ${index}` }).id,
	);
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	expectNoSecrets(results, {
		anywhere: [tenant.client.secret],
		inNodeOutput: targets.map((_, index) => tokenOf(index)),
	});
	await tenant.emulator.close();
});

describe('Combine Calls into Batches', () => {
	it('sends 45 items in 3 batches (20 + 20 + 5) and stores each item’s secrets on its own target', async () => {
		const items = targets.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const result = await run(items);

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(45);
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({
				success: true,
				targetObjectId: targets[index],
				graphStatus: 204,
			});
			expect(item.json.requestId).toEqual(expect.any(String));
		});
		expect(
			roundTrips().map(
				(request) => (JSON.parse(request.body) as { requests: unknown[] }).requests.length,
			),
		).toEqual([20, 20, 5]);
		expect(acquireCalls()).toHaveLength(45);
		targets.forEach((targetId, index) => {
			expect(tenant.emulator.getSynchronizationSecrets('servicePrincipals', targetId)).toEqual([
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: tokenOf(index) },
			]);
		});
		// The request-id an item reports is that of the batch that carried it
		const batchIds = new Set(result.items.map((item) => item.json.requestId));
		expect(batchIds.size).toBe(3);
	});

	it('puts half the items in flight in a batch, so the next batch is prepared while one is on the wire', async () => {
		const items = targets.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const result = await run(items, { concurrency: 20 });

		expect(result.error).toBeUndefined();
		// 20 in flight: batches of 10
		expect(
			roundTrips().map(
				(request) => (JSON.parse(request.body) as { requests: unknown[] }).requests.length,
			),
		).toEqual([10, 10, 10, 10, 5]);
	});

	it.each([
		['in batches', true],
		['each alone', false],
	])(
		'never has more calls at Graph than Max Items in Flight, %s, and keeps that many going',
		async (_, batching) => {
			// A latency long enough for a machine loaded many times over to prepare and send 8 calls (each alone on its
			// own TLS connection) before the first answer: the peak then shows the bound, not the machine's speed. Three
			// rounds' worth of items, so the bound is held while more items wait.
			tenant.emulator.setLatency({ graph: 600 });
			tenant.emulator.resetStats();
			try {
				const items = targets
					.slice(0, 24)
					.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
				const result = await run(
					items,
					{ concurrency: 8, batching },
					false,
					`batching-peak-${String(batching)}`,
				);

				expect(result.error).toBeUndefined();
				expect(acquireCalls()).toHaveLength(24);
				expect(tenant.emulator.stats().peakGraphCallsInFlight).toBe(8);
			} finally {
				tenant.emulator.setLatency({});
			}
		},
	);

	it('sends each call on its own when turned off', async () => {
		const items = targets
			.slice(0, 5)
			.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const result = await run(items, { batching: false });

		expect(result.error).toBeUndefined();
		expect(roundTrips()).toHaveLength(0);
		expect(acquireCalls()).toHaveLength(5);
	});

	it('gives a failed call in a batch the same error as alone, and the other items their success', async () => {
		const unknownId = '0f6f4b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
		const alone = await run([{ targetId: unknownId, token: tokenOf(0) }], {}, true);
		const items = targets.slice(0, 6).map((targetId, index) => ({
			targetId: index === 3 ? unknownId : targetId,
			token: tokenOf(index),
		}));
		const batched = await run(items, {}, true);

		expect(roundTrips()).toHaveLength(1);
		const failed = batched.items[3].json as { error: string; description: string };
		const expected = alone.items[0].json as { error: string; description: string };
		expect(failed.error).toBe(expected.error);
		// Only the request-id differs
		const withoutRequestId = (text: string) => text.replace(/request-id: [0-9a-f-]+/, '');
		expect(withoutRequestId(failed.description)).toBe(withoutRequestId(expected.description));
		expect(failed.description).toMatch(/request-id: [0-9a-f-]{36}/);
		expect(batched.items.map((item) => item.json.success ?? false)).toEqual([
			true,
			true,
			true,
			false,
			true,
			true,
		]);
		expect(batched.items.map((item) => item.pairedItem)).toEqual(
			items.map((_, item) => ({ item })),
		);
	});

	it('retries only the calls Graph throttled inside a batch, after their own Retry-After', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: /\/synchronization\/acquireAccessToken$/,
			count: 4,
			status: 429,
			headers: { 'Retry-After': '1' },
		});
		const items = targets
			.slice(0, 20)
			.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const started = Date.now();
		const result = await run(items);

		expect(result.error).toBeUndefined();
		expect(result.items.every((item) => item.json.success === true)).toBe(true);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		// 20 calls, then the 4 throttled ones again (together, in a second batch)
		expect(acquireCalls()).toHaveLength(24);
		expect(roundTrips()).toHaveLength(2);
		const retried = acquireCalls().slice(20);
		expect(retried.every((request) => request.headers['retry-attempt'] === '1')).toBe(true);
	});

	it('retries every call of a batch Graph refused as a whole', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: BATCH_PATH,
			count: 1,
			status: 503,
			headers: { 'Retry-After': '0' },
		});
		const items = targets
			.slice(0, 10)
			.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const result = await run(items);

		expect(result.error).toBeUndefined();
		expect(result.items.every((item) => item.json.success === true)).toBe(true);
		expect(roundTrips()).toHaveLength(2);
		expect(acquireCalls()).toHaveLength(10);
	});

	it('retries the calls of a batch whose connection broke (setting secrets is safe to repeat)', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: /\/synchronization\/acquireAccessToken$/,
			count: 1,
			reset: 'mid-response',
		});
		const items = targets
			.slice(0, 8)
			.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const result = await run(items, { retryLimit: 2 });

		expect(result.error).toBeUndefined();
		expect(result.items.every((item) => item.json.success === true)).toBe(true);
		// every call of the broken batch went again (after its own jittered back-off, so not necessarily together)
		expect(acquireCalls()).toHaveLength(16);
		expect(
			acquireCalls()
				.slice(8)
				.every((request) => request.headers['retry-attempt'] === '1'),
		).toBe(true);
		targets.slice(0, 8).forEach((targetId, index) => {
			expect(tenant.emulator.getSynchronizationSecrets('servicePrincipals', targetId)?.[1]).toEqual(
				{ key: 'SecretToken', value: tokenOf(index) },
			);
		});
	});

	it('sends again the calls a batch answer left out, and reports them only if they keep missing', async () => {
		// a 200 whose list of responses is empty: Graph may or may not have run those calls
		tenant.emulator.injectFault({
			listener: 'graph',
			path: BATCH_PATH,
			count: 1,
			status: 200,
			body: { responses: [] },
		});
		const items = targets
			.slice(0, 6)
			.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const recovered = await run(items);

		expect(recovered.error).toBeUndefined();
		expect(recovered.items.every((item) => item.json.success === true)).toBe(true);

		tenant.emulator.clearRequests();
		tenant.emulator.injectFault({
			listener: 'graph',
			path: BATCH_PATH,
			status: 200,
			body: { responses: [] },
		});
		const lost = await run(items, { retryLimit: 0 }, true);

		expect(lost.items.map((item) => item.json.error)).toEqual(
			items.map(() => 'Microsoft Graph did not answer this call'),
		);
		expect(String(lost.items[0].json.description)).toMatch(/left it out/);
		expect(acquireCalls()).toHaveLength(0);
	});

	it('gives every item of a batch refused as a whole for its token the same sign-in advice as alone', async () => {
		tenant.emulator.injectFault({ listener: 'graph', path: BATCH_PATH, status: 401 });
		const items = targets
			.slice(0, 4)
			.map((targetId, index) => ({ targetId, token: tokenOf(index) }));
		const result = await run(items, {}, true);

		expect(result.items.map((item) => item.json.error)).toEqual(
			items.map(() => "Microsoft Graph did not accept the credential's access token"),
		);
		expect(result.items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	});
});

/**
 * Items in Flight follows Graph's pace: when Graph throttles because of the load the node itself makes, the node
 * lowers its calls in flight, and loses nothing. A real workflow through n8n-core against the emulator, which
 * answers 429 to every call beyond the calls it works on at once.
 */
import { acquireParameters, startTenant, type TestTenant } from './support/tenant';
import { expectNoSecrets } from './support/secrets';
import { runNode, type RunResult } from './harness/engine';

const SCIM_URL = 'https://scim.fabrikam-payroll.example/scim/v2';
const ITEMS = 400;
const tokenOf = (index: number) => `scim-token-${String(index).padStart(3, '0')}-Hq4!mW8pT2`;

let tenant: TestTenant;
let targets: string[];
const results: RunResult[] = [];

beforeAll(async () => {
	tenant = await startTenant();
	targets = Array.from({ length: 40 }, (_, index) => tenant.emulator.addServicePrincipal({ displayName: `Payroll ${index}` }).id);
});

afterAll(async () => {
	expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: Array.from({ length: ITEMS }, (_, index) => tokenOf(index)) });
	await tenant.emulator.close();
});

describe('Items in Flight under throttling', () => {
	it('backs off when Graph throttles every call beyond 10 at once, and loses nothing', async () => {
		const capacity = 10;
		tenant.emulator.setLatency({ graph: 40 });
		tenant.emulator.setGraphCapacity(capacity, 1);
		tenant.emulator.resetStats();
		tenant.emulator.clearRequests();
		try {
			const items = Array.from({ length: ITEMS }, (_, index) => ({ targetId: targets[index % targets.length], token: tokenOf(index) }));
			const result = await runNode({
				parameters: acquireParameters(
					{ type: 'servicePrincipal', value: '={{ $json.targetId }}' },
					[
						{ key: 'BaseAddress', value: SCIM_URL },
						{ key: 'SecretToken', value: '={{ $json.token }}' },
					],
					{ options: { concurrency: 40 } },
				),
				credential: tenant.appOnlyCredential({}, 'throttling'),
				items,
			});
			results.push(result);

			expect(result.error).toBeUndefined();
			expect(result.items.map((item) => item.json.success)).toEqual(items.map(() => true));
			expect(tenant.emulator.stats().peakGraphCallsInFlight).toBe(40);
			// Kept at 40 calls in flight, Graph would refuse three of every four: close to 4 refusals per item
			// (measured: about 3.7). Lowering its calls in flight keeps the node well below 2.
			expect(tenant.emulator.stats().capacityRefusals).toBeLessThan(2 * ITEMS);
		} finally {
			tenant.emulator.setGraphCapacity(undefined);
			tenant.emulator.setLatency({});
		}
	});
});

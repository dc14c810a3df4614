import type { IDataObject } from 'n8n-workflow';

import { runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import { addServicePrincipal, locator, synchronizationParameters } from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

let tenant: TestTenant;
const results: RunResult[] = [];

async function create(
	servicePrincipalId: string,
	settings: IDataObject[],
	extra: { continueOnFail?: boolean; items?: IDataObject[] } = {},
) {
	const result = await runNode({
		parameters: synchronizationParameters('job', 'create', servicePrincipalId, {
			template: locator('scim'),
			jobSettings: { setting: settings },
		}),
		credential: tenant.appOnlyCredential(),
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
	results.push(result);
	return result;
}

const jobPosts = () =>
	graphCalls(tenant.emulator).filter(
		(request) => request.method === 'POST' && request.path.endsWith('/synchronization/jobs'),
	);

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => tenant.emulator.clearRequests());

afterAll(async () => {
	try {
		expectNoSecrets(results, { anywhere: [tenant.client.secret], inNodeOutput: [] });
	} finally {
		await tenant.emulator.close();
	}
});

describe('Job › Create with job settings (synchronizationJobSettings)', () => {
	it('sends the settings in the POST and outputs the job with them, the template filling in the rest', async () => {
		const sp = addServicePrincipal(tenant, 'Settings SCIM');
		const result = await create(sp.id, [
			{ name: 'QuarantineTooManyDeletesThreshold', value: '50' },
			{ name: 'NotificationEmail', value: 'it-ops@contoso.example' },
		]);
		expect(result.error).toBeUndefined();
		const [call] = jobPosts();
		expect(JSON.parse(call.body)).toEqual({
			templateId: 'scim',
			synchronizationJobSettings: [
				{ name: 'QuarantineTooManyDeletesThreshold', value: '50' },
				{ name: 'NotificationEmail', value: 'it-ops@contoso.example' },
			],
		});
		const created = result.items[0].json;
		expect(created.jobSettings).toEqual([
			{ name: 'QuarantineTooManyDeletesThreshold', value: '50' },
			{ name: 'NotificationEmail', value: 'it-ops@contoso.example' },
		]);
		const stored = tenant.emulator.getSynchronizationJob(sp.id, String(created.jobId))?.job as {
			synchronizationJobSettings: unknown;
		};
		expect(stored.synchronizationJobSettings).toEqual(created.jobSettings);
	});

	it("without settings sends the documented body alone and shows the template's inherited threshold", async () => {
		const sp = addServicePrincipal(tenant, 'Settings default');
		const result = await create(sp.id, []);
		expect(result.error).toBeUndefined();
		expect(JSON.parse(jobPosts()[0].body)).toEqual({ templateId: 'scim' });
		expect(result.items[0].json.jobSettings).toEqual([
			{ name: 'QuarantineTooManyDeletesThreshold', value: '500' },
		]);
	});

	it.each([
		['a path in the name', [{ name: '../jobs', value: '1' }], /has no valid name/],
		['quotes in the name', [{ name: 'Threshold"; DROP', value: '1' }], /has no valid name/],
		['an empty name', [{ name: '', value: '1' }], /has no valid name/],
		[
			'a name given twice',
			[
				{ name: 'QuarantineTooManyDeletesThreshold', value: '1' },
				{ name: 'quarantinetoomanydeletesthreshold', value: '2' },
			],
			/is given twice/,
		],
		[
			'a 2 MB value',
			[{ name: 'QuarantineTooManyDeletesThreshold', value: 'x'.repeat(2 * 1024 * 1024) }],
			/not a text of at most 4096 characters/,
		],
	])('refuses %s before any request, naming the fix', async (_case, settings, message) => {
		const sp = addServicePrincipal(tenant, `Settings hostile ${String(_case).slice(0, 12)}`);
		const result = await create(sp.id, settings);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toBeTruthy();
		expect(graphCalls(tenant.emulator)).toHaveLength(0);
	});

	it('with Continue On Fail pairs the refused item with its input and creates the others', async () => {
		const sp = addServicePrincipal(tenant, 'Settings pairing');
		const result = await create(
			sp.id,
			[{ name: '={{ $json.settingName }}', value: '={{ $json.threshold }}' }],
			{
				continueOnFail: true,
				items: [
					{ settingName: 'QuarantineTooManyDeletesThreshold', threshold: 20 },
					{ settingName: "O'Brien/../x", threshold: 30 },
					{ settingName: 'QuarantineTooManyDeletesThreshold', threshold: 40 },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[0].json.jobSettings).toEqual([
			{ name: 'QuarantineTooManyDeletesThreshold', value: '20' },
		]);
		expect(result.items[1].json.error).toMatch(/has no valid name/);
		expect(result.items[2].json.jobSettings).toEqual([
			{ name: 'QuarantineTooManyDeletesThreshold', value: '40' },
		]);
		expect(jobPosts()).toHaveLength(2);
	});
});

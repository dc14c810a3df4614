import type { IDataObject } from 'n8n-workflow';

import type { CredentialInput } from './harness/engine';
import { runNode } from './harness/engine';
import { countEvaluations } from './support/evaluations';
import {
	addServicePrincipal,
	clientWith,
	synchronizationParameters,
} from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let tenant: TestTenant;
let uploader: CredentialInput;
let sp: { id: string; appId: string };
let jobId: string;

/** The HR system's record of one employee. */
function employee(number: number, overrides: Record<string, unknown> = {}) {
	return {
		employeeId: `E${String(number).padStart(5, '0')}`,
		mail: `employee${number}@contoso.com`,
		first: 'Ada',
		last: `Number${number}`,
		department: 'Research',
		manager: 'E00001',
		enabled: 'true',
		...overrides,
	};
}

/** The mapping an HR-onboarding flow sets up: each SCIM attribute from a field of the item. */
const attributes = {
	attributes: {
		attribute: [
			{ attribute: 'externalId', value: '={{ $json.employeeId }}' },
			{ attribute: 'userName', value: '={{ $json.mail }}' },
			{ attribute: 'active', value: '={{ $json.enabled }}' },
			{ attribute: 'name.givenName', value: '={{ $json.first }}' },
			{ attribute: 'name.familyName', value: '={{ $json.last }}' },
			{ attribute: 'emails[type eq "work"].value', value: '={{ $json.mail }}' },
			{ attribute: `${ENTERPRISE}:department`, value: '={{ $json.department }}' },
			{ attribute: `${ENTERPRISE}:manager.value`, value: '={{ $json.manager }}' },
		],
	},
};

function upload(
	items: object[],
	options: {
		continueOnFail?: boolean;
		jobId?: string;
		credential?: CredentialInput;
		fields?: IDataObject;
	} = {},
) {
	return runNode({
		parameters: synchronizationParameters(
			'bulkUpload',
			'uploadUsers',
			sp.id,
			options.fields ?? attributes,
			{ jobId: options.jobId ?? jobId },
		),
		credential: options.credential ?? uploader,
		items: items as never,
		continueOnFail: options.continueOnFail,
	});
}

const bulkCalls = () =>
	graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/bulkUpload'));

beforeAll(async () => {
	tenant = await startTenant();
	uploader = clientWith(tenant, ['SynchronizationData-User.Upload'], 'hr uploader').credential;
	sp = addServicePrincipal(tenant, 'API-driven inbound provisioning');
	jobId = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Bulk Upload › Upload Users', () => {
	it('packs 120 employees into SCIM bulk requests of 50, 50 and 20, one output per employee', async () => {
		const employees = Array.from({ length: 120 }, (_, index) => employee(index + 1));
		const result = await upload(employees);
		expect(result.error).toBeUndefined();

		const calls = bulkCalls();
		expect(calls.map((call) => [call.method, call.status, call.headers['content-type']])).toEqual(
			Array.from({ length: 3 }, () => ['POST', 202, 'application/scim+json']),
		);
		const bodies = calls.map((call) => JSON.parse(call.body));
		expect(bodies.map((body) => body.Operations.length)).toEqual([50, 50, 20]);
		expect(bodies[0].schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkRequest']);
		expect(bodies[0].Operations[0]).toEqual({
			method: 'POST',
			bulkId: 'E00001',
			path: '/Users',
			data: {
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
				externalId: 'E00001',
				userName: 'employee1@contoso.com',
				active: true,
				name: { givenName: 'Ada', familyName: 'Number1' },
				emails: [{ type: 'work', primary: true, value: 'employee1@contoso.com' }],
				[ENTERPRISE]: { department: 'Research', manager: { value: 'E00001' } },
			},
		});

		const uploads = tenant.emulator.getSynchronizationJob(sp.id, jobId)?.bulkUploads ?? [];
		expect(uploads.map((entry) => entry.operations.length)).toEqual([50, 50, 20]);
		expect(result.items).toHaveLength(120);
		result.items.forEach((item, index) => {
			const request = Math.floor(index / 50);
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({
				success: true,
				servicePrincipalId: sp.id,
				jobId,
				bulkId: employees[index].employeeId,
				externalId: employees[index].employeeId,
				userName: employees[index].mail,
				bulkRequestId: uploads[request].requestId,
				operationsInRequest: [50, 50, 20][request],
				graphStatus: 202,
			});
			expect(item.json.location).toBe(
				`${tenant.emulator.graphUrl}/v1.0/auditLogs/provisioning/?$filter=${encodeURIComponent(`jobid eq '${jobId}'`)}`,
			);
		});
	});

	it('with Continue On Fail refuses each invalid employee on its own (a repeated externalId too, when so chosen), and sends all the others', async () => {
		const items = [
			employee(1),
			employee(2, { mail: '' }),
			employee(3, { mail: 'not-an-address' }),
			employee(4, { enabled: 'maybe' }),
			employee(5, { employeeId: 'E00001' }),
			employee(6, { employeeId: '   ' }),
			employee(7),
		];
		const result = await upload(items, {
			continueOnFail: true,
			fields: { ...attributes, uploadOptions: { duplicateExternalIds: 'refuse' } },
		});
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.bulkId ?? item.json.error, item.pairedItem]),
		).toEqual([
			['E00001', { item: 0 }],
			['This employee has no userName', { item: 1 }],
			[
				'This employee\'s emails[type eq "work"].value is not a mail address: "not-an-address"',
				{ item: 2 },
			],
			['This employee\'s active must be true or false, not "maybe"', { item: 3 }],
			['The employee with externalId E00001 is also in item 1', { item: 4 }],
			['This employee has no externalId', { item: 5 }],
			['E00007', { item: 6 }],
		]);
		expect(result.items[1].json.description).toContain(
			'The value mapped to userName is empty for this item',
		);
		const [call] = bulkCalls();
		expect(
			JSON.parse(call.body).Operations.map((operation: { bulkId: string }) => operation.bulkId),
		).toEqual(['E00001', 'E00007']);
	});

	it('without Continue On Fail stops at the first invalid employee before sending anything', async () => {
		const result = await upload([employee(1), employee(2, { mail: 'ada at contoso' })]);
		expect(result.error?.message).toBe(
			'This employee\'s emails[type eq "work"].value is not a mail address: "ada at contoso"',
		);
		expect(result.error?.context?.itemIndex).toBe(1);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('refuses a mapping without userName, and one that maps an attribute twice', async () => {
		const withoutUserName = await upload([employee(1)], {
			fields: {
				attributes: { attribute: [{ attribute: 'externalId', value: '={{ $json.employeeId }}' }] },
			},
		});
		expect(withoutUserName.error?.message).toBe('This employee has no userName');
		expect(withoutUserName.error?.description).toContain('Map userName under Attributes');

		const twice = await upload([employee(1)], {
			fields: {
				attributes: {
					attribute: [
						...attributes.attributes.attribute,
						{ attribute: 'userName', value: 'x@contoso.com' },
					],
				},
			},
		});
		expect(twice.error?.message).toBe('The attribute userName is mapped twice');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('403 without the upload permission names SynchronizationData-User.Upload; every item of the request carries it', async () => {
		const result = await upload([employee(1), employee(2)], {
			credential: tenant.appOnlyCredential(),
			continueOnFail: true,
		});
		expect(result.items.map((item) => [item.json.httpCode, item.pairedItem])).toEqual([
			['403', { item: 0 }],
			['403', { item: 1 }],
		]);
		expect(result.items[0].json.description).toContain(
			'application permission SynchronizationData-User.Upload.OwnedBy or SynchronizationData-User.Upload',
		);
	});

	it("maps Graph's 400 for a job that is not API-driven inbound provisioning", async () => {
		const scimJob = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		const result = await upload([employee(1)], { jobId: scimJob });
		expect(result.error?.message).toBe('Microsoft Graph rejected the request as invalid');
		expect(result.error?.description).toContain('only those accept bulkUpload');
	});

	it("stops on the tenant's daily quota: Graph's 429 with a Retry-After of hours is not waited for", async () => {
		const other = addServicePrincipal(tenant, 'Quota tenant job');
		const otherJob = tenant.emulator.createSynchronizationJob(other.id, 'API2AAD').id;
		tenant.emulator.setBulkUploadDailyLimit(0);
		try {
			const result = await runNode({
				parameters: synchronizationParameters('bulkUpload', 'uploadUsers', other.id, attributes, {
					jobId: otherJob,
				}),
				credential: uploader,
				items: [employee(1)],
			});
			// Graph's Retry-After counts down from a day since the oldest upload in its window (an earlier test's).
			const asked =
				/^Microsoft Graph asked to wait (\d+) s before retrying, longer than the node waits$/.exec(
					result.error?.message ?? '',
				);
			expect(Number(asked?.[1])).toBeGreaterThan(86_000);
			expect(Number(asked?.[1])).toBeLessThanOrEqual(86_400);
			expect(result.error?.description).toContain(
				'Graph says: The tenant reached its quota of 0 bulkUpload requests per 24 hours.',
			);
			expect(bulkCalls()).toHaveLength(1);
		} finally {
			tenant.emulator.setBulkUploadDailyLimit(6000);
		}
	});

	it("reads attribute rows that map an item's field from the item, without n8n's evaluator; the other rows in one evaluation", async () => {
		const employees = Array.from({ length: 60 }, (_, index) => employee(index + 1));
		const { result, evaluations } = await countEvaluations(() => upload(employees));
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(60);
		const rows = attributes.attributes.attribute.length;
		// The first employee is read both ways, checking the fields read against n8n's own reading; then no evaluation
		expect(evaluations).toHaveLength(rows);
		const sent = bulkCalls().flatMap((call) => JSON.parse(call.body).Operations);
		expect(sent.map((operation: { data: IDataObject }) => operation.data.userName)).toEqual(
			employees.map((one) => one.mail),
		);

		// A row that computes its value is evaluated, once per employee, with any others that compute
		tenant.emulator.clearRequests();
		const computed = {
			attributes: {
				attribute: [
					...attributes.attributes.attribute,
					{ attribute: 'displayName', value: '={{ $json.first + " " + $json.last }}' },
				],
			},
		};
		const mixed = await countEvaluations(() => upload(employees, { fields: computed }));
		expect(mixed.result.error).toBeUndefined();
		expect(mixed.evaluations).toHaveLength(1 + (rows + 1) + (employees.length - 1));
		const displayNames = bulkCalls()
			.flatMap((call) => JSON.parse(call.body).Operations)
			.map((operation: { data: IDataObject }) => operation.data.displayName);
		expect(displayNames).toEqual(employees.map((one) => `${one.first} ${one.last}`));
	});
});

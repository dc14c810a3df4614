import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { CredentialInput } from './harness/engine';
import { runListSearch, runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import { clientWith, locator, synchronizationParameters } from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

const SAML_TOOLKIT = '229946b9-a9fb-45b8-9531-efa47453ac9e';
const CUSTOM_APP = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

let tenant: TestTenant;
let admin: { credential: CredentialInput; client: { secret: string } };
const results: RunResult[] = [];

async function run(
	parameters: INodeParameters,
	extra: { items?: IDataObject[]; continueOnFail?: boolean; credential?: CredentialInput } = {},
) {
	const result = await runNode({
		parameters: { authentication: 'appOnly', options: {}, ...parameters },
		credential: extra.credential ?? admin.credential,
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
	results.push(result);
	return result;
}

const gallery = (operation: string, fields: IDataObject = {}) =>
	({ resource: 'applicationTemplate', operation, ...fields }) as INodeParameters;

async function instantiate(displayName: string, replicationWaitSeconds = 0) {
	const result = await run(
		gallery('instantiate', {
			applicationTemplate: locator(CUSTOM_APP),
			displayName,
			replicationWaitSeconds,
		}),
	);
	expect(result.error).toBeUndefined();
	return result.items[0].json;
}

beforeAll(async () => {
	tenant = await startTenant();
	admin = clientWith(
		tenant,
		[
			'Application.ReadWrite.All',
			'AppRoleAssignment.ReadWrite.All',
			'Application.Read.All',
			'Synchronization.ReadWrite.All',
		],
		'gallery-admin',
	);
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.setReplicationDelay(0);
});

afterAll(async () => {
	try {
		expectNoSecrets(results, {
			anywhere: [tenant.client.secret, admin.client.secret],
			inNodeOutput: [],
		});
	} finally {
		await tenant.emulator.close();
	}
});

describe('Application Template › Search and Get', () => {
	it("searches the gallery by name with Graph's documented contains(displayName, …), keeping apps with provisioning", async () => {
		const result = await run(
			gallery('search', { nameContains: 'contoso', provisioningOnly: true }),
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.displayName)).toEqual(['Contoso Payroll']);
		expect(result.items[0].json).toMatchObject({
			supportsProvisioning: true,
			publisher: 'Contoso',
		});
		const [call] = graphCalls(tenant.emulator);
		expect(call.path).toBe('/v1.0/applicationTemplates');
		expect(call.query.get('$filter')).toBe("contains(displayName, 'contoso')");
	});

	it('doubles a quote in the name, so it cannot end the OData literal, and finds the app', async () => {
		const result = await run(
			gallery('search', { nameContains: "Fabrikam's", provisioningOnly: false }),
		);
		expect(result.error).toBeUndefined();
		expect(graphCalls(tenant.emulator)[0].query.get('$filter')).toBe(
			"contains(displayName, 'Fabrikam''s')",
		);
		expect(result.items.map((item) => item.json.displayName)).toEqual(["Fabrikam's Field Service"]);
	});

	it('lists the whole gallery up to Limit when provisioning is not required', async () => {
		const result = await run(gallery('search', { provisioningOnly: false, limit: 2 }));
		expect(result.items).toHaveLength(2);
	});

	it('refuses a 2 MB search text before any request', async () => {
		const result = await run(gallery('search', { nameContains: 'x'.repeat(2 * 1024 * 1024) }));
		expect(result.error?.message).toMatch(/Name Contains is 2097152 characters long/);
		expect(graphCalls(tenant.emulator)).toHaveLength(0);
	});

	it('gets one template by ID, and offers the gallery to the editor as a searchable list', async () => {
		const result = await run(gallery('get', { applicationTemplate: locator(SAML_TOOLKIT) }));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			applicationTemplateId: SAML_TOOLKIT,
			displayName: 'Azure AD SAML Toolkit',
			supportsProvisioning: false,
		});
		const list = await runListSearch(
			'searchApplicationTemplates',
			{ authentication: 'appOnly', ...gallery('get') },
			admin.credential,
			'payroll',
		);
		expect(list.results).toEqual([
			{
				name: 'Contoso Payroll · Contoso · provisioning',
				value: '3e7cbd4c-6f3b-4b5e-9d1a-2a6f0c1b7e01',
			},
		]);
	});

	it.each([['../applicationTemplates'], ["1' or '1'='1"], ['']])(
		'refuses the template ID %j before any request',
		async (templateId) => {
			// An expression, as a fixed value is already refused by the editor's validation.
			const result = await run(
				gallery('get', { applicationTemplate: locator('={{ $json.templateId }}') }),
				{ items: [{ templateId }] },
			);
			expect(result.error?.message).toMatch(/The Application Template must be a GUID/);
			expect(graphCalls(tenant.emulator)).toHaveLength(0);
		},
	);

	it('with Continue On Fail pairs each failed Get with its input and reads the others', async () => {
		const result = await run(
			gallery('get', { applicationTemplate: locator('={{ $json.templateId }}') }),
			{
				continueOnFail: true,
				items: [
					{ templateId: CUSTOM_APP },
					{ templateId: '../../servicePrincipals' },
					{ templateId: '00000000-1111-2222-3333-444444444444' },
					{ templateId: SAML_TOOLKIT },
				],
			},
		);
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(result.items[0].json.displayName).toBe('Custom');
		expect(result.items[1].json.error).toMatch(/must be a GUID/);
		expect(result.items[2].json.httpCode).toBe('404');
		expect(result.items[3].json.displayName).toBe('Azure AD SAML Toolkit');
		expect(graphCalls(tenant.emulator)).toHaveLength(3);
	});

	it('names the fix when the template does not exist (404)', async () => {
		const result = await run(
			gallery('get', { applicationTemplate: locator('00000000-1111-2222-3333-444444444444') }),
		);
		expect(result.error?.description).toContain('Application Template › Search');
	});
});

describe('Application Template › Instantiate', () => {
	it('creates the application and service principal as documented (201), then waits until the service principal answers', async () => {
		tenant.emulator.setReplicationDelay(1500);
		const created = await instantiate('Contoso SCIM Connector', 30);
		expect(created).toMatchObject({
			applicationTemplateId: CUSTOM_APP,
			displayName: 'Contoso SCIM Connector',
			replicated: true,
			graphStatus: 201,
		});
		expect(Number(created.replicationWaitMs)).toBeGreaterThanOrEqual(1000);
		const calls = graphCalls(tenant.emulator);
		expect(calls[0]).toMatchObject({
			method: 'POST',
			path: `/v1.0/applicationTemplates/${CUSTOM_APP}/instantiate`,
			status: 201,
		});
		expect(JSON.parse(calls[0].body)).toEqual({ displayName: 'Contoso SCIM Connector' });
		const checks = calls.slice(1);
		expect(
			checks.every(
				(call) => call.path === `/v1.0/servicePrincipals/${String(created.servicePrincipalId)}`,
			),
		).toBe(true);
		expect(checks.map((call) => call.status)).toContain(404);
		expect(checks.at(-1)?.status).toBe(200);
		// The new app offers provisioning, so a job can be created on it right away.
		const job = await run(
			synchronizationParameters('job', 'create', String(created.servicePrincipalId), {
				template: locator('scim'),
			}),
		);
		expect(job.error).toBeUndefined();
	});

	it('fails the item with the new IDs when replication outlasts the wait; Continue On Fail pairs it and goes on', async () => {
		tenant.emulator.setReplicationDelay(60_000);
		const result = await run(
			gallery('instantiate', {
				applicationTemplate: locator(CUSTOM_APP),
				displayName: '={{ $json.name }}',
				replicationWaitSeconds: '={{ $json.wait }}',
			}),
			{
				continueOnFail: true,
				items: [
					{ name: 'Slow Replica', wait: 1 },
					{ name: '', wait: 0 },
					{ name: 'O\'Brien "Payroll" ../', wait: 0 },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[0].json.error).toMatch(
			/The new service principal [0-9a-f-]{36} did not answer Graph within 1 s/,
		);
		expect(result.items[0].json.description).toMatch(/Do not instantiate again/);
		expect(result.items[1].json.error).toMatch(/Display Name must be a text of 1 to 256/);
		expect(result.items[2].json).toMatchObject({
			displayName: 'O\'Brien "Payroll" ../',
			replicated: false,
			replicationWaitMs: null,
		});
		expect(
			graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/instantiate')),
		).toHaveLength(2);
	});
});

describe('App Role Assignment › Assign, List, Remove', () => {
	const assignment = (operation: string, servicePrincipalId: string, fields: IDataObject = {}) =>
		synchronizationParameters('appRoleAssignment', operation, servicePrincipalId, fields);

	it("assigns a group with the app's only role for users, as the documented request does, then lists and removes it", async () => {
		const app = await instantiate('Payroll Assignments');
		const spId = String(app.servicePrincipalId);
		const group = tenant.emulator.addGroup('Payroll users');
		tenant.emulator.clearRequests();

		const assigned = await run(assignment('assign', spId, { principalId: group.id }));
		expect(assigned.error).toBeUndefined();
		const role = (app.appRoles as Array<{ id: string }>)[0];
		const post = graphCalls(tenant.emulator).find((call) => call.method === 'POST');
		expect(post?.path).toBe(`/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`);
		expect(JSON.parse(String(post?.body))).toEqual({
			principalId: group.id,
			resourceId: spId,
			appRoleId: role.id,
		});
		expect(assigned.items[0].json).toMatchObject({
			servicePrincipalId: spId,
			principalId: group.id,
			principalType: 'Group',
			principalDisplayName: 'Payroll users',
			appRoleId: role.id,
			appRoleName: 'msiam_access',
			alreadyAssigned: false,
			graphStatus: 201,
		});
		expect(tenant.emulator.getAppRoleAssignments(spId)).toHaveLength(1);

		// Run twice: the second run finds the assignment, outputs it and sends no POST.
		const again = await run(assignment('assign', spId, { principalId: group.id }));
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({
			assignmentId: assigned.items[0].json.assignmentId,
			alreadyAssigned: true,
			graphStatus: null,
		});
		expect(graphCalls(tenant.emulator).filter((call) => call.method === 'POST')).toHaveLength(1);
		expect(tenant.emulator.getAppRoleAssignments(spId)).toHaveLength(1);

		const listed = await run(assignment('list', spId));
		expect(listed.items.map((item) => item.json.assignmentId)).toEqual([
			assigned.items[0].json.assignmentId,
		]);

		const removed = await run(
			assignment('remove', spId, { assignmentId: assigned.items[0].json.assignmentId }),
		);
		expect(removed.items[0].json).toMatchObject({ success: true, graphStatus: 204 });
		expect(tenant.emulator.getAppRoleAssignments(spId)).toHaveLength(0);
	});

	it('refuses hostile IDs before any request; Continue On Fail pairs them and assigns the rest', async () => {
		const app = await instantiate('Payroll Hostile');
		const spId = String(app.servicePrincipalId);
		const group = tenant.emulator.addGroup('Payroll hostile');
		tenant.emulator.clearRequests();
		const result = await run(
			assignment('assign', spId, { principalId: '={{ $json.principal }}' }),
			{
				continueOnFail: true,
				items: [{ principal: '../../users' }, { principal: group.id }, { principal: "x' or '1" }],
			},
		);
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[0].json.error).toMatch(/User or Group ID must be a GUID/);
		expect(result.items[1].json).toMatchObject({ principalId: group.id, graphStatus: 201 });
		expect(result.items[2].json.error).toMatch(/User or Group ID must be a GUID/);
		expect(graphCalls(tenant.emulator).filter((call) => call.method === 'POST')).toHaveLength(1);

		const removal = await run(assignment('remove', spId, { assignmentId: '../x' }));
		expect(removal.error?.message).toMatch(/is not an app role assignment ID/);
	});

	it("refuses a role that is not one of the app's roles for users with Graph's 400, naming the fix", async () => {
		const app = await instantiate('Payroll Wrong Role');
		const group = tenant.emulator.addGroup('Payroll wrong role');
		const result = await run(
			assignment('assign', String(app.servicePrincipalId), {
				principalId: group.id,
				appRoleId: 'ef7437e6-4f94-4a0a-a110-a439eb2aa8f7',
			}),
		);
		expect(result.error?.description).toContain(
			"check App Role ID against the service principal's appRoles",
		);
	});

	it('names both permissions Microsoft requires when the app lacks one', async () => {
		const app = await instantiate('Payroll Permissions');
		const group = tenant.emulator.addGroup('Payroll permissions');
		const limited = clientWith(tenant, ['AppRoleAssignment.ReadWrite.All'], 'assign-only');
		const result = await run(
			assignment('assign', String(app.servicePrincipalId), {
				principalId: group.id,
				appRoleId: (app.appRoles as Array<{ id: string }>)[0].id,
			}),
			{ credential: limited.credential },
		);
		expect(result.error?.description).toContain(
			'AppRoleAssignment.ReadWrite.All and Application.Read.All',
		);
	});
});

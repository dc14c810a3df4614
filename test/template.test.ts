import { runNode } from './harness/engine';
import {
	addServicePrincipal,
	clientWith,
	locator,
	synchronizationParameters,
} from './support/synchronization';
import { graphCalls, oauth2Credential, startTenant, type TestTenant } from './support/tenant';

let tenant: TestTenant;

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('Template › List and Get', () => {
	it('lists the templates the service principal offers, one item each', async () => {
		const sp = addServicePrincipal(tenant, 'Templates');
		const result = await runNode({
			parameters: synchronizationParameters('template', 'list', sp.id),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([
			expect.objectContaining({
				servicePrincipalId: sp.id,
				templateId: 'scim',
				factoryTag: 'CustomSCIM',
				applicationId: sp.appId,
				default: true,
			}),
			expect.objectContaining({
				servicePrincipalId: sp.id,
				templateId: 'API2AAD',
				factoryTag: 'API2AAD',
				default: false,
			}),
		]);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		expect(graphCalls(tenant.emulator).map((call) => call.path)).toEqual([
			`/v1.0/servicePrincipals/${sp.id}/synchronization/templates`,
		]);
	});

	it('gets one template; an unknown one is a 404 that points to the list', async () => {
		const sp = addServicePrincipal(tenant, 'Template get');
		const found = await runNode({
			parameters: synchronizationParameters('template', 'get', sp.id, {
				template: locator('API2AAD', 'list'),
			}),
			credential: tenant.appOnlyCredential(),
		});
		expect(found.items[0].json).toMatchObject({
			templateId: 'API2AAD',
			factoryTag: 'API2AAD',
			description: 'API-driven inbound user provisioning to Microsoft Entra ID',
		});

		const missing = await runNode({
			parameters: synchronizationParameters('template', 'get', sp.id, {
				template: locator('slack'),
			}),
			credential: tenant.appOnlyCredential(),
		});
		expect(missing.error?.message).toBe(
			`Microsoft Graph found no synchronization template slack on service principal ${sp.id}`,
		);
		expect(missing.error?.description).toContain(
			'Template › List shows the templates this service principal offers',
		);
	});

	it('refuses a template ID with spaces before any request', async () => {
		const result = await runNode({
			parameters: synchronizationParameters('template', 'get', tenant.servicePrincipal.id, {
				template: locator('={{ "custom scim" }}'),
			}),
			credential: tenant.appOnlyCredential(),
		});
		expect(result.error?.message).toBe('"custom scim" is not a template ID');
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});

	it('403 without a synchronization permission names the read permissions', async () => {
		const { credential } = clientWith(tenant, ['Application.Read.All'], 'directory reader');
		const result = await runNode({
			parameters: synchronizationParameters('template', 'list', tenant.servicePrincipal.id),
			credential,
		});
		expect(result.error?.description).toContain(
			'application permission Application.ReadWrite.OwnedBy or Synchronization.Read.All or Synchronization.ReadWrite.All',
		);
	});

	it('delegated: works for an admin with a provisioning role; without one, the 403 names the roles', async () => {
		tenant.emulator.registerUser({
			upn: 'app.admin@contoso.onmicrosoft.com',
			directoryRoles: ['Cloud Application Administrator'],
		});
		tenant.emulator.registerUser({
			upn: 'reader@contoso.onmicrosoft.com',
			directoryRoles: ['Global Reader'],
		});
		const scopes = ['Synchronization.Read.All', 'offline_access'];
		const parameters = synchronizationParameters(
			'template',
			'list',
			tenant.servicePrincipal.id,
			{},
			{ authentication: 'oAuth2' },
		);

		const admin = await runNode({
			parameters,
			credential: oauth2Credential(
				tenant,
				tenant.client,
				'app.admin@contoso.onmicrosoft.com',
				scopes,
				'oauth-admin',
			),
		});
		expect(admin.error).toBeUndefined();
		expect(admin.items).toHaveLength(2);

		const reader = await runNode({
			parameters,
			credential: oauth2Credential(
				tenant,
				tenant.client,
				'reader@contoso.onmicrosoft.com',
				scopes,
				'oauth-reader',
			),
		});
		expect(reader.error?.description).toContain(
			"The credential's scopes must include the delegated permission Synchronization.Read.All or Synchronization.ReadWrite.All (with admin consent) and the signed-in user must hold one of the Entra roles Application Administrator, Cloud Application Administrator, Hybrid Identity Administrator.",
		);
	});

	it('with Continue On Fail, one unknown template is a paired error item among good ones', async () => {
		const sp = addServicePrincipal(tenant, 'Template items');
		const result = await runNode({
			parameters: synchronizationParameters('template', 'get', sp.id, {
				template: locator('={{ $json.template }}'),
			}),
			credential: tenant.appOnlyCredential(),
			items: [{ template: 'scim' }, { template: 'workday' }, { template: 'API2AAD' }],
			continueOnFail: true,
		});
		expect(
			result.items.map((item) => [item.json.templateId ?? item.json.httpCode, item.pairedItem]),
		).toEqual([
			['scim', { item: 0 }],
			['404', { item: 1 }],
			['API2AAD', { item: 2 }],
		]);
	});
});

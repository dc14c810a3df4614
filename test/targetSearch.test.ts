import { runListSearch } from './harness/engine';
import {
	acquireParameters,
	graphCalls,
	oauth2Credential,
	startTenant,
	type TestTenant,
} from './support/tenant';

let tenant: TestTenant;

beforeAll(async () => {
	tenant = await startTenant();
	for (let index = 0; index < 60; index++)
		tenant.emulator.addServicePrincipal({
			displayName: `Workday Connector ${String(index).padStart(2, '0')}`,
		});
	tenant.emulator.addServicePrincipal({ displayName: "O'Brien Payroll" });
	tenant.emulator.addApplication({ displayName: 'Workday Registration' });
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterAll(async () => {
	await tenant.emulator.close();
});

const parameters = (targetType: 'application' | 'servicePrincipal') =>
	acquireParameters({ type: targetType, mode: 'list', value: '' }, []);

describe('the Target list', () => {
	it('searches service principals by display name, a page at a time, following @odata.nextLink', async () => {
		const first = await runListSearch(
			'searchTargets',
			parameters('servicePrincipal'),
			tenant.appOnlyCredential(),
			'workday',
		);
		expect(first.results).toHaveLength(50);
		expect(first.results[0]).toEqual({
			name: expect.stringMatching(/^Workday Connector \d\d \(app ID [0-9a-f-]{36}\)$/),
			value: expect.stringMatching(/^[0-9a-f-]{36}$/),
		});
		expect(first.paginationToken).toMatch(
			new RegExp(`^${tenant.emulator.graphUrl}/v1.0/servicePrincipals\\?`),
		);
		const second = await runListSearch(
			'searchTargets',
			parameters('servicePrincipal'),
			tenant.appOnlyCredential(),
			'workday',
			first.paginationToken as string,
		);
		expect(second.results).toHaveLength(10);
		expect(second.paginationToken).toBeUndefined();
		const all = [...first.results, ...second.results].map((result) => result.name);
		expect(new Set(all).size).toBe(60);

		const [firstCall] = graphCalls(tenant.emulator);
		expect(firstCall.path).toBe('/v1.0/servicePrincipals');
		expect(firstCall.query.get('$filter')).toBe("startswith(displayName,'workday')");
		expect(firstCall.query.get('$select')).toBe('id,appId,displayName');
	});

	it('lists applications when the Target Type is Application', async () => {
		const page = await runListSearch(
			'searchTargets',
			parameters('application'),
			tenant.appOnlyCredential(),
			'Workday',
		);
		expect(page.results.map((result) => result.name)).toEqual([
			expect.stringMatching(/^Workday Registration/),
		]);
		expect(graphCalls(tenant.emulator)[0].path).toBe('/v1.0/applications');
	});

	it('escapes quotes in the search as OData requires', async () => {
		const page = await runListSearch(
			'searchTargets',
			parameters('servicePrincipal'),
			tenant.appOnlyCredential(),
			"O'Brien",
		);
		expect(page.results.map((result) => result.name)).toEqual([
			expect.stringMatching(/^O'Brien Payroll/),
		]);
		expect(graphCalls(tenant.emulator)[0].query.get('$filter')).toBe(
			"startswith(displayName,'O''Brien')",
		);
	});

	it('works with the delegated credential too', async () => {
		const client = tenant.emulator.registerClientApp({
			secret: 'list-delegated-secret-9',
			delegatedPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
		});
		tenant.emulator.registerUser({
			upn: 'lister@contoso.onmicrosoft.com',
			directoryRoles: ['Cloud Application Administrator'],
		});
		const page = await runListSearch(
			'searchTargets',
			{ ...parameters('servicePrincipal'), authentication: 'oAuth2' },
			oauth2Credential(
				tenant,
				{ ...client, secret: 'list-delegated-secret-9' },
				'lister@contoso.onmicrosoft.com',
			),
			"O'Brien",
		);
		expect(page.results).toHaveLength(1);
	});

	it('without a permission to read targets: says which to grant, or to enter the ID', async () => {
		const client = tenant.emulator.registerClientApp({
			secret: 'no-read-secret-55',
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		await expect(
			runListSearch(
				'searchTargets',
				parameters('servicePrincipal'),
				tenant.appOnlyCredential({ clientId: client.clientId, clientSecret: 'no-read-secret-55' }),
			),
		).rejects.toMatchObject({
			message: 'The credential is not allowed to do this in Microsoft Graph',
			description: expect.stringMatching(
				/Application\.Read\.All or Application\.ReadWrite\.OwnedBy/,
			),
		});
	});

	it("refuses a next-page link that leaves the credential's Graph, and never sends the token there", async () => {
		const foreign = 'https://graph.attacker.example/v1.0/servicePrincipals?$skiptoken=x';
		await expect(
			runListSearch(
				'searchTargets',
				parameters('servicePrincipal'),
				tenant.appOnlyCredential(),
				'workday',
				foreign,
			),
		).rejects.toMatchObject({ message: 'Refusing to follow a link that leaves Microsoft Graph' });
		const sameHostOtherPort = `https://127.0.0.1:1/v1.0/servicePrincipals?$skiptoken=x`;
		await expect(
			runListSearch(
				'searchTargets',
				parameters('servicePrincipal'),
				tenant.appOnlyCredential(),
				'workday',
				sameHostOtherPort,
			),
		).rejects.toMatchObject({ message: 'Refusing to follow a link that leaves Microsoft Graph' });
		expect(graphCalls(tenant.emulator)).toHaveLength(0);
	});
});

import { runNode, StoredCredentialsHelper, loadPackage, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	acquireParameters,
	bearerTokens,
	graphCalls,
	oauth2Credential,
	startTenant,
	type TestTenant,
} from './support/tenant';

const SCIM_TOKEN = 'scim-token-Delegated-93Lx';
const CLIENT_SECRET = 'delegated-client-secret-x71';
const secrets = [
	{ key: 'BaseAddress', value: 'https://scim.contoso.example/scim' },
	{ key: 'SecretToken', value: SCIM_TOKEN },
];

let tenant: TestTenant;
let helper: StoredCredentialsHelper;
const results: RunResult[] = [];
const tokensSeen = new Set<string>();

async function acquire(credential: ReturnType<typeof oauth2Credential>) {
	const result = await runNode({
		parameters: acquireParameters(
			{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
			secrets,
			{ authentication: 'oAuth2' },
		),
		credential,
	});
	results.push(result);
	return result;
}

beforeAll(async () => {
	tenant = await startTenant();
	helper = (await loadPackage()).credentialsHelper;
});

beforeEach(() => tenant.emulator.clearRequests());
afterEach(() =>
	bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2])),
);

afterAll(async () => {
	const refreshTokens = [...helper.store.values()]
		.map(
			(stored) =>
				(stored.data.oauthTokenData as { refresh_token?: string } | undefined)?.refresh_token,
		)
		.filter((token): token is string => Boolean(token));
	expectNoSecrets(results, {
		anywhere: [CLIENT_SECRET, ...tokensSeen, ...refreshTokens],
		inNodeOutput: [SCIM_TOKEN],
	});
	await tenant.emulator.close();
});

describe('delegated (OAuth2) sign-in', () => {
	const client = () =>
		tenant.emulator.registerClientApp({
			secret: CLIENT_SECRET,
			delegatedPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
		});

	it("acquires a provisioning token as an admin holding one of the roles, with the admin's token", async () => {
		const app = client();
		tenant.emulator.registerUser({
			upn: 'hybrid.admin@contoso.onmicrosoft.com',
			directoryRoles: ['Hybrid Identity Administrator'],
		});
		const result = await acquire(
			oauth2Credential(
				tenant,
				{ ...app, secret: CLIENT_SECRET },
				'hybrid.admin@contoso.onmicrosoft.com',
			),
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			success: true,
			targetObjectId: tenant.servicePrincipal.id,
		});
		const [call] = graphCalls(tenant.emulator);
		const claims = JSON.parse(
			Buffer.from(String(call.headers.authorization).split('.')[1], 'base64url').toString(),
		);
		expect(claims.upn ?? claims.unique_name).toBe('hybrid.admin@contoso.onmicrosoft.com');
		expect(String(claims.scp).split(' ')).toContain('Synchronization.ReadWrite.All');
	});

	it('refreshes an expired access token with the refresh token, stores it, and goes on', async () => {
		const app = client();
		tenant.emulator.registerUser({
			upn: 'app.admin@contoso.onmicrosoft.com',
			directoryRoles: ['Application Administrator'],
		});
		tenant.emulator.setTokenLifetime(1);
		const credential = oauth2Credential(
			tenant,
			{ ...app, secret: CLIENT_SECRET },
			'app.admin@contoso.onmicrosoft.com',
			undefined,
			'refreshing-credential',
		);
		tenant.emulator.setTokenLifetime(3599);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const updatesBefore = helper.oauthTokenUpdates;

		const result = await acquire(credential);
		expect(result.error).toBeUndefined();
		expect(graphCalls(tenant.emulator).map((call) => call.status)).toEqual([401, 204]);
		expect(
			tenant.emulator.requests
				.filter((request) => request.path.endsWith('/oauth2/v2.0/token'))
				.map((request) => new URLSearchParams(request.body).get('grant_type')),
		).toEqual(['refresh_token']);
		expect(helper.oauthTokenUpdates).toBe(updatesBefore + 1);

		tenant.emulator.clearRequests();
		expect((await acquire(credential)).error).toBeUndefined();
		expect(graphCalls(tenant.emulator).map((call) => call.status)).toEqual([204]);
	});

	it('a token without the Synchronization scope: names the delegated permission and reconnecting', async () => {
		const app = client();
		tenant.emulator.registerUser({
			upn: 'cloud.admin@contoso.onmicrosoft.com',
			directoryRoles: ['Cloud Application Administrator'],
		});
		const result = await acquire(
			oauth2Credential(
				tenant,
				{ ...app, secret: CLIENT_SECRET },
				'cloud.admin@contoso.onmicrosoft.com',
				['Application.Read.All', 'offline_access'],
			),
		);
		expect(result.error?.message).toBe(
			'The credential is not allowed to do this in Microsoft Graph',
		);
		expect(result.error?.description).toMatch(
			/scopes must include the delegated permission Synchronization\.ReadWrite\.All .*Reconnect the credential/s,
		);
	});

	it('a credential that was never connected: says to connect it', async () => {
		const app = client();
		const credential = oauth2Credential(
			tenant,
			{ ...app, secret: CLIENT_SECRET },
			'cloud.admin@contoso.onmicrosoft.com',
		);
		delete credential.data.oauthTokenData;
		const result = await acquire(credential);
		expect(result.error?.message).toBe('The OAuth2 credential is not connected');
		expect(result.error?.description).toMatch(/press Connect/);
		expect(tenant.emulator.requests).toHaveLength(0);
	});
});

import path from 'node:path';

import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { REQUIRED_ACCESS, type RequiredAccess } from '../lib/permissions';
import { PACKAGE_ROOT, runNode, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import { clientWith } from './support/synchronization';
import {
	acquireParameters,
	bearerTokens,
	graphCalls,
	oauth2Credential,
	startTenant,
	type TestTenant,
} from './support/tenant';

/*
 * An app-only token carries the roles granted when it was issued. One fetched before an admin granted consent
 * answers 403 for its lifetime, and the node keeps its token that long: after a 403 it fetches one fresh token and
 * sends the call once more.
 */

const SCIM_TOKEN = 'scim-token-Consent-3Wd8';
const secrets = [
	{ key: 'BaseAddress', value: 'https://scim.contoso-consent.example/scim' },
	{ key: 'SecretToken', value: SCIM_TOKEN },
];
const SYNCHRONIZATION = 'Synchronization.ReadWrite.All';

let tenant: TestTenant;
const results: RunResult[] = [];
const tokensSeen = new Set<string>();
const clientSecrets: string[] = [];

/** A client the admin has not yet granted provisioning to, and its credential. */
function clientBeforeConsent(name: string) {
	const created = clientWith(tenant, ['Application.Read.All'], name);
	clientSecrets.push(created.client.secret);
	return created;
}

async function acquire(
	credential: ReturnType<typeof clientWith>['credential'],
	items: IDataObject[] = [{}],
	options: IDataObject = {},
) {
	const result = await runNode({
		parameters: acquireParameters(
			{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
			secrets,
			{ options },
		),
		credential,
		items,
		continueOnFail: true,
	});
	results.push(result);
	bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2]));
	return result;
}

/** Sign-ins the token endpoint answered for this client. */
function tokenRequests(clientId: string) {
	return tenant.emulator.requests.filter(
		(request) =>
			request.listener === 'login' &&
			request.path.endsWith('/oauth2/v2.0/token') &&
			request.body.includes(clientId),
	).length;
}

const acquireCalls = () =>
	graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/acquireAccessToken'));

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => tenant.emulator.clearRequests());

afterAll(async () => {
	try {
		expectNoSecrets(results, {
			anywhere: [tenant.client.secret, ...clientSecrets, ...tokensSeen],
			inNodeOutput: [SCIM_TOKEN],
		});
	} finally {
		await tenant.emulator.close();
	}
});

describe("the emulator's tokens carry the roles granted when they were issued", () => {
	it('a token from before the consent keeps answering 403; one issued after it is allowed', async () => {
		const { client } = clientBeforeConsent('consent-emulator');
		const before = tenant.emulator.createAccessToken({ clientId: client.clientId });
		tenant.emulator.grantApplicationPermissions(client.clientId, [SYNCHRONIZATION]);
		const after = tenant.emulator.createAccessToken({ clientId: client.clientId });
		const call = (token: string) =>
			fetch(
				`${tenant.emulator.graphUrl}/v1.0/servicePrincipals/${tenant.servicePrincipal.id}/synchronization/secrets`,
				{ headers: { Authorization: `Bearer ${token}` } },
			);
		expect((await call(before)).status).toBe(403);
		expect((await call(after)).status).toBe(200);
	});
});

describe('a 403 on a token fetched before the consent: one fresh token, the call once more', () => {
	it('consent granted after the first token: the next run succeeds with exactly one extra token request', async () => {
		const { client, credential } = clientBeforeConsent('consent-after-token');
		const refused = await acquire(credential);
		expect(refused.items[0].json).toMatchObject({
			code: 'Authorization_RequestDenied',
			httpCode: '403',
		});
		// Fetched for that very call: it already carried every grant there was, so it was not fetched again.
		expect(tokenRequests(client.clientId)).toBe(1);
		expect(acquireCalls()).toHaveLength(1);

		tenant.emulator.grantApplicationPermissions(client.clientId, [SYNCHRONIZATION]);
		tenant.emulator.clearRequests();
		const granted = await acquire(credential);
		expect(granted.items[0].json).toMatchObject({ success: true });
		expect(tokenRequests(client.clientId)).toBe(1);
		expect(acquireCalls().map((call) => call.status)).toEqual([403, 204]);
	});

	it('items refused at the same moment share one fresh token', async () => {
		const { client, credential } = clientBeforeConsent('consent-concurrent');
		await acquire(credential);
		tenant.emulator.grantApplicationPermissions(client.clientId, [SYNCHRONIZATION]);
		tenant.emulator.clearRequests();
		const items = Array.from({ length: 12 }, (_, index) => ({ index }));
		for (const batching of [false, true]) {
			tenant.emulator.clearRequests();
			const result = await acquire(credential, items, { batching });
			expect(result.items.map((item) => item.json.success)).toEqual(items.map(() => true));
			expect(tokenRequests(client.clientId)).toBe(batching ? 0 : 1);
		}
	});

	it('a permission that is really missing: one fresh token, then the 403 stands for every item', async () => {
		const { client, credential } = clientBeforeConsent('consent-never');
		await acquire(credential);
		tenant.emulator.clearRequests();
		const items = Array.from({ length: 8 }, (_, index) => ({ index }));
		const result = await acquire(credential, items, { batching: false });
		expect(result.items.map((item) => item.json.code)).toEqual(
			items.map(() => 'Authorization_RequestDenied'),
		);
		expect(tokenRequests(client.clientId)).toBe(1);
		tenant.emulator.clearRequests();
		await acquire(credential, items, { batching: false });
		// Renewed a moment ago: the 403 is the grant, not the token.
		expect(tokenRequests(client.clientId)).toBe(0);
		expect(acquireCalls()).toHaveLength(items.length);
	});
});

describe("the delegated credential's default scopes cover every operation", () => {
	/** The Scopes field's default, as the built credential shows it in n8n's dialog. */
	function defaultScopes(): string[] {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { MicrosoftGraphProvisioningOAuth2Api } = require(
			path.join(PACKAGE_ROOT, 'dist/credentials/MicrosoftGraphProvisioningOAuth2Api.credentials'),
		) as typeof import('../credentials/MicrosoftGraphProvisioningOAuth2Api.credentials');
		const field = new MicrosoftGraphProvisioningOAuth2Api().properties.find(
			(property: INodeProperties) => property.name === 'delegatedScopes',
		);
		return String(field?.default).split(/\s+/);
	}

	it('every entry of the permissions table is granted by them', () => {
		const scopes = defaultScopes();
		const uncovered = Object.entries(REQUIRED_ACCESS as Record<string, RequiredAccess>)
			// an entry naming no permission is one any valid token may call
			.filter(
				([, access]) =>
					access.delegated.length > 0 &&
					(access.allRequired
						? !access.delegated.every((permission) => scopes.includes(permission))
						: !access.delegated.some((permission) => scopes.includes(permission))),
			)
			.map(([name]) => name);
		expect(uncovered).toEqual([]);
		expect(scopes).toContain('offline_access');
	});

	it('an admin connected with them reads the provisioning logs (no 403)', async () => {
		const client = tenant.emulator.registerClientApp({
			displayName: 'n8n delegated defaults',
			secret: 'client-secret-Delegated-Defaults-8Rt!',
		}) as Parameters<typeof oauth2Credential>[1];
		clientSecrets.push(client.secret);
		const admin = tenant.emulator.registerUser({
			upn: 'defaults.admin@contoso.onmicrosoft.com',
			directoryRoles: ['Application Administrator'],
		});
		const credential = oauth2Credential(tenant, client, admin.upn, defaultScopes());
		const result = await runNode({
			parameters: {
				authentication: 'oAuth2',
				resource: 'provisioningLog',
				operation: 'getMany',
				returnAll: true,
				options: {},
			},
			credential,
		});
		results.push(result);
		bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2]));
		expect(result.error).toBeUndefined();
		expect(graphCalls(tenant.emulator).map((call) => call.status)).toEqual([200]);
	});
});

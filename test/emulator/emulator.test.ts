/**
 * The emulator over real sockets: Node's fetch against Graph, @azure/identity (MSAL) against the
 * login and managed identity listeners.
 */
import {
	ClientCertificateCredential,
	ClientSecretCredential,
	ManagedIdentityCredential,
	WorkloadIdentityCredential,
} from '@azure/identity';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { Emulator, startEmulator } from '../../dev/emulator';
import { TokenBucket } from '../../dev/emulator/capacity';

let emulator: Emulator;
let dir: string;
let client: { clientId: string; secret?: string };
let target: { id: string; appId: string };
let token: string;
const defaultCas = tls.getCACertificates('default');

const decode = (jwt: string) =>
	JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<
		string,
		unknown
	>;

interface GraphError {
	error: { code: string; message: string; innerError: Record<string, string> };
}
interface EntraError {
	error: string;
	error_description: string;
	error_codes: number[];
}
interface TokenResponse {
	token_type: string;
	access_token: string;
	refresh_token: string;
	id_token?: string;
}
interface ODataList {
	value: Array<Record<string, unknown>>;
	'@odata.nextLink'?: string;
}
const read = <T>(res: Response) => res.json() as Promise<T>;
const options = () => ({ authorityHost: emulator.authorityUrl, disableInstanceDiscovery: true });
const scope = () => `${emulator.graphUrl}/.default`;

function graph(
	path: string,
	init: RequestInit & { token?: string | null } = {},
): Promise<Response> {
	const headers = new Headers(init.headers);
	const bearer = init.token === undefined ? token : init.token;
	if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
	if (init.body !== undefined && !headers.has('Content-Type'))
		headers.set('Content-Type', 'application/json');
	return fetch(`${emulator.graphUrl}${path}`, { ...init, headers });
}

function acquire(
	kind: string,
	id: string,
	credentials: unknown,
	init: { token?: string | null } = {},
): Promise<Response> {
	return graph(`/v1.0/${kind}/${id}/synchronization/acquireAccessToken`, {
		method: 'POST',
		body: JSON.stringify({ credentials }),
		...init,
	});
}

beforeAll(async () => {
	emulator = await startEmulator({ randomSeed: 20260206 });
	tls.setDefaultCACertificates([...defaultCas, emulator.caCertPem]);
	dir = mkdtempSync(join(tmpdir(), 'entra-emulator-'));
	client = emulator.registerClientApp({
		displayName: 'n8n',
		secret: 'Xy8Q~client-secret',
		applicationPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
	});
	target = emulator.addServicePrincipal({ displayName: 'Contoso HR SCIM App' });
	token = (
		await new ClientSecretCredential(
			emulator.tenantId,
			client.clientId,
			'Xy8Q~client-secret',
			options(),
		).getToken(scope())
	).token;
});

afterAll(async () => {
	tls.setDefaultCACertificates(defaultCas);
	await emulator?.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('sign-in (login listener)', () => {
	test('ClientSecretCredential gets a Graph app token with the granted roles', () => {
		const claims = decode(token);
		expect(claims).toMatchObject({
			aud: emulator.graphUrl,
			iss: `https://sts.windows.net/${emulator.tenantId}/`,
			tid: emulator.tenantId,
			appid: client.clientId,
			idtyp: 'app',
			roles: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
		});
		expect(Number(claims.exp) - Number(claims.iat)).toBe(3599);
		const discovery = emulator.requests.find(
			(r) => r.listener === 'login' && r.path.endsWith('/v2.0/.well-known/openid-configuration'),
		);
		expect(discovery?.status).toBe(200);
	});

	test('ClientCertificateCredential signs in with a registered certificate (x5t#S256, PS256) and with x5c', async () => {
		const cert = await emulator.createClientCertificate();
		const app = emulator.registerClientApp({
			certificatePem: cert.certificatePem,
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		const path = join(dir, 'client.pem');
		writeFileSync(path, cert.pem);
		for (const sendCertificateChain of [false, true]) {
			const credential = new ClientCertificateCredential(
				emulator.tenantId,
				app.clientId,
				{ certificatePath: path },
				{ ...options(), sendCertificateChain },
			);
			expect(decode((await credential.getToken(scope())).token)).toMatchObject({
				appid: app.clientId,
				appidacr: '2',
			});
		}
		const assertion =
			new URLSearchParams(
				emulator.requests.filter((r) => r.listener === 'login' && r.method === 'POST').at(-1)?.body,
			).get('client_assertion') ?? '';
		expect(JSON.parse(Buffer.from(assertion.split('.')[0], 'base64url').toString())).toMatchObject({
			alg: 'PS256',
			'x5t#S256': expect.any(String),
			x5c: expect.any(Array),
		});

		const unregistered = await emulator.createClientCertificate();
		writeFileSync(path, unregistered.pem);
		const rejected = new ClientCertificateCredential(
			emulator.tenantId,
			app.clientId,
			{ certificatePath: path },
			options(),
		);
		await expect(rejected.getToken(scope())).rejects.toThrow(/AADSTS700027/);
	});

	test('instance discovery and the authorize error page answer as Entra does', async () => {
		const authorizeUrl = `${emulator.authorityUrl}/${emulator.tenantId}/oauth2/v2.0/authorize`;
		const discovery = await fetch(
			`${emulator.authorityUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorizeUrl)}`,
		);
		expect(await discovery.json()).toMatchObject({
			tenant_discovery_endpoint: `${emulator.authorityUrl}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`,
			metadata: [{ aliases: [new URL(emulator.authorityUrl).host] }],
		});
		const page = await fetch(
			`${authorizeUrl}?client_id=00000000-1111-2222-3333-444444444444&response_type=code&scope=openid&redirect_uri=http://127.0.0.1/cb`,
		);
		expect(page.headers.get('content-type')).toMatch(/^text\/html/);
		expect(await page.text()).toContain('AADSTS700016');
	});

	test('Entra errors: wrong secret, unknown client, unknown tenant, foreign resource', async () => {
		await expect(
			new ClientSecretCredential(emulator.tenantId, client.clientId, 'wrong', options()).getToken(
				scope(),
			),
		).rejects.toThrow(/AADSTS7000215/);

		const post = (tenant: string, form: Record<string, string>) =>
			fetch(`${emulator.authorityUrl}/${tenant}/oauth2/v2.0/token`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams(form),
			});
		const form = {
			grant_type: 'client_credentials',
			client_id: client.clientId,
			client_secret: 'Xy8Q~client-secret',
			scope: scope(),
		};

		let res = await post(emulator.tenantId, {
			...form,
			client_id: '00000000-1111-2222-3333-444444444444',
		});
		let body = await read<EntraError>(res);
		expect(res.status).toBe(400);
		expect(body).toMatchObject({
			error: 'unauthorized_client',
			error_codes: [700016],
			trace_id: expect.any(String),
			correlation_id: expect.any(String),
			timestamp: expect.any(String),
		});
		expect(body.error_description).toMatch(/^AADSTS700016: /);

		res = await post('11111111-2222-3333-4444-555555555555', form);
		expect(res.status).toBe(400);
		expect((await read<EntraError>(res)).error_codes).toEqual([90002]);

		res = await post(emulator.tenantId, { ...form, scope: 'https://graph.microsoft.com/.default' });
		body = await read<EntraError>(res);
		expect(res.status).toBe(400);
		expect(body).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
	});

	test('WorkloadIdentityCredential exchanges a federated token; a subject mismatch gets AADSTS70021', async () => {
		const app = emulator.registerClientApp({
			federatedCredential: {
				issuer: emulator.federatedIssuer,
				subject: 'system:serviceaccount:n8n:worker',
			},
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		const file = join(dir, 'federated-token');
		writeFileSync(
			file,
			emulator.issueFederatedToken({ subject: 'system:serviceaccount:n8n:worker' }),
		);
		const credential = new WorkloadIdentityCredential({
			tenantId: emulator.tenantId,
			clientId: app.clientId,
			tokenFilePath: file,
			...options(),
		});
		expect(decode((await credential.getToken(scope())).token).appid).toBe(app.clientId);

		writeFileSync(
			file,
			emulator.issueFederatedToken({ subject: 'system:serviceaccount:other:worker' }),
		);
		const mismatch = new WorkloadIdentityCredential({
			tenantId: emulator.tenantId,
			clientId: app.clientId,
			tokenFilePath: file,
			...options(),
		});
		await expect(mismatch.getToken(scope())).rejects.toThrow(/AADSTS70021/);
	});

	test('ManagedIdentityCredential through App Service IDENTITY_ENDPOINT / IDENTITY_HEADER', async () => {
		const identity = emulator.setManagedIdentity({
			applicationPermissions: ['Synchronization.ReadWrite.All'],
		});
		const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
		process.env.IDENTITY_ENDPOINT = emulator.managedIdentityEndpoint;
		process.env.IDENTITY_HEADER = emulator.managedIdentityHeader;
		try {
			const miToken = (await new ManagedIdentityCredential().getToken(scope())).token;
			expect(decode(miToken)).toMatchObject({
				appid: identity.clientId,
				oid: identity.principalId,
				roles: ['Synchronization.ReadWrite.All'],
			});
			const request = emulator.requests.filter((r) => r.listener === 'managedIdentity').at(-1);
			expect(request?.headers['x-identity-header']).toBe(emulator.managedIdentityHeader);
			expect(Object.fromEntries(request?.query ?? [])).toEqual({
				'api-version': '2019-08-01',
				resource: emulator.graphUrl,
			});
			expect((await acquire('servicePrincipals', target.id, [], { token: miToken })).status).toBe(
				204,
			);
		} finally {
			for (const [name, value] of [
				['IDENTITY_ENDPOINT', saved.endpoint],
				['IDENTITY_HEADER', saved.header],
			] as const) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
		}
		const wrongHeader = await fetch(
			`${emulator.managedIdentityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(emulator.graphUrl)}`,
			{ headers: { 'X-IDENTITY-HEADER': 'nope' } },
		);
		expect(wrongHeader.status).toBe(401);
		const unknownUami = await fetch(
			`${emulator.managedIdentityEndpoint}?api-version=2019-08-01&resource=x&client_id=${target.appId}`,
			{ headers: { 'X-IDENTITY-HEADER': emulator.managedIdentityHeader } },
		);
		expect(unknownUami.status).toBe(400);
		expect((await read<{ message: string }>(unknownUami)).message).toBe(
			'Unable to load the proper Managed Identity.',
		);
	});

	test('authorization code flow: auto-consent redirect, code redemption, refresh', async () => {
		const web = emulator.registerClientApp({
			secret: 'web-secret',
			redirectUris: ['http://127.0.0.1:5678/rest/oauth2-credential/callback'],
		});
		emulator.registerUser({
			upn: 'admin@contoso.onmicrosoft.com',
			directoryRoles: ['Application Administrator'],
		});
		const authorize = new URL(`${emulator.authorityUrl}/organizations/oauth2/v2.0/authorize`);
		for (const [k, v] of Object.entries({
			client_id: web.clientId,
			redirect_uri: 'http://127.0.0.1:5678/rest/oauth2-credential/callback',
			response_type: 'code',
			scope: 'openid offline_access Synchronization.ReadWrite.All',
			state: 'xyz',
			login_hint: 'admin@contoso.onmicrosoft.com',
		})) {
			authorize.searchParams.set(k, v);
		}
		const redirect = await fetch(authorize, { redirect: 'manual' });
		expect(redirect.status).toBe(302);
		const location = new URL(redirect.headers.get('location') ?? '');
		expect(location.searchParams.get('state')).toBe('xyz');

		const tokenUrl = `${emulator.authorityUrl}/organizations/oauth2/v2.0/token`;
		const form = (f: Record<string, string>) => ({
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(f),
		});
		const redeemed = await fetch(
			tokenUrl,
			form({
				grant_type: 'authorization_code',
				code: location.searchParams.get('code') ?? '',
				redirect_uri: 'http://127.0.0.1:5678/rest/oauth2-credential/callback',
				client_id: web.clientId,
				client_secret: 'web-secret',
			}),
		);
		const tokens = await read<TokenResponse>(redeemed);
		expect(redeemed.status).toBe(200);
		expect(tokens).toMatchObject({
			token_type: 'Bearer',
			refresh_token: expect.any(String),
			id_token: expect.any(String),
		});
		expect(decode(tokens.access_token)).toMatchObject({
			scp: 'Synchronization.ReadWrite.All',
			wids: expect.arrayContaining(['9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3']),
		});
		expect(
			(await acquire('servicePrincipals', target.id, [], { token: tokens.access_token })).status,
		).toBe(204);
		emulator.registerUser({ upn: 'reader@contoso.onmicrosoft.com', directoryRoles: [] });
		const noRole = emulator.issueUserTokens({
			upn: 'reader@contoso.onmicrosoft.com',
			clientId: web.clientId,
			scopes: ['Synchronization.ReadWrite.All'],
		});
		expect(
			(await acquire('servicePrincipals', target.id, [], { token: noRole.access_token })).status,
		).toBe(403);

		const refreshed = await fetch(
			tokenUrl,
			form({
				grant_type: 'refresh_token',
				refresh_token: tokens.refresh_token,
				client_id: web.clientId,
				client_secret: 'web-secret',
			}),
		);
		expect(refreshed.status).toBe(200);
		expect((await read<TokenResponse>(refreshed)).access_token).toEqual(expect.any(String));
	});
});

describe('Graph listener', () => {
	test('acquireAccessToken: 204, empty body, pairs stored, Graph headers', async () => {
		const credentials = [
			{
				'@odata.type': 'microsoft.graph.synchronizationSecretKeyStringValuePair',
				key: 'BaseAddress',
				value: 'https://scim.example.test/scim',
			},
			{ key: 'SecretToken', value: 'scim-bearer-token' },
		];
		const res = await graph(
			`/v1.0/servicePrincipals/${target.id}/synchronization/acquireAccessToken`,
			{
				method: 'POST',
				headers: { 'client-request-id': 'abc-123' },
				body: JSON.stringify({ credentials }),
			},
		);
		expect(res.status).toBe(204);
		expect(await res.text()).toBe('');
		expect(res.headers.get('client-request-id')).toBe('abc-123');
		expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
		expect(res.headers.get('date')).toBeTruthy();
		expect(emulator.getSynchronizationSecrets('servicePrincipals', target.id)).toEqual([
			{ key: 'BaseAddress', value: 'https://scim.example.test/scim' },
			{ key: 'SecretToken', value: 'scim-bearer-token' },
		]);
		expect(
			emulator.requests.some((r) => r.listener === 'graph' && r.body.includes('scim-bearer-token')),
		).toBe(true);
	});

	test('401 without a token, with an expired one, or one for another audience', async () => {
		let res = await acquire('servicePrincipals', target.id, [], { token: null });
		expect(res.status).toBe(401);
		const body = await read<GraphError>(res);
		expect(body.error).toMatchObject({
			code: 'InvalidAuthenticationToken',
			message: 'Access token is empty.',
		});
		expect(body.error.innerError).toEqual({
			date: expect.any(String),
			'request-id': res.headers.get('request-id'),
			'client-request-id': res.headers.get('client-request-id'),
		});

		res = await acquire('servicePrincipals', target.id, [], {
			token: emulator.createAccessToken({ clientId: client.clientId, lifetimeSeconds: -60 }),
		});
		expect(res.status).toBe(401);
		expect((await read<GraphError>(res)).error.message).toBe(
			'Access token has expired or is not yet valid.',
		);

		res = await acquire('servicePrincipals', target.id, [], {
			token: emulator.createAccessToken({
				clientId: client.clientId,
				audience: 'https://graph.microsoft.com',
			}),
		});
		expect((await read<GraphError>(res)).error.message).toBe(
			'Access token validation failure. Invalid audience.',
		);
	});

	test('404 for an appId or unknown id, 400 for a bad key, 403 without the permission', async () => {
		let res = await acquire('servicePrincipals', target.appId, []);
		expect(res.status).toBe(404);
		expect((await read<GraphError>(res)).error).toMatchObject({
			code: 'Request_ResourceNotFound',
			message: `Resource '${target.appId}' does not exist or one of its queried reference-property objects are not present.`,
		});

		res = await acquire('servicePrincipals', target.id, [{ key: 'secretToken', value: 'x' }]);
		expect(res.status).toBe(400);
		expect((await read<GraphError>(res)).error.code).toBe('BadRequest');

		const reader = emulator.createAccessToken({
			clientId: client.clientId,
			roles: ['Application.Read.All'],
		});
		res = await acquire('servicePrincipals', target.id, [], { token: reader });
		expect(res.status).toBe(403);
		expect((await read<GraphError>(res)).error).toMatchObject({
			code: 'Authorization_RequestDenied',
			message: 'Insufficient privileges to complete the operation.',
		});

		res = await graph('/v1.0/servicePrincipals/nope/synchronization/foo', {
			method: 'POST',
			body: '{}',
		});
		expect(res.status).toBe(400);
		expect((await read<GraphError>(res)).error.message).toBe(
			"Resource not found for the segment 'foo'.",
		);
	});

	test('lists page through @odata.nextLink with $top, startswith filter and $select; alternate key lookup', async () => {
		const created = [
			'Payroll Alpha',
			"Payroll O'Brien",
			'payroll beta',
			'Payroll Gamma',
			'Payroll Delta',
		].map((displayName) => emulator.addApplication({ displayName }));
		emulator.addApplication({ displayName: 'Unrelated' });
		let url: string | undefined =
			`/v1.0/applications?$select=id,appId,displayName&$top=2&$filter=${encodeURIComponent("startswith(displayName,'payroll')")}`;
		const seen: Array<Record<string, unknown>> = [];
		let pages = 0;
		while (url) {
			const res = await graph(url);
			expect(res.status).toBe(200);
			const page = await read<ODataList>(res);
			expect(page.value.length).toBeLessThanOrEqual(2);
			seen.push(...page.value);
			pages++;
			url = page['@odata.nextLink']?.slice(emulator.graphUrl.length);
		}
		expect(pages).toBe(3);
		expect(seen.map((a) => a.id)).toEqual(created.map((a) => a.id));
		expect(Object.keys(seen[0])).toEqual(['id', 'appId', 'displayName']);

		const quoted = await graph(
			`/v1.0/applications?$filter=${encodeURIComponent("displayName eq 'Payroll O''Brien'")}`,
		);
		expect((await read<ODataList>(quoted)).value.map((a) => a.id)).toEqual([created[1].id]);

		const byAppId = await graph(`/v1.0/applications(appId='${created[0].appId}')?$select=id`);
		expect(await byAppId.json()).toMatchObject({ id: created[0].id });
	});

	test('faults: 429 with Retry-After once, then normal; connection reset; proxy HTML', async () => {
		const fault = emulator.injectFault({
			listener: 'graph',
			method: 'POST',
			path: '/v1.0/servicePrincipals',
			count: 1,
			status: 429,
			headers: { 'Retry-After': '2' },
		});
		let res = await acquire('servicePrincipals', target.id, []);
		expect(res.status).toBe(429);
		expect(res.headers.get('retry-after')).toBe('2');
		expect((await read<GraphError>(res)).error.code).toBe('TooManyRequests');
		expect((await acquire('servicePrincipals', target.id, [])).status).toBe(204);
		expect(fault.hits).toBe(1);

		emulator.injectFault({
			listener: 'graph',
			path: /acquireAccessToken$/,
			count: 1,
			reset: 'immediately',
		});
		await expect(acquire('servicePrincipals', target.id, [])).rejects.toThrow();

		emulator.injectFault({
			listener: 'graph',
			count: 1,
			status: 502,
			headers: { 'Content-Type': 'text/html' },
			body: '<html><body>502 Bad Gateway</body></html>',
		});
		res = await acquire('servicePrincipals', target.id, []);
		expect(res.status).toBe(502);
		expect(await res.text()).toContain('Bad Gateway');
		emulator.clearFaults();
		expect(emulator.stats().faultsTriggered).toBeGreaterThanOrEqual(3);
	});

	test('faults: mid-response reset after the state changed; a delay beyond the client timeout; probability; latency', async () => {
		const other = emulator.addApplication({ displayName: 'Reset target' });
		emulator.injectFault({ listener: 'graph', method: 'POST', count: 1, reset: 'mid-response' });
		await expect(
			acquire('applications', other.id, [{ key: 'SecretToken', value: 'lost-response' }]).then(
				(r) => r.text(),
			),
		).rejects.toThrow();
		expect(emulator.getSynchronizationSecrets('applications', other.id)).toEqual([
			{ key: 'SecretToken', value: 'lost-response' },
		]);

		const slow = emulator.injectFault({ listener: 'graph', count: 1, delayMs: 1000 });
		await expect(
			graph('/v1.0/applications?$top=1', { signal: AbortSignal.timeout(100) }),
		).rejects.toThrow();
		expect(slow.hits).toBe(1);

		const sometimes = emulator.injectFault({
			listener: 'graph',
			path: '/v1.0/servicePrincipals',
			probability: 0.5,
			status: 503,
		});
		const statuses = await Promise.all(
			Array.from({ length: 40 }, () =>
				graph('/v1.0/servicePrincipals?$top=1').then((r) => r.status),
			),
		);
		expect(statuses.filter((x) => x === 503).length).toBe(sometimes.hits);
		expect(sometimes.hits).toBeGreaterThan(5);
		expect(sometimes.hits).toBeLessThan(35);
		emulator.clearFaults();

		// a fault with its own seed draws the same sequence whatever ran before it
		const drawn: number[][] = [];
		for (let round = 0; round < 2; round++) {
			await graph('/v1.0/servicePrincipals?$top=1');
			emulator.injectFault({
				listener: 'graph',
				path: '/v1.0/servicePrincipals',
				probability: 0.3,
				status: 429,
				seed: 7,
			});
			const sequence: number[] = [];
			for (let call = 0; call < 20; call++)
				sequence.push((await graph('/v1.0/servicePrincipals?$top=1')).status);
			drawn.push(sequence);
			emulator.clearFaults();
		}
		expect(drawn[0]).toEqual(drawn[1]);
		expect(drawn[0]).toContain(429);
		expect(drawn[0]).toContain(200);

		emulator.setLatency({ graph: 150 });
		const started = Date.now();
		expect((await graph('/v1.0/servicePrincipals?$top=1')).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		emulator.setLatency({});
	});

	test('Application.ReadWrite.OwnedBy reaches only objects the caller owns', async () => {
		const owner = emulator.registerClientApp({
			applicationPermissions: ['Application.ReadWrite.OwnedBy'],
		});
		const owned = emulator.addServicePrincipal({
			displayName: 'Owned SCIM App',
			owners: [owner.clientId],
		});
		const ownedByToken = emulator.createAccessToken({ clientId: owner.clientId });
		expect((await acquire('servicePrincipals', owned.id, [], { token: ownedByToken })).status).toBe(
			204,
		);
		expect(
			(await acquire('servicePrincipals', target.id, [], { token: ownedByToken })).status,
		).toBe(403);
		const list = await read<ODataList>(
			await graph('/v1.0/servicePrincipals?$select=id', { token: ownedByToken }),
		);
		expect(list.value).toEqual([{ id: owned.id }]);
	});
});

describe('JSON batching', () => {
	interface BatchRequest {
		id: string;
		method: string;
		url: string;
		headers?: Record<string, string>;
		body?: unknown;
		dependsOn?: string[];
	}
	interface BatchResponse {
		id: string;
		status: number;
		headers?: Record<string, string>;
		body?: GraphError & Record<string, unknown>;
	}
	const unknownId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

	function batch(
		requests: BatchRequest[] | unknown,
		init: { token?: string | null; path?: string } = {},
	): Promise<Response> {
		return graph(init.path ?? '/v1.0/$batch', {
			method: 'POST',
			body: JSON.stringify({ requests }),
			token: init.token,
		});
	}

	function acquireRequest(
		id: string,
		kind: string,
		objectId: string,
		secretToken: string,
		extra: Partial<BatchRequest> = {},
	): BatchRequest {
		return {
			id,
			method: 'POST',
			url: `/${kind}/${objectId}/synchronization/acquireAccessToken`,
			headers: { 'Content-Type': 'application/json' },
			body: { credentials: [{ key: 'SecretToken', value: secretToken }] },
			...extra,
		};
	}

	async function responsesOf(res: Response): Promise<Map<string, BatchResponse>> {
		expect(res.status).toBe(200);
		const { responses } = await read<{ responses: BatchResponse[] }>(res);
		return new Map(responses.map((response) => [response.id, response]));
	}

	test('20 acquireAccessToken calls in one round trip: 204s and 404s matched by id, secrets stored, stats', async () => {
		const targets = Array.from({ length: 12 }, (_, i) =>
			i % 3 === 2
				? { kind: 'applications', ...emulator.addApplication({ displayName: `Batch app ${i}` }) }
				: {
						kind: 'servicePrincipals',
						...emulator.addServicePrincipal({ displayName: `Batch SP ${i}` }),
					},
		);
		const requests = Array.from({ length: 20 }, (_, i) =>
			i < targets.length
				? acquireRequest(String(i + 1), targets[i].kind, targets[i].id, `batched-${i}`)
				: acquireRequest(String(i + 1), 'servicePrincipals', unknownId(i), `unknown-${i}`),
		);
		const before = emulator.stats();
		const logged = emulator.requests.length;

		const res = await batch(requests);
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		const outerRequestId = res.headers.get('request-id');
		const { responses } = await read<{ responses: BatchResponse[] }>(res);
		expect(responses).toHaveLength(20);
		expect(responses.map((r) => r.id)).not.toEqual(requests.map((r) => r.id));
		const byId = new Map(responses.map((response) => [response.id, response]));
		const innerRequestIds = new Set<string>();
		for (const [i, request] of requests.entries()) {
			const response = byId.get(request.id);
			if (i < targets.length) {
				expect(response).toEqual({
					id: request.id,
					status: 204,
					headers: { 'Cache-Control': 'no-cache' },
				});
				expect(
					emulator.getSynchronizationSecrets(
						targets[i].kind as 'applications' | 'servicePrincipals',
						targets[i].id,
					),
				).toEqual([{ key: 'SecretToken', value: `batched-${i}` }]);
			} else {
				expect(response?.status).toBe(404);
				expect(response?.headers?.['Content-Type']).toBe('application/json');
				expect(response?.headers).not.toHaveProperty('request-id');
				expect(response?.body?.error.code).toBe('Request_ResourceNotFound');
				innerRequestIds.add(response?.body?.error.innerError['request-id'] ?? '');
			}
		}
		// each request of the batch has its own request-id, none of them the batch's
		expect(innerRequestIds.size).toBe(8);
		expect(innerRequestIds.has(outerRequestId ?? '')).toBe(false);

		const log = emulator.requests.slice(logged);
		expect(log.map((r) => r.path)).toEqual([
			'/v1.0/$batch',
			...requests.map((r) => `/v1.0${r.url}`),
		]);
		expect(log[1]).toMatchObject({
			listener: 'graph',
			method: 'POST',
			status: 204,
			body: JSON.stringify(requests[0].body),
		});
		expect(log[1].headers).toMatchObject({
			authorization: `Bearer ${token}`,
			'content-type': 'application/json',
		});
		expect(log[0].status).toBe(200);
		const after = emulator.stats();
		expect(after.batchRequests - before.batchRequests).toBe(1);
		expect(after.graphRequests - before.graphRequests).toBe(20);
		expect(after.byListener.graph - before.byListener.graph).toBe(1);
		expect(after.requests - before.requests).toBe(1);
	});

	test('/beta and %24batch, relative urls without a leading slash, a query string, client-request-id passed on', async () => {
		const res = await graph('/beta/%24batch', {
			method: 'POST',
			headers: { 'client-request-id': 'batch-client-id' },
			body: JSON.stringify({
				requests: [
					{ id: 'list', method: 'GET', url: 'servicePrincipals?$top=1&$select=id' },
					{ id: 'nope', method: 'GET', url: '/nothingHere' },
				],
			}),
		});
		const byId = await responsesOf(res);
		expect(byId.get('list')).toMatchObject({
			status: 200,
			headers: { 'Content-Type': expect.stringMatching(/^application\/json/) },
			body: { value: [{ id: expect.any(String) }] },
		});
		expect(byId.get('nope')?.status).toBe(400);
		expect(byId.get('nope')?.body?.error.innerError['client-request-id']).toBe('batch-client-id');
		expect(res.headers.get('client-request-id')).toBe('batch-client-id');
	});

	test('a malformed batch is refused whole with 400, and none of its requests runs', async () => {
		const untouched = emulator.addServicePrincipal({ displayName: 'Untouched by refused batches' });
		const ok = (id: string) =>
			acquireRequest(id, 'servicePrincipals', untouched.id, `refused-${id}`);
		const refused: Array<[unknown, RegExp]> = [
			[
				Array.from({ length: 21 }, (_, i) => ok(String(i + 1))),
				/^Number of requests exceeds the limit of 20\.$/,
			],
			[[ok('a'), ok('A')], /not unique/],
			[[ok('1'), { ...ok('2'), headers: {} }], /Content-Type/],
			[[ok('1'), { id: '2', method: 'GET' }], /id, a method and a url/],
			[[{ ...ok('1'), url: `${emulator.graphUrl}/v1.0/servicePrincipals` }], /absolute/],
			[
				[
					{
						id: '1',
						method: 'POST',
						url: '/$batch',
						headers: { 'Content-Type': 'application/json' },
						body: { requests: [] },
					},
				],
				/another \$batch/,
			],
			[[ok('1'), { ...ok('2'), dependsOn: ['3'] }], /not in the batch/],
			[
				[
					{ ...ok('1'), dependsOn: ['2'] },
					{ ...ok('2'), dependsOn: ['1'] },
				],
				/depends on itself/,
			],
			[[], /non-empty/],
		];
		for (const [requests, message] of refused) {
			const res = await batch(requests);
			expect(res.status).toBe(400);
			const body = await read<GraphError>(res);
			expect(body.error).toMatchObject({
				code: 'BadRequest',
				message: expect.stringMatching(message),
			});
			expect(body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
		}
		const invalidJson = await graph('/v1.0/$batch', { method: 'POST', body: '{"requests": [' });
		expect(invalidJson.status).toBe(400);
		expect((await read<GraphError>(invalidJson)).error.code).toBe('BadRequest');
		expect(emulator.getSynchronizationSecrets('servicePrincipals', untouched.id)).toBeNull();
		expect(emulator.requests.some((r) => r.path.includes(untouched.id))).toBe(false);
	});

	test('a bad outer token is a 401 for the whole batch, before its body is read', async () => {
		const expired = emulator.createAccessToken({ clientId: client.clientId, lifetimeSeconds: -60 });
		const res = await batch([acquireRequest('1', 'servicePrincipals', target.id, 'never')], {
			token: expired,
		});
		expect(res.status).toBe(401);
		expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
		expect((await read<GraphError>(res)).error).toMatchObject({
			code: 'InvalidAuthenticationToken',
			message: 'Access token has expired or is not yet valid.',
		});
		const garbage = await graph('/v1.0/$batch', { method: 'POST', body: 'not json', token: null });
		expect(garbage.status).toBe(401);
	});

	test('permissions are checked per request with the outer token', async () => {
		const reader = emulator.createAccessToken({
			clientId: client.clientId,
			roles: ['Application.Read.All'],
		});
		const byId = await responsesOf(
			await batch(
				[
					acquireRequest('write', 'servicePrincipals', target.id, 'denied'),
					{ id: 'read', method: 'GET', url: '/applications?$top=1' },
				],
				{ token: reader },
			),
		);
		expect(byId.get('write')?.status).toBe(403);
		expect(byId.get('write')?.body?.error.code).toBe('Authorization_RequestDenied');
		expect(byId.get('read')?.status).toBe(200);
	});

	test('faults hit requests inside the batch one by one: 429 with Retry-After while the others succeed', async () => {
		const sp = emulator.addServicePrincipal({ displayName: 'Throttled in a batch' });
		const counted = emulator.injectFault({
			listener: 'graph',
			method: 'POST',
			path: '/v1.0/servicePrincipals/',
			count: 2,
			status: 429,
			headers: { 'Retry-After': '3' },
		});
		const before = emulator.stats().faultsTriggered;
		const logged = emulator.requests.length;
		let byId = await responsesOf(
			await batch(
				Array.from({ length: 5 }, (_, i) =>
					acquireRequest(String(i + 1), 'servicePrincipals', sp.id, `throttled-${i}`),
				),
			),
		);
		const statuses = [...byId.values()].map((r) => r.status);
		expect(statuses.filter((s) => s === 429)).toHaveLength(2);
		expect(statuses.filter((s) => s === 204)).toHaveLength(3);
		for (const response of byId.values()) {
			if (response.status !== 429) continue;
			expect(response.headers).toMatchObject({
				'Retry-After': '3',
				'Content-Type': 'application/json',
			});
			expect(response.body?.error).toMatchObject({
				code: 'TooManyRequests',
				message: expect.stringContaining(emulator.tenantId),
			});
		}
		expect(counted.hits).toBe(2);
		expect(emulator.stats().faultsTriggered - before).toBe(2);
		const inner = emulator.requests.slice(logged + 1);
		expect(inner.filter((r) => r.fault === counted.id).map((r) => r.status)).toEqual([429, 429]);
		emulator.clearFaults();

		const sometimes = emulator.injectFault({
			listener: 'graph',
			path: /acquireAccessToken$/,
			probability: 0.4,
			seed: 11,
			status: 429,
			headers: { 'Retry-After': '1' },
		});
		byId = await responsesOf(
			await batch(
				Array.from({ length: 20 }, (_, i) =>
					acquireRequest(`p${i}`, 'servicePrincipals', sp.id, `probable-${i}`),
				),
			),
		);
		const throttled = [...byId.values()].filter((r) => r.status === 429);
		expect(throttled.length).toBe(sometimes.hits);
		expect(throttled.length).toBeGreaterThan(0);
		expect(throttled.length).toBeLessThan(20);
		expect(throttled.every((r) => r.headers?.['Retry-After'] === '1')).toBe(true);
		emulator.clearFaults();
	});

	test('a fault on the $batch itself answers the whole batch', async () => {
		const fault = emulator.injectFault({
			listener: 'graph',
			path: '/v1.0/$batch',
			count: 1,
			status: 503,
		});
		const res = await batch([acquireRequest('1', 'servicePrincipals', target.id, 'whole-batch')]);
		expect(res.status).toBe(503);
		expect((await read<GraphError>(res)).error.code).toBe('serviceNotAvailable');
		expect(fault.hits).toBe(1);
	});

	test('dependsOn: a request waits for those it depends on, and gets 424 without running when one failed', async () => {
		const sp = emulator.addServicePrincipal({ displayName: 'Sequenced in a batch' });
		const spared = emulator.addServicePrincipal({ displayName: 'Spared by a failed dependency' });
		// '3' is slowed down: if '4' did not wait for it, '3' would write last
		const slow = emulator.injectFault({
			listener: 'graph',
			path: `/v1.0/servicePrincipals/${sp.id}`,
			count: 1,
			delayMs: 300,
		});
		const logged = emulator.requests.length;
		const byId = await responsesOf(
			await batch([
				acquireRequest('1', 'servicePrincipals', unknownId(99), 'missing'),
				acquireRequest('2', 'servicePrincipals', spared.id, 'must-not-run', { dependsOn: ['1'] }),
				acquireRequest('3', 'servicePrincipals', sp.id, 'first'),
				acquireRequest('4', 'servicePrincipals', sp.id, 'second', { dependsOn: ['3'] }),
			]),
		);
		expect(slow.hits).toBe(1);
		expect([...byId.entries()].map(([id, r]) => [id, r.status]).sort()).toEqual([
			['1', 404],
			['2', 424],
			['3', 204],
			['4', 204],
		]);
		expect(byId.get('2')?.body?.error.code).toBe('FailedDependency');
		expect(emulator.getSynchronizationSecrets('servicePrincipals', sp.id)).toEqual([
			{ key: 'SecretToken', value: 'second' },
		]);
		expect(emulator.getSynchronizationSecrets('servicePrincipals', spared.id)).toBeNull();
		expect(emulator.requests.slice(logged).find((r) => r.path.includes(spared.id))?.status).toBe(
			424,
		);
	});

	test('a reset fault inside the batch breaks the batch connection; mid-response after the state changed', async () => {
		const sp = emulator.addServicePrincipal({ displayName: 'Reset in a batch' });
		emulator.injectFault({
			listener: 'graph',
			path: /acquireAccessToken$/,
			count: 1,
			reset: 'immediately',
		});
		await expect(
			batch([
				acquireRequest('1', 'servicePrincipals', sp.id, 'lost'),
				{ id: '2', method: 'GET', url: '/applications?$top=1' },
			]),
		).rejects.toThrow();
		expect(emulator.getSynchronizationSecrets('servicePrincipals', sp.id)).toBeNull();

		emulator.injectFault({
			listener: 'graph',
			path: /acquireAccessToken$/,
			count: 1,
			reset: 'mid-response',
		});
		await expect(
			batch([acquireRequest('1', 'servicePrincipals', sp.id, 'applied-but-unanswered')]).then((r) =>
				r.text(),
			),
		).rejects.toThrow();
		expect(emulator.getSynchronizationSecrets('servicePrincipals', sp.id)).toEqual([
			{ key: 'SecretToken', value: 'applied-but-unanswered' },
		]);
		const outer = emulator.requests.filter((r) => r.path === '/v1.0/$batch').at(-1);
		expect(outer?.status).toBe(0);
		emulator.clearFaults();
	});

	test('calls in flight: a batch counts its calls until it is answered; a reset meanwhile keeps the count whole', async () => {
		emulator.setLatency({ graph: 400 });
		try {
			// an earlier test's broken connection may still be winding down at the emulator
			for (
				const deadline = Date.now() + 2000;
				emulator.stats().graphCallsInFlight > 0 && Date.now() < deadline;
			) {
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
			emulator.resetStats();
			const first = batch(
				Array.from({ length: 5 }, (_, i) =>
					acquireRequest(String(i), 'servicePrincipals', target.id, `in-flight-${i}`),
				),
			);
			const second = graph(
				`/v1.0/servicePrincipals/${target.id}/synchronization/acquireAccessToken`,
				{
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify({ credentials: [{ key: 'SecretToken', value: 'in-flight-alone' }] }),
				},
			);
			await new Promise((resolve) => setTimeout(resolve, 150));
			expect(emulator.stats().graphCallsInFlight).toBe(6);
			emulator.resetStats();
			expect(emulator.stats()).toMatchObject({
				graphCallsInFlight: 6,
				peakGraphCallsInFlight: 6,
				graphRequests: 0,
			});
			await responsesOf(await first);
			expect((await second).status).toBe(204);
			expect(emulator.stats()).toMatchObject({ graphCallsInFlight: 0, peakGraphCallsInFlight: 6 });
		} finally {
			emulator.setLatency({});
		}
	});

	test('capacity: calls beyond what Graph works on at once are answered 429 with a Retry-After, alone and in a batch', async () => {
		emulator.setLatency({ graph: 300 });
		emulator.setGraphCapacity({ callsAtOnce: 3, retryAfterSeconds: 2 });
		try {
			// a call of an earlier test still winding down would hold a place
			for (
				const deadline = Date.now() + 2000;
				emulator.stats().graphCallsInFlight > 0 && Date.now() < deadline;
			) {
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
			emulator.resetStats();
			const held = batch(
				Array.from({ length: 5 }, (_, i) =>
					acquireRequest(String(i), 'servicePrincipals', target.id, `capacity-${i}`),
				),
			);
			for (
				const deadline = Date.now() + 2000;
				emulator.stats().graphCallsInFlight < 5 && Date.now() < deadline;
			) {
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
			// the batch holds all three places: a call alone is refused at once
			const alone = await acquire('servicePrincipals', target.id, [
				{ key: 'SecretToken', value: 'capacity-alone' },
			]);
			expect(alone.status).toBe(429);
			expect(alone.headers.get('retry-after')).toBe('2');
			expect((await read<{ error: { code: string } }>(alone)).error.code).toBe('TooManyRequests');

			const byId = await responsesOf(await held);
			const statuses = [...byId.values()].map((response) => response.status).sort();
			expect(statuses).toEqual([204, 204, 204, 429, 429]);
			expect(
				[...byId.values()]
					.filter((response) => response.status === 429)
					.every((response) => response.headers?.['Retry-After'] === '2'),
			).toBe(true);
			expect(emulator.stats().capacityRefusals).toBe(3);

			// answered calls free their places
			expect(
				(
					await acquire('servicePrincipals', target.id, [
						{ key: 'SecretToken', value: 'capacity-after' },
					])
				).status,
			).toBe(204);
			emulator.setGraphCapacity(undefined);
			const unlimited = await responsesOf(
				await batch(
					Array.from({ length: 5 }, (_, i) =>
						acquireRequest(String(i), 'servicePrincipals', target.id, `unlimited-${i}`),
					),
				),
			);
			expect([...unlimited.values()].every((response) => response.status === 204)).toBe(true);
		} finally {
			emulator.setGraphCapacity(undefined);
			emulator.setLatency({});
		}
	});

	test('capacity: calls beyond a rate are answered 429 with the seconds until the window has room', async () => {
		emulator.setGraphCapacity({ rate: { calls: 3, windowMs: 2_000 } });
		try {
			emulator.resetStats();
			const statuses: number[] = [];
			const retryAfter: Array<string | null> = [];
			for (let call = 0; call < 5; call++) {
				const response = await acquire('servicePrincipals', target.id, [
					{ key: 'SecretToken', value: `rate-${call}` },
				]);
				statuses.push(response.status);
				retryAfter.push(response.headers.get('retry-after'));
			}
			expect(statuses).toEqual([204, 204, 204, 429, 429]);
			expect(retryAfter.slice(3)).toEqual(['2', '2']);
			expect(emulator.stats().capacityRefusals).toBe(2);
			// refused calls take no place in the window
			expect(emulator.getSynchronizationSecrets('servicePrincipals', target.id)).toEqual([
				{ key: 'SecretToken', value: 'rate-2' },
			]);
		} finally {
			emulator.setGraphCapacity(undefined);
		}
		expect(
			(
				await acquire('servicePrincipals', target.id, [
					{ key: 'SecretToken', value: 'rate-lifted' },
				])
			).status,
		).toBe(204);
	});

	test('capacity: a token bucket takes a burst, then calls at its rate, and answers 429 with the seconds until the next fits', async () => {
		emulator.setGraphCapacity({ bucket: { burst: 3, perSecond: 2 } });
		try {
			emulator.resetStats();
			const answers: Array<[number, string | null]> = [];
			for (let call = 0; call < 5; call++) {
				const response = await acquire('servicePrincipals', target.id, [
					{ key: 'SecretToken', value: `bucket-${call}` },
				]);
				answers.push([response.status, response.headers.get('retry-after')]);
			}
			expect(answers).toEqual([
				[204, null],
				[204, null],
				[204, null],
				[429, '1'],
				[429, '1'],
			]);
			expect(emulator.stats().capacityRefusals).toBe(2);
			// half a second refills one call at 2 a second
			await new Promise((resolve) => setTimeout(resolve, 550));
			expect(
				(
					await acquire('servicePrincipals', target.id, [
						{ key: 'SecretToken', value: 'bucket-refilled' },
					])
				).status,
			).toBe(204);
		} finally {
			emulator.setGraphCapacity(undefined);
		}
	});

	test('token bucket: refills at its rate up to its burst, never beyond', () => {
		const bucket = new TokenBucket(100, 50, 0);
		const admitted = (now: number, calls: number) =>
			Array.from({ length: calls }, () => bucket.take(now)).filter((wait) => wait === undefined)
				.length;
		expect(admitted(0, 150)).toBe(100);
		// 50 a second: 10 calls in 200 ms, and a refusal waits the whole second Graph's Retry-After counts in
		expect(admitted(200, 20)).toBe(10);
		expect(bucket.take(200)).toBe(1);
		// a long pause fills it to the burst only
		expect(admitted(60_000, 150)).toBe(100);
		expect(() => new TokenBucket(0, 50)).toThrow(/burst/);
	});

	test('latency jitter: each call takes the latency spread by up to ± the share, drawn per call', async () => {
		emulator.setLatency({ graph: 200, jitter: 0.5 });
		try {
			const took: number[] = [];
			for (let call = 0; call < 10; call++) {
				const started = performance.now();
				expect(
					(
						await acquire('servicePrincipals', target.id, [
							{ key: 'SecretToken', value: `jitter-${call}` },
						])
					).status,
				).toBe(204);
				took.push(performance.now() - started);
			}
			expect(Math.min(...took)).toBeGreaterThanOrEqual(95);
			expect(Math.max(...took) - Math.min(...took)).toBeGreaterThan(40);
			expect(() => emulator.setLatency({ graph: 200, jitter: 1 })).toThrow(/jitter/);
		} finally {
			emulator.setLatency({});
		}
	});

	test('latency: a batch takes as long as its slowest request, not the sum', async () => {
		emulator.setLatency({ graph: 200 });
		try {
			const started = Date.now();
			const byId = await responsesOf(
				await batch(
					Array.from({ length: 20 }, (_, i) =>
						acquireRequest(String(i), 'servicePrincipals', target.id, `timed-${i}`),
					),
				),
			);
			const elapsed = Date.now() - started;
			expect([...byId.values()].every((r) => r.status === 204)).toBe(true);
			expect(elapsed).toBeGreaterThanOrEqual(190);
			expect(elapsed).toBeLessThan(1000);

			// a dependsOn chain runs one after the other
			const chained = Date.now();
			await responsesOf(
				await batch([
					acquireRequest('a', 'servicePrincipals', target.id, 'a'),
					acquireRequest('b', 'servicePrincipals', target.id, 'b', { dependsOn: ['a'] }),
				]),
			);
			expect(Date.now() - chained).toBeGreaterThanOrEqual(390);
		} finally {
			emulator.setLatency({});
		}
	});
});

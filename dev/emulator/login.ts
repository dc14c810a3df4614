/**
 * The Microsoft Entra ID (login.microsoftonline.com) listener: OIDC metadata, JWKS, instance
 * discovery, the v2.0 token endpoint (client credentials; authorization code; refresh token;
 * password) and the authorize page (auto-consent). Client authentication is in client-auth.ts,
 * Entra's error format in login-common.ts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { authenticateClient, parseBasicAuth, safeEqual } from './client-auth';
import type { ClientApp, User } from './directory';
import {
	Ctx,
	entraError,
	entraTimestamp,
	errorPage,
	escapeHtml,
	graphAudience,
	html,
	json,
	LoginEnvironment,
	matchTenant,
	missingParameter,
	resourceNotFound,
	tenantDisplayName,
	unknownClient,
} from './login-common';
import type { Exchange, Reply } from './exchange';

export { FederatedIssuer, graphAudience } from './login-common';

export type { LoginEnvironment } from './login-common';

const CODE_LIFETIME_MS = 10 * 60 * 1000;

export function createLoginHandler(env: LoginEnvironment): (ex: Exchange) => Reply {
	return (ex) => {
		const sentCorrelation = ex.headers['client-request-id'];
		const base = {
			ex,
			env,
			traceId: randomUUID(),
			correlationId:
				(Array.isArray(sentCorrelation) ? sentCorrelation[0] : sentCorrelation) || randomUUID(),
		};
		const path = ex.url.pathname;
		if (ex.method === 'GET' && path.toLowerCase() === '/common/discovery/instance') {
			return instanceDiscovery({ ...base, tenantSegment: 'common' });
		}
		if (ex.method === 'GET' && path === '/external-issuer/.well-known/openid-configuration') {
			const url = env.federatedIssuer.url;
			return json(200, {
				issuer: url,
				jwks_uri: `${url}/keys`,
				response_types_supported: ['id_token'],
				subject_types_supported: ['public'],
				id_token_signing_alg_values_supported: ['RS256'],
			});
		}
		if (ex.method === 'GET' && path === '/external-issuer/keys') {
			return json(200, { keys: [env.federatedIssuer.key.jwk()] });
		}
		if (ex.method === 'GET' && path === '/error') {
			return html(
				200,
				errorPage(
					`AADSTS${ex.url.searchParams.get('code') ?? ''}`,
					'See the error code for details.',
				),
			);
		}
		const m = /^\/([^/]+)(\/.*)$/.exec(path);
		if (!m) return html(404, '<html><body><h1>404 - Not Found</h1></body></html>');
		const ctx: Ctx = { ...base, tenantSegment: decodeURIComponent(m[1]) };
		const rest = m[2];
		const route = `${ex.method} ${rest.toLowerCase()}`;
		switch (route) {
			case 'GET /v2.0/.well-known/openid-configuration':
				return openIdConfiguration(ctx);
			case 'GET /discovery/v2.0/keys':
			case 'GET /discovery/keys':
				return json(200, { keys: [env.tokens.signingKey.jwk()] });
			case 'POST /oauth2/v2.0/token':
				return tokenEndpoint(ctx);
			case 'GET /oauth2/v2.0/authorize':
				return authorize(ctx);
			case 'GET /oauth2/v2.0/logout':
				return logout(ctx);
		}
		if (rest.toLowerCase() === '/oauth2/v2.0/token') {
			return entraError(
				ctx,
				400,
				'invalid_request',
				900561,
				`The endpoint only accepts POST, OPTIONS requests. Received a ${ex.method} request.`,
			);
		}
		return html(404, '<html><body><h1>404 - Not Found</h1></body></html>');
	};
}

/** Error body for an injected fault given only a status (Entra's transient error). */
export function loginFaultReply(env: LoginEnvironment, ex: Exchange, status: number): Reply {
	return entraError(
		{
			env,
			traceId: randomUUID(),
			correlationId: String(ex.headers['client-request-id'] ?? randomUUID()),
		},
		status,
		'temporarily_unavailable',
		90033,
		'A transient error has occurred. Please try again.',
	);
}

// ---- metadata ------------------------------------------------------------------------------

function openIdConfiguration(ctx: Ctx): Reply {
	const tenant = matchTenant(ctx);
	if (tenant.kind === 'invalid')
		return entraError(
			ctx,
			400,
			tenant.code === 90002 ? 'invalid_tenant' : 'invalid_request',
			tenant.code,
			tenant.message,
		);
	const a = ctx.env.authorityUrl();
	const seg = tenant.kind === 'tenant' ? ctx.env.directory.tenantId : tenant.name;
	const issuerTenant = tenant.kind === 'tenant' ? ctx.env.directory.tenantId : '{tenantid}';
	return json(200, {
		token_endpoint: `${a}/${seg}/oauth2/v2.0/token`,
		token_endpoint_auth_methods_supported: [
			'client_secret_post',
			'private_key_jwt',
			'client_secret_basic',
		],
		jwks_uri: `${a}/${seg}/discovery/v2.0/keys`,
		response_modes_supported: ['query', 'fragment', 'form_post'],
		subject_types_supported: ['pairwise'],
		id_token_signing_alg_values_supported: ['RS256'],
		response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
		scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
		issuer: `${a}/${issuerTenant}/v2.0`,
		request_uri_parameter_supported: false,
		userinfo_endpoint: `${ctx.env.graphUrl()}/oidc/userinfo`,
		authorization_endpoint: `${a}/${seg}/oauth2/v2.0/authorize`,
		device_authorization_endpoint: `${a}/${seg}/oauth2/v2.0/devicecode`,
		http_logout_supported: true,
		frontchannel_logout_supported: true,
		end_session_endpoint: `${a}/${seg}/oauth2/v2.0/logout`,
		claims_supported: [
			'sub',
			'iss',
			'cloud_instance_name',
			'cloud_instance_host_name',
			'cloud_graph_host_name',
			'msgraph_host',
			'aud',
			'exp',
			'iat',
			'auth_time',
			'acr',
			'nonce',
			'preferred_username',
			'name',
			'tid',
			'ver',
			'at_hash',
			'c_hash',
			'email',
		],
		kerberos_endpoint: `${a}/${seg}/kerberos`,
		tenant_region_scope: tenant.kind === 'tenant' ? 'EU' : null,
		cloud_instance_name: 'microsoftonline.com',
		cloud_graph_host_name: 'graph.windows.net',
		msgraph_host: new URL(ctx.env.graphUrl()).host,
		rbac_url: 'https://pas.windows.net',
	});
}

function instanceDiscovery(ctx: Ctx): Reply {
	const params = ctx.ex.url.searchParams;
	const endpoint = params.get('authorization_endpoint') ?? '';
	const host = new URL(ctx.env.authorityUrl()).host;
	let endpointHost = '';
	try {
		endpointHost = new URL(endpoint).host;
	} catch {
		// handled below
	}
	if (endpointHost.toLowerCase() !== host.toLowerCase()) {
		return entraError(ctx, 400, 'invalid_instance', 50049, 'Unknown or invalid instance.');
	}
	return json(200, {
		tenant_discovery_endpoint: endpoint.replace(
			/\/oauth2\/v2\.0\/authorize$/,
			'/v2.0/.well-known/openid-configuration',
		),
		'api-version': '1.1',
		metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
	});
}

function logout(ctx: Ctx): Reply {
	const redirect = ctx.ex.url.searchParams.get('post_logout_redirect_uri');
	if (redirect) return { status: 302, headers: { Location: redirect } };
	return html(
		200,
		'<!DOCTYPE html><html><body><p>You signed out of your account.</p></body></html>',
	);
}

// ---- token endpoint --------------------------------------------------------------------------

function tokenEndpoint(ctx: Ctx): Reply {
	const { ex, env } = ctx;
	env.stats.tokenRequests++;
	const params = new URLSearchParams(
		/^application\/x-www-form-urlencoded/i.test(String(ex.headers['content-type'] ?? ''))
			? ex.body
			: '',
	);
	const basic = parseBasicAuth(String(ex.headers.authorization ?? ''));
	const grantType = params.get('grant_type');
	if (grantType) env.stats.byGrantType[grantType] = (env.stats.byGrantType[grantType] ?? 0) + 1;

	const tenant = matchTenant(ctx);
	if (tenant.kind === 'invalid')
		return entraError(ctx, 400, 'invalid_request', tenant.code, tenant.message);
	if (!grantType) return missingParameter(ctx, 'grant_type');
	const clientId = params.get('client_id') ?? basic?.id;
	if (!clientId) return missingParameter(ctx, 'client_id');
	const client = env.directory.getClient(clientId);
	if (!client) return unknownClient(ctx, clientId);

	let reply: Reply;
	switch (grantType) {
		case 'client_credentials':
			if (tenant.kind === 'multi') {
				return entraError(
					ctx,
					400,
					'invalid_request',
					50059,
					'No tenant-identifying information found in either the request or implied by any provided credentials.',
				);
			}
			reply = clientCredentials(ctx, client, params, basic?.secret);
			break;
		case 'authorization_code':
			reply = authorizationCode(ctx, client, params, basic?.secret);
			break;
		case 'refresh_token':
			reply = refreshToken(ctx, client, params, basic?.secret);
			break;
		case 'password':
			reply = password(ctx, client, params, basic?.secret);
			break;
		default:
			return entraError(
				ctx,
				400,
				'unsupported_grant_type',
				70003,
				`The app requested an unsupported grant type '${grantType}'.`,
			);
	}
	if (reply.status === 200) env.stats.tokensIssued++;
	return reply;
}

function clientCredentials(
	ctx: Ctx,
	client: ClientApp,
	params: URLSearchParams,
	basicSecret: string | undefined,
): Reply {
	const scope = params.get('scope');
	if (!scope) return missingParameter(ctx, 'scope');
	const auth = authenticateClient(ctx, client, params, basicSecret, false);
	if ('status' in auth) return auth;
	const scopes = scope.split(' ').filter(Boolean);
	if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
		return entraError(
			ctx,
			400,
			'invalid_scope',
			1002012,
			`The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
		);
	}
	const resource = scopes[0].slice(0, -'/.default'.length);
	const audience = graphAudience(ctx.env, resource);
	if (!audience) return resourceNotFound(ctx, resource);
	const token = ctx.env.tokens.appToken(client, audience, auth.appidacr === '2' ? '2' : '1');
	return json(
		200,
		{
			token_type: 'Bearer',
			expires_in: token.expiresIn,
			ext_expires_in: token.expiresIn,
			access_token: token.accessToken,
		},
		{ 'client-request-id': ctx.correlationId, 'x-ms-request-id': ctx.traceId },
	);
}

// ---- delegated (user) flows ------------------------------------------------------------------

const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

interface ParsedScopes {
	graph: string[];
	oidc: string[];
	graphDefault: boolean;
	/** A scope of a resource other than Graph. */
	foreign?: string;
}

/** `openid offline_access https://<graph>/Synchronization.ReadWrite.All User.Read` → Graph scopes + OIDC scopes. */
export function parseDelegatedScopes(env: { graphUrl: () => string }, scope: string): ParsedScopes {
	const parsed: ParsedScopes = { graph: [], oidc: [], graphDefault: false };
	for (const s of scope.split(' ').filter(Boolean)) {
		if (OIDC_SCOPES.includes(s.toLowerCase())) {
			parsed.oidc.push(s.toLowerCase());
			continue;
		}
		const slash = s.lastIndexOf('/');
		const resource = slash >= 0 ? s.slice(0, slash) : '';
		const name = slash >= 0 ? s.slice(slash + 1) : s;
		if (resource && !graphAudience(env, resource)) {
			parsed.foreign ??= resource;
			continue;
		}
		if (name === '.default') parsed.graphDefault = true;
		else if (!parsed.graph.some((g) => g.toLowerCase() === name.toLowerCase()))
			parsed.graph.push(name);
	}
	return parsed;
}

/** Scopes granted with auto-consent: the ones requested, plus the client's configured ones for /.default. */
function grantedScopes(client: ClientApp, parsed: ParsedScopes): string[] {
	const granted = [...parsed.graph];
	if (parsed.graphDefault) {
		for (const p of client.delegatedPermissions)
			if (!granted.some((g) => g.toLowerCase() === p.toLowerCase())) granted.push(p);
	}
	return granted;
}

export function userTokenResponse(
	env: Pick<LoginEnvironment, 'directory' | 'tokens' | 'graphUrl' | 'authorityUrl'>,
	client: ClientApp,
	user: User,
	graphScopes: string[],
	oidc: string[],
	appidacr: '0' | '1' | '2',
	options: { nonce?: string; alwaysRefreshToken?: boolean } = {},
): Record<string, unknown> {
	const graph = env.graphUrl();
	const token = env.tokens.delegatedToken(client, user, graphScopes, graph, appidacr);
	const body: Record<string, unknown> = {
		token_type: 'Bearer',
		scope: [
			...graphScopes.map((s) => `${graph}/${s}`),
			...oidc.filter((s) => s !== 'offline_access'),
		].join(' '),
		expires_in: token.expiresIn,
		ext_expires_in: token.expiresIn,
		access_token: token.accessToken,
	};
	if (oidc.includes('offline_access') || options.alwaysRefreshToken) {
		const refresh = `1.A${randomBytes(96).toString('base64url')}`;
		env.directory.refreshTokens.set(refresh, {
			clientId: client.clientId,
			userId: user.id,
			scopes: graphScopes,
		});
		body.refresh_token = refresh;
	}
	if (oidc.includes('openid')) {
		body.id_token = env.tokens.idToken(
			client,
			user,
			`${env.authorityUrl()}/${env.directory.tenantId}/v2.0`,
			options.nonce,
		);
	}
	return body;
}

function authorizationCode(
	ctx: Ctx,
	client: ClientApp,
	params: URLSearchParams,
	basicSecret: string | undefined,
): Reply {
	const code = params.get('code');
	if (!code) return missingParameter(ctx, 'code');
	const auth = authenticateClient(ctx, client, params, basicSecret, true);
	if ('status' in auth) return auth;
	const grant = ctx.env.directory.authorizationCodes.get(code);
	if (!grant || grant.clientId.toLowerCase() !== client.clientId.toLowerCase()) {
		return entraError(
			ctx,
			400,
			'invalid_grant',
			9002313,
			'Invalid request. Request is malformed or invalid.',
		);
	}
	if (grant.redeemed) {
		return entraError(
			ctx,
			400,
			'invalid_grant',
			54005,
			'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
		);
	}
	if (grant.expiresAt < Date.now()) {
		return entraError(
			ctx,
			400,
			'invalid_grant',
			70008,
			'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
		);
	}
	const redirectUri = params.get('redirect_uri');
	if (redirectUri !== grant.redirectUri) {
		return entraError(
			ctx,
			400,
			'invalid_grant',
			500112,
			`The reply address '${redirectUri ?? ''}' does not match the reply address '${grant.redirectUri}' provided when requesting Authorization code.`,
		);
	}
	if (grant.codeChallenge) {
		const verifier = params.get('code_verifier') ?? '';
		const expected =
			grant.codeChallengeMethod === 'S256'
				? createHash('sha256').update(verifier).digest('base64url')
				: verifier;
		if (!verifier || expected !== grant.codeChallenge) {
			return entraError(
				ctx,
				400,
				'invalid_grant',
				50148,
				'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
			);
		}
	}
	const user = ctx.env.directory.findUser(grant.userId);
	if (!user)
		return entraError(
			ctx,
			400,
			'invalid_grant',
			50034,
			'The user account does not exist in the directory.',
		);
	grant.redeemed = true;
	const oidc = grant.scopes.filter((s) => OIDC_SCOPES.includes(s));
	const graphScopes = grant.scopes.filter((s) => !OIDC_SCOPES.includes(s));
	return json(
		200,
		userTokenResponse(ctx.env, client, user, graphScopes, oidc, auth.appidacr, {
			nonce: grant.nonce,
		}),
		{ 'client-request-id': ctx.correlationId },
	);
}

function refreshToken(
	ctx: Ctx,
	client: ClientApp,
	params: URLSearchParams,
	basicSecret: string | undefined,
): Reply {
	const token = params.get('refresh_token');
	if (!token) return missingParameter(ctx, 'refresh_token');
	const auth = authenticateClient(ctx, client, params, basicSecret, true);
	if ('status' in auth) return auth;
	const grant = ctx.env.directory.refreshTokens.get(token);
	if (!grant || grant.clientId.toLowerCase() !== client.clientId.toLowerCase()) {
		return entraError(
			ctx,
			400,
			'invalid_grant',
			9002313,
			'Invalid request. Request is malformed or invalid.',
		);
	}
	const user = ctx.env.directory.findUser(grant.userId);
	if (!user) {
		return entraError(
			ctx,
			400,
			'invalid_grant',
			700082,
			'The refresh token has expired due to inactivity. The token was issued on a date before the user was removed.',
		);
	}
	const scope = params.get('scope');
	let graphScopes = grant.scopes;
	let oidc: string[] = [];
	if (scope) {
		const parsed = parseDelegatedScopes(ctx.env, scope);
		if (parsed.foreign) return resourceNotFound(ctx, parsed.foreign);
		const requested = grantedScopes(client, parsed);
		if (requested.length) graphScopes = requested;
		oidc = parsed.oidc;
	}
	return json(
		200,
		userTokenResponse(ctx.env, client, user, graphScopes, oidc, auth.appidacr, {
			alwaysRefreshToken: true,
		}),
		{ 'client-request-id': ctx.correlationId },
	);
}

function password(
	ctx: Ctx,
	client: ClientApp,
	params: URLSearchParams,
	basicSecret: string | undefined,
): Reply {
	const username = params.get('username');
	if (!username) return missingParameter(ctx, 'username');
	const pass = params.get('password');
	if (!pass) return missingParameter(ctx, 'password');
	const scope = params.get('scope');
	if (!scope) return missingParameter(ctx, 'scope');
	const auth = authenticateClient(ctx, client, params, basicSecret, true);
	if ('status' in auth) return auth;
	const user = ctx.env.directory.findUser(username);
	if (!user || user.password === undefined || !safeEqual(pass, user.password)) {
		return entraError(
			ctx,
			400,
			'invalid_grant',
			50126,
			'Error validating credentials due to invalid username or password.',
		);
	}
	const parsed = parseDelegatedScopes(ctx.env, scope);
	if (parsed.foreign) return resourceNotFound(ctx, parsed.foreign);
	return json(
		200,
		userTokenResponse(
			ctx.env,
			client,
			user,
			grantedScopes(client, parsed),
			parsed.oidc,
			auth.appidacr,
		),
		{ 'client-request-id': ctx.correlationId },
	);
}

// ---- authorize (browser) -------------------------------------------------------------------

function authorize(ctx: Ctx): Reply {
	const q = ctx.ex.url.searchParams;
	const page = (status: number, code: number, message: string) =>
		html(status, errorPage(`AADSTS${code}`, message));
	const tenant = matchTenant(ctx);
	if (tenant.kind === 'invalid') return page(400, tenant.code, tenant.message);
	const clientId = q.get('client_id');
	if (!clientId)
		return page(400, 900144, "The request body must contain the following parameter: 'client_id'.");
	const client = ctx.env.directory.getClient(clientId);
	if (!client) {
		return page(
			400,
			700016,
			`Application with identifier '${clientId}' was not found in the directory '${tenantDisplayName(ctx.env)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
		);
	}
	const redirectUri = q.get('redirect_uri') ?? client.redirectUris[0];
	if (!redirectUri) return page(400, 500113, 'No reply address is registered for the application.');
	if (client.redirectUris.length > 0 && !client.redirectUris.includes(redirectUri)) {
		return page(
			400,
			50011,
			`The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
		);
	}
	const state = q.get('state');
	const responseMode = q.get('response_mode') ?? 'query';
	const redirectWith = (values: Record<string, string>) => {
		const all = { ...values, ...(state !== null ? { state } : {}) };
		if (responseMode === 'form_post') {
			const inputs = Object.entries(all)
				.map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}"/>`)
				.join('');
			return html(
				200,
				`<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="POST" action="${escapeHtml(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
			);
		}
		const url = new URL(redirectUri);
		for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
		return { status: 302, headers: { Location: url.toString() } };
	};
	const oauthError = (error: string, code: number, description: string) =>
		redirectWith({
			error,
			error_description: `AADSTS${code}: ${description} Trace ID: ${ctx.traceId} Correlation ID: ${ctx.correlationId} Timestamp: ${entraTimestamp(new Date())}`,
			error_uri: `${ctx.env.authorityUrl()}/error?code=${code}`,
		});

	if (q.get('response_type') !== 'code') {
		return oauthError(
			'unsupported_response_type',
			700054,
			`response_type '${q.get('response_type') ?? ''}' is not enabled for the application.`,
		);
	}
	const scope = q.get('scope');
	if (!scope)
		return oauthError(
			'invalid_request',
			900144,
			"The request body must contain the following parameter: 'scope'.",
		);
	const parsed = parseDelegatedScopes(ctx.env, scope);
	if (parsed.foreign) {
		return oauthError(
			'invalid_resource',
			500011,
			`The resource principal named ${parsed.foreign} was not found in the tenant named ${tenantDisplayName(ctx.env)}.`,
		);
	}
	const challenge = q.get('code_challenge') ?? undefined;
	const method = q.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
	if (method !== undefined && method !== 'S256' && method !== 'plain') {
		return oauthError(
			'invalid_request',
			501491,
			`Invalid size of Code_Challenge parameter or unsupported code_challenge_method '${method}'.`,
		);
	}

	const users = [...ctx.env.directory.users.values()];
	const hint = q.get('login_hint');
	let user: User | undefined;
	if (hint) {
		user = ctx.env.directory.findUser(hint);
		if (!user) {
			return page(
				400,
				50034,
				`The user account ${hint} does not exist in the '${ctx.env.directory.tenantDomain}' directory. To sign into this application, the account must be added to the directory.`,
			);
		}
	} else if (users.length === 1) {
		user = users[0];
	} else if (users.length === 0) {
		return page(
			400,
			50034,
			`No user account exists in the '${ctx.env.directory.tenantDomain}' directory.`,
		);
	} else {
		const links = users
			.map((u) => {
				const next = new URL(ctx.ex.url.pathname + ctx.ex.url.search, ctx.env.authorityUrl());
				next.searchParams.set('login_hint', u.upn);
				return `<li><a href="${escapeHtml(next.pathname + next.search)}">${escapeHtml(u.displayName)} (${escapeHtml(u.upn)})</a></li>`;
			})
			.join('');
		return html(
			200,
			`<!DOCTYPE html><html><head><title>Pick an account</title></head><body><h1>Pick an account</h1><ul>${links}</ul></body></html>`,
		);
	}

	const code = `1.A${randomBytes(96).toString('base64url')}`;
	ctx.env.directory.authorizationCodes.set(code, {
		clientId: client.clientId,
		userId: user.id,
		redirectUri,
		scopes: [...parsed.oidc, ...grantedScopes(client, parsed)],
		codeChallenge: challenge,
		codeChallengeMethod: method,
		nonce: q.get('nonce') ?? undefined,
		expiresAt: Date.now() + CODE_LIFETIME_MS,
		redeemed: false,
	});
	return redirectWith({ code, session_state: randomUUID() });
}

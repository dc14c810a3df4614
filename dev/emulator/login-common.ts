/**
 * Shared by the login listener's parts: its environment, Entra's error format, tenant and
 * resource matching, and the federated ("external") issuer.
 */
import { randomUUID } from 'node:crypto';
import { Directory, isGuid } from './directory';
import { SigningKey } from './jwt';
import type { EmulatorStats, Exchange, Reply } from './exchange';
import { GRAPH_APP_ID, TokenService } from './tokens';

export interface LoginEnvironment {
	directory: Directory;
	tokens: TokenService;
	stats: EmulatorStats;
	graphUrl: () => string;
	authorityUrl: () => string;
	federatedIssuer: FederatedIssuer;
}

/** The "external" OIDC issuer (a Kubernetes cluster, GitHub Actions…) whose tokens the tenant may trust. */
export class FederatedIssuer {
	readonly key = new SigningKey();

	constructor(private readonly authorityUrl: () => string) {}

	get url(): string {
		return `${this.authorityUrl()}/external-issuer`;
	}

	issue(options: {
		subject: string;
		audience?: string;
		issuer?: string;
		lifetimeSeconds?: number;
	}): string {
		const now = Math.floor(Date.now() / 1000);
		const exp = now + (options.lifetimeSeconds ?? 3600);
		return this.key.sign({
			iss: options.issuer ?? this.url,
			sub: options.subject,
			aud: options.audience ?? 'api://AzureADTokenExchange',
			iat: Math.min(now, exp),
			nbf: Math.min(now, exp),
			exp,
			jti: randomUUID(),
		});
	}
}

export type TenantMatch =
	| { kind: 'tenant' }
	| { kind: 'multi'; name: string }
	| { kind: 'invalid'; code: number; message: string };

/** One login request. */
export interface Ctx {
	ex: Exchange;
	env: LoginEnvironment;
	tenantSegment: string;
	traceId: string;
	correlationId: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
	return {
		status,
		headers: {
			'Content-Type': 'application/json; charset=utf-8',
			'Cache-Control': 'no-store, no-cache',
			Pragma: 'no-cache',
			...headers,
		},
		body: JSON.stringify(body),
	};
}

export function html(status: number, body: string, headers: Record<string, string> = {}): Reply {
	return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers }, body };
}

export function entraTimestamp(date: Date): string {
	return date
		.toISOString()
		.replace('T', ' ')
		.replace(/\.\d{3}Z$/, 'Z');
}

/** Entra's OAuth error body and headers. */
export function entraError(
	ctx: Pick<Ctx, 'env' | 'traceId' | 'correlationId'>,
	status: number,
	error: string,
	code: number,
	description: string,
): Reply {
	const timestamp = entraTimestamp(new Date());
	return json(
		status,
		{
			error,
			error_description: `AADSTS${code}: ${description} Trace ID: ${ctx.traceId} Correlation ID: ${ctx.correlationId} Timestamp: ${timestamp}`,
			error_codes: [code],
			timestamp,
			trace_id: ctx.traceId,
			correlation_id: ctx.correlationId,
			error_uri: `${ctx.env.authorityUrl()}/error?code=${code}`,
		},
		{ 'x-ms-request-id': ctx.traceId, 'client-request-id': ctx.correlationId },
	);
}

export function errorPage(code: string, message: string): string {
	const esc = escapeHtml;
	return `<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><h1>Sign in</h1><p>Sorry, but we're having trouble signing you in.</p><p id="error">${esc(code)}: ${esc(message)}</p></body></html>`;
}

export function escapeHtml(s: string): string {
	return s.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
	);
}

export function matchTenant(ctx: Ctx): TenantMatch {
	const t = ctx.tenantSegment;
	const dir = ctx.env.directory;
	if (
		t.toLowerCase() === dir.tenantId.toLowerCase() ||
		t.toLowerCase() === dir.tenantDomain.toLowerCase()
	)
		return { kind: 'tenant' };
	if (t === 'common' || t === 'organizations') return { kind: 'multi', name: t };
	if (!isGuid(t) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(t)) {
		return {
			kind: 'invalid',
			code: 900023,
			message: `Specified tenant identifier '${t}' is neither a valid DNS name, nor a valid external domain.`,
		};
	}
	return {
		kind: 'invalid',
		code: 90002,
		message: `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
	};
}

export function tenantDisplayName(env: LoginEnvironment): string {
	return env.directory.tenantDomain.split('.')[0];
}

/** The token endpoint URLs a client assertion may name as audience. */
export function assertionAudiences(ctx: Ctx): string[] {
	const a = ctx.env.authorityUrl();
	const names = new Set([
		ctx.tenantSegment,
		ctx.env.directory.tenantId,
		ctx.env.directory.tenantDomain,
	]);
	const out: string[] = [];
	for (const n of names) {
		out.push(
			`${a}/${n}/oauth2/v2.0/token`,
			`${a}/${n}/oauth2/token`,
			`${a}/${n}/v2.0`,
			`${a}/${n}/`,
		);
	}
	return out;
}

/** Resource from a scope or resource parameter → token audience; undefined when not Graph. */
export function graphAudience(
	env: { graphUrl: () => string },
	resource: string,
): string | undefined {
	const graph = env.graphUrl();
	const r = resource.replace(/\/+$/, '');
	if (r.toLowerCase() === graph.toLowerCase()) return graph;
	if (r.toLowerCase() === GRAPH_APP_ID) return GRAPH_APP_ID;
	return undefined;
}

export function resourceNotFound(ctx: Ctx, resource: string): Reply {
	return entraError(
		ctx,
		400,
		'invalid_resource',
		500011,
		`The resource principal named ${resource} was not found in the tenant named ${tenantDisplayName(ctx.env)}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
	);
}

export function unknownClient(ctx: Ctx, clientId: string): Reply {
	return entraError(
		ctx,
		400,
		'unauthorized_client',
		700016,
		`Application with identifier '${clientId}' was not found in the directory '${tenantDisplayName(ctx.env)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
	);
}

export function missingParameter(ctx: Ctx, name: string): Reply {
	return entraError(
		ctx,
		400,
		'invalid_request',
		900144,
		`The request body must contain the following parameter: '${name}'.`,
	);
}

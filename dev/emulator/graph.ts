/**
 * The Graph listener's request pipeline: version prefix → bearer token → route → permission
 * check → route handler. Routes are declared in one table (graph-routes.ts); this file holds the
 * router, the per-request context handed to handlers, and Graph's error and header conventions.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Directory } from './directory';
import { AllowedPermissions, allowedPermissions, SYNCHRONIZATION_ADMIN_ROLES } from './permissions';
import type { Exchange, Reply } from './exchange';
import type { TokenCheck, TokenService } from './tokens';
import type { JwtPayload } from './jwt';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A key in the URL: `/applications/{id}` or `/applications(appId='…')` / `/applications('…')`. */
export type KeyRef =
	| { kind: 'id'; value: string; text: string }
	| { kind: 'alternate'; property: string; value: string; text: string };

export interface GraphRoute {
	method: HttpMethod;
	/** Template with `{name}` key placeholders, e.g. '/applications/{id}/synchronization/acquireAccessToken'. */
	path: string;
	handler: (ctx: GraphContext) => Reply | Promise<Reply>;
	/** Overrides the permissions looked up from the permissions data for this method + path. */
	permissions?: AllowedPermissions;
	/** Any valid Graph token may call it, whatever its permissions (e.g. "List applicationTemplates"). */
	anyValidToken?: boolean;
	/** Delegated calls also need one of these directory roles. Default: the synchronization admin roles for paths under /synchronization. */
	delegatedRoles?: string[];
}

export interface Caller {
	claims: JwtPayload;
	delegated: boolean;
	/** roles (app-only) or scp (delegated) of the token. */
	permissions: string[];
	/** The caller's permissions that allow this route. */
	grantedBy: string[];
	/** Only *.OwnedBy permissions allow the call: the target must be owned by the caller. */
	ownedByOnly: boolean;
	/** Service principal object id (app-only) or user object id (delegated). */
	objectId: string;
	appId: string;
}

export interface GraphEnvironment {
	directory: Directory;
	tokens: TokenService;
	graphUrl: () => string;
	authorityUrl: () => string;
}

export interface GraphContext {
	version: 'v1.0' | 'beta';
	method: string;
	params: Record<string, KeyRef>;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	body: string;
	caller: Caller;
	env: GraphEnvironment;
	/** `${graphUrl}/${version}`: base of @odata.context and @odata.nextLink. */
	baseUrl: string;
	/** Path below the version, as requested (for nextLink). */
	path: string;
	/** The request-id Graph answers with. */
	requestId: string;
	json(status: number, body: unknown): Reply;
	error(status: number, code: string, message: string): Reply;
	noContent(): Reply;
}

interface RequestIds {
	requestId: string;
	clientRequestId: string;
	date: Date;
}

const ids = new WeakMap<Exchange, RequestIds>();

/** Graph echoes client-request-id when sent; otherwise it equals request-id. */
function requestIds(ex: Exchange): RequestIds {
	let value = ids.get(ex);
	if (!value) {
		const requestId = randomUUID();
		const sent = ex.headers['client-request-id'];
		value = {
			requestId,
			clientRequestId: (Array.isArray(sent) ? sent[0] : sent) || requestId,
			date: new Date(),
		};
		ids.set(ex, value);
	}
	return value;
}

const JSON_TYPE =
	'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function graphErrorReply(
	ex: Exchange,
	status: number,
	code: string,
	message: string,
	headers: Record<string, string> = {},
): Reply {
	const r = requestIds(ex);
	return {
		status,
		headers: { 'Content-Type': 'application/json', ...headers },
		body: JSON.stringify({
			error: {
				code,
				message,
				innerError: {
					date: r.date.toISOString().slice(0, 19),
					'request-id': r.requestId,
					'client-request-id': r.clientRequestId,
				},
			},
		}),
	};
}

/** Adds Graph's standard response headers to every reply (faults included). */
export function decorateGraphReply(ex: Exchange, reply: Reply): Reply {
	const r = requestIds(ex);
	return {
		...reply,
		headers: {
			'Cache-Control': 'no-cache',
			'Strict-Transport-Security': 'max-age=31536000',
			'request-id': r.requestId,
			'client-request-id': r.clientRequestId,
			...reply.headers,
		},
	};
}

/** Error bodies for injected faults given only a status. */
export function graphFaultReply(ex: Exchange, status: number, tenantId: string): Reply {
	const known: Record<number, [string, string]> = {
		429: [
			'TooManyRequests',
			`Too many requests from Identifier:${tenantId} under category:throttle.aad.ags.tenant. Please try again later.`,
		],
		500: ['generalException', 'General exception while processing.'],
		502: ['UnknownError', 'Bad Gateway'],
		503: ['serviceNotAvailable', 'The service is temporarily unavailable. Please try again later.'],
		504: [
			'gatewayTimeout',
			'The server, while acting as a proxy, did not receive a timely response from the upstream server it needed to access in attempting to complete the request.',
		],
	};
	const [code, message] = known[status] ?? [
		STATUS_CODES[status]?.replace(/\s+/g, '') ?? 'UnknownError',
		STATUS_CODES[status] ?? 'Unknown error',
	];
	return graphErrorReply(ex, status, code, message);
}

/** The bearer token's claims, or Graph's 401. */
export function authenticate(
	ex: Exchange,
	env: GraphEnvironment,
): Extract<TokenCheck, { ok: true }> | Reply {
	const authorization = ex.headers.authorization ?? '';
	const bearer = /^Bearer\s+(.*)$/i.exec(authorization);
	const check = env.tokens.check(bearer ? bearer[1].trim() : '');
	if (check.ok) return check;
	return graphErrorReply(ex, 401, 'InvalidAuthenticationToken', check.message, {
		'WWW-Authenticate': `Bearer realm="", authorization_uri="${env.authorityUrl()}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
	});
}

interface CompiledRoute {
	route: GraphRoute;
	parts: Array<{ literal: string } | { param: string }>;
}

type PathToken = { kind: 'segment'; text: string } | { kind: 'key'; text: string; key: KeyRef };

class PathError extends Error {}

export class GraphRouter {
	private readonly routes: CompiledRoute[];

	constructor(routes: GraphRoute[]) {
		this.routes = routes.map((route) => {
			if (
				!route.permissions &&
				!route.anyValidToken &&
				!allowedPermissions(route.method, route.path)
			) {
				throw new Error(
					`Graph route ${route.method} ${route.path} has no permission entry; give it 'permissions'`,
				);
			}
			const parts = route.path
				.split('/')
				.filter(Boolean)
				.map((p) =>
					/^\{\w+\}$/.test(p) ? { param: p.slice(1, -1) } : { literal: p.toLowerCase() },
				);
			return { route, parts };
		});
	}

	handle(ex: Exchange, env: GraphEnvironment): Promise<Reply> | Reply {
		const { requestId } = requestIds(ex); // fixes the request's ids and date now
		const fail = (
			status: number,
			code: string,
			message: string,
			headers?: Record<string, string>,
		) => graphErrorReply(ex, status, code, message, headers);

		const m = /^\/(v1\.0|beta)(\/.*)?$/i.exec(ex.url.pathname);
		if (!m) {
			const version = ex.url.pathname.split('/').filter(Boolean)[0] ?? '';
			return fail(400, 'BadRequest', `Invalid version: ${version}`);
		}
		const version = m[1].toLowerCase() as 'v1.0' | 'beta';
		const rest = m[2] ?? '/';

		// Authentication comes first: Graph answers 401 before looking at the path.
		const check = authenticate(ex, env);
		if ('status' in check) return check;

		let tokens: PathToken[];
		try {
			tokens = tokenizePath(rest);
		} catch (error) {
			return fail(
				400,
				'BadRequest',
				error instanceof PathError ? error.message : 'Bad Request - Error in query syntax.',
			);
		}
		const found = this.match(tokens, ex.method);
		if (found.kind === 'notFound') {
			const culprit = tokens[Math.min(found.depth, tokens.length - 1)];
			return fail(
				400,
				'BadRequest',
				`Resource not found for the segment '${culprit?.text ?? ''}'.`,
			);
		}
		if (found.kind === 'methodNotAllowed') {
			return fail(
				405,
				'Request_BadRequest',
				'Specified HTTP method is not allowed for the request target.',
			);
		}
		const { route, params } = found;

		// Authorization.
		const allowed = route.permissions ?? allowedPermissions(route.method, route.path);
		const accepted = (check.delegated ? allowed?.delegated : allowed?.application) ?? [];
		const grantedBy = route.anyValidToken
			? check.permissions
			: check.permissions.filter((p) => accepted.some((a) => a.toLowerCase() === p.toLowerCase()));
		const roles =
			route.delegatedRoles ??
			(/\/synchronization(\/|$)/i.test(route.path) ? SYNCHRONIZATION_ADMIN_ROLES : []);
		const missingRole =
			check.delegated && roles.length > 0 && !check.directoryRoles.some((r) => roles.includes(r));
		if ((grantedBy.length === 0 && !route.anyValidToken) || missingRole) {
			return fail(
				403,
				'Authorization_RequestDenied',
				'Insufficient privileges to complete the operation.',
			);
		}

		const ctx: GraphContext = {
			version,
			method: ex.method,
			params,
			query: ex.url.searchParams,
			headers: ex.headers,
			body: ex.body,
			env,
			baseUrl: `${env.graphUrl()}/${version}`,
			path: rest,
			requestId,
			caller: {
				claims: check.claims,
				delegated: check.delegated,
				permissions: check.permissions,
				grantedBy,
				ownedByOnly: grantedBy.every((p) => /\.OwnedBy$/i.test(p)),
				objectId: String(check.claims.oid ?? ''),
				appId: String(check.claims.appid ?? ''),
			},
			json: (status, body) => ({
				status,
				headers: { 'Content-Type': JSON_TYPE },
				body: JSON.stringify(body),
			}),
			error: (status, code, message) => graphErrorReply(ex, status, code, message),
			noContent: () => ({ status: 204 }),
		};
		return route.handler(ctx);
	}

	private match(
		tokens: PathToken[],
		method: string,
	):
		| { kind: 'found'; route: GraphRoute; params: Record<string, KeyRef> }
		| { kind: 'notFound'; depth: number }
		| { kind: 'methodNotAllowed' } {
		let depth = 0;
		let pathMatched = false;
		for (const { route, parts } of this.routes) {
			const params: Record<string, KeyRef> = {};
			let i = 0;
			for (; i < parts.length && i < tokens.length; i++) {
				const part = parts[i];
				const token = tokens[i];
				if ('literal' in part) {
					if (token.kind !== 'segment' || token.text.toLowerCase() !== part.literal) break;
				} else {
					params[part.param] =
						token.kind === 'key' ? token.key : { kind: 'id', value: token.text, text: token.text };
				}
			}
			depth = Math.max(depth, i);
			if (i === parts.length && i === tokens.length) {
				if (route.method === method) return { kind: 'found', route, params };
				pathMatched = true;
			}
		}
		return pathMatched ? { kind: 'methodNotAllowed' } : { kind: 'notFound', depth };
	}
}

/** Splits `/applications(appId='x')/synchronization` into segment and key tokens. */
function tokenizePath(path: string): PathToken[] {
	const tokens: PathToken[] = [];
	for (const raw of path.split('/').filter(Boolean)) {
		let segment: string;
		try {
			segment = decodeURIComponent(raw);
		} catch {
			throw new PathError('Bad Request - Error in query syntax.');
		}
		const m = /^([^()]+)\((.*)\)$/.exec(segment);
		if (m) {
			tokens.push({ kind: 'segment', text: m[1] });
			tokens.push({ kind: 'key', text: segment, key: parseKey(m[2], segment) });
		} else if (/[()]/.test(segment)) {
			throw new PathError('Bad Request - Error in query syntax.');
		} else {
			tokens.push({ kind: 'segment', text: segment });
		}
	}
	return tokens;
}

function parseKey(inner: string, text: string): KeyRef {
	const quoted = /^'((?:[^']|'')*)'$/.exec(inner.trim());
	if (quoted) return { kind: 'id', value: quoted[1].replace(/''/g, "'"), text };
	if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(inner.trim()))
		return { kind: 'id', value: inner.trim(), text };
	const named = /^(\w+)\s*=\s*'((?:[^']|'')*)'$/.exec(inner.trim());
	if (named)
		return { kind: 'alternate', property: named[1], value: named[2].replace(/''/g, "'"), text };
	throw new PathError('Bad Request - Error in query syntax.');
}

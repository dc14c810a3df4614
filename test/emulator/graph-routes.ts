/**
 * The Graph routing table. Add a route here (method, path template, handler) and the router
 * takes care of authentication, permissions (looked up from the permissions data), key parsing
 * and errors. `{id}` accepts an object id segment or an OData key such as `(appId='…')`.
 */
import { createHash } from 'node:crypto';
import { ApplicationObject, DirectoryObjectKind, graphDate, isGuid, ServicePrincipalObject, SynchronizationSecretPair } from './directory';
import type { GraphContext, GraphEnvironment, GraphRoute, KeyRef } from './graph';
import { applyFilter, EntityShape, encodeSkipToken, formatQuery, ODataError, parseListQuery, parseSelectOption, selectProperties } from './odata';
import type { Reply } from './server';
import { enumMembers } from './graph-metadata';

/** Members of microsoft.graph.synchronizationSecret (v1.0), exact PascalCase. */
/** Graph's synchronizationSecret enumeration, read from its v1.0 metadata. */
export const SYNCHRONIZATION_SECRET_KEYS: readonly string[] = enumMembers('synchronizationSecret');

export const graphRoutes: GraphRoute[] = [
	{ method: 'GET', path: '/applications', handler: (ctx) => listObjects(ctx, 'applications') },
	{ method: 'GET', path: '/applications/{id}', handler: (ctx) => getObject(ctx, 'applications') },
	{ method: 'GET', path: '/servicePrincipals', handler: (ctx) => listObjects(ctx, 'servicePrincipals') },
	{ method: 'GET', path: '/servicePrincipals/{id}', handler: (ctx) => getObject(ctx, 'servicePrincipals') },
	{ method: 'POST', path: '/applications/{id}/synchronization/acquireAccessToken', handler: (ctx) => acquireAccessToken(ctx, 'applications') },
	{ method: 'POST', path: '/servicePrincipals/{id}/synchronization/acquireAccessToken', handler: (ctx) => acquireAccessToken(ctx, 'servicePrincipals') },
];

// ---- directory objects -------------------------------------------------------------------

type DirectoryObject = ApplicationObject | ServicePrincipalObject;

const APPLICATION_PROPERTIES = [
	'id', 'deletedDateTime', 'appId', 'applicationTemplateId', 'createdDateTime', 'description', 'displayName', 'identifierUris',
	'notes', 'publisherDomain', 'signInAudience', 'tags', 'uniqueName', 'keyCredentials', 'passwordCredentials',
	'requiredResourceAccess', 'web', 'publicClient',
];
const SERVICE_PRINCIPAL_PROPERTIES = [
	'id', 'deletedDateTime', 'accountEnabled', 'appDisplayName', 'appDescription', 'appId', 'applicationTemplateId',
	'appOwnerOrganizationId', 'appRoleAssignmentRequired', 'description', 'displayName', 'homepage', 'notes',
	'preferredSingleSignOnMode', 'replyUrls', 'servicePrincipalNames', 'servicePrincipalType', 'signInAudience', 'tags',
	'keyCredentials', 'passwordCredentials',
];

const SHAPES: Record<DirectoryObjectKind, EntityShape> = {
	applications: {
		typeName: 'application',
		resourceName: 'Application',
		properties: APPLICATION_PROPERTIES,
		filterable: ['id', 'appId', 'displayName'],
		orderable: ['displayName'],
	},
	servicePrincipals: {
		typeName: 'servicePrincipal',
		resourceName: 'ServicePrincipal',
		properties: SERVICE_PRINCIPAL_PROPERTIES,
		filterable: ['id', 'appId', 'displayName'],
		orderable: ['displayName'],
	},
};

function objects(env: GraphEnvironment, kind: DirectoryObjectKind): DirectoryObject[] {
	return [...(kind === 'applications' ? env.directory.applications : env.directory.servicePrincipals).values()];
}

function isOwnedBy(obj: DirectoryObject, ctx: GraphContext): boolean {
	const caller = [ctx.caller.objectId.toLowerCase(), ctx.caller.appId.toLowerCase()];
	return obj.owners.some((o) => caller.includes(o.toLowerCase()));
}

/** The object a key designates, or the error reply Graph gives. */
function resolve(ctx: GraphContext, kind: DirectoryObjectKind, key: KeyRef): DirectoryObject | Reply {
	const notFound = (what: string) =>
		ctx.error(404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`);
	let obj: DirectoryObject | undefined;
	if (key.kind === 'id') {
		if (!isGuid(key.value)) {
			return ctx.error(400, 'Request_BadRequest', `Invalid object identifier '${key.value}'.`);
		}
		obj = ctx.env.directory.getObject(kind, key.value);
		if (!obj) return notFound(key.value);
	} else {
		if (key.property.toLowerCase() !== 'appid') {
			return ctx.error(400, 'BadRequest', `The key property '${key.property}' is not an alternate key of 'microsoft.graph.${SHAPES[kind].typeName}'.`);
		}
		obj = kind === 'applications' ? ctx.env.directory.findApplicationByAppId(key.value) : ctx.env.directory.findServicePrincipalByAppId(key.value);
		if (!obj) return notFound(key.value);
	}
	if (ctx.caller.ownedByOnly && !isOwnedBy(obj, ctx)) {
		return ctx.error(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
	}
	return obj;
}

function isReply(value: DirectoryObject | Reply): value is Reply {
	return 'status' in value;
}

function keyId(seed: string): string {
	const h = createHash('sha256').update(seed).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Public credential metadata of a registered client app (never the secret itself). */
function credentials(env: GraphEnvironment, appId: string): { keyCredentials: unknown[]; passwordCredentials: unknown[] } {
	const client = env.directory.getClient(appId);
	if (!client) return { keyCredentials: [], passwordCredentials: [] };
	return {
		keyCredentials: client.certificates.map((c) => ({
			customKeyIdentifier: c.thumbprintSha1,
			displayName: 'CN=certificate',
			endDateTime: graphDate(c.notAfter),
			key: null,
			keyId: keyId(c.thumbprintSha256),
			startDateTime: graphDate(c.notBefore),
			type: 'AsymmetricX509Cert',
			usage: 'Verify',
		})),
		passwordCredentials: client.secret
			? [
					{
						customKeyIdentifier: null,
						displayName: 'client secret',
						endDateTime: graphDate(client.secretExpiresAt ?? new Date(Date.now() + 730 * 24 * 3600 * 1000)),
						hint: client.secret.slice(0, 3),
						keyId: keyId(client.secret),
						secretText: null,
						startDateTime: graphDate(new Date(Date.now() - 24 * 3600 * 1000)),
					},
				]
			: [],
	};
}

function representation(env: GraphEnvironment, kind: DirectoryObjectKind, obj: DirectoryObject): Record<string, unknown> {
	if (kind === 'applications') {
		return {
			id: obj.id,
			deletedDateTime: null,
			appId: obj.appId,
			applicationTemplateId: null,
			createdDateTime: obj.createdDateTime,
			description: null,
			displayName: obj.displayName,
			identifierUris: [],
			notes: null,
			publisherDomain: env.directory.tenantDomain,
			signInAudience: 'AzureADMyOrg',
			tags: [],
			uniqueName: null,
			...credentials(env, obj.appId),
			requiredResourceAccess: [],
			web: { homePageUrl: null, logoutUrl: null, redirectUris: env.directory.getClient(obj.appId)?.redirectUris ?? [] },
			publicClient: { redirectUris: [] },
		};
	}
	return {
		id: obj.id,
		deletedDateTime: null,
		accountEnabled: true,
		appDisplayName: obj.displayName,
		appDescription: null,
		appId: obj.appId,
		applicationTemplateId: null,
		appOwnerOrganizationId: env.directory.tenantId,
		appRoleAssignmentRequired: false,
		description: null,
		displayName: obj.displayName,
		homepage: null,
		notes: null,
		preferredSingleSignOnMode: null,
		replyUrls: [],
		servicePrincipalNames: [obj.appId],
		servicePrincipalType: 'Application',
		signInAudience: 'AzureADMyOrg',
		tags: [],
		...credentials(env, obj.appId),
	};
}

function listObjects(ctx: GraphContext, kind: DirectoryObjectKind): Reply {
	const shape = SHAPES[kind];
	const consistency = ctx.headers['consistencylevel'];
	let query;
	try {
		query = parseListQuery(ctx.query, shape, String(consistency ?? '').toLowerCase() === 'eventual');
	} catch (error) {
		if (error instanceof ODataError) return ctx.error(error.status, error.code, error.message);
		throw error;
	}
	let items = objects(ctx.env, kind)
		.filter((o) => !ctx.caller.ownedByOnly || isOwnedBy(o, ctx))
		.map((o) => representation(ctx.env, kind, o));
	if (query.filter) {
		const filter = query.filter;
		items = items.filter((item) => applyFilter(filter, item));
	}
	if (query.orderBy) {
		const { property, descending } = query.orderBy;
		items.sort((a, b) => String(a[property] ?? '').localeCompare(String(b[property] ?? ''), 'en', { sensitivity: 'base' }) * (descending ? -1 : 1));
	}
	const page = items.slice(query.offset, query.offset + query.top);
	const body: Record<string, unknown> = {
		'@odata.context': `${ctx.baseUrl}/$metadata#${kind}${query.select ? `(${query.select.join(',')})` : ''}`,
	};
	if (query.count) body['@odata.count'] = items.length;
	if (query.offset + query.top < items.length) {
		const next = new URLSearchParams([...ctx.query].filter(([k]) => k.toLowerCase() !== '$skiptoken'));
		next.append('$skiptoken', encodeSkipToken(query.offset + query.top));
		body['@odata.nextLink'] = `${ctx.baseUrl}${ctx.path}?${formatQuery(next)}`;
	}
	body.value = page.map((item) => selectProperties(item, query.select));
	return ctx.json(200, body);
}

function getObject(ctx: GraphContext, kind: DirectoryObjectKind): Reply {
	const obj = resolve(ctx, kind, ctx.params.id);
	if (isReply(obj)) return obj;
	let select: string[] | undefined;
	try {
		select = parseSelectOption(ctx.query, SHAPES[kind]);
	} catch (error) {
		if (error instanceof ODataError) return ctx.error(error.status, error.code, error.message);
		throw error;
	}
	return ctx.json(200, {
		'@odata.context': `${ctx.baseUrl}/$metadata#${kind}${select ? `(${select.join(',')})` : ''}/$entity`,
		...selectProperties(representation(ctx.env, kind, obj), select),
	});
}

// ---- synchronization ---------------------------------------------------------------------

const PAIR_TYPE = 'microsoft.graph.synchronizationSecretKeyStringValuePair';

function acquireAccessToken(ctx: GraphContext, kind: DirectoryObjectKind): Reply {
	const obj = resolve(ctx, kind, ctx.params.id);
	if (isReply(obj)) return obj;
	const parsed = parseActionBody(ctx, 'acquireAccessToken', ['credentials']);
	if (!parsed.ok) return parsed.reply;
	const credentials = parsed.body.credentials;
	if (credentials === undefined || credentials === null) {
		return ctx.error(400, 'BadRequest', "The parameter 'credentials' is required for the operation 'acquireAccessToken'.");
	}
	const pairs = parseSecretPairs(ctx, credentials);
	if (!Array.isArray(pairs)) return pairs;
	obj.synchronization.acquiredCredentials = pairs;
	return ctx.noContent();
}

/** An OData action body: a JSON object whose members are the action's parameters. */
function parseActionBody(ctx: GraphContext, action: string, parameters: string[]): { ok: true; body: Record<string, unknown> } | { ok: false; reply: Reply } {
	const fail = (status: number, code: string, message: string) => ({ ok: false as const, reply: ctx.error(status, code, message) });
	const contentType = String(ctx.headers['content-type'] ?? '');
	if (ctx.body.trim() === '') {
		return fail(400, 'BadRequest', 'Empty Payload. JSON content expected.');
	}
	if (!/^application\/json\b/i.test(contentType)) {
		return fail(415, 'UnsupportedMediaType', `The content type '${contentType || '(none)'}' is not supported.`);
	}
	let body: unknown;
	try {
		body = JSON.parse(ctx.body);
	} catch {
		return fail(400, 'BadRequest', 'Invalid JSON. A token was not recognized in the JSON content.');
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return fail(400, 'BadRequest', `An unexpected '${Array.isArray(body) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartObject' node was expected.`);
	}
	for (const name of Object.keys(body)) {
		if (!name.includes('@') && !parameters.includes(name)) {
			return fail(400, 'BadRequest', `The parameter '${name}' in the request payload is not a valid parameter for the operation '${action}'.`);
		}
	}
	return { ok: true, body: body as Record<string, unknown> };
}

/** Collection(microsoft.graph.synchronizationSecretKeyStringValuePair), validated as OData would. */
function parseSecretPairs(ctx: GraphContext, value: unknown): SynchronizationSecretPair[] | Reply {
	if (!Array.isArray(value)) {
		return ctx.error(400, 'BadRequest', `An unexpected '${typeof value === 'object' ? 'StartObject' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartArray' node was expected.`);
	}
	const pairs: SynchronizationSecretPair[] = [];
	for (const item of value) {
		if (item === null || typeof item !== 'object' || Array.isArray(item)) {
			return ctx.error(400, 'BadRequest', `An unexpected '${Array.isArray(item) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartObject' node was expected.`);
		}
		const pair = item as Record<string, unknown>;
		for (const name of Object.keys(pair)) {
			if (name === '@odata.type') {
				const type = String(pair[name]).replace(/^#/, '');
				if (type !== PAIR_TYPE) {
					return ctx.error(400, 'BadRequest', `A type named '${String(pair[name])}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`);
				}
			} else if (name !== 'key' && name !== 'value' && !name.includes('@')) {
				return ctx.error(400, 'BadRequest', `The property '${name}' does not exist on type '${PAIR_TYPE}'. Make sure to only use property names that are defined by the type.`);
			}
		}
		if (pair.key === undefined || pair.key === null) {
			return ctx.error(400, 'BadRequest', "A null value was found for the property named 'key', which has the expected type 'microsoft.graph.synchronizationSecret[Nullable=False]'. The expected type 'microsoft.graph.synchronizationSecret[Nullable=False]' does not allow null values.");
		}
		if (typeof pair.key !== 'string' || !SYNCHRONIZATION_SECRET_KEYS.includes(pair.key)) {
			return ctx.error(400, 'BadRequest', `Requested value '${String(pair.key)}' was not found.`);
		}
		if (pair.value !== undefined && pair.value !== null && typeof pair.value !== 'string') {
			return ctx.error(400, 'BadRequest', `Cannot convert the literal '${JSON.stringify(pair.value)}' to the expected type 'Edm.String'.`);
		}
		pairs.push({ key: pair.key, value: (pair.value as string | null | undefined) ?? null });
	}
	return pairs;
}

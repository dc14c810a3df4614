/**
 * The Graph routing table. Add a route here (method, path template, handler) and the router
 * takes care of authentication, permissions (looked up from the permissions data), key parsing
 * and errors. `{id}` accepts an object id segment or an OData key such as `(appId='…')`.
 */
import { createHash } from 'node:crypto';
import { DirectoryObjectKind, graphDate } from './directory';
import type { GraphContext, GraphEnvironment, GraphRoute } from './graph';
import {
	applyFilter,
	EntityShape,
	encodeSkipToken,
	formatQuery,
	ODataError,
	parseListQuery,
	parseSelectOption,
	selectProperties,
} from './odata';
import {
	DirectoryObject,
	isOwnedBy,
	isReply,
	parseActionBody,
	parseSecretPairs,
	resolve,
} from './route-helpers';
import type { Reply } from './exchange';
import { galleryRoutes } from './gallery-routes';
import { provisioningLogRoutes } from './provisioning-log-routes';
import { synchronizationRoutes } from './synchronization-routes';

export const graphRoutes: GraphRoute[] = [
	{ method: 'GET', path: '/applications', handler: (ctx) => listObjects(ctx, 'applications') },
	{ method: 'GET', path: '/applications/{id}', handler: (ctx) => getObject(ctx, 'applications') },
	{
		method: 'GET',
		path: '/servicePrincipals',
		handler: (ctx) => listObjects(ctx, 'servicePrincipals'),
	},
	{
		method: 'GET',
		path: '/servicePrincipals/{id}',
		handler: (ctx) => getObject(ctx, 'servicePrincipals'),
	},
	{
		method: 'POST',
		path: '/applications/{id}/synchronization/acquireAccessToken',
		handler: (ctx) => acquireAccessToken(ctx, 'applications'),
	},
	{
		method: 'POST',
		path: '/servicePrincipals/{id}/synchronization/acquireAccessToken',
		handler: (ctx) => acquireAccessToken(ctx, 'servicePrincipals'),
	},
	...synchronizationRoutes,
	...provisioningLogRoutes,
	...galleryRoutes,
];

// ---- directory objects -------------------------------------------------------------------

const APPLICATION_PROPERTIES = [
	'id',
	'deletedDateTime',
	'appId',
	'applicationTemplateId',
	'createdDateTime',
	'description',
	'displayName',
	'identifierUris',
	'notes',
	'publisherDomain',
	'signInAudience',
	'tags',
	'uniqueName',
	'keyCredentials',
	'passwordCredentials',
	'requiredResourceAccess',
	'web',
	'publicClient',
];
const SERVICE_PRINCIPAL_PROPERTIES = [
	'id',
	'deletedDateTime',
	'accountEnabled',
	'appDisplayName',
	'appDescription',
	'appId',
	'applicationTemplateId',
	'appOwnerOrganizationId',
	'appRoleAssignmentRequired',
	'appRoles',
	'description',
	'displayName',
	'homepage',
	'notes',
	'preferredSingleSignOnMode',
	'replyUrls',
	'servicePrincipalNames',
	'servicePrincipalType',
	'signInAudience',
	'tags',
	'keyCredentials',
	'passwordCredentials',
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
	return [
		...(kind === 'applications'
			? env.directory.applications
			: env.directory.servicePrincipals
		).values(),
	];
}

function keyId(seed: string): string {
	const h = createHash('sha256').update(seed).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Public credential metadata of a registered client app (never the secret itself). */
function credentials(
	env: GraphEnvironment,
	appId: string,
): { keyCredentials: unknown[]; passwordCredentials: unknown[] } {
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
						endDateTime: graphDate(
							client.secretExpiresAt ?? new Date(Date.now() + 730 * 24 * 3600 * 1000),
						),
						hint: client.secret.slice(0, 3),
						keyId: keyId(client.secret),
						secretText: null,
						startDateTime: graphDate(new Date(Date.now() - 24 * 3600 * 1000)),
					},
				]
			: [],
	};
}

function representation(
	env: GraphEnvironment,
	kind: DirectoryObjectKind,
	obj: DirectoryObject,
): Record<string, unknown> {
	if (kind === 'applications') {
		return {
			id: obj.id,
			deletedDateTime: null,
			appId: obj.appId,
			applicationTemplateId: obj.applicationTemplateId ?? null,
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
			web: {
				homePageUrl: null,
				logoutUrl: null,
				redirectUris: env.directory.getClient(obj.appId)?.redirectUris ?? [],
			},
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
		applicationTemplateId: obj.applicationTemplateId ?? null,
		appOwnerOrganizationId: env.directory.tenantId,
		appRoleAssignmentRequired: obj.applicationTemplateId !== undefined,
		appRoles: obj.appRoles ?? [],
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
		query = parseListQuery(
			ctx.query,
			shape,
			String(consistency ?? '').toLowerCase() === 'eventual',
		);
	} catch (error) {
		if (error instanceof ODataError) return ctx.error(error.status, error.code, error.message);
		throw error;
	}
	let items = objects(ctx.env, kind)
		.filter((o) => !ctx.caller.ownedByOnly || isOwnedBy(o, ctx))
		.filter((o) => o.visibleFrom === undefined || Date.now() >= o.visibleFrom)
		.map((o) => representation(ctx.env, kind, o));
	if (query.filter) {
		const filter = query.filter;
		items = items.filter((item) => applyFilter(filter, item));
	}
	if (query.orderBy) {
		const { property, descending } = query.orderBy;
		items.sort(
			(a, b) =>
				String(a[property] ?? '').localeCompare(String(b[property] ?? ''), 'en', {
					sensitivity: 'base',
				}) * (descending ? -1 : 1),
		);
	}
	const page = items.slice(query.offset, query.offset + query.top);
	const body: Record<string, unknown> = {
		'@odata.context': `${ctx.baseUrl}/$metadata#${kind}${query.select ? `(${query.select.join(',')})` : ''}`,
	};
	if (query.count) body['@odata.count'] = items.length;
	if (query.offset + query.top < items.length) {
		const next = new URLSearchParams(
			[...ctx.query].filter(([k]) => k.toLowerCase() !== '$skiptoken'),
		);
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

function acquireAccessToken(ctx: GraphContext, kind: DirectoryObjectKind): Reply {
	const obj = resolve(ctx, kind, ctx.params.id);
	if (isReply(obj)) return obj;
	const parsed = parseActionBody(ctx, 'acquireAccessToken', ['credentials']);
	if (!parsed.ok) return parsed.reply;
	const credentials = parsed.body.credentials;
	if (credentials === undefined || credentials === null) {
		return ctx.error(
			400,
			'BadRequest',
			"The parameter 'credentials' is required for the operation 'acquireAccessToken'.",
		);
	}
	const pairs = parseSecretPairs(ctx, credentials);
	if (!Array.isArray(pairs)) return pairs;
	obj.synchronization.acquiredCredentials = pairs;
	return ctx.noContent();
}

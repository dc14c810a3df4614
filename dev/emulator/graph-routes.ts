/**
 * The Graph routing table. Add a route here (method, path template, handler) and the router
 * takes care of authentication, permissions (looked up from the permissions data), key parsing
 * and errors. `{id}` accepts an object id segment or an OData key such as `(appId='…')`.
 */
import { DirectoryObjectKind } from './directory';
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
import { representation } from './directory-representation';
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

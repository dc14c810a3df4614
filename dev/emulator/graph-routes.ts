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
import {
	APPLICATION_TEMPLATES,
	DEFAULT_ACCESS_ROLE_ID,
	instanceAppRoles,
} from './application-templates';
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
	{
		method: 'POST',
		path: '/applicationTemplates/{templateId}/instantiate',
		handler: instantiate,
		// applicationtemplate-instantiate.md's permissions table
		permissions: {
			application: [
				'Application.ReadWrite.OwnedBy',
				'Application.ReadWrite.All',
				'Directory.ReadWrite.All',
			],
			delegated: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
		},
	},
	{
		method: 'POST',
		path: '/servicePrincipals/{id}/appRoleAssignedTo',
		handler: assignAppRole,
		// serviceprincipal-post-approleassignedto.md: AppRoleAssignment.ReadWrite.All with Application.Read.All or
		// Directory.Read.All; the handler asks for the second half
		permissions: {
			application: ['AppRoleAssignment.ReadWrite.All'],
			delegated: ['AppRoleAssignment.ReadWrite.All'],
		},
	},
	...synchronizationRoutes,
	...provisioningLogRoutes,
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
	const common = {
		addIns: [],
		appRoles: obj.appRoles,
		info: {
			logoUrl: null,
			marketingUrl: null,
			privacyStatementUrl: null,
			supportUrl: null,
			termsOfServiceUrl: null,
		},
		tokenEncryptionKeyId: null,
		verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
	};
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
			...common,
			api: {
				acceptMappedClaims: null,
				knownClientApplications: [],
				oauth2PermissionScopes: oauth2PermissionScopes(obj),
				preAuthorizedApplications: [],
				requestedAccessTokenVersion: null,
			},
			defaultRedirectUri: null,
			groupMembershipClaims: null,
			isFallbackPublicClient: false,
			optionalClaims: null,
			parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
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
		alternativeNames: [],
		appOwnerOrganizationId: env.directory.tenantId,
		appRoleAssignmentRequired: obj.applicationTemplateId !== undefined,
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
		...common,
		loginUrl: null,
		logoutUrl: null,
		notificationEmailAddresses: [],
		oauth2PermissionScopes: oauth2PermissionScopes(obj),
		preferredTokenSigningKeyThumbprint: null,
		samlSingleSignOnSettings: null,
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

/** An instance of a template exposes user_impersonation, as the documented instance does; other objects none. */
function oauth2PermissionScopes(obj: DirectoryObject): Array<Record<string, unknown>> {
	if (obj.applicationTemplateId === undefined) return [];
	const id = createHash('sha256').update(`${obj.appId}/user_impersonation`).digest('hex');
	return [
		{
			adminConsentDescription: `Allow the application to access ${obj.displayName} on behalf of the signed-in user.`,
			adminConsentDisplayName: `Access ${obj.displayName}`,
			id: `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-a${id.slice(17, 20)}-${id.slice(20, 32)}`,
			isEnabled: true,
			type: 'User',
			userConsentDescription: `Allow the application to access ${obj.displayName} on your behalf.`,
			userConsentDisplayName: `Access ${obj.displayName}`,
			value: 'user_impersonation',
		},
	];
}

// ---- application gallery and assignments ------------------------------------------------

/** POST /applicationTemplates/{id}/instantiate: an application and its service principal, 201 with both. */
function instantiate(ctx: GraphContext): Reply {
	const template = APPLICATION_TEMPLATES[ctx.params.templateId.value.toLowerCase()];
	if (!template)
		return ctx.error(
			404,
			'Request_ResourceNotFound',
			`Resource '${ctx.params.templateId.value}' does not exist or one of its queried reference-property objects are not present.`,
		);
	const parsed = parseActionBody(ctx, 'instantiate', ['displayName']);
	if (!parsed.ok) return parsed.reply;
	const displayName = parsed.body.displayName;
	if (typeof displayName !== 'string' || displayName.trim() === '')
		return ctx.error(400, 'Request_BadRequest', "The parameter 'displayName' is required.");
	const application = ctx.env.directory.addApplication({ displayName });
	const sp = ctx.env.directory.addServicePrincipal({ displayName, appId: application.appId });
	const appRoles = instanceAppRoles();
	for (const obj of [application, sp]) {
		obj.applicationTemplateId = template.id;
		obj.appRoles = appRoles;
	}
	const homepage = { homePageUrl: template.homePageUrl, redirectUris: [] };
	return ctx.json(201, {
		'@odata.context': `${ctx.baseUrl}/$metadata#microsoft.graph.applicationServicePrincipal`,
		application: {
			...representation(ctx.env, 'applications', application),
			web: { ...homepage, logoutUrl: null },
		},
		servicePrincipal: {
			...representation(ctx.env, 'servicePrincipals', sp),
			homepage: template.homePageUrl,
			tags: template.tags,
		},
	});
}

/** POST /servicePrincipals/{id}/appRoleAssignedTo: assigns a user to the application, 201 with the assignment. */
function assignAppRole(ctx: GraphContext): Reply {
	const resource = resolve(ctx, 'servicePrincipals', ctx.params.id);
	if (isReply(resource)) return resource;
	const readers = ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'];
	if (!ctx.caller.permissions.some((held) => readers.includes(held)))
		return ctx.error(
			403,
			'Authorization_RequestDenied',
			'Insufficient privileges to complete the operation.',
		);
	const parsed = parseActionBody(ctx, 'appRoleAssignedTo', [
		'principalId',
		'resourceId',
		'appRoleId',
	]);
	if (!parsed.ok) return parsed.reply;
	const { principalId, resourceId, appRoleId } = parsed.body;
	if (String(resourceId).toLowerCase() !== resource.id.toLowerCase())
		return ctx.error(
			400,
			'Request_BadRequest',
			`resourceId '${String(resourceId)}' must be the ID of the service principal in the URL.`,
		);
	const user =
		typeof principalId === 'string' ? ctx.env.directory.findUser(principalId) : undefined;
	if (!user)
		return ctx.error(
			404,
			'Request_ResourceNotFound',
			`Resource '${String(principalId)}' does not exist or one of its queried reference-property objects are not present.`,
		);
	const roleIds = [DEFAULT_ACCESS_ROLE_ID, ...resource.appRoles.map((role) => role.id)];
	if (typeof appRoleId !== 'string' || !roleIds.includes(appRoleId.toLowerCase()))
		return ctx.error(
			400,
			'Request_BadRequest',
			`Permission being assigned was not found on application '${resource.appId}'.`,
		);
	const assignment = {
		id: createHash('sha256')
			.update(`${resource.id}/${user.id}/${appRoleId}`)
			.digest('base64url')
			.slice(0, 43),
		appRoleId: appRoleId.toLowerCase(),
		createdDateTime: graphDate(new Date()),
		principalDisplayName: user.displayName,
		principalId: user.id,
		principalType: 'User' as const,
		resourceDisplayName: resource.displayName,
		resourceId: resource.id,
	};
	resource.appRoleAssignedTo.push(assignment);
	return ctx.json(201, {
		'@odata.context': `${ctx.baseUrl}/$metadata#servicePrincipals('${resource.id}')/appRoleAssignedTo/$entity`,
		deletedDateTime: null,
		...assignment,
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

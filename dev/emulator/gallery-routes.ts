/**
 * The Entra application gallery and app assignments: GET /applicationTemplates (List and Get), POST
 * /applicationTemplates/{id}/instantiate and /servicePrincipals/{id}/appRoleAssignedTo (assign, list, remove), as the
 * v1.0 pages applicationtemplate-list, applicationtemplate-instantiate and serviceprincipal-post-approleassignedto
 * (their documented examples are in the project's Graph notes) describe them.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import {
	type AppRole,
	type AppRoleAssignment,
	type DirectoryObjectKind,
	graphDate,
	isGuid,
} from './directory';
import { representation } from './directory-representation';
import type { Reply } from './exchange';
import type { GraphContext, GraphRoute } from './graph';
import { isReply, parseJsonObject, resolve } from './route-helpers';
import { TEMPLATE_DEFINITIONS } from './synchronization';

/** microsoft.graph.applicationTemplate. */
export interface ApplicationTemplate {
	id: string;
	displayName: string;
	homePageUrl: string | null;
	supportedSingleSignOnModes: string[];
	/** ["sync"] when the gallery app supports automatic user provisioning */
	supportedProvisioningTypes: string[];
	logoUrl: string | null;
	categories: string[];
	publisher: string;
	description: string | null;
}

/** The template applicationtemplate-instantiate.md names for an app "you don't find in the gallery". */
const NON_GALLERY_TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
const NON_GALLERY_HOME_PAGE =
	'https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=customappsso|ISV9.1|primary|z';

/**
 * The emulated gallery. The first two IDs are Microsoft's own: the SAML Toolkit of the instantiate example, and the
 * template the instantiate page names for non-gallery apps (the one to use for a custom SCIM app). The others are
 * fictitious apps, some with automatic provisioning, one with a quote in its name.
 */
export const APPLICATION_TEMPLATES: readonly ApplicationTemplate[] = [
	{
		id: '229946b9-a9fb-45b8-9531-efa47453ac9e',
		displayName: 'Azure AD SAML Toolkit',
		homePageUrl: 'https://samltoolkit.azurewebsites.net/',
		supportedSingleSignOnModes: ['saml'],
		supportedProvisioningTypes: [],
		logoUrl: null,
		categories: ['developerServices'],
		publisher: 'Microsoft Corporation',
		description: null,
	},
	{
		id: NON_GALLERY_TEMPLATE_ID,
		displayName: 'Custom',
		homePageUrl: null,
		supportedSingleSignOnModes: ['password', 'saml', 'external'],
		supportedProvisioningTypes: ['sync'],
		logoUrl: null,
		categories: [],
		publisher: 'Microsoft Corporation',
		description: 'Integrate any other application that you do not find in the gallery',
	},
	{
		id: '3e7cbd4c-6f3b-4b5e-9d1a-2a6f0c1b7e01',
		displayName: 'Contoso Payroll',
		homePageUrl: 'https://payroll.contoso.example/',
		supportedSingleSignOnModes: ['saml'],
		supportedProvisioningTypes: ['sync'],
		logoUrl: null,
		categories: ['hr'],
		publisher: 'Contoso',
		description: 'Payroll with SCIM user provisioning',
	},
	{
		id: '5b0d9a2e-1c4f-4e8a-b7d3-6f2e8c9a4d02',
		displayName: 'Contoso Wiki',
		homePageUrl: 'https://wiki.contoso.example/',
		supportedSingleSignOnModes: ['oidc'],
		supportedProvisioningTypes: [],
		logoUrl: null,
		categories: ['collaboration'],
		publisher: 'Contoso',
		description: null,
	},
	{
		id: '9c1e7f3a-2b6d-4a9e-8c5f-0d3b7e1a6f03',
		displayName: "Fabrikam's Field Service",
		homePageUrl: 'https://field.fabrikam.example/',
		supportedSingleSignOnModes: ['saml'],
		supportedProvisioningTypes: ['sync'],
		logoUrl: null,
		categories: ['businessMgmt'],
		publisher: 'Fabrikam',
		description: 'Field service scheduling with SCIM user provisioning',
	},
];

/** Application.ReadWrite.OwnedBy, Application.ReadWrite.All, Directory.ReadWrite.All (instantiate page table). */
const INSTANTIATE_PERMISSIONS = {
	application: [
		'Application.ReadWrite.OwnedBy',
		'Application.ReadWrite.All',
		'Directory.ReadWrite.All',
	],
	delegated: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
};

/** The POST page lists AppRoleAssignment.ReadWrite.All together with Application.Read.All or Directory.Read.All. */
const ASSIGNMENT_READS = [
	'Application.Read.All',
	'Directory.Read.All',
	'Application.ReadWrite.All',
	'Directory.ReadWrite.All',
];

/**
 * Graph's default access role: assigning it gives access to an application that defines no app roles
 * (appRoleAssignment's appRoleId: "If the resource application has not declared any app roles, a default app role
 * ID of 00000000-0000-0000-0000-000000000000 can be specified").
 */
const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

export const galleryRoutes: GraphRoute[] = [
	// "Additional permissions aren't required to call this API, as long as your application has a valid access token."
	{ method: 'GET', path: '/applicationTemplates', handler: listTemplates, anyValidToken: true },
	{
		method: 'GET',
		path: '/applicationTemplates/{templateId}',
		handler: getTemplate,
		anyValidToken: true,
	},
	{
		method: 'POST',
		path: '/applicationTemplates/{templateId}/instantiate',
		handler: instantiate,
		permissions: INSTANTIATE_PERMISSIONS,
	},
	{
		method: 'GET',
		path: '/servicePrincipals/{id}/appRoleAssignedTo',
		handler: listAssignments,
		permissions: {
			application: [...ASSIGNMENT_READS, 'AppRoleAssignment.ReadWrite.All'],
			delegated: [...ASSIGNMENT_READS, 'AppRoleAssignment.ReadWrite.All'],
		},
	},
	{
		method: 'POST',
		path: '/servicePrincipals/{id}/appRoleAssignedTo',
		handler: assign,
		permissions: {
			application: ['AppRoleAssignment.ReadWrite.All'],
			delegated: ['AppRoleAssignment.ReadWrite.All'],
		},
	},
	{
		method: 'DELETE',
		path: '/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}',
		handler: removeAssignment,
		permissions: {
			application: ['AppRoleAssignment.ReadWrite.All'],
			delegated: ['AppRoleAssignment.ReadWrite.All'],
		},
	},
];

// ---- the gallery ------------------------------------------------------------------------------

/** The two $filter forms the List page documents; an OData string literal doubles its single quotes. */
const DISPLAY_NAME_CONTAINS = /^contains\(\s*displayName\s*,\s*'((?:[^']|'')*)'\s*\)$/i;
const CATEGORY_CONTAINS =
	/^categories\/any\(\s*(\w+)\s*:\s*contains\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*\)$/i;

function listTemplates(ctx: GraphContext): Reply {
	let templates = [...APPLICATION_TEMPLATES];
	const filter = ctx.query.get('$filter');
	if (filter !== null) {
		const byName = DISPLAY_NAME_CONTAINS.exec(filter.trim());
		const byCategory = CATEGORY_CONTAINS.exec(filter.trim());
		if (byName) {
			const wanted = byName[1].replace(/''/g, "'").toLowerCase();
			templates = templates.filter((t) => t.displayName.toLowerCase().includes(wanted));
		} else if (byCategory && byCategory[1] === byCategory[2]) {
			const wanted = byCategory[3].replace(/''/g, "'").toLowerCase();
			templates = templates.filter((t) =>
				t.categories.some((category) => category.toLowerCase().includes(wanted)),
			);
		} else {
			return ctx.error(
				400,
				'BadRequest',
				`Invalid filter clause: only contains(displayName, '…') and categories/any(c:contains(c, '…')) are supported.`,
			);
		}
	}
	const orderBy = ctx.query.get('$orderby');
	if (orderBy !== null) {
		const match = /^displayName(\s+(asc|desc))?$/i.exec(orderBy.trim());
		if (!match) return ctx.error(400, 'BadRequest', `Invalid $orderby: '${orderBy}'.`);
		const sign = match[2]?.toLowerCase() === 'desc' ? -1 : 1;
		templates.sort((a, b) => sign * a.displayName.localeCompare(b.displayName));
	}
	const skip = wholeNumber(ctx.query.get('$skip'), 0);
	const top = wholeNumber(ctx.query.get('$top'), templates.length);
	if (skip === undefined || top === undefined) {
		return ctx.error(400, 'BadRequest', '$top and $skip take a whole number.');
	}
	return ctx.json(200, {
		'@odata.context': `${ctx.baseUrl}/$metadata#applicationTemplates`,
		value: templates.slice(skip, skip + top),
	});
}

function wholeNumber(raw: string | null, fallback: number): number | undefined {
	if (raw === null) return fallback;
	return /^\d{1,6}$/.test(raw) ? Number(raw) : undefined;
}

function findTemplate(ctx: GraphContext): ApplicationTemplate | Reply {
	const id = ctx.params.templateId.value;
	const template = APPLICATION_TEMPLATES.find((t) => t.id.toLowerCase() === id.toLowerCase());
	if (template) return template;
	return ctx.error(
		404,
		'Request_ResourceNotFound',
		`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
	);
}

function getTemplate(ctx: GraphContext): Reply {
	const template = findTemplate(ctx);
	if (isReply(template)) return template;
	return ctx.json(200, {
		'@odata.context': `${ctx.baseUrl}/$metadata#applicationTemplates/$entity`,
		...template,
	});
}

/**
 * POST /applicationTemplates/{id}/instantiate {displayName}: "returns a 201 Created response code and a new
 * applicationServicePrincipal object". Both new objects answer 404 for the directory's replication delay.
 */
function instantiate(ctx: GraphContext): Reply {
	const template = findTemplate(ctx);
	if (isReply(template)) return template;
	const parsed = parseJsonObject(ctx);
	if (!parsed.ok) return parsed.reply;
	const { displayName } = parsed.body;
	if (typeof displayName !== 'string' || displayName.trim() === '') {
		return ctx.error(
			400,
			'Request_BadRequest',
			"The property 'displayName' is required to instantiate an application template.",
		);
	}
	if (displayName.length > 256) {
		return ctx.error(
			400,
			'Request_BadRequest',
			"Invalid value specified for property 'displayName' of resource 'Application'.",
		);
	}
	const { directory } = ctx.env;
	const appId = randomUUID();
	// msiam_access, the one role a gallery SAML app gets, as in the documented example.
	const appRoles: AppRole[] = [
		{
			allowedMemberTypes: ['User'],
			description: 'msiam_access',
			displayName: 'msiam_access',
			id: randomUUID(),
			isEnabled: true,
			origin: 'Application',
			value: null,
		},
	];
	const owners = [ctx.caller.objectId, ctx.caller.appId].filter(Boolean);
	const visibleFrom = Date.now() + directory.replicationDelayMs;
	const application = directory.addApplication({ displayName, appId, owners });
	const servicePrincipal = directory.addServicePrincipal({ displayName, appId, owners });
	for (const created of [application, servicePrincipal]) {
		created.applicationTemplateId = template.id;
		created.appRoles = appRoles;
		created.visibleFrom = visibleFrom;
	}
	servicePrincipal.appRoleAssignments = [];
	// Only an app with automatic provisioning offers a synchronization template (the SCIM one here).
	servicePrincipal.synchronization.templates = template.supportedProvisioningTypes.includes('sync')
		? [TEMPLATE_DEFINITIONS.scim]
		: [];
	const nonGallery = template.id === NON_GALLERY_TEMPLATE_ID;
	// The beta page's example instantiates the non-gallery template: its service principal's home page is the
	// customappsso page and it is tagged as a custom single sign-on app, which the v1.0 example (a gallery app) is not.
	const homepage = nonGallery ? NON_GALLERY_HOME_PAGE : template.homePageUrl;
	return ctx.json(201, {
		'@odata.context': `${ctx.baseUrl}/$metadata#microsoft.graph.applicationServicePrincipal`,
		application: {
			...representation(ctx.env, 'applications', application),
			web: { homePageUrl: homepage, logoutUrl: null, redirectUris: [] },
		},
		servicePrincipal: {
			...representation(ctx.env, 'servicePrincipals', servicePrincipal),
			homepage,
			tags: [
				'WindowsAzureActiveDirectoryIntegratedApp',
				...(nonGallery ? ['WindowsAzureActiveDirectoryCustomSingleSignOnApplication'] : []),
			],
		},
	});
}

// ---- appRoleAssignedTo ------------------------------------------------------------------------

function resourceOf(ctx: GraphContext) {
	return resolve(ctx, 'servicePrincipals' as DirectoryObjectKind, ctx.params.id);
}

function assignmentsContext(ctx: GraphContext, servicePrincipalId: string, suffix = ''): string {
	return `${ctx.baseUrl}/$metadata#servicePrincipals('${servicePrincipalId}')/appRoleAssignedTo${suffix}`;
}

function listAssignments(ctx: GraphContext): Reply {
	const sp = resourceOf(ctx);
	if (isReply(sp)) return sp;
	return ctx.json(200, {
		'@odata.context': assignmentsContext(ctx, sp.id),
		value: sp.appRoleAssignments ?? [],
	});
}

/** POST …/appRoleAssignedTo {principalId, resourceId, appRoleId} → 201 and the appRoleAssignment. */
function assign(ctx: GraphContext): Reply {
	if (!ctx.caller.permissions.some((p) => ASSIGNMENT_READS.includes(p))) {
		return ctx.error(
			403,
			'Authorization_RequestDenied',
			'Insufficient privileges to complete the operation.',
		);
	}
	const sp = resourceOf(ctx);
	if (isReply(sp)) return sp;
	const parsed = parseJsonObject(ctx);
	if (!parsed.ok) return parsed.reply;
	const { principalId, resourceId, appRoleId } = parsed.body;
	for (const [name, value] of Object.entries({ principalId, resourceId, appRoleId })) {
		if (typeof value !== 'string' || !isGuid(value)) {
			return ctx.error(
				400,
				'Request_BadRequest',
				`Invalid value specified for property '${name}' of resource 'AppRoleAssignment'.`,
			);
		}
	}
	const [principal, resource, role] = [principalId, resourceId, appRoleId].map((value) =>
		String(value).toLowerCase(),
	);
	if (resource !== sp.id.toLowerCase()) {
		return ctx.error(
			400,
			'Request_BadRequest',
			'The resourceId of the assignment must be the service principal it is posted to.',
		);
	}
	const roles = sp.appRoles ?? [];
	const assignableToUsers = roles.filter(
		(r) => r.isEnabled && r.allowedMemberTypes.includes('User'),
	);
	const known =
		assignableToUsers.some((r) => r.id.toLowerCase() === role) ||
		(role === DEFAULT_ACCESS_ROLE_ID && assignableToUsers.length === 0);
	if (!known) {
		return ctx.error(
			400,
			'Request_BadRequest',
			`Permission being assigned was not found on application '${sp.appId}'.`,
		);
	}
	const user = [...ctx.env.directory.users.values()].find(
		(candidate) => candidate.id.toLowerCase() === principal,
	);
	const group = ctx.env.directory.groups.get(principal);
	if (!user && !group) {
		return ctx.error(
			404,
			'Request_ResourceNotFound',
			`Resource '${principal}' does not exist or one of its queried reference-property objects are not present.`,
		);
	}
	const assignments = (sp.appRoleAssignments ??= []);
	if (assignments.some((a) => a.principalId === principal && a.appRoleId === role)) {
		return ctx.error(
			400,
			'Request_BadRequest',
			'Permission being assigned already exists on the object.',
		);
	}
	const assignment: AppRoleAssignment = {
		id: randomBytes(32).toString('base64url').slice(0, 43),
		deletedDateTime: null,
		appRoleId: role,
		createdDateTime: graphDate(new Date()),
		principalDisplayName: (user ?? group)!.displayName,
		principalId: principal,
		principalType: user ? 'User' : 'Group',
		resourceDisplayName: sp.displayName,
		resourceId: sp.id,
	};
	assignments.push(assignment);
	return ctx.json(201, {
		'@odata.context': assignmentsContext(ctx, sp.id, '/$entity'),
		...assignment,
	});
}

function removeAssignment(ctx: GraphContext): Reply {
	const sp = resourceOf(ctx);
	if (isReply(sp)) return sp;
	const id = ctx.params.assignmentId.value;
	const assignments = sp.appRoleAssignments ?? [];
	const at = assignments.findIndex((a) => a.id === id);
	if (at < 0) {
		return ctx.error(
			404,
			'Request_ResourceNotFound',
			`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
		);
	}
	assignments.splice(at, 1);
	return ctx.noContent();
}

/**
 * What each Graph call needs. Error messages, the README and the tests read this table, so a permission named to
 * an admin is always the one Graph checks.
 */
export interface RequiredAccess {
	/** Application permissions, least privileged first */
	application: string[];
	/** Delegated permissions, least privileged first */
	delegated: string[];
	/** Entra roles the signed-in user must hold for delegated calls (any one of them) */
	delegatedRoles: string[];
	/** The call needs every listed permission at once, not any one of them */
	allRequired?: boolean;
}

/** Entra built-in roles that may manage provisioning of an app, with their role template IDs. */
export const PROVISIONING_ADMIN_ROLES = {
	'Application Administrator': '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
	'Cloud Application Administrator': '158c047a-c907-4556-b7ef-446551a6b5f7',
	'Hybrid Identity Administrator': '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2',
} as const;

const provisioningAdminRoles = Object.keys(PROVISIONING_ADMIN_ROLES);

export const REQUIRED_ACCESS = {
	acquireProvisioningToken: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	readDirectoryObjects: {
		application: ['Application.Read.All', 'Application.ReadWrite.OwnedBy'],
		delegated: ['Application.Read.All'],
		delegatedRoles: [],
	},
	// The entries below follow Microsoft's permissions data for /servicePrincipals/{id}/synchronization/… paths.
	saveSynchronizationSecrets: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	// The permissions data lists only PUT for secrets; reading them back needs the same grant.
	readSynchronizationSecrets: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	readSynchronizationJobs: {
		application: [
			'Application.ReadWrite.OwnedBy',
			'Synchronization.Read.All',
			'Synchronization.ReadWrite.All',
		],
		delegated: ['Synchronization.Read.All', 'Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	manageSynchronizationJobs: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	provisionOnDemand: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	validateSynchronizationCredentials: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	readSynchronizationTemplates: {
		application: [
			'Application.ReadWrite.OwnedBy',
			'Synchronization.Read.All',
			'Synchronization.ReadWrite.All',
		],
		delegated: ['Synchronization.Read.All', 'Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	readSynchronizationSchema: {
		application: [
			'Application.ReadWrite.OwnedBy',
			'Synchronization.Read.All',
			'Synchronization.ReadWrite.All',
		],
		delegated: ['Synchronization.Read.All', 'Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	parseSynchronizationExpression: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	// PUT and DELETE …/schema
	writeSynchronizationSchema: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	// GET …/schema/filterOperators and …/schema/functions
	readSynchronizationCatalogues: {
		application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
		delegated: ['Synchronization.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	// POST …/schema/directories/{id}/discover: the permissions data lists Directory.ReadWrite.All, not Synchronization.*
	discoverSynchronizationDirectory: {
		application: ['Application.ReadWrite.OwnedBy', 'Directory.ReadWrite.All'],
		delegated: ['Directory.ReadWrite.All'],
		delegatedRoles: provisioningAdminRoles,
	},
	// Microsoft: "Outside of applications that have acquired SynchronizationData-User.Upload … only admin users with
	// Global Administrator role can invoke the API."
	bulkUpload: {
		application: ['SynchronizationData-User.Upload.OwnedBy', 'SynchronizationData-User.Upload'],
		delegated: ['SynchronizationData-User.Upload'],
		delegatedRoles: ['Global Administrator'],
	},
	// Microsoft: "AuditLog.Read.All and Directory.Read.All" (a known issue of the API requires consent to both), and
	// for delegated calls one of the least privileged roles it lists.
	readProvisioningLogs: {
		application: ['AuditLog.Read.All', 'Directory.Read.All'],
		delegated: ['AuditLog.Read.All', 'Directory.Read.All'],
		delegatedRoles: [
			'Reports Reader',
			'Security Reader',
			'Security Operator',
			'Security Administrator',
			'Global Reader',
			'Application Administrator',
			'Cloud Application Administrator',
		],
		allRequired: true,
	},
	// Microsoft: "Additional permissions aren't required to call this API, as long as your application has a valid
	// access token" (List applicationTemplates); the gallery takes any token.
	readApplicationTemplates: {
		application: [],
		delegated: [],
		delegatedRoles: [],
	},
	// The instantiate page's table; with Application.ReadWrite.OwnedBy the calling app becomes the new app's owner, so
	// the same grant then manages its provisioning.
	instantiateApplicationTemplate: {
		application: [
			'Application.ReadWrite.OwnedBy',
			'Application.ReadWrite.All',
			'Directory.ReadWrite.All',
		],
		delegated: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
		delegatedRoles: ['Application Administrator', 'Cloud Application Administrator'],
	},
	// Microsoft (POST appRoleAssignedTo): "AppRoleAssignment.ReadWrite.All and Application.Read.All" (or and
	// Directory.Read.All). Removing an assignment needs AppRoleAssignment.ReadWrite.All, listed here with it.
	manageAppRoleAssignments: {
		application: ['AppRoleAssignment.ReadWrite.All', 'Application.Read.All'],
		delegated: ['AppRoleAssignment.ReadWrite.All', 'Application.Read.All'],
		delegatedRoles: ['Application Administrator', 'Cloud Application Administrator'],
		allRequired: true,
	},
	readAppRoleAssignments: {
		application: ['Application.Read.All', 'Directory.Read.All'],
		delegated: ['Application.Read.All', 'Directory.Read.All'],
		delegatedRoles: [],
	},
} satisfies Record<string, RequiredAccess>;

/**
 * The delegated permissions that together allow every call of the table: what the OAuth2 credential asks for by
 * default, so logs, upload outcomes, the trigger's failures and Bulk Upload do not answer 403 until someone edits
 * its scopes. An entry that needs all its permissions adds them all; then an entry that any one permission allows
 * and none chosen so far covers adds its least privileged one.
 */
export function delegatedScopesForEveryOperation(): string[] {
	const entries: RequiredAccess[] = Object.values(REQUIRED_ACCESS);
	const chosen: string[] = [];
	const add = (permission: string) => {
		if (!chosen.includes(permission)) chosen.push(permission);
	};
	for (const entry of entries) {
		if (entry.allRequired || entry.delegated.length === 1) entry.delegated.forEach(add);
	}
	for (const entry of entries) {
		// An entry naming no permission (the gallery: any valid token) needs no scope
		if (entry.delegated.length === 0) continue;
		if (!entry.delegated.some((permission) => chosen.includes(permission))) add(entry.delegated[0]);
	}
	return chosen;
}

/** What the delegated credential asks for by default: every operation's permissions, and a refresh token. */
export const DEFAULT_DELEGATED_SCOPES: readonly string[] = [
	...delegatedScopesForEveryOperation(),
	'offline_access',
];

/** How the permissions of an entry join: "A or B" (either is enough) or "A and B" (both are needed). */
export function permissionJoiner(access: RequiredAccess): string {
	return access.allRequired ? ' and ' : ' or ';
}

export type AccessName = keyof typeof REQUIRED_ACCESS;

/** A sentence naming what to grant, for 401/403 errors. */
export function describeRequiredAccess(access: AccessName, delegated: boolean): string {
	const required: RequiredAccess = REQUIRED_ACCESS[access];
	if ((delegated ? required.delegated : required.application).length === 0) {
		return 'Microsoft documents no permission for this call beyond a valid Microsoft Graph token: check that the credential signs in to the right tenant and cloud.';
	}
	const joiner = permissionJoiner(required);
	const plural = required.allRequired ? 's' : '';
	if (!delegated) {
		return `The app needs the Microsoft Graph application permission${plural} ${required.application.join(joiner)}, with admin consent granted (App registrations › API permissions › Grant admin consent).`;
	}
	const roles = required.delegatedRoles.length
		? ` and the signed-in user must hold one of the Entra roles ${required.delegatedRoles.join(', ')}`
		: '';
	return `The credential's scopes must include the delegated permission${plural} ${required.delegated.join(joiner)} (with admin consent)${roles}. Reconnect the credential after changing its scopes.`;
}

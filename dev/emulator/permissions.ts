/**
 * Which Graph permissions allow which method + path, from Microsoft's permissions data for the
 * synchronization API (graph-metadata/graph-synchronization-permissions.json, from Graph's permissions reference) plus
 * the directory reads the node's target picker makes.
 */
import permissionsData from './graph-metadata/graph-synchronization-permissions.json';

export interface AllowedPermissions {
	/** App roles (`roles` claim) that allow the call. */
	application: string[];
	/** Delegated scopes (`scp` claim) that allow the call. */
	delegated: string[];
}

interface PermissionEntry {
	schemeKeys: string[];
	methods: string[];
	paths: string[];
}

/**
 * Directory roles one of which a signed-in user must hold for delegated synchronization calls
 * (Application Administrator, Cloud Application Administrator, Hybrid Identity Administrator;
 * Global Administrator holds every permission of those).
 */
export const SYNCHRONIZATION_ADMIN_ROLES = [
	'9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
	'158c047a-c907-4556-b7ef-446551a6b5f7',
	'8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2',
	'62e90394-69f5-4237-9190-012177145e10',
];

/** GET application / servicePrincipal (list and by key), per the Graph reference permission tables. */
const DIRECTORY_READ_APPLICATION = [
	'Application.Read.All',
	'Application.ReadWrite.All',
	'Application.ReadWrite.OwnedBy',
	'Directory.Read.All',
	'Directory.ReadWrite.All',
];
const DIRECTORY_READ_DELEGATED = [
	'Application.Read.All',
	'Application.ReadWrite.All',
	'Directory.Read.All',
	'Directory.ReadWrite.All',
];

const table = new Map<string, AllowedPermissions>();

/** `/servicePrincipals/{servicePrincipalId}/Synchronization` → `/serviceprincipals/{id}/synchronization`. */
export function permissionPathKey(path: string): string {
	return path
		.toLowerCase()
		.replace(/\{[^}]*\}/g, '{id}')
		.replace(/\/+$/, '');
}

function allow(
	method: string,
	path: string,
	permission: string,
	scheme: 'application' | 'delegated',
): void {
	const key = `${method.toUpperCase()} ${permissionPathKey(path)}`;
	const entry = table.get(key) ?? { application: [], delegated: [] };
	if (!entry[scheme].includes(permission)) entry[scheme].push(permission);
	table.set(key, entry);
}

for (const [permission, entries] of Object.entries(
	permissionsData as Record<string, PermissionEntry[]>,
)) {
	for (const entry of entries) {
		for (const method of entry.methods) {
			for (const path of entry.paths) {
				if (entry.schemeKeys.includes('Application'))
					allow(method, path, permission, 'application');
				if (entry.schemeKeys.includes('DelegatedWork'))
					allow(method, path, permission, 'delegated');
			}
		}
	}
}
for (const path of [
	'/applications',
	'/applications/{id}',
	'/servicePrincipals',
	'/servicePrincipals/{id}',
]) {
	for (const p of DIRECTORY_READ_APPLICATION) allow('GET', path, p, 'application');
	for (const p of DIRECTORY_READ_DELEGATED) allow('GET', path, p, 'delegated');
}

/** Permissions allowing `method` on a route template such as `/applications/{id}/synchronization/acquireAccessToken`. */
export function allowedPermissions(
	method: string,
	templatePath: string,
): AllowedPermissions | undefined {
	return table.get(`${method.toUpperCase()} ${permissionPathKey(templatePath)}`);
}

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { GUID_PATTERN } from '../../../lib/graphIdentifiers';
import { invalidInput, itemParameter } from './itemParameters';

const GUID = new RegExp(GUID_PATTERN);

/** The parts of Graph's applicationTemplate the node reads; the rest is passed through as returned. */
export interface ApplicationTemplate extends IDataObject {
	id: string;
	displayName?: string | null;
	publisher?: string | null;
	categories?: string[];
	supportedProvisioningTypes?: string[];
	supportedSingleSignOnModes?: string[];
}

/** Graph's appRole, as a service principal lists it. */
export interface AppRole {
	id: string;
	allowedMemberTypes?: string[];
	displayName?: string | null;
	isEnabled?: boolean;
	value?: string | null;
}

/** "sync" in supportedProvisioningTypes: the gallery app supports automatic user provisioning. */
export function supportsProvisioning(template: ApplicationTemplate): boolean {
	return (template.supportedProvisioningTypes ?? []).includes('sync');
}

/** A template as an n8n item: what an admin picks by, then Graph's template as returned. */
export function summarizeApplicationTemplate(template: ApplicationTemplate): IDataObject {
	return {
		applicationTemplateId: template.id,
		displayName: template.displayName ?? null,
		publisher: template.publisher ?? null,
		supportsProvisioning: supportsProvisioning(template),
		categories: template.categories ?? [],
		template,
	};
}

/**
 * A GUID parameter of one item (a resource locator's value or a plain string), checked before any request. `what`
 * names it to the admin; `where` says where to find a valid one.
 */
export function readGuidParameter(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	what: string,
	where: string,
): string {
	const raw = itemParameter(ctx, name, itemIndex, '');
	const value =
		raw !== null && typeof raw === 'object' ? (raw as { value?: unknown }).value : (raw as unknown);
	const text = typeof value === 'string' ? value.trim() : '';
	if (!GUID.test(text)) {
		invalidInput(
			ctx,
			itemIndex,
			`${what} must be a GUID, not ${JSON.stringify(String(value ?? '')).slice(0, 80)}`,
			where,
		);
	}
	return text.toLowerCase();
}

/** Graph's ID of the default access role: "the app has no app roles" (appRoleAssignment page). */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The app role to assign users and groups to when none is given: the provisioning service scopes on assignments,
 * and a gallery app usually has exactly one role for users (e.g. msiam_access), or none (the default access role).
 * Returns the role, or the roles to choose from when there are several.
 */
export function defaultAppRole(
	roles: AppRole[],
): { appRoleId: string; appRoleName: string } | { choices: AppRole[] } {
	const assignable = roles.filter(
		(role) => role.isEnabled !== false && (role.allowedMemberTypes ?? []).includes('User'),
	);
	if (assignable.length === 0) {
		return { appRoleId: DEFAULT_ACCESS_ROLE_ID, appRoleName: 'Default Access' };
	}
	if (assignable.length === 1) {
		const [role] = assignable;
		return { appRoleId: role.id, appRoleName: role.displayName ?? role.value ?? role.id };
	}
	return { choices: assignable };
}

/** The Application Template locator's value: a gallery template ID is a GUID. */
export function readApplicationTemplateId(ctx: IExecuteFunctions, itemIndex: number): string {
	return readGuidParameter(
		ctx,
		itemIndex,
		'applicationTemplate',
		'The Application Template',
		'Pick the app from the list, or enter the applicationTemplateId that Application Template › Search outputs.',
	);
}

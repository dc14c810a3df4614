/*
 * How Graph names the objects the package works on: directory objects by GUID, synchronization jobs, templates and
 * rules by IDs of their own. In lib/, the bottom layer, because the parameters' validation rules (descriptions),
 * the checks of an item's input (helpers), the list searches and the trigger all read the same patterns.
 */

export const GUID_PATTERN =
	'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** The two kinds of directory object that own a synchronization, and their Graph collection names. */
export const TARGET_TYPES = {
	application: { displayName: 'Application', collection: 'applications' },
	servicePrincipal: { displayName: 'Service Principal', collection: 'servicePrincipals' },
} as const;

export type TargetType = keyof typeof TARGET_TYPES;

/**
 * Job, template and rule IDs: Graph's own identifiers such as `scim`, `API2AAD` or
 * `scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60`, never whitespace or slashes.
 */
export const SYNCHRONIZATION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

const SYNCHRONIZATION_ID = new RegExp(SYNCHRONIZATION_ID_PATTERN);

export function isSynchronizationId(value: string): boolean {
	return SYNCHRONIZATION_ID.test(value);
}

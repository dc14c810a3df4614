import type { IDataObject } from 'n8n-workflow';

import {
	SCIM_CORE_USER_SCHEMA,
	SCIM_ENTERPRISE_USER_SCHEMA,
	SCIM_USER_ATTRIBUTES,
	type Placement,
	type ScimAttribute,
} from '../../../lib/scimUserAttributes';

export const SCIM_BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** Graph accepts at most 50 operations in one bulk request. */
export const MAX_OPERATIONS_PER_REQUEST = 50;

/** The attribute of every name the list knows it by (its path and its aliases). */
const ATTRIBUTE_PATH_BY_NAME = new Map<string, string>(
	Object.entries(SCIM_USER_ATTRIBUTES).flatMap(([path, { aliases }]) =>
		[path, ...(aliases ?? [])].map((name): [string, string] => [name, path]),
	),
);

/**
 * A custom extension attribute's full name: its schema URN, a colon, the attribute, as the app's attribute list for
 * API shows it (e.g. urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate, or urn:contoso:employee:JobCode).
 */
const CUSTOM_EXTENSION_ATTRIBUTE =
	/^(urn:[A-Za-z0-9][A-Za-z0-9-]*(?::[^\s:]+)+):([A-Za-z_][\w-]*)$/i;

/** Core attributes the attribute list for API may add beyond the list above: dotted names and typed entries. */
const CORE_ATTRIBUTE = /^[A-Za-z]\w*(?:\.[A-Za-z]\w*)?$/;
const WORK_ENTRY_ATTRIBUTE = /^(emails|phoneNumbers|addresses)\[type eq "work"\]\.([A-Za-z]\w*)$/;

/** An attribute a value can go to, with where it goes in the SCIM user and how its value is read. */
export interface ResolvedAttribute {
	/** The name messages use: the list's path, or the custom attribute's full name */
	path: string;
	placement: Placement;
	/** `any` keeps text, numbers and true/false as given: the job's own mapping reads a custom attribute */
	kind: ScimAttribute['kind'] | 'any';
	required: boolean;
}

export function isCustomExtensionAttribute(name: string): boolean {
	const match = CUSTOM_EXTENSION_ATTRIBUTE.exec(name);
	if (!match) return false;
	const schema = match[1].toLowerCase();
	return (
		schema !== SCIM_CORE_USER_SCHEMA.toLowerCase() &&
		schema !== SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase()
	);
}

/**
 * Where a named attribute goes: a core or enterprise attribute of the list (by its path or an alias), or a custom
 * extension attribute by its full name. `listedByJob` also accepts the core attributes a job's attribute list for API
 * names beyond the list; item fields are never read that way, so a field such as `id` is refused, not sent.
 */
export function resolveAttribute(name: string, listedByJob = false): ResolvedAttribute | undefined {
	const path = ATTRIBUTE_PATH_BY_NAME.get(name);
	if (path !== undefined) {
		const { placement, kind, required } = SCIM_USER_ATTRIBUTES[path];
		return { path, placement, kind, required: required === true };
	}
	if (isCustomExtensionAttribute(name)) {
		const [, schema, attribute] = CUSTOM_EXTENSION_ATTRIBUTE.exec(name) as RegExpExecArray;
		return {
			path: name,
			placement: { place: 'custom', schema, path: [attribute] },
			kind: 'any',
			required: false,
		};
	}
	if (!listedByJob || name.toLowerCase().startsWith('urn:')) return undefined;
	const work = WORK_ENTRY_ATTRIBUTE.exec(name);
	if (work)
		return {
			path: name,
			placement: {
				place: 'work',
				attribute: work[1] as 'emails' | 'phoneNumbers' | 'addresses',
				field: work[2],
			},
			kind: 'text',
			required: false,
		};
	if (CORE_ATTRIBUTE.test(name))
		return {
			path: name,
			placement: { place: 'core', path: name.split('.') },
			kind: 'text',
			required: false,
		};
	return undefined;
}

/** Loose on purpose (Graph and the target directory judge the rest), strict enough to catch a name or an empty domain. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type ScimScalar = string | boolean | number;

/** A mapped value as SCIM wants it (undefined for an empty one, left out of the user), or why it is unusable. */
export type ScimValue = { value: ScimScalar | undefined } | { problem: string };

export function scimValue(
	attribute: Pick<ResolvedAttribute, 'path' | 'kind'>,
	raw: unknown,
): ScimValue {
	const { path, kind } = attribute;
	if (raw === undefined || raw === null || raw === '') return { value: undefined };
	if (kind === 'boolean') {
		if (typeof raw === 'boolean') return { value: raw };
		const text = String(raw).trim().toLowerCase();
		if (text === 'true' || text === 'false') return { value: text === 'true' };
		return { problem: `${path} must be true or false, not "${String(raw)}"` };
	}
	if (typeof raw === 'object')
		return { problem: `${path} must be text, not ${Array.isArray(raw) ? 'a list' : 'an object'}` };
	if (
		kind === 'any' &&
		(typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw)))
	)
		return { value: raw };
	const text = String(raw).trim();
	if (text === '') return { value: undefined };
	if (kind === 'email' && !EMAIL.test(text))
		return { problem: `${path} is not a mail address: "${text}"` };
	return { value: text };
}

function setPath(target: IDataObject, path: string[], value: ScimScalar): void {
	const [head, ...rest] = path;
	if (rest.length === 0) {
		target[head] = value;
		return;
	}
	const child = (target[head] as IDataObject | undefined) ?? {};
	target[head] = child;
	setPath(child, rest, value);
}

function extensionObject(user: IDataObject, schema: string): IDataObject {
	const extension = (user[schema] as IDataObject | undefined) ?? {};
	user[schema] = extension;
	return extension;
}

/**
 * The SCIM user (`data` of a bulk operation) holding the given attribute values, with the core and enterprise schemas
 * and the schema URN of every custom extension it carries (SCIM lists each extension a resource uses in `schemas`).
 */
export function scimUser(
	values: Array<{ attribute: ResolvedAttribute; value: ScimScalar }>,
): IDataObject {
	const schemas = [SCIM_CORE_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA];
	const user: IDataObject = { schemas };
	for (const { attribute, value } of values) {
		const placement = attribute.placement;
		if (placement.place === 'core') {
			setPath(user, placement.path, value);
		} else if (placement.place === 'enterprise') {
			setPath(extensionObject(user, SCIM_ENTERPRISE_USER_SCHEMA), placement.path, value);
		} else if (placement.place === 'custom') {
			if (!schemas.includes(placement.schema)) schemas.push(placement.schema);
			setPath(extensionObject(user, placement.schema), placement.path, value);
		} else {
			const entries = (user[placement.attribute] as IDataObject[] | undefined) ?? [
				{ type: 'work', primary: true },
			];
			user[placement.attribute] = entries;
			entries[0][placement.field] = value;
		}
	}
	return user;
}

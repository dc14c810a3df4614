import type { IDataObject } from 'n8n-workflow';

import {
	SCIM_CORE_USER_SCHEMA,
	SCIM_ENTERPRISE_USER_SCHEMA,
	SCIM_MULTI_VALUED_ATTRIBUTES,
	SCIM_USER_ATTRIBUTES,
	SCIM_VALUE_MAX_LENGTH,
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

/** A SCIM attribute name (RFC 7643 §2.1): a letter, then letters, digits, _ or -. */
export const ATTRIBUTE_NAME = /^[A-Za-z][\w-]*$/;

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

/** An attribute of the custom extension `schema` (checked with isCustomExtensionAttribute before), by its name. */
export function customExtensionAttribute(schema: string, name: string): ResolvedAttribute {
	return {
		path: `${schema}:${name}`,
		placement: { place: 'custom', schema, path: [name] },
		kind: 'any',
		required: false,
	};
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
		return customExtensionAttribute(schema, attribute);
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

/**
 * Why a value is unusable: its shape (e.g. a list for a text attribute), its length beyond what Entra stores, or
 * text that arrived with U+FFFD replacement characters (a file read in the wrong encoding).
 */
export type ValueProblem = { problem: string; cause: 'shape' | 'length' | 'encoding' };

/** A mapped value as SCIM wants it (undefined for an empty one, left out of the user), or why it is unusable. */
export type ScimValue = { value: ScimScalar | undefined } | ValueProblem;

/** Text as a message quotes it: a megabyte-long value is not repeated in full. */
export function quotedText(text: string): string {
	return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}…` : text);
}

/** The problem of a text value too long for Entra, or holding characters its file's reading could not decode. */
export function textProblem(path: string, text: string): ValueProblem | undefined {
	if (text.length > SCIM_VALUE_MAX_LENGTH)
		return {
			problem: `${path} is ${text.length.toLocaleString('en-US')} characters long; Entra takes at most ${SCIM_VALUE_MAX_LENGTH.toLocaleString('en-US')}`,
			cause: 'length',
		};
	if (text.includes('\uFFFD'))
		return {
			problem: `${path} has characters that could not be read (shown as \uFFFD): ${quotedText(text)}`,
			cause: 'encoding',
		};
	return undefined;
}

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
		return {
			problem: `${path} must be true or false, not ${quotedText(String(raw))}`,
			cause: 'shape',
		};
	}
	if (typeof raw === 'object')
		return {
			problem: `${path} must be text, not ${Array.isArray(raw) ? 'a list' : 'an object'}`,
			cause: 'shape',
		};
	if (
		kind === 'any' &&
		(typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw)))
	)
		return { value: raw };
	const text = String(raw).trim();
	if (text === '') return { value: undefined };
	const problem = textProblem(path, text);
	if (problem) return problem;
	if (kind === 'email' && !EMAIL.test(text))
		return { problem: `${path} is not a mail address: ${quotedText(text)}`, cause: 'shape' };
	return { value: text };
}

export type MultiValuedAttribute = keyof typeof SCIM_MULTI_VALUED_ATTRIBUTES;

export function isMultiValuedAttribute(name: string): name is MultiValuedAttribute {
	return Object.prototype.hasOwnProperty.call(SCIM_MULTI_VALUED_ATTRIBUTES, name);
}

const isPlainObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' &&
	value !== null &&
	!Array.isArray(value) &&
	Object.getPrototypeOf(value) === Object.prototype;

/**
 * A multi-valued attribute given as SCIM gives it (`emails: [{ type, primary, value }]`), each entry's
 * sub-attributes read as scimValue reads a value; empty entries are left out (undefined when none is left).
 */
export function scimEntries(
	attribute: MultiValuedAttribute,
	raw: unknown,
): { value: IDataObject[] | undefined } | ValueProblem {
	const subAttributes = SCIM_MULTI_VALUED_ATTRIBUTES[attribute];
	const shape = `a list of entries such as [{"type": "work", "primary": true, ${attribute === 'addresses' ? '"locality": …' : '"value": …'}}]`;
	if (!Array.isArray(raw)) return { problem: `${attribute} must be ${shape}`, cause: 'shape' };
	const entries: IDataObject[] = [];
	for (const [position, entry] of raw.entries()) {
		const label = `${attribute}[${position}]`;
		if (!isPlainObject(entry))
			return { problem: `${label} must be an object, as in ${shape}`, cause: 'shape' };
		const read: IDataObject = {};
		for (const [key, value] of Object.entries(entry)) {
			const kind = Object.prototype.hasOwnProperty.call(subAttributes, key)
				? subAttributes[key]
				: undefined;
			if (kind === undefined)
				return {
					problem: `${label} has ${quotedText(key)}, which is not one of its sub-attributes (${Object.keys(subAttributes).join(', ')})`,
					cause: 'shape',
				};
			const scim = scimValue({ path: `${label}.${key}`, kind }, value);
			if ('problem' in scim) return scim;
			if (scim.value !== undefined) read[key] = scim.value;
		}
		if (Object.keys(read).length > 0) entries.push(read);
	}
	return { value: entries.length > 0 ? entries : undefined };
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
 * The SCIM user (`data` of a bulk operation) holding the given attribute values and multi-valued lists (a list and
 * a value for its work entry never come together: the reader refuses that), with the core and enterprise schemas
 * and the schema URN of every custom extension it carries (SCIM lists each extension a resource uses in `schemas`).
 */
export function scimUser(
	values: Array<{ attribute: ResolvedAttribute; value: ScimScalar }>,
	lists: Partial<Record<MultiValuedAttribute, IDataObject[]>> = {},
): IDataObject {
	const schemas = [SCIM_CORE_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA];
	const user: IDataObject = { schemas, ...lists };
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

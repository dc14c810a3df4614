import type { IDataObject } from 'n8n-workflow';

export const SCIM_CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** Graph accepts at most 50 operations in one bulk request. */
export const MAX_OPERATIONS_PER_REQUEST = 50;

/**
 * Where a value goes in the SCIM user: a (nested) core attribute, the work entry of a multi-valued one, the enterprise
 * extension, or a custom extension an admin added to the app's attribute list (its own schema URN object).
 */
type Placement =
	| { place: 'core'; path: string[] }
	| { place: 'work'; attribute: 'emails' | 'phoneNumbers' | 'addresses'; field: string }
	| { place: 'enterprise'; path: string[] }
	| { place: 'custom'; schema: string; path: string[] };

interface ScimAttribute {
	displayName: string;
	description: string;
	placement: Placement;
	/** How the value is read and checked */
	kind: 'text' | 'boolean' | 'email';
	/** The provisioning service cannot process the user without it */
	required?: boolean;
	/** Other names Graph's attribute list for API or an HR export may give it */
	aliases?: string[];
}

const core = (...path: string[]): Placement => ({ place: 'core', path });
/** API-driven provisioning processes only the "work" entries of emails, phoneNumbers and addresses (Microsoft's known limitation). */
const work = (attribute: 'emails' | 'phoneNumbers' | 'addresses', field: string): Placement => ({ place: 'work', attribute, field });
const enterprise = (...path: string[]): Placement => ({ place: 'enterprise', path });

/**
 * The SCIM core and enterprise user attributes an API-driven inbound provisioning app maps by default, keyed by the
 * path its attribute mapping shows. The Bulk Upload attribute list, validation and README read this.
 */
export const SCIM_USER_ATTRIBUTES: Record<string, ScimAttribute> = {
	externalId: {
		displayName: 'externalId',
		description: 'The employee\'s ID in the HR system; the job matches users on it (to employeeId by default)',
		placement: core('externalId'),
		kind: 'text',
		required: true,
	},
	userName: {
		displayName: 'userName',
		description: 'The user\'s sign-in name, e.g. their work mail address',
		placement: core('userName'),
		kind: 'text',
		required: true,
	},
	active: { displayName: 'active', description: 'true to enable the account, false to disable it', placement: core('active'), kind: 'boolean' },
	displayName: { displayName: 'displayName', description: 'The name shown for the user', placement: core('displayName'), kind: 'text' },
	'name.givenName': { displayName: 'name.givenName', description: 'First name', placement: core('name', 'givenName'), kind: 'text' },
	'name.familyName': { displayName: 'name.familyName', description: 'Last name', placement: core('name', 'familyName'), kind: 'text' },
	'name.middleName': { displayName: 'name.middleName', description: 'Middle name', placement: core('name', 'middleName'), kind: 'text' },
	'name.formatted': { displayName: 'name.formatted', description: 'The full name, formatted', placement: core('name', 'formatted'), kind: 'text' },
	nickName: { displayName: 'nickName', description: 'Nickname', placement: core('nickName'), kind: 'text' },
	title: { displayName: 'title', description: 'Job title', placement: core('title'), kind: 'text' },
	userType: { displayName: 'userType', description: 'e.g. Employee or Contractor', placement: core('userType'), kind: 'text' },
	preferredLanguage: { displayName: 'preferredLanguage', description: 'e.g. en-US', placement: core('preferredLanguage'), kind: 'text' },
	locale: { displayName: 'locale', description: 'e.g. en-US', placement: core('locale'), kind: 'text' },
	timezone: { displayName: 'timezone', description: 'e.g. America/Los_Angeles', placement: core('timezone'), kind: 'text' },
	'emails[type eq "work"].value': {
		displayName: 'emails[type eq "work"].value',
		description: 'Work mail address',
		placement: work('emails', 'value'),
		kind: 'email',
	},
	'phoneNumbers[type eq "work"].value': {
		displayName: 'phoneNumbers[type eq "work"].value',
		description: 'Work phone',
		placement: work('phoneNumbers', 'value'),
		kind: 'text',
	},
	'addresses[type eq "work"].streetAddress': {
		displayName: 'addresses[type eq "work"].streetAddress',
		description: 'Work address: street',
		placement: work('addresses', 'streetAddress'),
		kind: 'text',
	},
	'addresses[type eq "work"].locality': {
		displayName: 'addresses[type eq "work"].locality',
		description: 'Work address: city',
		placement: work('addresses', 'locality'),
		kind: 'text',
	},
	'addresses[type eq "work"].region': {
		displayName: 'addresses[type eq "work"].region',
		description: 'Work address: state or region',
		placement: work('addresses', 'region'),
		kind: 'text',
	},
	'addresses[type eq "work"].postalCode': {
		displayName: 'addresses[type eq "work"].postalCode',
		description: 'Work address: postal code',
		placement: work('addresses', 'postalCode'),
		kind: 'text',
	},
	'addresses[type eq "work"].country': {
		displayName: 'addresses[type eq "work"].country',
		description: 'Work address: country',
		placement: work('addresses', 'country'),
		kind: 'text',
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:employeeNumber`]: {
		displayName: 'enterprise: employeeNumber',
		description: 'Employee number',
		placement: enterprise('employeeNumber'),
		kind: 'text',
		aliases: ['employeeNumber'],
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:costCenter`]: {
		displayName: 'enterprise: costCenter',
		description: 'Cost center',
		placement: enterprise('costCenter'),
		kind: 'text',
		aliases: ['costCenter'],
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:organization`]: {
		displayName: 'enterprise: organization',
		description: 'Organization (company)',
		placement: enterprise('organization'),
		kind: 'text',
		aliases: ['organization'],
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:division`]: {
		displayName: 'enterprise: division',
		description: 'Division',
		placement: enterprise('division'),
		kind: 'text',
		aliases: ['division'],
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:department`]: {
		displayName: 'enterprise: department',
		description: 'Department',
		placement: enterprise('department'),
		kind: 'text',
		aliases: ['department'],
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:manager.value`]: {
		displayName: 'enterprise: manager.value',
		description: 'The manager\'s externalId; the job resolves it to the manager\'s account',
		placement: enterprise('manager', 'value'),
		kind: 'text',
		// The attribute list for API names the reference itself; an HR export may too.
		aliases: [`${SCIM_ENTERPRISE_USER_SCHEMA}:manager`, 'manager.value', 'manager'],
	},
};

export const REQUIRED_SCIM_ATTRIBUTES = Object.keys(SCIM_USER_ATTRIBUTES).filter((path) => SCIM_USER_ATTRIBUTES[path].required);

/** The attribute of every name the list knows it by (its path and its aliases). */
const ATTRIBUTE_PATH_BY_NAME = new Map<string, string>(
	Object.entries(SCIM_USER_ATTRIBUTES).flatMap(([path, { aliases }]) => [path, ...(aliases ?? [])].map((name): [string, string] => [name, path])),
);

/**
 * A custom extension attribute's full name: its schema URN, a colon, the attribute, as the app's attribute list for
 * API shows it (e.g. urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate, or urn:contoso:employee:JobCode).
 */
const CUSTOM_EXTENSION_ATTRIBUTE = /^(urn:[A-Za-z0-9][A-Za-z0-9-]*(?::[^\s:]+)+):([A-Za-z_][\w-]*)$/i;

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
	return schema !== SCIM_CORE_USER_SCHEMA.toLowerCase() && schema !== SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase();
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
		return { path: name, placement: { place: 'custom', schema, path: [attribute] }, kind: 'any', required: false };
	}
	if (!listedByJob || name.toLowerCase().startsWith('urn:')) return undefined;
	const work = WORK_ENTRY_ATTRIBUTE.exec(name);
	if (work) return { path: name, placement: { place: 'work', attribute: work[1] as 'emails' | 'phoneNumbers' | 'addresses', field: work[2] }, kind: 'text', required: false };
	if (CORE_ATTRIBUTE.test(name)) return { path: name, placement: { place: 'core', path: name.split('.') }, kind: 'text', required: false };
	return undefined;
}

/** Loose on purpose (Graph and the target directory judge the rest), strict enough to catch a name or an empty domain. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type ScimScalar = string | boolean | number;

/** A mapped value as SCIM wants it (undefined for an empty one, left out of the user), or why it is unusable. */
export type ScimValue = { value: ScimScalar | undefined } | { problem: string };

export function scimValue(attribute: Pick<ResolvedAttribute, 'path' | 'kind'>, raw: unknown): ScimValue {
	const { path, kind } = attribute;
	if (raw === undefined || raw === null || raw === '') return { value: undefined };
	if (kind === 'boolean') {
		if (typeof raw === 'boolean') return { value: raw };
		const text = String(raw).trim().toLowerCase();
		if (text === 'true' || text === 'false') return { value: text === 'true' };
		return { problem: `${path} must be true or false, not "${String(raw)}"` };
	}
	if (typeof raw === 'object') return { problem: `${path} must be text, not ${Array.isArray(raw) ? 'a list' : 'an object'}` };
	if (kind === 'any' && (typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw)))) return { value: raw };
	const text = String(raw).trim();
	if (text === '') return { value: undefined };
	if (kind === 'email' && !EMAIL.test(text)) return { problem: `${path} is not a mail address: "${text}"` };
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
export function scimUser(values: Array<{ attribute: ResolvedAttribute; value: ScimScalar }>): IDataObject {
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
			const entries = (user[placement.attribute] as IDataObject[] | undefined) ?? [{ type: 'work', primary: true }];
			user[placement.attribute] = entries;
			entries[0][placement.field] = value;
		}
	}
	return user;
}

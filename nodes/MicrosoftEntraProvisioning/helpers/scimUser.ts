import type { IDataObject } from 'n8n-workflow';

const SCIM_CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** Graph accepts at most 50 operations in one bulk request. */
export const MAX_OPERATIONS_PER_REQUEST = 50;

/** Where a value goes in the SCIM user: a (nested) core attribute, the work entry of a multi-valued one, or the enterprise extension. */
type Placement =
	| { place: 'core'; path: string[] }
	| { place: 'work'; attribute: 'emails' | 'phoneNumbers' | 'addresses'; field: string }
	| { place: 'enterprise'; path: string[] };

interface ScimAttribute {
	displayName: string;
	description: string;
	placement: Placement;
	/** How the value is read and checked */
	kind: 'text' | 'boolean' | 'email';
	/** The provisioning service cannot process the user without it */
	required?: boolean;
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
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:costCenter`]: {
		displayName: 'enterprise: costCenter',
		description: 'Cost center',
		placement: enterprise('costCenter'),
		kind: 'text',
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:organization`]: {
		displayName: 'enterprise: organization',
		description: 'Organization (company)',
		placement: enterprise('organization'),
		kind: 'text',
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:division`]: {
		displayName: 'enterprise: division',
		description: 'Division',
		placement: enterprise('division'),
		kind: 'text',
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:department`]: {
		displayName: 'enterprise: department',
		description: 'Department',
		placement: enterprise('department'),
		kind: 'text',
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:manager.value`]: {
		displayName: 'enterprise: manager.value',
		description: 'The manager\'s externalId; the job resolves it to the manager\'s account',
		placement: enterprise('manager', 'value'),
		kind: 'text',
	},
};

export const REQUIRED_SCIM_ATTRIBUTES = Object.keys(SCIM_USER_ATTRIBUTES).filter((path) => SCIM_USER_ATTRIBUTES[path].required);

/** Loose on purpose (Graph and the target directory judge the rest), strict enough to catch a name or an empty domain. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A mapped value as SCIM wants it (undefined for an empty one, left out of the user), or why it is unusable. */
export type ScimValue = { value: string | boolean | undefined } | { problem: string };

export function scimValue(path: string, raw: unknown): ScimValue {
	const { kind } = SCIM_USER_ATTRIBUTES[path];
	if (raw === undefined || raw === null || raw === '') return { value: undefined };
	if (kind === 'boolean') {
		if (typeof raw === 'boolean') return { value: raw };
		const text = String(raw).trim().toLowerCase();
		if (text === 'true' || text === 'false') return { value: text === 'true' };
		return { problem: `${path} must be true or false, not "${String(raw)}"` };
	}
	if (typeof raw === 'object') return { problem: `${path} must be text, not ${Array.isArray(raw) ? 'a list' : 'an object'}` };
	const text = String(raw).trim();
	if (text === '') return { value: undefined };
	if (kind === 'email' && !EMAIL.test(text)) return { problem: `${path} is not a mail address: "${text}"` };
	return { value: text };
}

function setPath(target: IDataObject, path: string[], value: string | boolean): void {
	const [head, ...rest] = path;
	if (rest.length === 0) {
		target[head] = value;
		return;
	}
	const child = (target[head] as IDataObject | undefined) ?? {};
	target[head] = child;
	setPath(child, rest, value);
}

/** The SCIM user (`data` of a bulk operation) holding the given attribute values, with the core and enterprise schemas. */
export function scimUser(values: Array<{ path: string; value: string | boolean }>): IDataObject {
	const user: IDataObject = { schemas: [SCIM_CORE_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA] };
	for (const { path, value } of values) {
		const placement = SCIM_USER_ATTRIBUTES[path].placement;
		if (placement.place === 'core') {
			setPath(user, placement.path, value);
		} else if (placement.place === 'enterprise') {
			const extension = (user[SCIM_ENTERPRISE_USER_SCHEMA] as IDataObject | undefined) ?? {};
			user[SCIM_ENTERPRISE_USER_SCHEMA] = extension;
			setPath(extension, placement.path, value);
		} else {
			const entries = (user[placement.attribute] as IDataObject[] | undefined) ?? [{ type: 'work', primary: true }];
			user[placement.attribute] = entries;
			entries[0][placement.field] = value;
		}
	}
	return user;
}

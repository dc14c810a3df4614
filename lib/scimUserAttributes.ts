/*
 * The SCIM user attributes Bulk Upload maps, in lib/ with the package's other shared lists: the node's attribute
 * list and checks, the generated table of docs/hr-upload.md (npm run docs) and the tests read this one list.
 */

export const SCIM_CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_USER_SCHEMA =
	'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * Where a value goes in the SCIM user: a (nested) core attribute, the work entry of a multi-valued one, the enterprise
 * extension, or a custom extension an admin added to the app's attribute list (its own schema URN object).
 */
export type Placement =
	| { place: 'core'; path: string[] }
	| { place: 'work'; attribute: 'emails' | 'phoneNumbers' | 'addresses'; field: string }
	| { place: 'enterprise'; path: string[] }
	| { place: 'custom'; schema: string; path: string[] };

export interface ScimAttribute {
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
const work = (attribute: 'emails' | 'phoneNumbers' | 'addresses', field: string): Placement => ({
	place: 'work',
	attribute,
	field,
});
const enterprise = (...path: string[]): Placement => ({ place: 'enterprise', path });

/**
 * The SCIM core and enterprise user attributes an API-driven inbound provisioning app maps by default, keyed by the
 * path its attribute mapping shows. The Bulk Upload attribute list, validation and README read this.
 */
export const SCIM_USER_ATTRIBUTES: Record<string, ScimAttribute> = {
	externalId: {
		displayName: 'externalId',
		description:
			"The employee's ID in the HR system; the job matches users on it (to employeeId by default)",
		placement: core('externalId'),
		kind: 'text',
		required: true,
	},
	userName: {
		displayName: 'userName',
		description: "The user's sign-in name, e.g. their work mail address",
		placement: core('userName'),
		kind: 'text',
		required: true,
	},
	active: {
		displayName: 'active',
		description: 'true to enable the account, false to disable it',
		placement: core('active'),
		kind: 'boolean',
	},
	displayName: {
		displayName: 'displayName',
		description: 'The name shown for the user',
		placement: core('displayName'),
		kind: 'text',
	},
	'name.givenName': {
		displayName: 'name.givenName',
		description: 'First name',
		placement: core('name', 'givenName'),
		kind: 'text',
	},
	'name.familyName': {
		displayName: 'name.familyName',
		description: 'Last name',
		placement: core('name', 'familyName'),
		kind: 'text',
	},
	'name.middleName': {
		displayName: 'name.middleName',
		description: 'Middle name',
		placement: core('name', 'middleName'),
		kind: 'text',
	},
	'name.honorificPrefix': {
		displayName: 'name.honorificPrefix',
		description: 'Title before the name, e.g. Ms. or Dr.',
		placement: core('name', 'honorificPrefix'),
		kind: 'text',
	},
	'name.honorificSuffix': {
		displayName: 'name.honorificSuffix',
		description: 'Suffix after the name, e.g. III',
		placement: core('name', 'honorificSuffix'),
		kind: 'text',
	},
	'name.formatted': {
		displayName: 'name.formatted',
		description: 'The full name, formatted',
		placement: core('name', 'formatted'),
		kind: 'text',
	},
	nickName: {
		displayName: 'nickName',
		description: 'Nickname',
		placement: core('nickName'),
		kind: 'text',
	},
	title: { displayName: 'title', description: 'Job title', placement: core('title'), kind: 'text' },
	userType: {
		displayName: 'userType',
		description: 'e.g. Employee or Contractor',
		placement: core('userType'),
		kind: 'text',
	},
	preferredLanguage: {
		displayName: 'preferredLanguage',
		description: 'e.g. en-US',
		placement: core('preferredLanguage'),
		kind: 'text',
	},
	locale: {
		displayName: 'locale',
		description: 'e.g. en-US',
		placement: core('locale'),
		kind: 'text',
	},
	timezone: {
		displayName: 'timezone',
		description: 'e.g. America/Los_Angeles',
		placement: core('timezone'),
		kind: 'text',
	},
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
		description: "The manager's externalId; the job resolves it to the manager's account",
		placement: enterprise('manager', 'value'),
		kind: 'text',
		// The attribute list for API names the reference itself; an HR export may too.
		aliases: [`${SCIM_ENTERPRISE_USER_SCHEMA}:manager`, 'manager.value', 'manager'],
	},
	[`${SCIM_ENTERPRISE_USER_SCHEMA}:manager.displayName`]: {
		displayName: 'enterprise: manager.displayName',
		description:
			"The manager's name, as SCIM sends it beside manager.value (the job reads manager.value)",
		placement: enterprise('manager', 'displayName'),
		kind: 'text',
	},
};

/**
 * The multi-valued attributes a SCIM user may carry as lists (RFC 7643 §4.1.2), each entry with these
 * sub-attributes; API-driven provisioning processes the "work" entries (Microsoft's known limitation).
 */
export const SCIM_MULTI_VALUED_ATTRIBUTES: Record<
	'emails' | 'phoneNumbers' | 'addresses',
	Record<string, ScimAttribute['kind']>
> = {
	emails: { value: 'email', type: 'text', primary: 'boolean', display: 'text' },
	phoneNumbers: { value: 'text', type: 'text', primary: 'boolean', display: 'text' },
	addresses: {
		formatted: 'text',
		streetAddress: 'text',
		locality: 'text',
		region: 'text',
		postalCode: 'text',
		country: 'text',
		type: 'text',
		primary: 'boolean',
	},
};

/**
 * The longest text Bulk Upload sends as one value. Graph's user resource page (learn.microsoft.com/graph/api/
 * resources/user) gives 1,024 characters as the longest of a user's text properties (streetAddress, the
 * onPremisesExtensionAttributes); the provisioning notes give no bound of their own, so a longer value could only be
 * cut or refused by Entra after the upload.
 */
export const SCIM_VALUE_MAX_LENGTH = 1_024;

export const REQUIRED_SCIM_ATTRIBUTES = Object.keys(SCIM_USER_ATTRIBUTES).filter(
	(path) => SCIM_USER_ATTRIBUTES[path].required,
);

/** What Bulk Upload's Map Automatically does with an item field that names no SCIM attribute. */
export const UNKNOWN_FIELD_HANDLING = ['refuse', 'ignore', 'customExtension'] as const;
export type UnknownFieldHandling = (typeof UNKNOWN_FIELD_HANDLING)[number];

/** What Bulk Upload does with an employee that comes without `active`: Graph's job would disable such an account. */
export const WITHOUT_ACTIVE_HANDLING = ['setActive', 'refuse'] as const;
export type WithoutActiveHandling = (typeof WITHOUT_ACTIVE_HANDLING)[number];

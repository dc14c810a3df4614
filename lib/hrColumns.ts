/*
 * The column names HR systems' exports commonly give, and the SCIM attribute Bulk Upload sends each one as when Match
 * HR Columns is on. Bulk Upload, the generated table of docs/hr-upload.md (npm run docs) and the tests read this one
 * list.
 */

/**
 * Where a matched column goes: a SCIM attribute of lib/scimUserAttributes.ts by its path, or (`custom`) an attribute
 * of the custom extension the admin names under Input Options, as SCIM core and enterprise have no such attribute.
 */
export type HrColumnTarget = { attribute: string } | { custom: string };

export interface HrColumn {
	/** The names this column comes under, as exports write them; matched ignoring case, spaces, _ and - */
	columns: string[];
	target: HrColumnTarget;
	/** How the column's values are read: worker status text becomes active true or false */
	values?: 'workerStatus';
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const HR_COLUMNS: HrColumn[] = [
	{
		columns: ['Worker ID', 'Employee ID', 'Worker Number', 'Person ID', 'Personnel Number'],
		target: { attribute: 'externalId' },
	},
	{ columns: ['Employee Number'], target: { attribute: `${ENTERPRISE}:employeeNumber` } },
	{
		columns: ['User Name', 'User Principal Name', 'UPN', 'Login', 'Sign In Name'],
		target: { attribute: 'userName' },
	},
	{
		columns: ['First Name', 'Given Name', 'Legal First Name'],
		target: { attribute: 'name.givenName' },
	},
	{
		columns: ['Last Name', 'Family Name', 'Surname', 'Legal Last Name'],
		target: { attribute: 'name.familyName' },
	},
	{ columns: ['Middle Name'], target: { attribute: 'name.middleName' } },
	{
		columns: ['Preferred Name', 'Preferred First Name', 'Nickname'],
		target: { attribute: 'nickName' },
	},
	{ columns: ['Display Name', 'Full Name'], target: { attribute: 'displayName' } },
	{
		columns: ['Email', 'Work Email', 'Email Address', 'Business Email'],
		target: { attribute: 'emails[type eq "work"].value' },
	},
	{
		columns: ['Phone', 'Work Phone', 'Phone Number', 'Business Phone', 'Office Phone'],
		target: { attribute: 'phoneNumbers[type eq "work"].value' },
	},
	{
		columns: ['Manager ID', 'Manager Employee ID', 'Manager Worker ID', 'Supervisor ID'],
		target: { attribute: `${ENTERPRISE}:manager.value` },
	},
	{
		columns: ['Department', 'Department Name', 'Dept'],
		target: { attribute: `${ENTERPRISE}:department` },
	},
	{ columns: ['Job Title', 'Title', 'Position', 'Position Title'], target: { attribute: 'title' } },
	{
		columns: ['Company', 'Company Name', 'Organization'],
		target: { attribute: `${ENTERPRISE}:organization` },
	},
	{ columns: ['Cost Center', 'Cost Centre'], target: { attribute: `${ENTERPRISE}:costCenter` } },
	{ columns: ['Division'], target: { attribute: `${ENTERPRISE}:division` } },
	{
		columns: ['Employee Type', 'Worker Type', 'Employment Type'],
		target: { attribute: 'userType' },
	},
	{
		columns: ['Worker Status', 'Employment Status', 'Employee Status', 'Status'],
		target: { attribute: 'active' },
		values: 'workerStatus',
	},
	{
		columns: ['Street', 'Street Address', 'Address'],
		target: { attribute: 'addresses[type eq "work"].streetAddress' },
	},
	{ columns: ['City', 'Work City'], target: { attribute: 'addresses[type eq "work"].locality' } },
	{
		columns: ['State', 'Region', 'Province'],
		target: { attribute: 'addresses[type eq "work"].region' },
	},
	{
		columns: ['Postal Code', 'Zip', 'Zip Code', 'Postcode'],
		target: { attribute: 'addresses[type eq "work"].postalCode' },
	},
	{
		columns: ['Country', 'Country Code', 'Work Country'],
		target: { attribute: 'addresses[type eq "work"].country' },
	},
	{ columns: ['Preferred Language', 'Language'], target: { attribute: 'preferredLanguage' } },
	{ columns: ['Time Zone'], target: { attribute: 'timezone' } },
	// Neither SCIM core nor enterprise holds these: Microsoft's tutorial on custom attributes sends HireDate under a
	// custom extension, and the admin maps it to employeeHireDate.
	{ columns: ['Hire Date', 'Start Date', 'Original Hire Date'], target: { custom: 'HireDate' } },
	{ columns: ['Termination Date', 'End Date', 'Leave Date'], target: { custom: 'LeaveDate' } },
	{
		columns: ['Office', 'Office Location', 'Location', 'Work Location'],
		target: { custom: 'OfficeLocation' },
	},
];

/**
 * Worker status values and the `active` each one sends (matched ignoring case, spaces, _ and -). An employee on leave
 * keeps a working account; to disable one on leave, map the column with an expression instead.
 */
export const WORKER_STATUS_ACTIVE: Record<string, boolean> = {
	Active: true,
	Employed: true,
	Leave: true,
	'On Leave': true,
	'Leave of Absence': true,
	Terminated: false,
	Inactive: false,
	Retired: false,
	Withdrawn: false,
	Separated: false,
	Deceased: false,
};

/** How a column name or status value is compared: case, spaces, underscores and hyphens do not count. */
export function hrKey(text: string): string {
	return text.replace(/[\s_-]+/g, '').toLowerCase();
}

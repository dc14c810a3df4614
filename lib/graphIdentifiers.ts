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
 * Job, template and rule IDs: Graph's own identifiers such as `scim`, `API2AAD`,
 * `scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60` or, for a rule, a GUID with a version
 * suffix as in Microsoft's provisionOnDemand group example: `33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2`. Never
 * whitespace, slashes or quotes. Where such an ID goes into a URL path it is one percent-encoded segment (`#` as
 * `%23`), so a suffix never turns into a fragment.
 */
export const SYNCHRONIZATION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._#-]{0,255}$';

const SYNCHRONIZATION_ID = new RegExp(SYNCHRONIZATION_ID_PATTERN);

export function isSynchronizationId(value: string): boolean {
	return SYNCHRONIZATION_ID.test(value);
}

/*
 * Provision On Demand's subjects (synchronizationJobSubject). Microsoft's resource page names four object types, each
 * with the identifier its scenario uses; `user` and `User` are different scenarios, so Graph's spelling is kept.
 */

/** What identifies a subject: an object ID, an Active Directory distinguished name, or an HR system's worker ID. */
export type SubjectIdKind = 'objectId' | 'distinguishedName' | 'workerId';

export const ON_DEMAND_SUBJECT_TYPES = {
	User: {
		displayName: 'User (Microsoft Entra ID → App)',
		description: "A user of Microsoft Entra ID, by object ID, provisioned to the job's application",
		idKinds: ['objectId'],
	},
	user: {
		displayName: 'User (Active Directory ↔ Microsoft Entra ID, Cloud Sync)',
		description:
			'A user of Active Directory, by distinguished name (or, from Microsoft Entra ID, by object ID): Microsoft Entra Cloud Sync',
		idKinds: ['distinguishedName', 'objectId'],
	},
	Worker: {
		displayName: 'Worker (Workday or SuccessFactors Inbound)',
		description:
			'A worker of Workday (WID or worker ID) or SuccessFactors (personIdExternal), provisioned to Active Directory or Microsoft Entra ID',
		idKinds: ['workerId'],
	},
	Group: {
		displayName: 'Group (Microsoft Entra ID → App, With Members)',
		description:
			"A group of Microsoft Entra ID, by object ID, provisioned to the job's application with the members given",
		idKinds: ['objectId'],
	},
} as const satisfies Record<
	string,
	{ displayName: string; description: string; idKinds: readonly SubjectIdKind[] }
>;

export type OnDemandSubjectType = keyof typeof ON_DEMAND_SUBJECT_TYPES;

/** Group members go with their group in links.members; Microsoft's group example sends them as `User`. */
export const ON_DEMAND_MEMBER_TYPE: OnDemandSubjectType = 'User';

/**
 * The API page gives `subjects` as a collection and no number. Microsoft's on-demand provisioning pages do: the
 * request "can only accept a single group with up to five members at a time" (Cloud Sync, "On-demand provisioning -
 * Microsoft Entra ID to Active Directory") and the admin center picks "up to five users" (App provisioning,
 * "On-demand provisioning in Microsoft Entra ID"). Those numbers are followed for users, workers and members alike.
 */
export const ON_DEMAND_MAX_SUBJECTS = 5;
export const ON_DEMAND_MAX_GROUP_MEMBERS = 5;

/**
 * An Active Directory distinguished name (RFC 4514): `attribute=value` pairs separated by commas, a value's own commas
 * and specials escaped with a backslash, e.g. `CN=Adele Vest,CN=Users,DC=corp,DC=chicago,DC=com`.
 */
const DISTINGUISHED_NAME =
	/^[A-Za-z][A-Za-z0-9-]*=(?:[^,\\\u0000-\u001f]|\\.)+(?:,[A-Za-z][A-Za-z0-9-]*=(?:[^,\\\u0000-\u001f]|\\.)+)*$/;

/** Active Directory caps a distinguished name well below this; longer is not one. */
const MAX_DISTINGUISHED_NAME_LENGTH = 2048;

/** Workday's WID (32 hex digits) or worker ID, SuccessFactors' personIdExternal: letters, digits, . _ - */
const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const GUID = new RegExp(GUID_PATTERN);

export function isSubjectId(kind: SubjectIdKind, value: string): boolean {
	switch (kind) {
		case 'objectId':
			return GUID.test(value);
		case 'distinguishedName':
			return value.length <= MAX_DISTINGUISHED_NAME_LENGTH && DISTINGUISHED_NAME.test(value);
		case 'workerId':
			return WORKER_ID.test(value);
	}
}

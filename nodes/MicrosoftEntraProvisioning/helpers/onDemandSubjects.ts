import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	ON_DEMAND_MAX_GROUP_MEMBERS,
	ON_DEMAND_MAX_SUBJECTS,
	ON_DEMAND_MEMBER_TYPE,
	ON_DEMAND_SUBJECT_TYPES,
	isSubjectId,
	type OnDemandSubjectType,
	type SubjectIdKind,
} from '../../../lib/graphIdentifiers';
import { invalidInput, itemParameters } from './itemParameters';

/*
 * Provision On Demand's subjects from an item's Object Type, Object ID and Group Members, checked per type before
 * any request, and built as Graph's synchronizationJobSubject (a group with links.members).
 */

export interface OnDemandSubject extends IDataObject {
	objectId: string;
	objectTypeName: OnDemandSubjectType;
	links?: { members: Array<{ objectId: string; objectTypeName: OnDemandSubjectType }> };
}

/** An ID longer than this is not shown back in a message; what the admin typed stays recognisable by its start. */
const SHOWN_ID_LENGTH = 80;

const WHAT_TO_GIVE: Record<SubjectIdKind, string> = {
	objectId:
		"the object ID in Microsoft Entra ID, a GUID like 9bb0f679-a883-4a6f-8260-35b491b8b8c8 (on the object's Overview page; a user principal name or mail address does not work here)",
	distinguishedName:
		'the distinguished name in Active Directory, such as CN=Adele Vest,CN=Users,DC=corp,DC=contoso,DC=com',
	workerId:
		"the worker's ID in the HR system: Workday's WID or worker ID, or SuccessFactors' personIdExternal (letters, digits, dots, dashes and underscores, at most 128)",
};

function shown(id: string): string {
	return id.length > SHOWN_ID_LENGTH ? `${id.slice(0, SHOWN_ID_LENGTH)}…` : id;
}

function isSubjectType(value: unknown): value is OnDemandSubjectType {
	return (
		typeof value === 'string' &&
		Object.prototype.hasOwnProperty.call(ON_DEMAND_SUBJECT_TYPES, value)
	);
}

/**
 * The IDs a field holds: a list from an expression, or text with one ID per line. Commas separate too, except for
 * types named by distinguished name, whose commas belong to the name.
 */
function idList(value: unknown, commasSeparate: boolean): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value !== 'string') return value === undefined || value === null ? [] : [value];
	return value
		.split(commasSeparate ? /[\r\n,]+/ : /[\r\n]+/)
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

function checkedIds(
	ctx: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	type: OnDemandSubjectType,
	field: { label: string; max: number; what: string; optional?: boolean },
): string[] {
	const kinds: readonly SubjectIdKind[] = ON_DEMAND_SUBJECT_TYPES[type].idKinds;
	const ids = idList(value, !kinds.includes('distinguishedName'));
	const what = kinds.map((kind) => WHAT_TO_GIVE[kind]).join('; or ');
	if (ids.length === 0 && !field.optional) {
		invalidInput(
			ctx,
			itemIndex,
			`No ${field.label} is given`,
			`Enter ${field.what}: ${what}. If an expression supplies it, check that it yields an ID for this item.`,
		);
	}
	if (ids.length > field.max) {
		invalidInput(
			ctx,
			itemIndex,
			`${ids.length} IDs are given in ${field.label}; Graph takes at most ${field.max} in one request`,
			`Give at most ${field.max}, or split them over several items: the node sends one request per item.`,
		);
	}
	const seen = new Set<string>();
	return ids.map((raw, position) => {
		// A sheet or an HR system may hand over a numeric worker ID as a number.
		const id = typeof raw === 'string' ? raw.trim() : Number.isSafeInteger(raw) ? String(raw) : '';
		const where = ids.length > 1 ? `${field.label} ${position + 1}` : field.label;
		if (id === '') {
			invalidInput(
				ctx,
				itemIndex,
				`${where} is empty or not text`,
				`Give ${what}. If an expression supplies the IDs, make it yield text or a list of texts.`,
			);
		}
		if (!kinds.some((kind) => isSubjectId(kind, id))) {
			invalidInput(
				ctx,
				itemIndex,
				`${where} "${shown(id)}" is not an ID of a ${ON_DEMAND_SUBJECT_TYPES[type].displayName}`,
				`Give ${what}.`,
			);
		}
		if (seen.has(id.toLowerCase())) {
			invalidInput(ctx, itemIndex, `${where}: "${shown(id)}" is given twice`, 'Give each ID once.');
		}
		seen.add(id.toLowerCase());
		return id;
	});
}

/** The item's subjects: up to five users or workers, or one group with up to five of its members. */
export function readOnDemandSubjects(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { objectTypeName: OnDemandSubjectType; subjects: OnDemandSubject[] } {
	const [objectTypeName, objectIds, members] = itemParameters(ctx, itemIndex, [
		{ name: 'objectTypeName' },
		{ name: 'objectId' },
		{ name: 'groupMembers', fallback: '' },
	]);
	if (!isSubjectType(objectTypeName)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${shown(String(objectTypeName))}" is not an object type Graph provisions on demand`,
			`Choose one of: ${Object.keys(ON_DEMAND_SUBJECT_TYPES).join(', ')} (Graph tells user and User apart: user is Cloud Sync's Active Directory user).`,
		);
	}
	if (objectTypeName !== 'Group') {
		const ids = checkedIds(ctx, itemIndex, objectIds, objectTypeName, {
			label: 'Object ID',
			max: ON_DEMAND_MAX_SUBJECTS,
			what: `one ID, or up to ${ON_DEMAND_MAX_SUBJECTS} on separate lines`,
		});
		return { objectTypeName, subjects: ids.map((objectId) => ({ objectId, objectTypeName })) };
	}
	const [groupId] = checkedIds(ctx, itemIndex, objectIds, 'Group', {
		label: 'Object ID',
		max: 1,
		what: "the group's object ID (one group per request; its members go under Group Members)",
	});
	const memberIds = checkedIds(ctx, itemIndex, members, ON_DEMAND_MEMBER_TYPE, {
		label: 'Group Member',
		max: ON_DEMAND_MAX_GROUP_MEMBERS,
		what: `the members to provision with the group, up to ${ON_DEMAND_MAX_GROUP_MEMBERS}, one per line or separated by commas`,
		optional: true,
	});
	const group: OnDemandSubject = { objectId: groupId, objectTypeName };
	// links is optional in synchronizationJobSubject: a group without members given is sent without it.
	if (memberIds.length > 0) {
		group.links = {
			members: memberIds.map((objectId) => ({ objectId, objectTypeName: ON_DEMAND_MEMBER_TYPE })),
		};
	}
	return { objectTypeName, subjects: [group] };
}

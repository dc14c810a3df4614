import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	ON_DEMAND_MAX_GROUP_MEMBERS,
	ON_DEMAND_MAX_SUBJECTS,
	ON_DEMAND_SUBJECT_TYPES,
	type OnDemandSubjectType,
} from '../../../../lib/graphIdentifiers';
import {
	jobProperties,
	ruleProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { readSynchronizationId } from '../../helpers/itemParameters';
import { readOnDemandSubjects } from '../../helpers/onDemandSubjects';
import { pacerFor } from '../../transport/throttling';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['provisionOnDemand'] };

/** Graph: "The rate limit for this API is 5 requests per 10 seconds." */
const PROVISION_ON_DEMAND_LIMIT = { requests: 5, windowMs: 10_000 };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	...ruleProperties(show),
	{
		displayName: 'Object Type',
		name: 'objectTypeName',
		type: 'options',
		options: (Object.keys(ON_DEMAND_SUBJECT_TYPES) as OnDemandSubjectType[]).map((type) => ({
			name: ON_DEMAND_SUBJECT_TYPES[type].displayName,
			value: type,
			description: ON_DEMAND_SUBJECT_TYPES[type].description,
		})),
		default: 'User',
		description:
			"What to provision, as the job's direction names it (Graph's objectTypeName: User, user, Worker or Group)",
		displayOptions: { show },
	},
	{
		displayName: 'Object ID',
		name: 'objectId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 9bb0f679-a883-4a6f-8260-35b491b8b8c8',
		hint: `User and Group: the object ID in Microsoft Entra ID. Cloud Sync user: the distinguished name in Active Directory. Worker: the Workday WID or worker ID, or SuccessFactors personIdExternal. Up to ${ON_DEMAND_MAX_SUBJECTS} users or workers, one per line (or a list from an expression); one group.`,
		description:
			'Who to provision now, without waiting for the next cycle. Graph allows 5 such requests per 10 seconds; the node spaces its items to stay within that.',
		displayOptions: { show },
	},
	{
		displayName: 'Group Members',
		name: 'groupMembers',
		type: 'string',
		default: '',
		placeholder: 'e.g. cbc86211-6ada-4803-b73f-8039cf56d8a2, 2bc86211-6ada-4803-b73f-8039cf56d8a2',
		hint: `Object IDs of the group's users, up to ${ON_DEMAND_MAX_GROUP_MEMBERS}, one per line or separated by commas (or a list from an expression)`,
		description:
			'The members to provision with the group, sent as links.members: on demand, Microsoft provisions no member automatically, only those given. Leave empty to provision the group alone.',
		displayOptions: { show: { ...show, objectTypeName: ['Group'] } },
	},
];

/** Graph answers JSON objects serialized as strings; anything that does not parse is kept as the text it is. */
function parseJsonText(text: unknown): IDataObject | string | null {
	if (typeof text !== 'string') return null;
	try {
		return JSON.parse(text) as IDataObject;
	} catch {
		return text;
	}
}

/**
 * Provisions up to five users or workers, or a group with up to five of its members, now (POST
 * …/jobs/{id}/provisionOnDemand, one request per item). Graph answers 200 with a stringKeyStringValuePair: `key`
 * holds the result, `value` the provisioning report, both as JSON text; the output carries them parsed, and the two
 * texts as received in `graphAnswer`. Items are spaced to Graph's limit of 5 requests per 10 seconds for every
 * execution on the tenant.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const { objectTypeName, subjects } = readOnDemandSubjects(this, itemIndex);
	const ruleId = readSynchronizationId(this, itemIndex, 'rule');
	const { requests, windowMs } = PROVISION_ON_DEMAND_LIMIT;
	const { servicePrincipal, jobId, response } = await callJob<{ key?: string; value?: string }>(
		this,
		itemIndex,
		context,
		{
			method: 'POST',
			action: 'provisionOnDemand',
			body: { parameters: [{ ruleId, subjects }] },
			access: 'provisionOnDemand',
			// Each request counts against Graph's limit; the service decides, not the node, whether to repeat it.
			idempotent: false,
			pacer: pacerFor(context.pacerScope, 'provisionOnDemand', requests, windowMs),
		},
	);
	const outcome = parseJsonText(response.body?.key);
	const report = parseJsonText(response.body?.value);
	return {
		...servicePrincipalFields(servicePrincipal),
		jobId,
		ruleId,
		objectTypeName,
		// One subject is the usual request; its ID stays where workflows built on a single subject read it.
		...(subjects.length === 1 ? { objectId: subjects[0].objectId } : {}),
		subjects,
		result: typeof outcome === 'object' && outcome !== null ? (outcome.result ?? null) : outcome,
		details: typeof outcome === 'object' && outcome !== null ? (outcome.details ?? null) : null,
		report,
		graphAnswer: { key: response.body?.key ?? null, value: response.body?.value ?? null },
		requestId: response.requestId ?? null,
	};
}

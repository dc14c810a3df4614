import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { GUID_PATTERN } from '../../../../lib/graphIdentifiers';
import {
	jobProperties,
	ruleProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter, readSynchronizationId } from '../../helpers/itemParameters';
import { pacerFor } from '../../helpers/pacing';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../node.type';

const show = { resource: ['job'], operation: ['provisionOnDemand'] };

/** Graph: "The rate limit for this API is 5 requests per 10 seconds." */
const PROVISION_ON_DEMAND_LIMIT = { requests: 5, windowMs: 10_000 };

const SUBJECT_TYPES = ['User', 'Group'] as const;
const GUID = new RegExp(GUID_PATTERN);
/** Cloud Sync (Active Directory → Entra) names its subjects by distinguished name. */
const DISTINGUISHED_NAME = /^(CN|OU|UID|DC)=/i;

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	...ruleProperties(show),
	{
		displayName: 'Object Type',
		name: 'objectTypeName',
		type: 'options',
		options: SUBJECT_TYPES.map((type) => ({ name: type, value: type })),
		default: 'User',
		description: 'Whether to provision a user or a group (with its members)',
		displayOptions: { show },
	},
	{
		displayName: 'Object ID',
		name: 'objectId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 9bb0f679-a883-4a6f-8260-35b491b8b8c8',
		hint: 'The object ID of the user or group in Microsoft Entra ID (for Cloud Sync: its distinguished name)',
		description:
			'Who to provision now, without waiting for the next cycle. Graph allows 5 such requests per 10 seconds; the node spaces its items to stay within that.',
		displayOptions: { show },
	},
];

function readSubject(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { objectId: string; objectTypeName: string } {
	const objectTypeName = itemParameter(ctx, 'objectTypeName', itemIndex) as string;
	if (!(SUBJECT_TYPES as readonly string[]).includes(objectTypeName)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${String(objectTypeName)}" is not an object type`,
			`Choose ${SUBJECT_TYPES.join(' or ')}.`,
		);
	}
	const raw = itemParameter(ctx, 'objectId', itemIndex) as unknown;
	const objectId = typeof raw === 'string' ? raw.trim() : '';
	if (objectId === '') {
		invalidInput(
			ctx,
			itemIndex,
			'No Object ID is given',
			`Enter the object ID of the ${objectTypeName.toLowerCase()} in Microsoft Entra ID. If an expression supplies it, check that it yields an ID for this item.`,
		);
	}
	if (!GUID.test(objectId) && !DISTINGUISHED_NAME.test(objectId)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${objectId}" is not an object ID`,
			`Graph identifies the ${objectTypeName.toLowerCase()} by its object ID, a GUID like 00000000-0000-0000-0000-000000000000 (Cloud Sync: a distinguished name such as CN=…,DC=…). A user principal name or mail address does not work here.`,
		);
	}
	return { objectId, objectTypeName };
}

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
 * Provisions one user or group now (POST …/jobs/{id}/provisionOnDemand). Graph answers 200 with a
 * stringKeyStringValuePair: `key` holds the result, `value` the provisioning report, both as JSON text; the output
 * carries them parsed. Items are spaced to Graph's limit of 5 requests per 10 seconds for the whole execution.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const subject = readSubject(this, itemIndex);
	const ruleId = readSynchronizationId(this, itemIndex, 'rule');
	const { requests, windowMs } = PROVISION_ON_DEMAND_LIMIT;
	const { servicePrincipal, jobId, response } = await callJob<{ key?: string; value?: string }>(
		this,
		itemIndex,
		context,
		{
			method: 'POST',
			action: 'provisionOnDemand',
			body: { parameters: [{ ruleId, subjects: [subject] }] },
			access: 'provisionOnDemand',
			// Each request counts against Graph's limit; the service decides, not the node, whether to repeat it.
			idempotent: false,
			pacer: pacerFor(context.pacers, 'provisionOnDemand', requests, windowMs),
		},
	);
	const outcome = parseJsonText(response.body?.key);
	const report = parseJsonText(response.body?.value);
	return {
		...servicePrincipalFields(servicePrincipal),
		jobId,
		ruleId,
		...subject,
		result: typeof outcome === 'object' && outcome !== null ? (outcome.result ?? null) : outcome,
		details: typeof outcome === 'object' && outcome !== null ? (outcome.details ?? null) : null,
		report,
		requestId: response.requestId ?? null,
	};
}

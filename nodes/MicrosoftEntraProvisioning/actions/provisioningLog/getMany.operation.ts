import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { GUID_PATTERN, isSynchronizationId } from '../../../../lib/graphIdentifiers';
import {
	invalidInput,
	itemParameter,
	readMoment,
	readRequestSettings,
} from '../../helpers/itemParameters';
import {
	ACTION_FILTER_VALUES,
	flattenLogEntry,
	isProvisioningStatus,
	logFailure,
	PROVISIONING_ACTIONS,
	PROVISIONING_STATUSES,
	readLogEntries,
} from '../../helpers/provisioningLogs';
import { odataDateTime, odataString } from '../../transport/odata';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['provisioningLog'], operation: ['getMany'] };
const GUID = new RegExp(GUID_PATTERN);

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Which entries to return; all filters must match. Newest entries come first.',
		displayOptions: { show },
		options: [
			{
				displayName: 'Action',
				name: 'action',
				type: 'options',
				options: Object.entries(PROVISIONING_ACTIONS).map(([value, name]) => ({ name, value })),
				default: 'create',
				description: 'What the provisioning service did to the object',
			},
			{
				displayName: 'After',
				name: 'after',
				type: 'dateTime',
				default: '',
				description:
					'Only entries from after this moment (Graph keeps provisioning logs for 30 days)',
			},
			{
				displayName: 'Before',
				name: 'before',
				type: 'dateTime',
				default: '',
				description: 'Only entries from before this moment',
			},
			{
				displayName: 'Change ID',
				name: 'changeId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 3049004c-348d-45e6-9b18-ed00253536b7',
				description: "One change of one object, as the entry's changeId shows it",
			},
			{
				displayName: 'Cycle ID',
				name: 'cycleId',
				type: 'string',
				default: '',
				placeholder: 'e.g. e4a6ce54-3950-49cb-8554-c1ffda0b23d0',
				description: "One provisioning cycle of the job, as the entry's cycleId shows it",
			},
			{
				displayName: 'Job ID',
				name: 'jobId',
				type: 'string',
				default: '',
				placeholder:
					'e.g. API2AAD.0f1e2d3c4b5a69788796a5b4c3d2e1f0.6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60',
				description: "Only this provisioning job's entries (Job › List shows the IDs)",
			},
			{
				displayName: 'Service Principal Object ID',
				name: 'servicePrincipalId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60',
				description: 'Only entries of this enterprise application (its Object ID)',
			},
			{
				displayName: 'Source ID',
				name: 'sourceId',
				type: 'string',
				default: '',
				placeholder: 'e.g. E10018',
				description:
					"The object in the source system: for API-driven inbound provisioning the employee's externalId (exact, case-sensitive)",
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: Object.entries(PROVISIONING_STATUSES).map(
					([value, { displayName, description }]) => ({ name: displayName, value, description }),
				),
				default: 'failure',
				description: 'The outcome of the change',
			},
			{
				displayName: 'Target ID',
				name: 'targetId',
				type: 'string',
				default: '',
				placeholder: 'e.g. f584794b-2c5e-4499-9a9b-e0c495a84ea0',
				description:
					"The object in the target system, e.g. the Microsoft Entra user's object ID (exact, case-sensitive)",
			},
		],
	},
];

interface Filters {
	action?: unknown;
	after?: unknown;
	before?: unknown;
	changeId?: unknown;
	cycleId?: unknown;
	jobId?: unknown;
	servicePrincipalId?: unknown;
	sourceId?: unknown;
	status?: unknown;
	targetId?: unknown;
}

function text(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	const trimmed = String(value).trim();
	return trimmed === '' ? undefined : trimmed;
}

/** The item's filters as Graph's $filter, checked and escaped before any request. */
export function readLogFilter(
	ctx: IExecuteFunctions,
	itemIndex: number,
	filters: Filters,
): string | undefined {
	const clauses: string[] = [];
	const jobId = text(filters.jobId);
	if (jobId !== undefined) {
		if (!isSynchronizationId(jobId)) {
			invalidInput(
				ctx,
				itemIndex,
				`"${jobId}" is not a job ID`,
				'A job ID is made of letters, digits, dots, dashes and underscores, e.g. API2AAD.0f1e….<tenant ID>. Job › List shows them.',
			);
		}
		clauses.push(`jobId eq ${odataString(jobId)}`);
	}
	const servicePrincipalId = text(filters.servicePrincipalId);
	if (servicePrincipalId !== undefined) {
		if (!GUID.test(servicePrincipalId)) {
			invalidInput(
				ctx,
				itemIndex,
				'The Service Principal Object ID is not a GUID',
				"Copy the enterprise application's Object ID from its Overview page, e.g. 6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60.",
			);
		}
		clauses.push(`servicePrincipal/id eq ${odataString(servicePrincipalId.toLowerCase())}`);
	}
	if (filters.status !== undefined && filters.status !== '') {
		if (!isProvisioningStatus(filters.status)) {
			invalidInput(
				ctx,
				itemIndex,
				`"${String(filters.status)}" is not a provisioning status`,
				`Choose one of: ${Object.keys(PROVISIONING_STATUSES).join(', ')}.`,
			);
		}
		clauses.push(`provisioningStatusInfo/status eq ${odataString(filters.status)}`);
	}
	if (filters.action !== undefined && filters.action !== '') {
		const action = ACTION_FILTER_VALUES[filters.action as keyof typeof ACTION_FILTER_VALUES];
		if (!Object.prototype.hasOwnProperty.call(ACTION_FILTER_VALUES, String(filters.action))) {
			invalidInput(
				ctx,
				itemIndex,
				`"${String(filters.action)}" is not a provisioning action`,
				`Choose one of: ${Object.values(PROVISIONING_ACTIONS).join(', ')}.`,
			);
		}
		clauses.push(`provisioningAction eq ${odataString(action)}`);
	}
	const after = readMoment(ctx, itemIndex, filters.after, 'After');
	const before = readMoment(ctx, itemIndex, filters.before, 'Before');
	if (after && before && after >= before) {
		invalidInput(
			ctx,
			itemIndex,
			'After must be earlier than Before',
			'Swap the two moments, or clear one of them.',
		);
	}
	if (after) clauses.push(`activityDateTime gt ${odataDateTime(after)}`);
	if (before) clauses.push(`activityDateTime lt ${odataDateTime(before)}`);
	for (const [name, property, label] of [
		['sourceId', 'sourceIdentity/id', 'Source ID'],
		['targetId', 'targetIdentity/id', 'Target ID'],
		['changeId', 'changeId', 'Change ID'],
		['cycleId', 'cycleId', 'Cycle ID'],
	] as const) {
		const value = text(filters[name]);
		if (value === undefined) continue;
		if (/[\u0000-\u001f]/.test(value)) {
			invalidInput(
				ctx,
				itemIndex,
				`${label} holds a control character`,
				`Give the ${label} as it appears in the provisioning log, without line breaks or tabs.`,
			);
		}
		clauses.push(`${property} eq ${odataString(value)}`);
	}
	return clauses.length > 0 ? clauses.join(' and ') : undefined;
}

/** Provisioning log entries matching the filters, newest first, one output item each (GET /auditLogs/provisioning). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	const returnAll = itemParameter(this, 'returnAll', itemIndex, false) === true;
	let limit: number | undefined;
	if (!returnAll) {
		limit = Number(itemParameter(this, 'limit', itemIndex, 50));
		if (!Number.isInteger(limit) || limit < 1) {
			invalidInput(
				this,
				itemIndex,
				'Limit must be a whole number of at least 1',
				'Set Limit, e.g. 50, or turn on Return All.',
			);
		}
	}
	const filter = readLogFilter(
		this,
		itemIndex,
		itemParameter(this, 'filters', itemIndex, {}) as Filters,
	);
	const settings = readRequestSettings(this, itemIndex, true);
	const { entries } = await readLogEntries(
		this,
		context.connection,
		filter,
		limit,
		settings,
		logFailure(context.connection, itemIndex),
	);
	return entries.map(flattenLogEntry);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { invalidInput, itemParameter, readRequestSettings } from '../../helpers/itemParameters';
import { readLogFilter, type Filters } from '../../helpers/provisioningLogFilter';
import {
	flattenLogEntry,
	logFailure,
	PROVISIONING_ACTIONS,
	PROVISIONING_STATUSES,
	readLogEntries,
} from '../../helpers/provisioningLogs';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['provisioningLog'], operation: ['getMany'] };

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

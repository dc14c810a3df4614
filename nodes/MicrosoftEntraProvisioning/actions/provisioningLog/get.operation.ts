import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { invalidInput, itemParameter, readRequestSettings } from '../../helpers/itemParameters';
import { flattenLogEntry, logFailure, readLogEntries } from '../../helpers/provisioningLogs';
import { odataString } from '../../transport/odata';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['provisioningLog'], operation: ['get'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Log Entry ID',
		name: 'logId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. d51cd15b-2f33-06fd-882e-53929dcbb3ce',
		description:
			'The entry\'s ID (logId in the output of Get Many; "Activity ID" in the admin center\'s provisioning logs)',
		displayOptions: { show },
	},
];

/**
 * One provisioning log entry. Graph documents no GET by key for provisioningObjectSummary, only the list with
 * `$filter=id eq '…'`, so that is what the node asks.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const raw = itemParameter(this, 'logId', itemIndex, '');
	const logId = typeof raw === 'string' ? raw.trim() : '';
	if (logId === '') {
		invalidInput(
			this,
			itemIndex,
			'No Log Entry ID is given',
			"Enter the entry's ID, e.g. from the logId of Provisioning Log › Get Many. If an expression supplies it, check that it yields an ID for this item.",
		);
	}
	if (!/^[A-Za-z0-9-]{1,64}$/.test(logId)) {
		invalidInput(
			this,
			itemIndex,
			`"${logId}" is not a provisioning log entry ID`,
			'An entry ID looks like d51cd15b-2f33-06fd-882e-53929dcbb3ce: letters, digits and dashes.',
		);
	}
	const settings = readRequestSettings(this, itemIndex, true);
	const { entries } = await readLogEntries(
		this,
		context.connection,
		`id eq ${odataString(logId)}`,
		1,
		settings,
		logFailure(context.connection, itemIndex),
	);
	if (entries.length === 0) {
		throw new NodeOperationError(this.getNode(), `No provisioning log entry has the ID ${logId}`, {
			description:
				'Check the ID. Graph keeps provisioning logs for 30 days, and a new entry can take a few minutes to appear.',
			itemIndex,
		});
	}
	return flattenLogEntry(entries[0]);
}

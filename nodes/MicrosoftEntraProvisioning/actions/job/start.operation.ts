import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { callJob, jobActionOutput } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['start'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName:
			"Start runs a new or paused job on its schedule; a paused job goes on from where it was paused. A job in quarantine is let out of it: Microsoft's Start page says Start clears the quarantine status, with no full cycle. Microsoft warns not to call Start again and again on a running job; use it when the job is new, paused or in quarantine.",
		name: 'startNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
];

/** Starts the job (POST …/jobs/{id}/start; 204): it runs on its schedule from now on, out of quarantine if it was in one. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const call = await callJob(this, itemIndex, context, {
		method: 'POST',
		action: 'start',
		access: 'manageSynchronizationJobs',
		idempotent: true,
	});
	return jobActionOutput('startJob', call);
}

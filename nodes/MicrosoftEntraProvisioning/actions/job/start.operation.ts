import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { callJob, jobActionOutput } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../node.type';

const show = { resource: ['job'], operation: ['start'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName:
			'Start runs a paused or new job on its schedule; starting a running job changes nothing. To get a job out of quarantine, use Restart with the Quarantine State scope.',
		name: 'startNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
];

/** Starts the job (POST …/jobs/{id}/start; 204): it runs on its schedule from now on. */
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

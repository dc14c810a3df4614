import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { callJob, jobActionOutput } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['pause'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
];

/** Pauses the job (POST …/jobs/{id}/pause; 204): it keeps its state and provisions nothing until started. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const call = await callJob(this, itemIndex, context, {
		method: 'POST',
		action: 'pause',
		access: 'manageSynchronizationJobs',
		idempotent: true,
	});
	return jobActionOutput('pauseJob', call);
}

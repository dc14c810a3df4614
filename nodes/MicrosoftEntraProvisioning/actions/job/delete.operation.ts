import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { callJob, jobActionOutput } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['delete'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
];

/** Deletes the job and its schema (DELETE …/jobs/{id}; 204). Accounts it provisioned stay in the application. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	// Not retried after a dropped connection: a repeated DELETE of a deleted job answers 404.
	const call = await callJob(this, itemIndex, context, {
		method: 'DELETE',
		access: 'manageSynchronizationJobs',
		idempotent: false,
	});
	return jobActionOutput('deleteJob', call);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import { summarizeJob, type SynchronizationJob } from '../../helpers/synchronizationJob';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['get'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
];

/**
 * A job's health (GET …/synchronization/jobs/{id}): status code, schedule, quarantine and last run as top-level
 * fields, and Graph's job under `job`.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const { servicePrincipal, response } = await callJob<SynchronizationJob>(
		this,
		itemIndex,
		context,
		{
			method: 'GET',
			access: 'readSynchronizationJobs',
			idempotent: true,
		},
	);
	return { ...servicePrincipalFields(servicePrincipal), ...summarizeJob(response.body) };
}

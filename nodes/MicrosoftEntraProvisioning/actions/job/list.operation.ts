import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { readRequestSettings } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { summarizeJob, type SynchronizationJob } from '../../helpers/synchronizationJob';
import { graphPath, listAll } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['list'] };

export const description: INodeProperties[] = [...servicePrincipalProperties(show)];

/** One output item per provisioning job of the service principal (GET …/synchronization/jobs); none if it has none. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	const settings = readRequestSettings(this, itemIndex, true);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const jobs = await listAll<SynchronizationJob>(
		this,
		context.connection,
		graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs`,
		settings,
		servicePrincipalFailure(
			'readSynchronizationJobs',
			context.connection,
			servicePrincipal,
			itemIndex,
		),
	);
	return jobs.map((job) => ({ ...servicePrincipalFields(servicePrincipal), ...summarizeJob(job) }));
}

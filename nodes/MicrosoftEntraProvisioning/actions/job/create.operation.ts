import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	servicePrincipalProperties,
	templateProperties,
} from '../../descriptions/synchronizationLocators';
import { readRequestSettings, readSynchronizationId } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { summarizeJob, type SynchronizationJob } from '../../helpers/synchronizationJob';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../node.type';

const show = { resource: ['job'], operation: ['create'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...templateProperties(
		show,
		'The template to create the job from; the list shows the templates this service principal offers',
	),
];

/**
 * Creates a provisioning job from a template (POST …/synchronization/jobs). Graph documents 201 Created; 200 is
 * accepted too. The new job is NotConfigured until its secrets are saved, and does not run until started.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const templateId = readSynchronizationId(this, itemIndex, 'template');
	// Not idempotent: a repeated POST after a dropped connection could create a second job.
	const settings = readRequestSettings(this, itemIndex, false);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const response = await graphRequest<SynchronizationJob>(
		this,
		context.connection,
		{
			method: 'POST',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs`,
			body: { templateId },
		},
		settings,
		servicePrincipalFailure(
			'manageSynchronizationJobs',
			context.connection,
			servicePrincipal,
			itemIndex,
		),
	);
	return {
		...servicePrincipalFields(servicePrincipal),
		...summarizeJob(response.body),
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

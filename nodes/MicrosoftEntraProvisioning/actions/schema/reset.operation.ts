import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import {
	itemParameter,
	readRequestSettings,
	readSynchronizationId,
	readTarget,
} from '../../helpers/itemParameters';
import {
	checked,
	differenceCounts,
	oneAtATimePerJob,
	readJobSchema,
} from '../../helpers/schemaCalls';
import { callJob, servicePrincipalFailure } from '../../helpers/servicePrincipalCalls';
import { readSchema, schemaDifferences } from '../../helpers/synchronizationSchema';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['schema'], operation: ['reset'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Preview Only',
		name: 'previewOnly',
		type: 'boolean',
		default: false,
		description:
			'Whether to only output the request and the differences it would make, without sending it',
		displayOptions: { show },
	},
];

/**
 * Schema › Reset: DELETE …/schema, which Graph documents as "Delete the customized schema and resets the schema to
 * the default configuration". The output lists what the reset changes: the current schema against the schema of
 * the job's template (GET …/templates/{templateId}/schema), the default the reset returns to.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const previewOnly = itemParameter(this, 'previewOnly', itemIndex, false) === true;
	const jobKey = `${readTarget(this, itemIndex, 'servicePrincipal').id}|${readSynchronizationId(this, itemIndex, 'job').toLowerCase()}`;
	return await oneAtATimePerJob(context, jobKey, async () => {
		const { fields, schema: current, path } = await readJobSchema(this, itemIndex, context);
		const { servicePrincipal, response: job } = await callJob<{ templateId?: string }>(
			this,
			itemIndex,
			context,
			{ method: 'GET', access: 'readSynchronizationJobs', idempotent: true },
		);
		const templateId = String(job.body?.templateId ?? '');
		const template = await graphRequest(
			this,
			context.connection,
			{
				method: 'GET',
				path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/templates/${templateId}/schema`,
			},
			readRequestSettings(this, itemIndex, true),
			servicePrincipalFailure(
				'readSynchronizationTemplates',
				context.connection,
				servicePrincipal,
				itemIndex,
			),
		);
		const fallback = checked(this, itemIndex, () =>
			readSchema(template.body, `The schema of template ${templateId}`),
		);
		const differences = schemaDifferences(current, fallback);
		const output: IDataObject = {
			...fields,
			templateId,
			previewOnly,
			changed: differences.length > 0,
			counts: differenceCounts(differences),
			changes: differences,
		};
		if (previewOnly) return { ...output, sent: false, request: { method: 'DELETE', path } };
		const { response } = await callJob(this, itemIndex, context, {
			method: 'DELETE',
			action: 'schema',
			access: 'writeSynchronizationSchema',
			idempotent: true,
		});
		return {
			...output,
			sent: true,
			graphStatus: response.status,
			requestId: response.requestId ?? null,
		};
	});
}

import type { ILoadOptionsFunctions, INodeParameterResourceLocator } from 'n8n-workflow';

import { graphPath, graphRequest, type GraphConnection } from '../transport';
import { DEFAULT_REQUEST_SETTINGS as SETTINGS } from '../transport/requestLimits';

/** The job chosen in the editor's Job field, or undefined while it is empty or an expression. */
export function selectedJobId(ctx: ILoadOptionsFunctions): string | undefined {
	const job = ctx.getCurrentNodeParameter('job') as INodeParameterResourceLocator | undefined;
	const jobId = typeof job?.value === 'string' ? job.value.trim() : '';
	return jobId === '' || jobId.startsWith('=') ? undefined : jobId;
}

/** The job's schema (GET …/jobs/{id}/schema), which the rule search and the SCIM attribute mapper both read. */
export async function readJobSchema<Schema>(
	ctx: ILoadOptionsFunctions,
	connection: GraphConnection,
	servicePrincipalId: string,
	jobId: string,
): Promise<Schema | undefined> {
	const response = await graphRequest<Schema>(
		ctx,
		connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipalId}/synchronization/jobs/${jobId}/schema`,
		},
		SETTINGS,
		{
			access: 'readSynchronizationSchema',
			delegated: connection.delegated,
			subject: `provisioning job ${jobId}`,
		},
	);
	return response.body;
}

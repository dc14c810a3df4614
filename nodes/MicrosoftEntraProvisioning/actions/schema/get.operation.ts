import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../node.type';

const show = { resource: ['schema'], operation: ['get'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
];

interface SynchronizationSchema extends IDataObject {
	version?: string;
	synchronizationRules?: Array<{
		id: string;
		name?: string;
		sourceDirectoryName?: string;
		targetDirectoryName?: string;
		objectMappings?: Array<{
			name?: string;
			sourceObjectName?: string;
			targetObjectName?: string;
			enabled?: boolean;
		}>;
	}>;
}

/**
 * The job's schema (GET …/jobs/{id}/schema): its synchronization rules (the IDs Provision On Demand needs) as a
 * short list, and Graph's schema under `schema`.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const { servicePrincipal, jobId, response } = await callJob<SynchronizationSchema>(
		this,
		itemIndex,
		context,
		{
			method: 'GET',
			action: 'schema',
			access: 'readSynchronizationSchema',
			idempotent: true,
		},
	);
	const schema = response.body;
	return {
		...servicePrincipalFields(servicePrincipal),
		jobId,
		version: schema.version ?? null,
		rules: (schema.synchronizationRules ?? []).map((rule) => ({
			ruleId: rule.id,
			name: rule.name ?? null,
			sourceDirectoryName: rule.sourceDirectoryName ?? null,
			targetDirectoryName: rule.targetDirectoryName ?? null,
			objectMappings: (rule.objectMappings ?? []).map(
				({ name, sourceObjectName, targetObjectName, enabled }) => ({
					name: name ?? null,
					sourceObjectName: sourceObjectName ?? null,
					targetObjectName: targetObjectName ?? null,
					enabled: enabled ?? null,
				}),
			),
		})),
		schema,
	};
}

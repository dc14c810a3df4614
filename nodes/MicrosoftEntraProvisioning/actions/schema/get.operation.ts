import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter } from '../../helpers/itemParameters';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import { checked } from '../../helpers/schemaCalls';
import { attributeMappingRows, readSchema } from '../../helpers/synchronizationSchema';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['schema'], operation: ['get'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'schema',
		description: 'What each input item gives',
		displayOptions: { show },
		options: [
			{
				name: 'Whole Schema',
				value: 'schema',
				description:
					"One item: the rules in short and Graph's schema under schema (a backup Schema › Update can restore)",
			},
			{
				name: 'One Item per Attribute Mapping',
				value: 'attributeMappings',
				description:
					'Rule, object mapping, source → target, mapping type, expression, when it applies and matching precedence: for an audit or a sheet',
			},
		],
	},
];

const OUTPUTS = ['schema', 'attributeMappings'];

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
 * short list, and Graph's schema under `schema`; or one item per attribute mapping.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject | IDataObject[]> {
	const output = itemParameter(this, 'output', itemIndex, 'schema') as string;
	if (!OUTPUTS.includes(output))
		invalidInput(
			this,
			itemIndex,
			`"${String(output)}" is not an output of Schema › Get`,
			'Choose Whole Schema or One Item per Attribute Mapping as Output.',
		);
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
	if (output === 'attributeMappings') {
		const rows = checked(this, itemIndex, () =>
			attributeMappingRows(readSchema(schema, "The job's schema")),
		);
		return rows.map((row) => ({
			...servicePrincipalFields(servicePrincipal),
			jobId,
			...row,
		}));
	}
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

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { GUID_PATTERN, isSynchronizationId } from '../../../../lib/graphIdentifiers';
import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter, readRequestSettings } from '../../helpers/itemParameters';
import { checked, readJobSchema } from '../../helpers/schemaCalls';
import { jobFailure } from '../../helpers/servicePrincipalCalls';
import {
	readSchema,
	schemaDifferences,
	type SynchronizationSchema,
} from '../../helpers/synchronizationSchema';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['schema'], operation: ['compare'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Compare With',
		name: 'compareWith',
		type: 'options',
		default: 'job',
		displayOptions: { show },
		options: [
			{
				name: 'Another Job',
				value: 'job',
				description: 'The schema of another job, read through the same credential',
			},
			{
				name: 'A Saved Schema (JSON)',
				value: 'json',
				description:
					'A backup taken with Schema › Get, or the schema of a job of another tenant read by a Schema › Get node with its own credential',
			},
		],
	},
	{
		displayName: 'Other Service Principal ID',
		name: 'otherServicePrincipalId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60',
		description: "The other job's enterprise application, by object ID",
		displayOptions: { show: { ...show, compareWith: ['job'] } },
	},
	{
		displayName: 'Other Job ID',
		name: 'otherJobId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.<tenant ID>',
		description: 'The other job, from Job › List',
		displayOptions: { show: { ...show, compareWith: ['job'] } },
	},
	{
		displayName: 'Other Schema',
		name: 'otherSchema',
		type: 'json',
		default: '',
		required: true,
		description:
			'Graph\'s synchronizationSchema, or a Schema › Get output (its "schema" field is used)',
		displayOptions: { show: { ...show, compareWith: ['json'] } },
	},
];

const GUID = new RegExp(GUID_PATTERN);

/** The other job's schema (GET), its IDs checked before any request. */
async function otherJobSchema(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<SynchronizationSchema> {
	const servicePrincipalId = String(
		itemParameter(ctx, 'otherServicePrincipalId', itemIndex, ''),
	).trim();
	const jobId = String(itemParameter(ctx, 'otherJobId', itemIndex, '')).trim();
	if (!GUID.test(servicePrincipalId))
		invalidInput(
			ctx,
			itemIndex,
			'Other Service Principal ID is not an object ID',
			"Enter the other enterprise application's object ID, a GUID from its Overview page.",
		);
	if (!isSynchronizationId(jobId))
		invalidInput(
			ctx,
			itemIndex,
			`"${jobId}" is not a job ID`,
			'A job ID is made of letters, digits, dots, dashes and underscores; copy it from Job › List.',
		);
	const servicePrincipal = {
		type: 'servicePrincipal' as const,
		objectId: servicePrincipalId.toLowerCase(),
	};
	const response = await graphRequest(
		ctx,
		context.connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}/schema`,
		},
		readRequestSettings(ctx, itemIndex, true),
		jobFailure('readSynchronizationSchema', context.connection, servicePrincipal, jobId, itemIndex),
	);
	return checked(ctx, itemIndex, () => readSchema(response.body, "The other job's schema"));
}

/**
 * Schema › Compare: one item per difference between the job's schema and another (a job, or a saved schema),
 * matched by names, without what Graph sets itself (IDs, versions). The same schema gives no item.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	const compareWith = itemParameter(this, 'compareWith', itemIndex, 'job') as string;
	if (compareWith !== 'job' && compareWith !== 'json')
		invalidInput(
			this,
			itemIndex,
			`"${String(compareWith)}" is not something to compare with`,
			'Choose Another Job or A Saved Schema (JSON).',
		);
	const saved =
		compareWith === 'json'
			? checked(this, itemIndex, () =>
					readSchema(
						structuredClone(itemParameter(this, 'otherSchema', itemIndex)),
						'Other Schema',
					),
				)
			: undefined;
	const { fields, schema } = await readJobSchema(this, itemIndex, context);
	const other = saved ?? (await otherJobSchema(this, itemIndex, context));
	return schemaDifferences(schema, other).map(({ change, path, before, after }) => ({
		...fields,
		difference: { added: 'onlyInOther', removed: 'onlyInJob', changed: 'different' }[change],
		path,
		job: before,
		other: after,
	}));
}

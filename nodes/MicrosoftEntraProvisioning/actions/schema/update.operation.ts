import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	ATTRIBUTE_TYPES,
	FILTER_OPERATORS,
	MAPPING_FLOW_TYPES,
	MAPPING_SOURCE_TYPES,
} from '../../../../lib/synchronizationSchema';
import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { itemParameter, readSynchronizationId, readTarget } from '../../helpers/itemParameters';
import { differenceCounts, oneAtATimePerJob, readJobSchema } from '../../helpers/schemaCalls';
import { changedSchema, readUpdateSource, type Changes } from '../../helpers/schemaChanges';
import { callJob } from '../../helpers/servicePrincipalCalls';
import { putBody, schemaDifferences } from '../../helpers/synchronizationSchema';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['schema'], operation: ['update'] };
const fromJson = { ...show, updateFrom: ['json'] };
const fromChanges = { ...show, updateFrom: ['changes'] };

const text = (
	displayName: string,
	name: string,
	description: string,
	placeholder: string,
): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	description,
	placeholder,
});

const objectMappingField = text(
	'Object Mapping',
	'objectMapping',
	"The object mapping's name, or its source or target object",
	'e.g. User',
);

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Update From',
		name: 'updateFrom',
		type: 'options',
		default: 'changes',
		displayOptions: { show },
		options: [
			{
				name: 'Targeted Changes',
				value: 'changes',
				description: 'Read the current schema, change only what is listed below and write it back',
			},
			{
				name: 'Whole Schema (JSON)',
				value: 'json',
				description:
					'Replace the schema with a whole one, e.g. a backup taken with Schema › Get (the restore path)',
			},
		],
	},
	{
		displayName: 'Schema',
		name: 'schemaJson',
		type: 'json',
		default: '',
		required: true,
		description:
			'The whole schema: Graph\'s synchronizationSchema, or a Schema › Get output (its "schema" field is used)',
		hint: 'Graph replaces the whole schema with this one; what it leaves out is removed',
		displayOptions: { show: fromJson },
	},
	{
		displayName: 'Changes',
		name: 'changes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Change',
		default: {},
		description:
			'Applied in this order: attributes, mappings set, mappings removed, scoping filters',
		displayOptions: { show: fromChanges },
		options: [
			{
				name: 'addAttribute',
				displayName: 'Add Attribute',
				values: [
					text('Directory', 'directory', 'The directory to add it to, by name', 'e.g. API'),
					text(
						'Object',
						'object',
						"The directory's object; may stay empty when the directory has one",
						'e.g. urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
					),
					text('Name', 'name', 'The attribute name', 'e.g. HireDate'),
					text(
						'Extension URN',
						'extensionUrn',
						"A custom SCIM extension's URN; the attribute is named URN:Name",
						'e.g. urn:ietf:params:scim:schemas:extension:contoso:1.0:User',
					),
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						default: 'String',
						options: ATTRIBUTE_TYPES.map((type) => ({ name: type, value: type })),
					},
					{
						displayName: 'Multi-Valued',
						name: 'multivalued',
						type: 'boolean',
						default: false,
					},
				],
			},
			{
				name: 'setMapping',
				displayName: 'Set Attribute Mapping',
				values: [
					objectMappingField,
					text(
						'Target Attribute',
						'target',
						'The attribute of the target directory the mapping writes',
						'e.g. employeeHireDate',
					),
					{
						displayName: 'Mapping Type',
						name: 'mappingType',
						type: 'options',
						default: 'direct',
						options: Object.entries(MAPPING_SOURCE_TYPES).map(([value, { displayName }]) => ({
							name: displayName,
							value,
						})),
					},
					text(
						'Source',
						'source',
						'Direct: the source attribute. Expression: the expression. Constant: the value.',
						'e.g. urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate',
					),
					{
						displayName: 'Apply This Mapping',
						name: 'flowType',
						type: 'options',
						default: 'Always',
						options: Object.entries(MAPPING_FLOW_TYPES).map(([value, name]) => ({ name, value })),
					},
					{
						displayName: 'Matching Precedence',
						name: 'matchingPriority',
						type: 'number',
						default: 0,
						typeOptions: { minValue: 0 },
						description:
							'Match objects using this attribute, tried in this order (1 first); 0: not a matching attribute',
					},
				],
			},
			{
				name: 'removeMapping',
				displayName: 'Remove Attribute Mapping',
				values: [
					objectMappingField,
					text('Target Attribute', 'target', 'The attribute whose mapping to remove', 'e.g. title'),
				],
			},
			{
				name: 'scopingClause',
				displayName: 'Scoping Filter Clause',
				values: [
					objectMappingField,
					text(
						'Source Attribute',
						'attribute',
						'The source attribute to test; leave empty with Operator "(Remove the Filter)"',
						'e.g. department',
					),
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						default: 'EQUALS',
						options: [
							...FILTER_OPERATORS.map((operator) => ({ name: operator, value: operator })),
							{ name: '(Remove the Filter)', value: 'remove' },
						],
					},
					text(
						'Value',
						'value',
						'What to compare with; several values separated by commas. Not used by IS … operators.',
						'e.g. Sales',
					),
				],
			},
		],
	},
	{
		displayName: 'Check Expressions With Graph',
		name: 'checkExpressions',
		type: 'boolean',
		default: true,
		description:
			"Whether to have Graph parse each expression mapping first (…/schema/parseExpression): one it cannot parse is refused before anything is written, and Graph's parse becomes the mapping's source",
		displayOptions: { show: fromChanges },
	},
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
 * Schema › Update: Graph's PUT …/schema, which "fully replaces the current schema". The current schema is read
 * first, so the output says what changes (added, changed, removed; before → after) and a schema that would not
 * change is not written: run twice, the second run sends no PUT. Preview Only outputs the request instead of
 * sending it.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const { updateFrom, fromJsonSchema, changes } = readUpdateSource(this, itemIndex);
	const previewOnly = itemParameter(this, 'previewOnly', itemIndex, false) === true;
	const checkExpressions = itemParameter(this, 'checkExpressions', itemIndex, true) !== false;
	const jobKey = `${readTarget(this, itemIndex, 'servicePrincipal').id}|${readSynchronizationId(this, itemIndex, 'job').toLowerCase()}`;

	return await oneAtATimePerJob(context, jobKey, async () => {
		const { fields, schema: current, path } = await readJobSchema(this, itemIndex, context);
		const wanted =
			fromJsonSchema ??
			(await changedSchema(
				this,
				itemIndex,
				context,
				current,
				changes as Changes,
				checkExpressions,
			));
		const differences = schemaDifferences(current, wanted);
		const output: IDataObject = {
			...fields,
			updateFrom,
			previewOnly,
			changed: differences.length > 0,
			counts: differenceCounts(differences),
			changes: differences,
		};
		const body = putBody(current, wanted);
		if (previewOnly) return { ...output, sent: false, request: { method: 'PUT', path, body } };
		if (differences.length === 0) return { ...output, sent: false };
		const { response } = await callJob(this, itemIndex, context, {
			method: 'PUT',
			action: 'schema',
			body,
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

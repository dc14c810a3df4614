import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	ATTRIBUTE_TYPES,
	FILTER_OPERATORS,
	MAPPING_FLOW_TYPES,
	MAPPING_SOURCE_TYPES,
	UNARY_FILTER_OPERATORS,
	type FilterOperator,
	type MappingFlowType,
	type MappingSourceType,
} from '../../../../lib/synchronizationSchema';
import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import {
	invalidInput,
	itemParameter,
	readSynchronizationId,
	readTarget,
} from '../../helpers/itemParameters';
import {
	checked,
	differenceCounts,
	oneAtATimePerJob,
	readJobSchema,
} from '../../helpers/schemaCalls';
import { callJob } from '../../helpers/servicePrincipalCalls';
import {
	addAttribute,
	putBody,
	readSchema,
	removeAttributeMapping,
	schemaDifferences,
	setAttributeMapping,
	setScopingFilter,
	type AttributeMappingSource,
	type AttributeToAdd,
	type MappingToSet,
	type ScopingClause,
	type SynchronizationSchema,
} from '../../helpers/synchronizationSchema';
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

interface Changes {
	attributes: AttributeToAdd[];
	mappings: Array<
		Omit<MappingToSet, 'source'> & { mappingType: MappingSourceType; source: string }
	>;
	removals: Array<{ objectMapping: string; target: string }>;
	/** Scoping clauses by object mapping; an empty list removes the filter */
	scopes: Map<string, ScopingClause[]>;
}

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** The Changes collection, checked before any request: names given, nothing named twice. */
function readChanges(ctx: IExecuteFunctions, itemIndex: number): Changes {
	const raw = itemParameter(ctx, 'changes', itemIndex, {}) as Record<string, IDataObject[]>;
	const fail = (message: string, fix: string) => invalidInput(ctx, itemIndex, message, fix);
	const attributes = (raw.addAttribute ?? []).map((entry, position): AttributeToAdd => {
		const directory = trimmed(entry.directory);
		const name = trimmed(entry.name);
		const urn = trimmed(entry.extensionUrn).replace(/:$/, '');
		const where = `Add Attribute ${position + 1}`;
		if (directory === '') fail(`${where} names no directory`, 'Enter the directory, e.g. API.');
		if (name === '') fail(`${where} has no name`, 'Enter the attribute name, e.g. HireDate.');
		if (urn !== '' && !/^urn:[^\s]+$/i.test(urn))
			fail(
				`${where}: "${urn}" is not a URN`,
				'A custom extension URN looks like urn:ietf:params:scim:schemas:extension:contoso:1.0:User.',
			);
		const type = String(entry.type ?? 'String');
		if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type))
			fail(
				`${where}: "${type}" is not an attribute type`,
				`Choose one of ${ATTRIBUTE_TYPES.join(', ')}.`,
			);
		return {
			directory,
			object: trimmed(entry.object),
			name: urn === '' ? name : `${urn}:${name}`,
			type,
			multivalued: entry.multivalued === true,
		};
	});
	const seenAttributes = new Set<string>();
	for (const { directory, name } of attributes) {
		const key = `${directory}|${name}`.toLowerCase();
		if (seenAttributes.has(key))
			fail(
				`The attribute "${name}" is added to "${directory}" twice`,
				'Add each attribute once; change its entry instead of adding another.',
			);
		seenAttributes.add(key);
	}
	const mappingTarget = (entry: IDataObject, where: string) => {
		const objectMapping = trimmed(entry.objectMapping);
		const target = trimmed(entry.target);
		if (objectMapping === '')
			fail(`${where} names no object mapping`, 'Enter the object mapping, e.g. User.');
		if (target === '')
			fail(`${where} names no target attribute`, 'Enter the target attribute, e.g. department.');
		return { objectMapping, target };
	};
	const seenTargets = new Set<string>();
	const once = (objectMapping: string, target: string) => {
		const key = `${objectMapping}|${target}`.toLowerCase();
		if (seenTargets.has(key))
			fail(
				`The mapping to "${target}" of "${objectMapping}" is changed twice`,
				'Set or remove each mapping once.',
			);
		seenTargets.add(key);
	};
	const mappings = (raw.setMapping ?? []).map((entry, position) => {
		const where = `Set Attribute Mapping ${position + 1}`;
		const { objectMapping, target } = mappingTarget(entry, where);
		once(objectMapping, target);
		const mappingType = String(entry.mappingType ?? 'direct') as MappingSourceType;
		if (!(mappingType in MAPPING_SOURCE_TYPES))
			fail(
				`${where}: "${mappingType}" is not a mapping type`,
				'Choose Direct, Expression or Constant.',
			);
		const source = typeof entry.source === 'string' ? entry.source : '';
		if (mappingType !== 'constant' && source.trim() === '')
			fail(
				`${where} has no source`,
				mappingType === 'direct'
					? 'Enter the source attribute, e.g. department.'
					: 'Enter the expression, e.g. Join(" ", [givenName], [surname]).',
			);
		const flowType = String(entry.flowType ?? 'Always') as MappingFlowType;
		if (!(flowType in MAPPING_FLOW_TYPES))
			fail(
				`${where}: "${flowType}" is not when a mapping applies`,
				'Choose Always or Only during object creation.',
			);
		const matchingPriority = Number(entry.matchingPriority ?? 0);
		if (!Number.isInteger(matchingPriority) || matchingPriority < 0)
			fail(
				`${where}: Matching Precedence must be a whole number from 0`,
				'Enter 0 for no matching, 1 to match on it first.',
			);
		return {
			objectMapping,
			target,
			mappingType,
			source: mappingType === 'constant' ? source : source.trim(),
			flowType,
			matchingPriority,
		};
	});
	const removals = (raw.removeMapping ?? []).map((entry, position) => {
		const removal = mappingTarget(entry, `Remove Attribute Mapping ${position + 1}`);
		once(removal.objectMapping, removal.target);
		return removal;
	});
	const scopes = new Map<string, ScopingClause[]>();
	(raw.scopingClause ?? []).forEach((entry, position) => {
		const where = `Scoping Filter Clause ${position + 1}`;
		const objectMapping = trimmed(entry.objectMapping);
		if (objectMapping === '')
			fail(`${where} names no object mapping`, 'Enter the object mapping, e.g. User.');
		const clauses = scopes.get(objectMapping.toLowerCase()) ?? [];
		scopes.set(objectMapping.toLowerCase(), clauses);
		const operator = String(entry.operator ?? 'EQUALS');
		if (operator === 'remove') return;
		if (!(FILTER_OPERATORS as readonly string[]).includes(operator))
			fail(
				`${where}: "${operator}" is not a scoping operator`,
				`Choose one of ${FILTER_OPERATORS.join(', ')}.`,
			);
		const attribute = trimmed(entry.attribute);
		if (attribute === '')
			fail(
				`${where} names no source attribute`,
				'Enter the source attribute to test, e.g. department.',
			);
		const unary = UNARY_FILTER_OPERATORS.includes(operator as FilterOperator);
		const values = unary
			? []
			: String(entry.value ?? '')
					.split(',')
					.map((value) => value.trim())
					.filter(Boolean);
		if (!unary && values.length === 0)
			fail(`${where}: ${operator} needs a value`, 'Enter the value to compare with, e.g. Sales.');
		clauses.push({ attribute, operator, values });
	});
	for (const [objectMapping, clauses] of scopes) {
		const removes = (raw.scopingClause ?? []).some(
			(entry) =>
				trimmed(entry.objectMapping).toLowerCase() === objectMapping && entry.operator === 'remove',
		);
		if (removes && clauses.length > 0)
			fail(
				`The scoping filter of "${objectMapping}" is both removed and set`,
				'Either remove the filter or give its clauses.',
			);
	}
	if (attributes.length + mappings.length + removals.length + scopes.size === 0)
		fail(
			'No change is listed',
			'Add at least one change under Changes, or choose Update From › Whole Schema (JSON).',
		);
	return { attributes, mappings, removals, scopes };
}

/** The attributeMappingSource of a mapping: Graph's own parse of an expression when it was asked for. */
async function mappingSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
	mapping: Changes['mappings'][number],
	checkExpressions: boolean,
): Promise<AttributeMappingSource> {
	if (mapping.mappingType === 'direct')
		return {
			expression: `[${mapping.source}]`,
			name: mapping.source,
			parameters: [],
			type: 'Attribute',
		};
	if (mapping.mappingType === 'constant')
		return {
			expression: `"${mapping.source.replace(/"/g, '\\"')}"`,
			name: mapping.source,
			parameters: [],
			type: 'Constant',
		};
	if (!checkExpressions)
		return {
			expression: mapping.source,
			name: /^\s*([A-Za-z]\w*)\s*\(/.exec(mapping.source)?.[1] ?? null,
			parameters: [],
			type: 'Function',
		};
	const { response } = await callJob<IDataObject>(ctx, itemIndex, context, {
		method: 'POST',
		action: 'schema/parseExpression',
		body: { expression: mapping.source },
		access: 'parseSynchronizationExpression',
		idempotent: true,
	});
	const { parsingSucceeded, parsedExpression, error } = response.body ?? {};
	if (
		parsingSucceeded !== true ||
		typeof parsedExpression !== 'object' ||
		parsedExpression === null
	)
		invalidInput(
			ctx,
			itemIndex,
			`Graph cannot parse the expression for "${mapping.target}"`,
			`${(error as { message?: string } | null)?.message ?? 'Graph gave no reason.'} Correct the expression (Schema › Parse Expression tries it against a sample object); nothing was written.`,
		);
	return parsedExpression as AttributeMappingSource;
}

async function changedSchema(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
	current: SynchronizationSchema,
	changes: Changes,
	checkExpressions: boolean,
): Promise<SynchronizationSchema> {
	const wanted = structuredClone(current);
	for (const attribute of changes.attributes)
		checked(ctx, itemIndex, () => addAttribute(wanted, attribute));
	for (const mapping of changes.mappings) {
		const source = await mappingSource(ctx, itemIndex, context, mapping, checkExpressions);
		checked(ctx, itemIndex, () => setAttributeMapping(wanted, { ...mapping, source }));
	}
	for (const { objectMapping, target } of changes.removals)
		checked(ctx, itemIndex, () => removeAttributeMapping(wanted, objectMapping, target));
	for (const [objectMapping, clauses] of changes.scopes)
		checked(ctx, itemIndex, () => setScopingFilter(wanted, objectMapping, clauses));
	return wanted;
}

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
	const updateFrom = itemParameter(this, 'updateFrom', itemIndex, 'changes') as string;
	if (updateFrom !== 'json' && updateFrom !== 'changes')
		invalidInput(
			this,
			itemIndex,
			`"${String(updateFrom)}" is not a way to update`,
			'Choose Targeted Changes or Whole Schema (JSON) as Update From.',
		);
	const previewOnly = itemParameter(this, 'previewOnly', itemIndex, false) === true;
	const fromJsonSchema =
		updateFrom === 'json'
			? checked(this, itemIndex, () =>
					readSchema(
						structuredClone(itemParameter(this, 'schemaJson', itemIndex)),
						'The Schema given',
						true,
					),
				)
			: undefined;
	const changes = updateFrom === 'changes' ? readChanges(this, itemIndex) : undefined;
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

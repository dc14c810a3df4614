import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	ATTRIBUTE_TYPES,
	FILTER_OPERATORS,
	MAPPING_FLOW_TYPES,
	MAPPING_SOURCE_TYPES,
	UNARY_FILTER_OPERATORS,
	type FilterOperator,
	type MappingFlowType,
	type MappingSourceType,
} from '../../../lib/synchronizationSchema';
import { invalidInput, itemParameter } from './itemParameters';
import type { OperationContext } from './operationContext';
import { checked } from './schemaCalls';
import { callJob } from './servicePrincipalCalls';
import {
	addAttribute,
	readSchema,
	removeAttributeMapping,
	setAttributeMapping,
	setScopingFilter,
	type AttributeMappingSource,
	type AttributeToAdd,
	type MappingToSet,
	type ScopingClause,
	type SynchronizationSchema,
} from './synchronizationSchema';

/**
 * What Schema › Update writes from: a whole schema (JSON), or targeted changes to the current one; both checked
 * before any request.
 */
export function readUpdateSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { updateFrom: 'json' | 'changes'; fromJsonSchema?: SynchronizationSchema; changes?: Changes } {
	const updateFrom = itemParameter(ctx, 'updateFrom', itemIndex, 'changes') as string;
	if (updateFrom !== 'json' && updateFrom !== 'changes')
		invalidInput(
			ctx,
			itemIndex,
			`"${String(updateFrom)}" is not a way to update`,
			'Choose Targeted Changes or Whole Schema (JSON) as Update From.',
		);
	const fromJsonSchema =
		updateFrom === 'json'
			? checked(ctx, itemIndex, () =>
					readSchema(
						structuredClone(itemParameter(ctx, 'schemaJson', itemIndex)),
						'The Schema given',
						true,
					),
				)
			: undefined;
	const changes = updateFrom === 'changes' ? readChanges(ctx, itemIndex) : undefined;
	return { updateFrom, fromJsonSchema, changes };
}

export interface Changes {
	attributes: AttributeToAdd[];
	mappings: Array<
		Omit<MappingToSet, 'source'> & { mappingType: MappingSourceType; source: string }
	>;
	removals: Array<{ objectMapping: string; target: string }>;
	/** Scoping clauses by object mapping; an empty list removes the filter */
	scopes: Map<string, ScopingClause[]>;
}

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

type Fail = (message: string, fix: string) => never;
type ChangeEntries = Record<string, IDataObject[]>;

/** The Changes collection, checked before any request: names given, nothing named twice. */
function readChanges(ctx: IExecuteFunctions, itemIndex: number): Changes {
	const raw = itemParameter(ctx, 'changes', itemIndex, {}) as ChangeEntries;
	const fail: Fail = (message, fix) => invalidInput(ctx, itemIndex, message, fix);
	const attributes = readAttributesToAdd(raw, fail);
	const { mappings, removals } = readMappingChanges(raw, fail);
	const scopes = readScopes(raw, fail);
	if (attributes.length + mappings.length + removals.length + scopes.size === 0)
		fail(
			'No change is listed',
			'Add at least one change under Changes, or choose Update From › Whole Schema (JSON).',
		);
	return { attributes, mappings, removals, scopes };
}

/** Add Attribute entries: each named, of a known type, added once */
function readAttributesToAdd(raw: ChangeEntries, fail: Fail): AttributeToAdd[] {
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
	return attributes;
}

/** Set and Remove Attribute Mapping entries: each target named and changed once */
function readMappingChanges(
	raw: ChangeEntries,
	fail: Fail,
): Pick<Changes, 'mappings' | 'removals'> {
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
	return { mappings, removals };
}

/** Scoping Filter Clause entries, by object mapping; a mapping's filter is either removed or set */
function readScopes(raw: ChangeEntries, fail: Fail): Changes['scopes'] {
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
	return scopes;
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

export async function changedSchema(
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

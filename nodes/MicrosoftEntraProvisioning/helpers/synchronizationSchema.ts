import type { IDataObject } from 'n8n-workflow';

import { MAPPING_FLOW_TYPES, type MappingFlowType } from '../../../lib/synchronizationSchema';

/*
 * A job's synchronization schema as Graph's PUT takes it: its shape checked, two schemas compared difference by
 * difference, its attribute mappings listed, and the targeted changes of Schema › Update applied to a copy.
 * Nothing here sends a request.
 */

export interface AttributeDefinition extends IDataObject {
	name: string;
	type?: string;
	multivalued?: boolean;
}

export interface ObjectDefinition extends IDataObject {
	name: string;
	attributes?: AttributeDefinition[];
}

export interface DirectoryDefinition extends IDataObject {
	id?: string;
	name: string;
	objects?: ObjectDefinition[];
}

export interface AttributeMappingSource extends IDataObject {
	expression?: string | null;
	name?: string | null;
	type?: string;
	parameters?: IDataObject[] | null;
}

export interface AttributeMapping extends IDataObject {
	targetAttributeName: string;
	source?: AttributeMappingSource | null;
	flowType?: string;
	matchingPriority?: number;
	defaultValue?: string | null;
}

export interface ObjectMapping extends IDataObject {
	name?: string;
	sourceObjectName: string;
	targetObjectName: string;
	enabled?: boolean;
	scope?: IDataObject | null;
	attributeMappings?: AttributeMapping[];
}

export interface SynchronizationRule extends IDataObject {
	id?: string;
	name?: string;
	sourceDirectoryName: string;
	targetDirectoryName: string;
	objectMappings?: ObjectMapping[];
}

export interface SynchronizationSchema extends IDataObject {
	id?: string;
	version?: string;
	synchronizationRules: SynchronizationRule[];
	directories: DirectoryDefinition[];
}

/** What is wrong with a schema or a change, and what the admin can do about it. */
export class SchemaProblem extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const same = (a: string | undefined, b: string | undefined) =>
	a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Edit distance, to name the closest attribute names to one a directory lacks. */
function distance(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		let previous = row[0];
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const current = row[j];
			row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
			previous = current;
		}
	}
	return row[b.length];
}

/** Up to three names closest to `name`, closest first. */
export function closestNames(name: string, candidates: string[]): string[] {
	const lower = name.toLowerCase();
	return candidates
		.map((candidate) => ({ candidate, score: distance(lower, candidate.toLowerCase()) }))
		.sort((a, b) => a.score - b.score)
		.slice(0, 3)
		.map(({ candidate }) => candidate);
}

function quoted(names: string[]): string {
	return names.map((name) => `"${name}"`).join(', ');
}

function checkUnique(names: string[], what: string, where: string): void {
	const seen = new Set<string>();
	for (const name of names) {
		if (seen.has(name.toLowerCase()))
			throw new SchemaProblem(
				`The ${what} "${name}" is defined twice in ${where}`,
				`Keep one definition of "${name}"; Graph refuses a schema that defines it twice.`,
			);
		seen.add(name.toLowerCase());
	}
}

const NOT_A_SCHEMA_FIX =
	'Give a whole synchronization schema as Graph returns it: an object with "synchronizationRules" and "directories", e.g. the "schema" field of a Schema › Get output (the whole Get output is accepted too).';

function parsedJson(text: string, label: string): unknown {
	let parsed: unknown;
	let valid = true;
	try {
		parsed = JSON.parse(text);
	} catch {
		valid = false;
	}
	if (!valid) throw new SchemaProblem(`${label} is not valid JSON`, NOT_A_SCHEMA_FIX);
	return parsed;
}

/**
 * The schema in `value` (Graph's JSON, its text, or a Schema › Get output holding it under `schema`), checked to be
 * in Graph's shape: lists of rules, object and attribute mappings, directories, objects and attributes, each named.
 * A schema about to be written (`forWriting`) is also checked for what Graph refuses or the admin cannot have meant:
 * rules naming a directory the schema does not define, anything defined twice, and a mapping to an attribute its
 * target directory does not define (when that directory lists its attributes). A schema Graph gave is only read,
 * so it is held to the shape alone.
 */
export function readSchema(
	value: unknown,
	label: string,
	forWriting = false,
): SynchronizationSchema {
	const unique = forWriting ? checkUnique : () => undefined;
	let parsed = value;
	if (typeof parsed === 'string') parsed = parsedJson(parsed, label);
	if (isObject(parsed) && !('synchronizationRules' in parsed) && isObject(parsed.schema))
		parsed = parsed.schema;
	if (
		!isObject(parsed) ||
		!Array.isArray(parsed.synchronizationRules) ||
		!Array.isArray(parsed.directories)
	)
		throw new SchemaProblem(`${label} is not a synchronization schema`, NOT_A_SCHEMA_FIX);
	const schema = parsed as SynchronizationSchema;
	checkDirectories(schema, label, unique);
	checkRules(schema, label, forWriting, unique);
	return schema;
}

/** The directories, each named, with lists of named objects and attributes (nothing named twice when `unique` checks) */
function checkDirectories(
	schema: SynchronizationSchema,
	label: string,
	unique: typeof checkUnique,
): void {
	schema.directories.forEach((directory, position) => {
		if (!isObject(directory) || typeof directory.name !== 'string' || directory.name.trim() === '')
			throw new SchemaProblem(
				`Directory ${position + 1} of ${label} has no name`,
				NOT_A_SCHEMA_FIX,
			);
		const objects = directory.objects ?? [];
		if (
			!Array.isArray(objects) ||
			objects.some((object) => !isObject(object) || typeof object.name !== 'string')
		)
			throw new SchemaProblem(
				`The objects of directory "${directory.name}" in ${label} are not a list of named objects`,
				NOT_A_SCHEMA_FIX,
			);
		unique(
			objects.map((object) => object.name),
			'object',
			`directory "${directory.name}"`,
		);
		for (const object of objects) {
			const attributes = object.attributes ?? [];
			if (
				!Array.isArray(attributes) ||
				attributes.some((attribute) => !isObject(attribute) || typeof attribute.name !== 'string')
			)
				throw new SchemaProblem(
					`The attributes of "${object.name}" in directory "${directory.name}" are not a list of named attributes`,
					NOT_A_SCHEMA_FIX,
				);
			unique(
				attributes.map((attribute) => attribute.name),
				'attribute',
				`"${object.name}" of directory "${directory.name}"`,
			);
		}
	});
	unique(
		schema.directories.map((directory) => directory.name),
		'directory',
		label,
	);
}

/**
 * The rules, each between two directories (the schema's own when it is to be written), with lists of object mappings
 * and of attribute mappings that name their target attribute
 */
function checkRules(
	schema: SynchronizationSchema,
	label: string,
	forWriting: boolean,
	unique: typeof checkUnique,
): void {
	schema.synchronizationRules.forEach((rule, position) => {
		const where = `rule ${isObject(rule) && typeof rule.name === 'string' ? `"${rule.name}"` : position + 1}`;
		if (!isObject(rule))
			throw new SchemaProblem(
				`Rule ${position + 1} of ${label} is not an object`,
				NOT_A_SCHEMA_FIX,
			);
		for (const end of ['sourceDirectoryName', 'targetDirectoryName'] as const) {
			const directoryName = rule[end];
			if (
				typeof directoryName !== 'string' ||
				(forWriting && !directoryNamed(schema, directoryName))
			)
				throw new SchemaProblem(
					`The ${where} of ${label} names a directory the schema does not define: ${String(directoryName)}`,
					`Each rule's sourceDirectoryName and targetDirectoryName must name one of the schema's directories: ${quoted(schema.directories.map((directory) => directory.name))}.`,
				);
		}
		const mappings = rule.objectMappings ?? [];
		if (!Array.isArray(mappings) || mappings.some((mapping) => !isObject(mapping)))
			throw new SchemaProblem(`The object mappings of ${where} are not a list`, NOT_A_SCHEMA_FIX);
		for (const mapping of mappings) {
			const attributeMappings = mapping.attributeMappings ?? [];
			if (
				!Array.isArray(attributeMappings) ||
				attributeMappings.some(
					(attributeMapping) =>
						!isObject(attributeMapping) || typeof attributeMapping.targetAttributeName !== 'string',
				)
			)
				throw new SchemaProblem(
					`The attribute mappings of "${mappingLabel(mapping)}" in ${where} are not a list of mappings with a targetAttributeName`,
					NOT_A_SCHEMA_FIX,
				);
			unique(
				attributeMappings.map((attributeMapping) => attributeMapping.targetAttributeName),
				'mapping to the attribute',
				`"${mappingLabel(mapping)}"`,
			);
			if (forWriting)
				for (const attributeMapping of attributeMappings)
					checkTargetAttribute(schema, rule, mapping, attributeMapping.targetAttributeName);
		}
	});
}

function directoryNamed(
	schema: SynchronizationSchema,
	name: string,
): DirectoryDefinition | undefined {
	return schema.directories.find((directory) => same(directory.name, name));
}

function mappingLabel(mapping: ObjectMapping): string {
	return mapping.name ?? `${mapping.sourceObjectName} → ${mapping.targetObjectName}`;
}

/** The attribute names a directory's object lists, or undefined when the schema does not list them. */
function listedAttributes(
	schema: SynchronizationSchema,
	directoryName: string,
	objectName: string,
): string[] | undefined {
	const object = directoryNamed(schema, directoryName)?.objects?.find((candidate) =>
		same(candidate.name, objectName),
	);
	const names = (object?.attributes ?? []).map((attribute) => attribute.name);
	return names.length > 0 ? names : undefined;
}

/** Refuses a mapping to an attribute the target directory's object does not define, naming the closest ones. */
export function checkTargetAttribute(
	schema: SynchronizationSchema,
	rule: SynchronizationRule,
	mapping: ObjectMapping,
	attributeName: string,
): void {
	const listed = listedAttributes(schema, rule.targetDirectoryName, mapping.targetObjectName);
	if (!listed || listed.some((name) => same(name, attributeName))) return;
	throw new SchemaProblem(
		`The directory "${rule.targetDirectoryName}" has no attribute "${attributeName}" on "${mapping.targetObjectName}"`,
		`Map to an attribute it defines; the closest are ${quoted(closestNames(attributeName, listed))}. To map a new attribute, add it to the directory first (Change › Add Attribute), or run Schema › Discover Directory if the application has it.`,
	);
}

/** Refuses a direct mapping from an attribute the source directory's object does not define. */
export function checkSourceAttribute(
	schema: SynchronizationSchema,
	rule: SynchronizationRule,
	mapping: ObjectMapping,
	attributeName: string,
): void {
	const listed = listedAttributes(schema, rule.sourceDirectoryName, mapping.sourceObjectName);
	if (!listed || listed.some((name) => same(name, attributeName))) return;
	throw new SchemaProblem(
		`The directory "${rule.sourceDirectoryName}" has no attribute "${attributeName}" on "${mapping.sourceObjectName}"`,
		`Map from an attribute it defines; the closest are ${quoted(closestNames(attributeName, listed))}. For a new source attribute, add it to the directory first (Change › Add Attribute).`,
	);
}

// ---- differences ----------------------------------------------------------------------------

/** Properties Graph sets itself: never a difference, never sent back. */
const READ_ONLY_ROOT = new Set(['id', 'version']);
const READ_ONLY_DIRECTORY = new Set(['id', 'version', 'discoveryDateTime']);

/** Values compared as a whole: a mapping's source and a scope read best before → after in one piece. */
const WHOLE_VALUES = new Set([
	'source',
	'scope',
	'referencedObjects',
	'containerFilter',
	'groupFilter',
]);

/** What identifies an element of a list, in order of preference. */
const ELEMENT_KEYS = ['targetAttributeName', 'name', 'key', 'id'] as const;

export interface SchemaDifference extends IDataObject {
	/** added: only in the second schema; removed: only in the first; changed: in both, different */
	change: 'added' | 'removed' | 'changed';
	/** Where, by names: e.g. synchronizationRules[USER_INBOUND].objectMappings[Provision API users].attributeMappings[department] */
	path: string;
	before: IDataObject[string] | null;
	after: IDataObject[string] | null;
}

/** The schema without what Graph sets itself (IDs, versions, discovery stamps, OData annotations). */
export function comparable(schema: SynchronizationSchema): IDataObject {
	const strip = (value: IDataObject, readOnly: Set<string>) =>
		Object.fromEntries(
			Object.entries(value).filter(([key]) => !readOnly.has(key) && !key.startsWith('@odata')),
		);
	return {
		...strip(schema, READ_ONLY_ROOT),
		directories: schema.directories.map((directory) => strip(directory, READ_ONLY_DIRECTORY)),
	};
}

/** The property that names each element of both lists uniquely, if there is one. */
function elementKey(lists: unknown[][]): ((element: unknown) => string) | undefined {
	const names = (list: unknown[], key: string) =>
		list.map((element) => (isObject(element) ? element[key] : undefined));
	const key = ELEMENT_KEYS.find((candidate) =>
		lists.every((list) => {
			const values = names(list, candidate);
			return (
				values.every((value) => typeof value === 'string') &&
				new Set((values as string[]).map((value) => value.toLowerCase())).size === values.length
			);
		}),
	);
	return key === undefined ? undefined : (element) => String((element as IDataObject)[key]);
}

function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (Array.isArray(a) && Array.isArray(b))
		return a.length === b.length && a.every((value, index) => deepEqual(value, b[index]));
	if (isObject(a) && isObject(b)) {
		const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
		return [...keys].every((key) => deepEqual(a[key], b[key]));
	}
	return false;
}

function walk(
	before: unknown,
	after: unknown,
	path: string,
	property: string,
	out: SchemaDifference[],
): void {
	if (deepEqual(before, after)) return;
	if (before === undefined || after === undefined) {
		out.push({
			change: before === undefined ? 'added' : 'removed',
			path,
			before: (before ?? null) as SchemaDifference['before'],
			after: (after ?? null) as SchemaDifference['after'],
		});
		return;
	}
	if (!WHOLE_VALUES.has(property)) {
		if (isObject(before) && isObject(after)) {
			for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
				walk(before[key], after[key], path ? `${path}.${key}` : key, key, out);
			return;
		}
		if (Array.isArray(before) && Array.isArray(after)) {
			const key = before.length + after.length > 0 ? elementKey([before, after]) : undefined;
			if (key) {
				const earlier = new Map(before.map((element) => [key(element).toLowerCase(), element]));
				const later = new Map(after.map((element) => [key(element).toLowerCase(), element]));
				const names = new Map(
					[...after, ...before].map((element) => [key(element).toLowerCase(), key(element)]),
				);
				for (const [lower, name] of names)
					walk(earlier.get(lower), later.get(lower), `${path}[${name}]`, property, out);
				return;
			}
		}
	}
	out.push({
		change: 'changed',
		path,
		before: before as SchemaDifference['before'],
		after: after as SchemaDifference['after'],
	});
}

/**
 * Every difference between two schemas, by names rather than positions: lists of named things (directories,
 * objects, attributes, rules, object and attribute mappings) are matched by name, so an order that differs is no
 * difference. What Graph sets itself is left out.
 */
export function schemaDifferences(
	before: SynchronizationSchema,
	after: SynchronizationSchema,
): SchemaDifference[] {
	const out: SchemaDifference[] = [];
	walk(comparable(before), comparable(after), '', '', out);
	return out;
}

/**
 * The body of the PUT that makes `wanted` the job's schema: without what Graph sets itself, and with each directory
 * carrying the ID the job's own directory of that name has (a backup of another job holds that job's IDs).
 */
export function putBody(
	current: SynchronizationSchema,
	wanted: SynchronizationSchema,
): IDataObject {
	const body = comparable(wanted);
	body.directories = wanted.directories.map((directory) => {
		const own = directoryNamed(current, directory.name);
		const rest = comparable({ synchronizationRules: [], directories: [directory] })
			.directories as IDataObject[];
		return { ...(own?.id ? { id: own.id } : {}), ...rest[0] };
	});
	return body;
}

// ---- attribute mappings as rows ----------------------------------------------------------------

/** How the admin center shows a mapping's source: [attribute], "constant" or the expression. */
function sourceText(source: AttributeMappingSource | null | undefined): string | null {
	if (!source) return null;
	if (source.type === 'Constant') return `"${source.name ?? ''}"`;
	if (source.type === 'Attribute' && source.name) return `[${source.name}]`;
	return source.expression ?? source.name ?? null;
}

const MAPPING_TYPE: Record<string, string> = {
	Attribute: 'Direct',
	Constant: 'Constant',
	Function: 'Expression',
};

/** One row per attribute mapping: what an admin audits or puts in a sheet. */
export function attributeMappingRows(schema: SynchronizationSchema): IDataObject[] {
	return schema.synchronizationRules.flatMap((rule) =>
		(rule.objectMappings ?? []).flatMap((mapping) =>
			(mapping.attributeMappings ?? []).map((attributeMapping) => {
				const source = attributeMapping.source ?? null;
				const flowType = attributeMapping.flowType ?? 'Always';
				return {
					ruleId: rule.id ?? null,
					ruleName: rule.name ?? null,
					objectMapping: mapping.name ?? null,
					objectMappingEnabled: mapping.enabled ?? null,
					sourceDirectory: rule.sourceDirectoryName,
					sourceObject: mapping.sourceObjectName,
					targetDirectory: rule.targetDirectoryName,
					targetObject: mapping.targetObjectName,
					source: sourceText(source),
					targetAttribute: attributeMapping.targetAttributeName,
					mappingType: (source?.type && MAPPING_TYPE[source.type]) ?? null,
					expression: source?.expression ?? null,
					defaultValue: attributeMapping.defaultValue ?? null,
					applies:
						flowType in MAPPING_FLOW_TYPES
							? MAPPING_FLOW_TYPES[flowType as MappingFlowType]
							: flowType,
					matchingPrecedence:
						typeof attributeMapping.matchingPriority === 'number' &&
						attributeMapping.matchingPriority > 0
							? attributeMapping.matchingPriority
							: null,
				};
			}),
		),
	);
}

// ---- targeted changes -------------------------------------------------------------------------

/** The object mapping an admin names (its name, source or target object), across the schema's rules. */
export function findObjectMapping(
	schema: SynchronizationSchema,
	named: string,
): { rule: SynchronizationRule; mapping: ObjectMapping } {
	const found = schema.synchronizationRules.flatMap((rule) =>
		(rule.objectMappings ?? [])
			.filter(
				(mapping) =>
					same(mapping.name, named) ||
					same(mapping.sourceObjectName, named) ||
					same(mapping.targetObjectName, named),
			)
			.map((mapping) => ({ rule, mapping })),
	);
	const all = schema.synchronizationRules.flatMap((rule) =>
		(rule.objectMappings ?? []).map(mappingLabel),
	);
	if (found.length === 0)
		throw new SchemaProblem(
			`The schema has no object mapping "${named}"`,
			`Name an object mapping by its name, its source or its target object; the schema has ${quoted(all)}.`,
		);
	if (found.length > 1) {
		const exact = found.filter(({ mapping }) => same(mapping.name, named));
		if (exact.length === 1) return exact[0];
		throw new SchemaProblem(
			`"${named}" names more than one object mapping`,
			`Name the object mapping by its name: ${quoted(found.map(({ mapping }) => mappingLabel(mapping)))}.`,
		);
	}
	return found[0];
}

export interface AttributeToAdd {
	directory: string;
	object: string;
	name: string;
	type: string;
	multivalued: boolean;
}

/** Adds an attribute to a directory's object, or sets its type and multi-valuedness if it is there already. */
export function addAttribute(schema: SynchronizationSchema, wanted: AttributeToAdd): void {
	const directory = directoryNamed(schema, wanted.directory);
	if (!directory)
		throw new SchemaProblem(
			`The schema has no directory "${wanted.directory}"`,
			`Choose one of its directories: ${quoted(schema.directories.map((candidate) => candidate.name))}.`,
		);
	const objects = directory.objects ?? [];
	const object =
		wanted.object === ''
			? objects.length === 1
				? objects[0]
				: undefined
			: objects.find((candidate) => same(candidate.name, wanted.object));
	if (!object)
		throw new SchemaProblem(
			wanted.object === ''
				? `The directory "${directory.name}" has ${objects.length} objects; say which one the attribute belongs to`
				: `The directory "${directory.name}" has no object "${wanted.object}"`,
			`Enter the object's name under Object: ${objects.length > 0 ? quoted(objects.map((candidate) => candidate.name)) : 'this directory defines none yet'}.`,
		);
	object.attributes ??= [];
	const existing = object.attributes.find((attribute) => same(attribute.name, wanted.name));
	if (existing) {
		existing.type = wanted.type;
		existing.multivalued = wanted.multivalued;
		return;
	}
	object.attributes.push({
		anchor: false,
		apiExpressions: [],
		caseExact: false,
		defaultValue: null,
		flowNullValues: false,
		metadata: [],
		multivalued: wanted.multivalued,
		mutability: 'ReadWrite',
		name: wanted.name,
		referencedObjects: [],
		required: false,
		type: wanted.type,
	});
}

export interface MappingToSet {
	objectMapping: string;
	target: string;
	source: AttributeMappingSource;
	flowType: MappingFlowType;
	matchingPriority: number;
}

/** Sets the mapping to a target attribute: changes the one there is, or adds it. */
export function setAttributeMapping(schema: SynchronizationSchema, wanted: MappingToSet): void {
	const { rule, mapping } = findObjectMapping(schema, wanted.objectMapping);
	checkTargetAttribute(schema, rule, mapping, wanted.target);
	if (wanted.source.type === 'Attribute' && wanted.source.name)
		checkSourceAttribute(schema, rule, mapping, wanted.source.name);
	mapping.attributeMappings ??= [];
	const existing = mapping.attributeMappings.find((candidate) =>
		same(candidate.targetAttributeName, wanted.target),
	);
	const settings = {
		source: wanted.source,
		flowType: wanted.flowType,
		matchingPriority: wanted.matchingPriority,
	};
	if (existing) Object.assign(existing, settings);
	else
		mapping.attributeMappings.push({
			defaultValue: null,
			exportMissingReferences: false,
			flowBehavior: 'FlowWhenChanged',
			...settings,
			targetAttributeName: wanted.target,
		});
}

/** Removes the mapping to a target attribute; none there is no change. */
export function removeAttributeMapping(
	schema: SynchronizationSchema,
	objectMapping: string,
	target: string,
): void {
	const { mapping } = findObjectMapping(schema, objectMapping);
	mapping.attributeMappings = (mapping.attributeMappings ?? []).filter(
		(candidate) => !same(candidate.targetAttributeName, target),
	);
}

export interface ScopingClause {
	attribute: string;
	operator: string;
	values: string[];
}

/**
 * Sets an object mapping's scoping filter to one group of clauses, all of which must hold (Graph's filter: groups
 * are OR-ed, the clauses of a group AND-ed); no clauses removes the filter.
 */
export function setScopingFilter(
	schema: SynchronizationSchema,
	objectMapping: string,
	clauses: ScopingClause[],
): void {
	const { rule, mapping } = findObjectMapping(schema, objectMapping);
	for (const clause of clauses) checkSourceAttribute(schema, rule, mapping, clause.attribute);
	mapping.scope =
		clauses.length === 0
			? null
			: {
					categoryFilterGroups: [],
					groups: [
						{
							name: 'Scoping filter',
							clauses: clauses.map((clause) => ({
								operatorName: clause.operator,
								sourceOperandName: clause.attribute,
								targetOperand: { values: clause.values },
							})),
						},
					],
					inputFilterGroups: [],
				};
}

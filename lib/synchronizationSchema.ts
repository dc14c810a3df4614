/**
 * What Microsoft Graph defines about a synchronization schema and that the node, its editor fields and the README
 * read: attribute types, when a mapping applies, how its source is written, and the scoping-filter operators.
 */

/** microsoft.graph.attributeType (attributeDefinition.type). */
export const ATTRIBUTE_TYPES = [
	'String',
	'Integer',
	'Reference',
	'Binary',
	'Boolean',
	'DateTime',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/**
 * microsoft.graph.attributeFlowType (attributeMapping.flowType) as the admin center's "Apply this mapping" offers
 * it: always, or only when the object is created.
 */
export const MAPPING_FLOW_TYPES = {
	Always: 'Always',
	ObjectAddOnly: 'Only during object creation',
} as const;
export type MappingFlowType = keyof typeof MAPPING_FLOW_TYPES;

/** The admin center's mapping types and the attributeMappingSource.type each is written as. */
export const MAPPING_SOURCE_TYPES = {
	direct: { displayName: 'Direct', graphType: 'Attribute' },
	expression: { displayName: 'Expression', graphType: 'Function' },
	constant: { displayName: 'Constant', graphType: 'Constant' },
} as const;
export type MappingSourceType = keyof typeof MAPPING_SOURCE_TYPES;

/** Scoping-filter operators (filterOperators, Microsoft's documented full response). */
export const FILTER_OPERATORS = [
	'EQUALS',
	'NOT EQUALS',
	'IS TRUE',
	'IS FALSE',
	'IS NULL',
	'IS NOT NULL',
	'REGEX MATCH',
	'NOT REGEX MATCH',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Operators that compare with no value (arity Unary). */
export const UNARY_FILTER_OPERATORS: readonly FilterOperator[] = [
	'IS TRUE',
	'IS FALSE',
	'IS NULL',
	'IS NOT NULL',
];

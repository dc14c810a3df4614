import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter } from '../../helpers/itemParameters';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['schema'], operation: ['parseExpression'] };

const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Expression Input',
		name: 'expressionInput',
		type: 'options',
		default: 'text',
		displayOptions: { show },
		options: [
			{ name: 'Text', value: 'text', description: 'Write the whole expression' },
			{
				name: 'Function From List',
				value: 'function',
				description:
					"Pick one of the functions Graph offers the job's mappings and give its arguments",
			},
		],
	},
	{
		displayName: 'Function',
		name: 'expressionFunction',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: "A function of Graph's list for this job (Schema › Get Functions lists them too)",
		displayOptions: { show: { ...show, expressionInput: ['function'] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: {
					searchListMethod: 'searchFunctions',
					searchable: true,
					searchFilterRequired: false,
				},
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: 'e.g. Join',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: FUNCTION_NAME.source,
							errorMessage: 'Enter a function name: letters and digits, e.g. Join',
						},
					},
				],
			},
		],
	},
	{
		displayName: 'Arguments',
		name: 'functionArguments',
		type: 'fixedCollection',
		placeholder: 'Add Argument',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		description: "The function's arguments in order",
		displayOptions: { show: { ...show, expressionInput: ['function'] } },
		options: [
			{
				name: 'argument',
				displayName: 'Argument',
				values: [
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. [givenName]',
						description:
							'As written in an expression: [attribute], "constant", or another function; empty leaves an optional argument out',
					},
				],
			},
		],
	},
	{
		displayName: 'Expression',
		name: 'expression',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Join(" ", [givenName], [surname])',
		hint: 'An attribute-mapping expression as written in the admin center: functions, [attributes] and "constants"',
		description:
			'The expression to parse, and to evaluate against the test input when one is given',
		displayOptions: { show: { ...show, expressionInput: ['text'] } },
	},
	{
		displayName: 'Test Input',
		name: 'testInput',
		type: 'fixedCollection',
		placeholder: 'Add Attribute',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'A sample source object to evaluate the expression against. Without it, Graph only parses the expression.',
		displayOptions: { show },
		options: [
			{
				name: 'attribute',
				displayName: 'Attribute',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. givenName',
						description: 'The source attribute, as the expression names it in brackets',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'Its value in the sample object',
					},
				],
			},
		],
	},
];

/** The expression as written, or built from the function picked and its arguments. */
function readExpression(ctx: IExecuteFunctions, itemIndex: number): string {
	const input = itemParameter(ctx, 'expressionInput', itemIndex, 'text') as unknown;
	if (input === 'function') {
		const locator = itemParameter(ctx, 'expressionFunction', itemIndex) as
			{ value?: unknown } | string;
		const name = String(
			typeof locator === 'object' && locator !== null ? (locator.value ?? '') : locator,
		).trim();
		if (!FUNCTION_NAME.test(name))
			invalidInput(
				ctx,
				itemIndex,
				name === '' ? 'No Function is chosen' : `"${name}" is not a function name`,
				"Pick the function from the list (Graph's functions for this job), or enter its name, e.g. Join.",
			);
		const entries = itemParameter(ctx, 'functionArguments.argument', itemIndex, []) as Array<{
			value?: unknown;
		}>;
		const values = entries.map(({ value }) =>
			typeof value === 'string' ? value.trim() : String(value ?? ''),
		);
		return `${name}(${values.join(', ')})`;
	}
	if (input !== 'text')
		invalidInput(
			ctx,
			itemIndex,
			`"${String(input)}" is not an expression input`,
			'Choose Text or Function From List as Expression Input.',
		);
	const expression = itemParameter(ctx, 'expression', itemIndex) as unknown;
	if (typeof expression !== 'string' || expression.trim() === '') {
		invalidInput(
			ctx,
			itemIndex,
			'No Expression is given',
			'Enter the attribute-mapping expression to test, e.g. Join(" ", [givenName], [surname]).',
		);
	}
	return expression.trim();
}

function readTestInput(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Array<{ key: string; value: string }> {
	const entries = itemParameter(ctx, 'testInput.attribute', itemIndex, []) as Array<{
		name?: unknown;
		value?: unknown;
	}>;
	const seen = new Set<string>();
	return entries.map(({ name, value }, position) => {
		const key = typeof name === 'string' ? name.trim() : '';
		if (key === '') {
			invalidInput(
				ctx,
				itemIndex,
				`Test Input attribute ${position + 1} has no name`,
				'Give each attribute the name the expression uses in brackets, e.g. givenName for [givenName].',
			);
		}
		if (seen.has(key))
			invalidInput(
				ctx,
				itemIndex,
				`The test attribute "${key}" is given twice`,
				'Give each attribute once.',
			);
		seen.add(key);
		if (value !== null && typeof value === 'object') {
			invalidInput(
				ctx,
				itemIndex,
				`The test attribute "${key}" is not text`,
				'Give a text value; if an expression supplies it, make it yield text for this item.',
			);
		}
		return { key, value: value === undefined || value === null ? '' : String(value) };
	});
}

/**
 * Parses an attribute-mapping expression and evaluates it against a sample object
 * (POST …/jobs/{id}/schema/parseExpression; 200). Whether parsing and evaluation succeeded is in the output, not an
 * error: a broken expression is what this operation is for.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const expression = readExpression(this, itemIndex);
	const testInput = readTestInput(this, itemIndex);
	const { servicePrincipal, jobId, response } = await callJob<IDataObject>(
		this,
		itemIndex,
		context,
		{
			method: 'POST',
			action: 'schema/parseExpression',
			body: {
				expression,
				...(testInput.length > 0
					? { testInputObject: { definition: null, properties: testInput } }
					: {}),
			},
			access: 'parseSynchronizationExpression',
			idempotent: true,
		},
	);
	const { parsingSucceeded, evaluationSucceeded, evaluationResult, error, parsedExpression } =
		response.body ?? {};
	return {
		...servicePrincipalFields(servicePrincipal),
		jobId,
		expression,
		parsingSucceeded: parsingSucceeded ?? false,
		evaluationSucceeded: evaluationSucceeded ?? false,
		evaluationResult: evaluationResult ?? null,
		error: error ?? null,
		parsedExpression: parsedExpression ?? null,
	};
}

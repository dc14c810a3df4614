import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter } from '../../helpers/itemParameters';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../node.type';

const show = { resource: ['schema'], operation: ['parseExpression'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
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
		displayOptions: { show },
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

function readExpression(ctx: IExecuteFunctions, itemIndex: number): string {
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

import { NodeOperationError } from 'n8n-workflow';

import { parseExpression } from '../../../nodes/MicrosoftEntraProvisioning/actions/schema';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (extra: Record<string, unknown>) => ({
	...jobParameters('schema', 'parseExpression'),
	...extra,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Schema › Parse Expression', () => {
	it("posts the expression with the test input as Graph's testInputObject, and outputs the evaluation", async () => {
		answer({
			body: {
				parsingSucceeded: true,
				evaluationSucceeded: true,
				evaluationResult: ['Adele Vance'],
				parsedExpression: { type: 'Function', name: 'Join' },
			},
		});
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				expressionInput: 'text',
				expression: ' Join(" ", [givenName], [surname]) ',
				testInput: {
					attribute: [
						{ name: 'givenName', value: 'Adele' },
						{ name: 'surname', value: 'Vance' },
					],
				},
			}),
		});

		const output = await parseExpression.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/schema/parseExpression`,
				body: {
					expression: 'Join(" ", [givenName], [surname])',
					testInputObject: {
						definition: null,
						properties: [
							{ key: 'givenName', value: 'Adele' },
							{ key: 'surname', value: 'Vance' },
						],
					},
				},
			}),
		]);
		expect(output).toEqual({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			expression: 'Join(" ", [givenName], [surname])',
			parsingSucceeded: true,
			evaluationSucceeded: true,
			evaluationResult: ['Adele Vance'],
			error: null,
			parsedExpression: { type: 'Function', name: 'Join' },
		});
	});

	it("builds the expression from a function and its arguments, and outputs Graph's parse failure as data", async () => {
		answer({ body: { parsingSucceeded: false, error: { message: 'Unknown attribute' } } });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				expressionInput: 'function',
				expressionFunction: { __rl: true, mode: 'list', value: 'Join' },
				functionArguments: { argument: [{ value: '" "' }, { value: ' [givenName] ' }] },
			}),
		});

		const output = await parseExpression.execute.call(ctx, 0, operationContext());

		expect(sent[0].body).toEqual({ expression: 'Join(" ", [givenName])' });
		expect(output).toMatchObject({
			parsingSucceeded: false,
			evaluationSucceeded: false,
			evaluationResult: null,
			error: { message: 'Unknown attribute' },
		});
	});

	it('refuses a test attribute given twice before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				expressionInput: 'text',
				expression: '[givenName]',
				testInput: {
					attribute: [
						{ name: 'givenName', value: 'Adele' },
						{ name: 'givenName', value: 'Alex' },
					],
				},
			}),
		});

		const refusal = await parseExpression.execute
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('The test attribute "givenName" is given twice');
		expect(sent).toHaveLength(0);
	});
});

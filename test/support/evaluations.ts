import { WorkflowExpression } from 'n8n-workflow';

/**
 * How many expressions n8n evaluated while `work` ran. Every expression n8n evaluates, read by getNodeParameter
 * or handed to evaluateExpression, goes through WorkflowExpression.resolveSimpleParameterValue, which builds the
 * item's data proxy for it; a value without an expression passes through it too and is not counted.
 */
export async function countEvaluations<T>(
	work: () => Promise<T>,
): Promise<{ result: T; evaluations: string[] }> {
	const spy = jest.spyOn(WorkflowExpression.prototype, 'resolveSimpleParameterValue');
	try {
		const result = await work();
		const evaluations = spy.mock.calls
			.map(([value]) => value)
			.filter((value): value is string => typeof value === 'string' && value.startsWith('='));
		return { result, evaluations };
	} finally {
		spy.mockRestore();
	}
}

import { NodeOperationError } from 'n8n-workflow';

import { restart } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (resetScope: unknown) => ({ ...jobParameters('job', 'restart'), resetScope });

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › Restart', () => {
	it('posts the reset scope as the flags Graph reads, names joined by commas', async () => {
		answer({ status: 204, requestId: 'req-restart-1' });
		const ctx = fakeExecuteFunctions({ parameters: parameters(['Watermark', 'QuarantineState']) });

		const output = await restart.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/restart`,
				body: { criteria: { resetScope: 'Watermark, QuarantineState' } },
			}),
		]);
		expect(output).toEqual({
			success: true,
			operation: 'restartJob',
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			resetScope: 'Watermark, QuarantineState',
			graphStatus: 204,
			requestId: 'req-restart-1',
		});
	});

	it.each([
		[[], 'Choose at least one Reset Scope'],
		[['Watermark', 'Everything'], '"Everything" is not a reset scope'],
		[['None', 'Escrows'], 'Reset Scope None cannot be combined with other scopes'],
	])('refuses the scope %j before any request', async (resetScope, message) => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(resetScope) });

		const refusal = await restart.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({ message, context: { itemIndex: 0 } });
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { deleteJob } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, byId, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › Delete', () => {
	it("sends DELETE to the job and outputs which job, with Graph's status and request ID", async () => {
		answer({ status: 204, requestId: 'req-delete-1' });
		const ctx = fakeExecuteFunctions({ parameters: jobParameters('job', 'delete') });

		const output = await deleteJob.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'DELETE',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${encodeURIComponent(JOB_ID)}`,
			}),
		]);
		expect(sent[0].body).toBeUndefined();
		expect(sent[0].settings.idempotent).toBe(false);
		expect(output).toEqual({
			success: true,
			operation: 'deleteJob',
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			graphStatus: 204,
			requestId: 'req-delete-1',
		});
	});

	it('refuses a job ID with a slash before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: { ...jobParameters('job', 'delete'), job: byId('scim/../other') },
		});

		const refusal = await deleteJob.execute
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({
			message: '"scim/../other" is not a job ID',
			context: { itemIndex: 0 },
		});
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { pause } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, byId, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › Pause', () => {
	it("sends POST to the job /pause and outputs which job, with Graph's status and request ID", async () => {
		answer({ status: 204, requestId: 'req-pause-1' });
		const ctx = fakeExecuteFunctions({ parameters: jobParameters('job', 'pause') });

		const output = await pause.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${encodeURIComponent(JOB_ID)}/pause`,
			}),
		]);
		expect(sent[0].body).toBeUndefined();
		expect(sent[0].settings.idempotent).toBe(true);
		expect(output).toEqual({
			success: true,
			operation: 'pauseJob',
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			graphStatus: 204,
			requestId: 'req-pause-1',
		});
	});

	it('refuses a job ID with a slash before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: { ...jobParameters('job', 'pause'), job: byId('scim/../other') },
		});

		const refusal = await pause.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({
			message: '"scim/../other" is not a job ID',
			context: { itemIndex: 0 },
		});
		expect(sent).toHaveLength(0);
	});
});

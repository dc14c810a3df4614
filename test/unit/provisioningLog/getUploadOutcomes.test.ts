import { NodeOperationError } from 'n8n-workflow';

import { getUploadOutcomes } from '../../../nodes/MicrosoftEntraProvisioning/actions/provisioningLog';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import {
	answer,
	operationContext,
	resetGraph,
	sent,
	sentLines,
	unansweredCount,
} from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const UPLOADED_AT = '2026-12-06T09:00:00.000Z';
/** The operation's defaults, as the editor saves them: each reads a field of the item Upload Users made. */
const parameters = {
	authentication: 'appOnly',
	resource: 'provisioningLog',
	operation: 'getUploadOutcomes',
	employeeExternalId: '={{ $json.externalId }}',
	employeeJobId: '={{ $json.jobId }}',
	employeeServicePrincipalId: '={{ $json.servicePrincipalId }}',
	uploadedAfter: '={{ $json.uploadedAt ?? $json.uploadedAfter }}',
	waitUpTo: 0,
};
const uploaded = (externalId: string) => ({
	externalId,
	jobId: JOB_ID,
	servicePrincipalId: SERVICE_PRINCIPAL_ID,
	uploadedAt: UPLOADED_AT,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Provisioning Log › Get Upload Outcomes', () => {
	it("reads the job's log once for all its employees, and the job's state for those still pending", async () => {
		answer(
			{
				body: {
					value: [
						{
							id: 'log-1',
							activityDateTime: '2026-12-06T09:03:00Z',
							sourceIdentity: { id: 'E1001' },
							targetIdentity: { id: 'user-1' },
							provisioningAction: 'create',
							provisioningStatusInfo: { status: 'success' },
						},
						{
							id: 'log-x',
							activityDateTime: '2026-12-06T09:04:00Z',
							sourceIdentity: { id: 'E9999' },
						},
					],
				},
			},
			{ body: { id: JOB_ID, status: { code: 'Active' }, schedule: { state: 'Active' } } },
		);
		const ctx = fakeExecuteFunctions({
			parameters,
			items: [
				uploaded('E1001'),
				uploaded('E1002'),
				{ externalId: 'E1003', status: 'unchanged', uploadedAt: UPLOADED_AT },
			],
		});

		const outcomes = await getUploadOutcomes.execute.call(ctx, [0, 1, 2], operationContext());

		expect(sent[0]).toMatchObject({
			method: 'GET',
			path: '/auditLogs/provisioning',
			qs: {
				$filter: `jobId eq '${JOB_ID}' and servicePrincipal/id eq '${SERVICE_PRINCIPAL_ID}' and activityDateTime gt 2026-12-06T08:59:59Z`,
				$top: 500,
			},
		});
		expect(sent[1]).toMatchObject({
			method: 'GET',
			path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}`,
			answerStatuses: [403, 404],
		});
		expect(sent).toHaveLength(2);
		expect(outcomes).toEqual([
			{
				json: expect.objectContaining({
					externalId: 'E1001',
					outcome: 'processed',
					status: 'success',
					action: 'create',
					targetId: 'user-1',
					uploadedAfter: UPLOADED_AT,
					checks: 1,
				}),
			},
			{ json: expect.objectContaining({ externalId: 'E1002', outcome: 'pending', checks: 1 }) },
			{ json: expect.objectContaining({ externalId: 'E1003', outcome: 'unchanged', checks: 0 }) },
		]);
	});

	it('says a paused job holds the employees instead of calling them pending', async () => {
		answer({ body: { value: [] } }, { body: { id: JOB_ID, status: { code: 'Paused' } } });
		const ctx = fakeExecuteFunctions({ parameters, items: [uploaded('E1002')] });

		const [outcome] = await getUploadOutcomes.execute.call(ctx, [0], operationContext());

		expect(sentLines()).toHaveLength(2);
		expect(outcome).toEqual({ json: expect.objectContaining({ outcome: 'jobNotRunning' }) });
	});

	it('without Continue On Fail, an item without a job ID fails every item before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters,
			items: [uploaded('E1001'), { ...uploaded('E1002'), jobId: 'no job/here' }],
		});

		const outcomes = await getUploadOutcomes.execute.call(ctx, [0, 1], operationContext());

		expect(sent).toHaveLength(0);
		expect(outcomes).toHaveLength(2);
		for (const outcome of outcomes) {
			expect('error' in outcome && outcome.error).toBeInstanceOf(NodeOperationError);
			expect('error' in outcome && outcome.error).toMatchObject({
				message: '"no job/here" is not a job ID',
				context: { itemIndex: 1 },
			});
		}
	});
});

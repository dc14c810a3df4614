import { NodeOperationError } from 'n8n-workflow';

import { get } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, byId, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › Get', () => {
	it("reads the job and lifts its status, quarantine and last run to the item's top level", async () => {
		const job = {
			id: JOB_ID,
			templateId: 'scim',
			schedule: { state: 'Active', interval: 'PT40M' },
			status: {
				code: 'Quarantine',
				countSuccessiveCompleteFailures: 3,
				quarantine: {
					reason: 'EncounteredQuarantineException',
					seriesBegan: '2026-12-01T08:00:00Z',
					nextAttempt: '2026-12-02T08:00:00Z',
					error: { code: 'SecretTokenInvalid', message: 'The token was refused' },
				},
				lastExecution: {
					activityIdentifier: 'run-7',
					state: 'Failed',
					timeEnded: '2026-12-01T08:05:00Z',
					countEscrowed: 4,
				},
				lastSuccessfulExecution: { timeEnded: '0001-01-01T00:00:00Z' },
			},
		};
		answer({ body: job });
		const ctx = fakeExecuteFunctions({ parameters: jobParameters('job', 'get') });

		const output = await get.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}`,
			}),
		]);
		expect(output).toMatchObject({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			statusCode: 'Quarantine',
			scheduleInterval: 'PT40M',
			quarantined: true,
			quarantineReason: 'EncounteredQuarantineException',
			quarantineSince: '2026-12-01T08:00:00Z',
			quarantineError: 'The token was refused',
			lastRunActivityId: 'run-7',
			lastRunState: 'Failed',
			lastRunEscrows: 4,
			// Graph's 0001-01-01 means never
			lastSuccessfulRunEnded: null,
			consecutiveFailures: 3,
			job,
		});
	});

	it('refuses an empty Job before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: { ...jobParameters('job', 'get'), job: byId('  ') },
		});

		const refusal = await get.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('No Job is selected');
		expect(sent).toHaveLength(0);
	});
});

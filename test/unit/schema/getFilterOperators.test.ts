import { NodeOperationError } from 'n8n-workflow';

import { getCatalogue } from '../../../nodes/MicrosoftEntraProvisioning/actions/schema';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, byId, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Schema › getFilterOperators', () => {
	it('reads the catalogue of the job and outputs one item per operator', async () => {
		answer({ body: { value: [{ name: 'first' }, { name: 'second' }] } });
		const ctx = fakeExecuteFunctions({ parameters: jobParameters('schema', 'getFilterOperators') });

		const output = await getCatalogue.filterOperators.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/schema/filterOperators`,
			}),
		]);
		expect(output).toEqual([
			{ servicePrincipalId: SERVICE_PRINCIPAL_ID, jobId: JOB_ID, name: 'first' },
			{ servicePrincipalId: SERVICE_PRINCIPAL_ID, jobId: JOB_ID, name: 'second' },
		]);
	});

	it('refuses a job ID with a space before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: { ...jobParameters('schema', 'getFilterOperators'), job: byId('my job') },
		});

		const refusal = await getCatalogue.filterOperators
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('"my job" is not a job ID');
		expect(sent).toHaveLength(0);
	});
});

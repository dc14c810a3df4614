import { NodeOperationError } from 'n8n-workflow';

import { get } from '../../../nodes/MicrosoftEntraProvisioning/actions/provisioningLog';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const LOG_ID = 'd51cd15b-2f33-06fd-882e-53929dcbb3ce';
const parameters = (logId: string) => ({
	authentication: 'appOnly',
	resource: 'provisioningLog',
	operation: 'get',
	logId,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Provisioning Log › Get', () => {
	it('asks for the entry by $filter on its ID, one entry, and flattens it for an admin', async () => {
		const entry = {
			id: LOG_ID,
			activityDateTime: '2026-12-06T09:00:00Z',
			jobId: JOB_ID,
			provisioningAction: 'create',
			servicePrincipal: { id: SERVICE_PRINCIPAL_ID, displayName: 'Contoso SCIM' },
			targetIdentity: { id: 'target-1', details: { UserPrincipalName: 'adele@contoso.example' } },
			provisioningStatusInfo: {
				status: 'Failure',
				errorInformation: { errorCode: 'SchemaAttributeNotFound', reason: 'No such attribute' },
			},
			provisioningSteps: [
				{ name: 'EntryExport', provisioningStepType: 'export', status: 'failure' },
			],
		};
		answer({ body: { value: [entry] } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(` ${LOG_ID} `) });

		const output = await get.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: '/auditLogs/provisioning',
				qs: { $filter: `id eq '${LOG_ID}'`, $top: 1 },
			}),
		]);
		expect(output).toMatchObject({
			logId: LOG_ID,
			action: 'create',
			status: 'failure',
			errorCode: 'SchemaAttributeNotFound',
			reason: 'No such attribute',
			targetUserPrincipalName: 'adele@contoso.example',
			jobId: JOB_ID,
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			steps: [{ name: 'EntryExport', type: 'export', status: 'failure', description: null }],
			provisioningLog: entry,
		});
	});

	it('fails with what to check when no entry has the ID', async () => {
		answer({ body: { value: [] } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(LOG_ID) });

		const failure = await get.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(failure).toBeInstanceOf(NodeOperationError);
		expect(failure.message).toBe(`No provisioning log entry has the ID ${LOG_ID}`);
		expect(failure.description).toContain('30 days');
	});

	it('refuses an ID with a quote, which would change the filter, before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters("x' or id ne '") });

		const refusal = await get.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe(`"x' or id ne '" is not a provisioning log entry ID`);
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { uploadUsers } from '../../../nodes/MicrosoftEntraProvisioning/actions/bulkUpload';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const LOCATION = "https://graph.microsoft.com/beta/auditLogs/provisioning/?$filter=jobid eq 'x'";
const SCIM_USER_SCHEMAS = [
	'urn:ietf:params:scim:schemas:core:2.0:User',
	'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
];
const parameters = (uploadOptions: Record<string, unknown> = {}) => ({
	...jobParameters('bulkUpload', 'uploadUsers'),
	columns: { mappingMode: 'autoMapInputData', value: null },
	uploadOptions,
});
const adele = {
	externalId: 'E1001',
	userName: 'adele@contoso.example',
	displayName: 'Adele Vance',
};
const alex = { externalId: 'E1002', userName: 'alex@contoso.example', active: false };

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Bulk Upload › Upload Users', () => {
	it('packs the employees into one SCIM bulk request and outputs one item per employee', async () => {
		answer({ status: 202, requestId: 'req-bulk-1', headers: { location: LOCATION } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(), items: [adele, alex] });

		const outcomes = await uploadUsers.execute.call(ctx, [0, 1], operationContext());

		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({
			method: 'POST',
			path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/bulkUpload`,
			headers: { 'Content-Type': 'application/scim+json' },
			body: {
				schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
				Operations: [
					{
						method: 'POST',
						bulkId: 'E1001',
						path: '/Users',
						data: { schemas: SCIM_USER_SCHEMAS, ...adele, active: true },
					},
					{
						method: 'POST',
						bulkId: 'E1002',
						path: '/Users',
						data: { schemas: SCIM_USER_SCHEMAS, ...alex },
					},
				],
			},
		});
		// The job matches on externalId: a request repeated after a dropped connection leaves the same users.
		expect(sent[0].settings.idempotent).toBe(true);
		expect(outcomes).toEqual([
			{
				json: expect.objectContaining({
					success: true,
					status: 'sent',
					servicePrincipalId: SERVICE_PRINCIPAL_ID,
					jobId: JOB_ID,
					externalId: 'E1001',
					bulkId: 'E1001',
					bulkRequestId: 'req-bulk-1',
					operationsInRequest: 2,
					location: LOCATION,
					graphStatus: 202,
					uploadedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
					activeSetByDefault: true,
				}),
			},
			{ json: expect.objectContaining({ status: 'sent', externalId: 'E1002' }) },
		]);
	});

	it('with Preview Only, outputs each employee and sends nothing', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ previewOnly: true }),
			items: [adele],
		});

		const [outcome] = await uploadUsers.execute.call(ctx, [0], operationContext());

		expect(sent).toHaveLength(0);
		expect(outcome).toEqual({
			json: expect.objectContaining({ status: 'preview', externalId: 'E1001' }),
		});
	});

	it('without Continue On Fail, an employee without userName is refused and nothing is sent', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: parameters(),
			items: [adele, { externalId: 'E1003', displayName: 'No Login' }],
		});

		const outcomes = await uploadUsers.execute.call(ctx, [0, 1], operationContext());

		expect(sent).toHaveLength(0);
		const refusal = 'error' in outcomes[1] ? outcomes[1].error : undefined;
		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({
			message: 'This employee has no userName',
			context: { itemIndex: 1 },
		});
	});

	it('with Continue On Fail, the refused employee becomes an error and the others are sent', async () => {
		answer({ status: 202, requestId: 'req-bulk-2', headers: { location: LOCATION } });
		const ctx = fakeExecuteFunctions({
			parameters: parameters(),
			continueOnFail: true,
			items: [{ externalId: 'E1003', displayName: 'No Login' }, adele],
		});

		const outcomes = await uploadUsers.execute.call(ctx, [0, 1], operationContext());

		expect(sent).toHaveLength(1);
		expect(
			(sent[0].body as { Operations: Array<{ bulkId: string }> }).Operations.map(
				({ bulkId }) => bulkId,
			),
		).toEqual(['E1001']);
		expect('error' in outcomes[0] && outcomes[0].error).toBeInstanceOf(NodeOperationError);
		expect(outcomes[1]).toEqual({
			json: expect.objectContaining({ status: 'sent', operationsInRequest: 1 }),
		});
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { create } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (setting: unknown[]) => ({
	authentication: 'appOnly',
	resource: 'job',
	operation: 'create',
	target: byId(SERVICE_PRINCIPAL_ID),
	template: byId('scim'),
	jobSettings: { setting },
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › Create', () => {
	it('posts the template and the job settings, once (never retried), and outputs the new job', async () => {
		const settings = [{ name: 'QuarantineTooManyDeletesThreshold', value: '500' }];
		answer({
			status: 201,
			requestId: 'req-create-1',
			body: {
				id: JOB_ID,
				templateId: 'scim',
				status: { code: 'NotConfigured' },
				synchronizationJobSettings: settings,
			},
		});
		const ctx = fakeExecuteFunctions({
			parameters: parameters([{ name: ' QuarantineTooManyDeletesThreshold ', value: 500 }]),
		});

		const output = await create.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs`,
				body: { templateId: 'scim', synchronizationJobSettings: settings },
			}),
		]);
		// A repeated POST after a dropped connection could create a second job.
		expect(sent[0].settings.idempotent).toBe(false);
		expect(output).toMatchObject({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			statusCode: 'NotConfigured',
			jobSettings: settings,
			graphStatus: 201,
			requestId: 'req-create-1',
		});
	});

	it('sends the template alone when no setting is given', async () => {
		answer({ status: 201, body: { id: JOB_ID } });
		const ctx = fakeExecuteFunctions({ parameters: parameters([]) });

		await create.execute.call(ctx, 0, operationContext());

		expect(sent[0].body).toEqual({ templateId: 'scim' });
	});

	it.each([
		[[{ name: 'Bad Name', value: '1' }], 'Job Settings › Setting 1 has no valid name: "Bad Name"'],
		[
			[
				{ name: 'Interval', value: '1' },
				{ name: 'interval', value: '2' },
			],
			'The job setting interval is given twice',
		],
	])('refuses the settings %j before any request', async (setting, message) => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(setting) });

		const refusal = await create.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({ message, context: { itemIndex: 0 } });
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { list } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sentLines, unansweredCount } from '../support/graph';
import { APP_ID, JOB_ID, SERVICE_PRINCIPAL_ID, byAppId, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (target: unknown) => ({
	authentication: 'appOnly',
	resource: 'job',
	operation: 'list',
	target,
});
const jobsPath = `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs`;

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › List', () => {
	it('reads every page of the jobs and outputs one item per job', async () => {
		answer(
			{
				body: {
					value: [{ id: JOB_ID, templateId: 'scim', status: { code: 'Paused' } }],
					'@odata.nextLink': `https://graph.microsoft.com/v1.0${jobsPath}?$skiptoken=2`,
				},
			},
			{ body: { value: [{ id: 'second.job', schedule: { state: 'Active' } }] } },
		);
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId(SERVICE_PRINCIPAL_ID)) });

		const output = await list.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([
			`GET ${jobsPath}`,
			`GET https://graph.microsoft.com/v1.0${jobsPath}?$skiptoken=2`,
		]);
		expect(output).toHaveLength(2);
		expect(output[0]).toMatchObject({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			templateId: 'scim',
			statusCode: 'Paused',
			statusDescription: 'Paused; provisions nothing until started',
			quarantined: false,
			job: { id: JOB_ID },
		});
		expect(output[1]).toMatchObject({ jobId: 'second.job', scheduleState: 'Active' });
	});

	it('looks a service principal given by app ID up first and names it in every item', async () => {
		answer({ body: { id: SERVICE_PRINCIPAL_ID } }, { body: { value: [{ id: JOB_ID }] } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(byAppId(APP_ID)) });

		const output = await list.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([
			`GET /servicePrincipals(appId='${APP_ID}')?%24select=id`,
			`GET ${jobsPath}`,
		]);
		expect(output).toEqual([
			expect.objectContaining({
				servicePrincipalId: SERVICE_PRINCIPAL_ID,
				servicePrincipalAppId: APP_ID,
			}),
		]);
	});

	it('outputs nothing for a service principal without jobs', async () => {
		answer({ body: { value: [] } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId(SERVICE_PRINCIPAL_ID)) });

		expect(await list.execute.call(ctx, 0, operationContext())).toEqual([]);
	});

	it('refuses an unknown API version before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: { ...parameters(byId(SERVICE_PRINCIPAL_ID)), options: { apiVersion: 'v2.0' } },
		});

		const refusal = await list.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('"v2.0" is not a Graph API version');
		expect(sentLines()).toEqual([]);
	});
});

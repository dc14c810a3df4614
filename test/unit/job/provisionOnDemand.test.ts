import { NodeOperationError } from 'n8n-workflow';

import { provisionOnDemand } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, byId, jobParameters } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const USER_ID = '9bb0f679-a883-4a6f-8260-35b491b8b8c8';
const GROUP_ID = 'cbc86211-6ada-4803-b73f-8039cf56d8a2';
const RULE_ID = '33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2';
const parameters = (extra: Record<string, unknown>) => ({
	...jobParameters('job', 'provisionOnDemand'),
	rule: byId(RULE_ID),
	...extra,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › Provision on Demand', () => {
	it("posts the rule and the user, and outputs Graph's JSON texts parsed and as received", async () => {
		const key = JSON.stringify({ result: 'Success', details: { action: 'Create' } });
		const value = JSON.stringify({ steps: [{ name: 'Export', status: 'Success' }] });
		answer({ body: { key, value }, requestId: 'req-pod-1' });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ objectTypeName: 'User', objectId: USER_ID }),
		});

		const output = await provisionOnDemand.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/provisionOnDemand`,
				body: {
					parameters: [
						{ ruleId: RULE_ID, subjects: [{ objectId: USER_ID, objectTypeName: 'User' }] },
					],
				},
			}),
		]);
		expect(sent[0].settings.idempotent).toBe(false);
		expect(output).toEqual({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			ruleId: RULE_ID,
			objectTypeName: 'User',
			objectId: USER_ID,
			subjects: [{ objectId: USER_ID, objectTypeName: 'User' }],
			result: 'Success',
			details: { action: 'Create' },
			report: { steps: [{ name: 'Export', status: 'Success' }] },
			graphAnswer: { key, value },
			requestId: 'req-pod-1',
		});
	});

	it('sends a group with the members given as links.members', async () => {
		answer({ body: { key: 'not json', value: '' } });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				objectTypeName: 'Group',
				objectId: GROUP_ID,
				groupMembers: USER_ID,
			}),
		});

		const output = await provisionOnDemand.execute.call(ctx, 0, operationContext());

		expect(sent[0].body).toEqual({
			parameters: [
				{
					ruleId: RULE_ID,
					subjects: [
						{
							objectId: GROUP_ID,
							objectTypeName: 'Group',
							links: { members: [{ objectId: USER_ID, objectTypeName: 'User' }] },
						},
					],
				},
			],
		});
		// A key that is no JSON is kept as the text it is.
		expect(output).toMatchObject({ result: 'not json', details: null });
	});

	it('refuses an object type Graph does not provision on demand before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ objectTypeName: 'Device', objectId: USER_ID }),
		});

		const refusal = await provisionOnDemand.execute
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('"Device" is not an object type Graph provisions on demand');
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { get } from '../../../nodes/MicrosoftEntraProvisioning/actions/schema';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, jobParameters } from '../support/parameters';
import { RULE_ID, jobSchema } from '../support/schema';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (output: string) => ({ ...jobParameters('schema', 'get'), output });

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Schema › Get', () => {
	it("reads the job's schema and lists its rules in short beside Graph's schema", async () => {
		answer({ body: jobSchema() });
		const ctx = fakeExecuteFunctions({ parameters: parameters('schema') });

		const output = await get.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/schema`,
			}),
		]);
		expect(output).toEqual({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			version: jobSchema().version,
			rules: [
				{
					ruleId: RULE_ID,
					name: 'USER_OUTBOUND_USER',
					sourceDirectoryName: 'Azure Active Directory',
					targetDirectoryName: 'customappsso',
					objectMappings: [
						{
							name: 'Provision Azure Active Directory Users',
							sourceObjectName: 'User',
							targetObjectName: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
							enabled: true,
						},
					],
				},
			],
			schema: jobSchema(),
		});
	});

	it('outputs one item per attribute mapping', async () => {
		answer({ body: jobSchema() });
		const ctx = fakeExecuteFunctions({ parameters: parameters('attributeMappings') });

		const output = (await get.execute.call(ctx, 0, operationContext())) as Array<
			Record<string, unknown>
		>;

		expect(output).toHaveLength(2);
		expect(output[0]).toMatchObject({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			ruleId: RULE_ID,
			sourceObject: 'User',
			targetAttribute: 'userName',
			expression: '[userPrincipalName]',
			matchingPrecedence: 1,
		});
		expect(output[1]).toMatchObject({ targetAttribute: 'displayName', matchingPrecedence: null });
	});

	it('refuses an unknown Output before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters('csv') });

		const refusal = await get.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('"csv" is not an output of Schema › Get');
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { list } from '../../../nodes/MicrosoftEntraProvisioning/actions/template';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (target: unknown) => ({
	authentication: 'appOnly',
	resource: 'template',
	operation: 'list',
	target,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Template › List', () => {
	it("outputs one item per template, its ID as templateId beside the service principal's", async () => {
		answer({
			body: {
				value: [
					{ id: 'scim', factoryTag: 'CustomSCIM', default: true },
					{ id: 'API2AAD', factoryTag: 'API2AAD', default: false },
				],
			},
		});
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId(SERVICE_PRINCIPAL_ID)) });

		const output = await list.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/templates`,
			}),
		]);
		expect(output).toEqual([
			{
				servicePrincipalId: SERVICE_PRINCIPAL_ID,
				templateId: 'scim',
				factoryTag: 'CustomSCIM',
				default: true,
			},
			{
				servicePrincipalId: SERVICE_PRINCIPAL_ID,
				templateId: 'API2AAD',
				factoryTag: 'API2AAD',
				default: false,
			},
		]);
	});

	it('refuses a Service Principal that is no GUID before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId('my-app')) });

		const refusal = await list.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('The Service Principal object ID is not a GUID');
		expect(sent).toHaveLength(0);
	});
});

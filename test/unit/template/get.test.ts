import { NodeOperationError } from 'n8n-workflow';

import { get } from '../../../nodes/MicrosoftEntraProvisioning/actions/template';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (template: unknown) => ({
	authentication: 'appOnly',
	resource: 'template',
	operation: 'get',
	target: byId(SERVICE_PRINCIPAL_ID),
	template,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Template › Get', () => {
	it('reads the template by its ID, path-encoded, and says what to check if Graph does not find it', async () => {
		answer({ body: { id: 'scim#2', factoryTag: 'CustomSCIM', schema: { directories: [] } } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId('scim#2')) });

		const output = await get.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/templates/scim%232`,
			}),
		]);
		expect(sent[0].failure).toMatchObject({
			subject: `synchronization template scim#2 on service principal ${SERVICE_PRINCIPAL_ID}`,
			notFoundHint: expect.stringContaining('Template › List'),
			itemIndex: 0,
		});
		expect(output).toEqual({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			templateId: 'scim#2',
			factoryTag: 'CustomSCIM',
			schema: { directories: [] },
		});
	});

	it('refuses a template ID with spaces before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId('custom scim')) });

		const refusal = await get.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('"custom scim" is not a template ID');
		expect(sent).toHaveLength(0);
	});
});

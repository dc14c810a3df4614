import { NodeOperationError } from 'n8n-workflow';

import { get } from '../../../nodes/MicrosoftEntraProvisioning/actions/applicationTemplate';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
const parameters = (applicationTemplate: unknown) => ({
	authentication: 'appOnly',
	resource: 'applicationTemplate',
	operation: 'get',
	applicationTemplate,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Application Template › Get', () => {
	it('reads the gallery app and says whether it supports provisioning', async () => {
		const template = {
			id: TEMPLATE_ID,
			displayName: 'Contoso Payroll',
			publisher: 'Contoso',
			categories: ['hr'],
			supportedProvisioningTypes: ['sync'],
		};
		answer({ body: template });
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId(TEMPLATE_ID)) });

		const output = await get.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({ method: 'GET', path: `/applicationTemplates/${TEMPLATE_ID}` }),
		]);
		expect(output).toEqual({
			applicationTemplateId: TEMPLATE_ID,
			displayName: 'Contoso Payroll',
			publisher: 'Contoso',
			supportsProvisioning: true,
			categories: ['hr'],
			template,
		});
	});

	it('refuses a template ID that is no GUID before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId('salesforce')) });

		const refusal = await get.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.context).toMatchObject({ itemIndex: 0 });
		expect(refusal.message).toContain('The Application Template');
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { execute } from '../../../nodes/MicrosoftEntraProvisioning/actions/secrets/get.operation';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { SCIM_URL, SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (target: unknown) => ({
	authentication: 'appOnly',
	resource: 'secrets',
	operation: 'get',
	target,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Secrets › Get', () => {
	it('reads the saved settings and outputs their keys, with the values as Graph masked them', async () => {
		answer({
			body: {
				value: [
					{ key: 'BaseAddress', value: SCIM_URL, extra: 'dropped' },
					{ key: 'SecretToken', value: '*' },
				],
			},
		});
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId(SERVICE_PRINCIPAL_ID)) });

		const output = await execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/secrets`,
			}),
		]);
		expect(output).toEqual({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			secretKeys: ['BaseAddress', 'SecretToken'],
			secrets: [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: '*' },
			],
			valuesMasked: true,
		});
	});

	it('refuses an empty Service Principal before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId('')) });

		const refusal = await execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({
			message: 'No service principal is selected',
			context: { itemIndex: 0 },
		});
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { list } from '../../../nodes/MicrosoftEntraProvisioning/actions/appRoleAssignment';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (target: unknown) => ({
	authentication: 'appOnly',
	resource: 'appRoleAssignment',
	operation: 'list',
	target,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('App Role Assignment › List', () => {
	it('outputs one item per assignment, its fields on top and the assignment as Graph gave it', async () => {
		const assignment = {
			id: 'assignment-1',
			principalId: '33ad69f9-da99-4bed-acd0-3f24235cb296',
			principalType: 'Group',
			principalDisplayName: 'Sales',
			appRoleId: '00000000-0000-0000-0000-000000000000',
		};
		answer({ body: { value: [assignment, { id: 'assignment-2' }] } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId(SERVICE_PRINCIPAL_ID)) });

		const output = await list.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/appRoleAssignedTo`,
			}),
		]);
		expect(output).toEqual([
			{
				servicePrincipalId: SERVICE_PRINCIPAL_ID,
				assignmentId: 'assignment-1',
				principalId: assignment.principalId,
				principalType: 'Group',
				principalDisplayName: 'Sales',
				appRoleId: assignment.appRoleId,
				assignment,
			},
			{
				servicePrincipalId: SERVICE_PRINCIPAL_ID,
				assignmentId: 'assignment-2',
				principalId: null,
				principalType: null,
				principalDisplayName: null,
				appRoleId: null,
				assignment: { id: 'assignment-2' },
			},
		]);
	});

	it('refuses a missing Service Principal before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId('')) });

		const refusal = await list.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('No service principal is selected');
		expect(sent).toHaveLength(0);
	});
});

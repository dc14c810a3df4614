import { NodeOperationError } from 'n8n-workflow';

import { remove } from '../../../nodes/MicrosoftEntraProvisioning/actions/appRoleAssignment';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const ASSIGNMENT_ID = '-WmtM5na7Uus0D8kI1yylpU9Mdo0Pb9OoBJvd3T5eKc';
const parameters = (assignmentId: string) => ({
	authentication: 'appOnly',
	resource: 'appRoleAssignment',
	operation: 'remove',
	target: byId(SERVICE_PRINCIPAL_ID),
	assignmentId,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('App Role Assignment › Remove', () => {
	it('deletes the assignment and outputs which one, with Graph status and request ID', async () => {
		answer({ status: 204, requestId: 'req-remove-1' });
		const ctx = fakeExecuteFunctions({ parameters: parameters(` ${ASSIGNMENT_ID} `) });

		const output = await remove.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'DELETE',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/appRoleAssignedTo/${ASSIGNMENT_ID}`,
			}),
		]);
		expect(sent[0].failure.subject).toBe(
			`app role assignment ${ASSIGNMENT_ID} on service principal ${SERVICE_PRINCIPAL_ID}`,
		);
		expect(output).toEqual({
			success: true,
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			assignmentId: ASSIGNMENT_ID,
			graphStatus: 204,
			requestId: 'req-remove-1',
		});
	});

	it('refuses an assignment ID with a slash before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters('abc/../def') });

		const refusal = await remove.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('Assignment ID "abc/../def" is not an app role assignment ID');
		expect(sent).toHaveLength(0);
	});
});

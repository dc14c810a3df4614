import { NodeOperationError } from 'n8n-workflow';

import { assign } from '../../../nodes/MicrosoftEntraProvisioning/actions/appRoleAssignment';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import {
	answer,
	operationContext,
	resetGraph,
	sent,
	sentLines,
	unansweredCount,
} from '../support/graph';
import { SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const USER_ID = '33ad69f9-da99-4bed-acd0-3f24235cb296';
const ROLE_ID = '8a9b7c6d-5e4f-4321-9876-abcdef012345';
const assignedTo = `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/appRoleAssignedTo`;
const parameters = (principalId: string, appRoleId = '') => ({
	authentication: 'appOnly',
	resource: 'appRoleAssignment',
	operation: 'assign',
	target: byId(SERVICE_PRINCIPAL_ID),
	principalId,
	appRoleId,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('App Role Assignment › Assign', () => {
	it("takes the app's only user role, checks the assignment is new, and posts it once", async () => {
		answer(
			{
				body: {
					appRoles: [
						{ id: ROLE_ID, displayName: 'User', allowedMemberTypes: ['User'], isEnabled: true },
						{ id: 'ffffffff-0000-4000-8000-000000000000', allowedMemberTypes: ['Application'] },
					],
				},
			},
			{ body: { value: [] } },
			{
				status: 201,
				requestId: 'req-assign-1',
				body: {
					id: 'assignment-1',
					principalId: USER_ID,
					principalType: 'User',
					appRoleId: ROLE_ID,
				},
			},
		);
		const ctx = fakeExecuteFunctions({ parameters: parameters(USER_ID.toUpperCase()) });

		const output = await assign.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([
			`GET /servicePrincipals/${SERVICE_PRINCIPAL_ID}?%24select=id%2CappRoles`,
			`GET ${assignedTo}`,
			`POST ${assignedTo}`,
		]);
		expect(sent[2].body).toEqual({
			principalId: USER_ID,
			resourceId: SERVICE_PRINCIPAL_ID,
			appRoleId: ROLE_ID,
		});
		// The assignment may exist after a dropped connection: the POST is not repeated.
		expect(sent[2].settings.idempotent).toBe(false);
		expect(output).toMatchObject({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			assignmentId: 'assignment-1',
			alreadyAssigned: false,
			principalId: USER_ID,
			principalType: 'User',
			appRoleId: ROLE_ID,
			appRoleName: 'User',
			graphStatus: 201,
			requestId: 'req-assign-1',
		});
	});

	it('outputs an existing assignment of the role given, and posts nothing', async () => {
		answer({
			body: { value: [{ id: 'assignment-0', principalId: USER_ID, appRoleId: ROLE_ID }] },
		});
		const ctx = fakeExecuteFunctions({ parameters: parameters(USER_ID, ROLE_ID) });

		const output = await assign.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([`GET ${assignedTo}`]);
		expect(output).toMatchObject({
			assignmentId: 'assignment-0',
			alreadyAssigned: true,
			appRoleName: null,
			graphStatus: null,
		});
	});

	it('refuses to choose between several user roles, and names them', async () => {
		answer({
			body: {
				appRoles: [
					{ id: ROLE_ID, displayName: 'Reader', allowedMemberTypes: ['User'] },
					{
						id: 'ffffffff-0000-4000-8000-000000000000',
						displayName: 'Writer',
						allowedMemberTypes: ['User'],
					},
				],
			},
		});
		const ctx = fakeExecuteFunctions({ parameters: parameters(USER_ID) });

		const refusal = await assign.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe(
			'The app has 2 roles for users; App Role ID must say which one to assign',
		);
		expect(refusal.description).toContain(`Reader (${ROLE_ID})`);
		expect(sent).toHaveLength(1);
	});

	it('refuses a user given by name before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters('adele@contoso.example') });

		const refusal = await assign.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.context).toMatchObject({ itemIndex: 0 });
		expect(refusal.message).toContain('User or Group ID');
		expect(sent).toHaveLength(0);
	});
});

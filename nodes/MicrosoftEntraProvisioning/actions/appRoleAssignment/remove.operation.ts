import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter, readRequestSettings } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['appRoleAssignment'], operation: ['remove'] };

/** Graph's appRoleAssignment IDs are base64url text, e.g. -WmtM5na7Uus0D8kI1yylpU9Mdo0Pb9OoBJvd3T5eKc. */
const ASSIGNMENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	{
		displayName: 'Assignment ID',
		name: 'assignmentId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. -WmtM5na7Uus0D8kI1yylpU9Mdo0Pb9OoBJvd3T5eKc',
		displayOptions: { show },
		description: 'The assignmentId that App Role Assignment › Assign or List outputs',
	},
];

/** Removes a user or group from the app (DELETE /servicePrincipals/{id}/appRoleAssignedTo/{id}; Graph answers 204). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const raw = itemParameter(this, 'assignmentId', itemIndex, '');
	const assignmentId = typeof raw === 'string' ? raw.trim() : '';
	if (!ASSIGNMENT_ID.test(assignmentId)) {
		invalidInput(
			this,
			itemIndex,
			`Assignment ID ${JSON.stringify(String(raw ?? '')).slice(0, 80)} is not an app role assignment ID`,
			'Use the assignmentId that App Role Assignment › List outputs (letters, digits, - and _).',
		);
	}
	// Removing twice leaves the same state; a retried DELETE that finds nothing answers 404.
	const settings = readRequestSettings(this, itemIndex, true);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const response = await graphRequest(
		this,
		context.connection,
		{
			method: 'DELETE',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/appRoleAssignedTo/${assignmentId}`,
		},
		settings,
		{
			...servicePrincipalFailure(
				'manageAppRoleAssignments',
				context.connection,
				servicePrincipal,
				itemIndex,
			),
			subject: `app role assignment ${assignmentId} on service principal ${servicePrincipal.objectId}`,
		},
	);
	return {
		success: true,
		...servicePrincipalFields(servicePrincipal),
		assignmentId,
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

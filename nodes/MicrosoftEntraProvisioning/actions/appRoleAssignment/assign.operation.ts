import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { readGuidParameter } from '../../helpers/applicationGallery';
import {
	assignmentOutput,
	chooseRole,
	findAssignment,
	readGivenRole,
	type AppRoleAssignment,
} from '../../helpers/appRoleAssignments';
import { readRequestSettings } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
} from '../../helpers/servicePrincipalCalls';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['appRoleAssignment'], operation: ['assign'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	{
		displayName: 'User or Group ID',
		name: 'principalId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 33ad69f9-da99-4bed-acd0-3f24235cb296',
		displayOptions: { show },
		description:
			'Object ID of the user or group to assign to the app; provisioning then covers them (scope "Sync only assigned users and groups")',
	},
	{
		displayName: 'App Role ID',
		name: 'appRoleId',
		type: 'string',
		default: '',
		placeholder: "Empty: the app's only role for users, e.g. msiam_access",
		displayOptions: { show },
		description:
			"The app role to assign (an ID from the service principal's appRoles). Empty takes the app's only role for users, or Default Access when it has none.",
	},
];

/**
 * Assigns a user or group to the app (POST /servicePrincipals/{id}/appRoleAssignedTo {principalId, resourceId,
 * appRoleId}; Graph answers 201 with the appRoleAssignment). Provisioning scoped to assigned users and groups
 * covers exactly these assignments.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const principalId = readGuidParameter(
		this,
		itemIndex,
		'principalId',
		'User or Group ID',
		'Enter the object ID of the user or group (Entra admin center › Users or Groups › Overview › Object ID), not a name or e-mail address.',
	);
	const givenRole = readGivenRole(this, itemIndex);
	// The POST is not retried after a dropped connection: the assignment may exist by then.
	const settings = readRequestSettings(this, itemIndex, false);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const failure = servicePrincipalFailure(
		'manageAppRoleAssignments',
		context.connection,
		servicePrincipal,
		itemIndex,
	);
	const request = { connection: context.connection, settings, failure };
	const role = await chooseRole(this, itemIndex, request, servicePrincipal, givenRole);
	// Safe to run twice: an assignment that already exists is output as it is, and no POST is sent (Graph would
	// answer a second identical one with 400).
	const existing = await findAssignment(this, request, servicePrincipal, principalId, role);
	if (existing) return assignmentOutput(servicePrincipal, existing, principalId, role, null, true);
	const response = await graphRequest<AppRoleAssignment>(
		this,
		context.connection,
		{
			method: 'POST',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/appRoleAssignedTo`,
			body: { principalId, resourceId: servicePrincipal.objectId, appRoleId: role.appRoleId },
		},
		settings,
		{
			...failure,
			invalidHint:
				"Graph answers 400 when the role is not one of the app's roles for users: check App Role ID against the service principal's appRoles.",
		},
	);
	return assignmentOutput(servicePrincipal, response.body, principalId, role, response, false);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { type AppRole, defaultAppRole, readGuidParameter } from '../../helpers/applicationGallery';
import { invalidInput, itemParameter, readRequestSettings } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { graphPath, graphRequest, listAll } from '../../transport';
import type { ResolvedTarget } from '../../helpers/targets';
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

interface AppRoleAssignment extends IDataObject {
	id: string;
	appRoleId?: string;
	principalId?: string;
	principalType?: string;
	principalDisplayName?: string;
}

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
	const rawRole = itemParameter(this, 'appRoleId', itemIndex, '');
	const givenRole = typeof rawRole === 'string' ? rawRole.trim() : '';
	if (givenRole !== '') {
		readGuidParameter(
			this,
			itemIndex,
			'appRoleId',
			'App Role ID',
			"Enter the id of one of the service principal's appRoles (Application Template › Instantiate outputs them), or leave it empty.",
		);
	}
	// The POST is not retried after a dropped connection: the assignment may exist by then.
	const settings = readRequestSettings(this, itemIndex, false);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const failure = servicePrincipalFailure(
		'manageAppRoleAssignments',
		context.connection,
		servicePrincipal,
		itemIndex,
	);
	let role: { appRoleId: string; appRoleName: string | null };
	if (givenRole !== '') {
		role = { appRoleId: givenRole.toLowerCase(), appRoleName: null };
	} else {
		const found = await graphRequest<{ appRoles?: AppRole[] }>(
			this,
			context.connection,
			{
				method: 'GET',
				path: graphPath`/servicePrincipals/${servicePrincipal.objectId}`,
				qs: { $select: 'id,appRoles' },
			},
			{ ...settings, idempotent: true },
			failure,
		);
		const chosen = defaultAppRole(found.body?.appRoles ?? []);
		if ('choices' in chosen) {
			invalidInput(
				this,
				itemIndex,
				`The app has ${chosen.choices.length} roles for users; App Role ID must say which one to assign`,
				`Set App Role ID to one of: ${chosen.choices
					.map((r) => `${r.displayName ?? r.value ?? '(no name)'} (${r.id})`)
					.join(', ')}.`,
			);
		}
		role = chosen;
	}
	// Safe to run twice: an assignment that already exists is output as it is, and no POST is sent (Graph would
	// answer a second identical one with 400).
	const existing = (
		await listAll<AppRoleAssignment>(
			this,
			context.connection,
			graphPath`/servicePrincipals/${servicePrincipal.objectId}/appRoleAssignedTo`,
			{ ...settings, idempotent: true },
			failure,
		)
	).find(
		(candidate) =>
			candidate.principalId?.toLowerCase() === principalId &&
			candidate.appRoleId?.toLowerCase() === role.appRoleId,
	);
	if (existing) return output(servicePrincipal, existing, principalId, role, null, true);
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
	return output(servicePrincipal, response.body, principalId, role, response, false);
}

function output(
	servicePrincipal: ResolvedTarget,
	assignment: AppRoleAssignment,
	principalId: string,
	role: { appRoleId: string; appRoleName: string | null },
	response: { status: number; requestId?: string | null } | null,
	alreadyAssigned: boolean,
): IDataObject {
	return {
		...servicePrincipalFields(servicePrincipal),
		assignmentId: assignment.id,
		alreadyAssigned,
		principalId: assignment.principalId ?? principalId,
		principalType: assignment.principalType ?? null,
		principalDisplayName: assignment.principalDisplayName ?? null,
		appRoleId: assignment.appRoleId ?? role.appRoleId,
		appRoleName: role.appRoleName,
		graphStatus: response?.status ?? null,
		requestId: response?.requestId ?? null,
		assignment,
	};
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { readRequestSettings } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { graphPath, listAll } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['appRoleAssignment'], operation: ['list'] };

export const description: INodeProperties[] = [...servicePrincipalProperties(show)];

/** Who is assigned to the app (GET /servicePrincipals/{id}/appRoleAssignedTo): one output item per assignment. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	const settings = readRequestSettings(this, itemIndex, true);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const assignments = await listAll<IDataObject & { id: string }>(
		this,
		context.connection,
		graphPath`/servicePrincipals/${servicePrincipal.objectId}/appRoleAssignedTo`,
		settings,
		servicePrincipalFailure(
			'readAppRoleAssignments',
			context.connection,
			servicePrincipal,
			itemIndex,
		),
	);
	return assignments.map((assignment) => ({
		...servicePrincipalFields(servicePrincipal),
		assignmentId: assignment.id,
		principalId: assignment.principalId ?? null,
		principalType: assignment.principalType ?? null,
		principalDisplayName: assignment.principalDisplayName ?? null,
		appRoleId: assignment.appRoleId ?? null,
		assignment,
	}));
}

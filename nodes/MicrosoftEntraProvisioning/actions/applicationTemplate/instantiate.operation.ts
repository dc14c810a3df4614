import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { applicationTemplateProperties } from '../../descriptions/applicationGallery';
import { readApplicationTemplateId } from '../../helpers/applicationGallery';
import {
	createdObjects,
	DEFAULT_REPLICATION_WAIT_SECONDS,
	MAX_REPLICATION_WAIT_SECONDS,
	readInstantiation,
	waitForReplication,
	type ApplicationServicePrincipal,
} from '../../helpers/applicationInstantiation';
import { readRequestSettings } from '../../helpers/itemParameters';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['applicationTemplate'], operation: ['instantiate'] };

export const description: INodeProperties[] = [
	...applicationTemplateProperties(
		show,
		'The gallery app to add to the tenant; the list searches the gallery by name',
	),
	{
		displayName: 'Display Name',
		name: 'displayName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Contoso Payroll',
		displayOptions: { show },
		description: 'The name of the new enterprise application (and its app registration)',
	},
	{
		displayName: 'Replication Wait (Seconds)',
		name: 'replicationWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_REPLICATION_WAIT_SECONDS },
		default: DEFAULT_REPLICATION_WAIT_SECONDS,
		displayOptions: { show },
		description:
			'How long to wait for the new service principal to answer Graph before the item fails; 0 returns right after Graph creates it. Until then, calls about it (creating a job, assigning a group) get 404.',
	},
];

/**
 * Adds a gallery app to the tenant (POST /applicationTemplates/{id}/instantiate {displayName}); Graph answers 201
 * with an applicationServicePrincipal: the new application and its service principal. The new objects answer 404
 * for a while (directory replication), so the operation then reads the service principal until it answers, within
 * Replication Wait, so the next node can use it at once.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const templateId = readApplicationTemplateId(this, itemIndex);
	const { displayName, waitSeconds } = readInstantiation(this, itemIndex);
	// Not idempotent: a repeated POST after a dropped connection would add a second app.
	const settings = readRequestSettings(this, itemIndex, false);
	const failure = {
		access: 'instantiateApplicationTemplate' as const,
		delegated: context.connection.delegated,
		subject: `application template ${templateId}`,
		notFoundHint: 'Pick the app from the list, or find its ID with Application Template › Search.',
		itemIndex,
	};
	const response = await graphRequest<ApplicationServicePrincipal>(
		this,
		context.connection,
		{
			method: 'POST',
			path: graphPath`/applicationTemplates/${templateId}/instantiate`,
			body: { displayName },
		},
		settings,
		failure,
	);
	const { application, servicePrincipal, applicationId, servicePrincipalId } = createdObjects(
		this,
		response.body,
		itemIndex,
	);
	const waitedMs =
		waitSeconds > 0
			? await waitForReplication(
					this,
					context.connection,
					settings,
					servicePrincipalId,
					waitSeconds * 1000,
					itemIndex,
				)
			: null;
	return {
		applicationTemplateId: templateId,
		displayName,
		applicationObjectId: applicationId,
		appId: servicePrincipal.appId ?? application.appId ?? null,
		servicePrincipalId,
		appRoles: (servicePrincipal.appRoles ?? []) as unknown as IDataObject[],
		replicated: waitedMs !== null,
		replicationWaitMs: waitedMs,
		graphStatus: response.status,
		requestId: response.requestId ?? null,
		application,
		servicePrincipal,
	};
}

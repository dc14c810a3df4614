import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	servicePrincipalProperties,
	templateProperties,
} from '../../descriptions/synchronizationLocators';
import { readRequestSettings, readSynchronizationId } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['template'], operation: ['get'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...templateProperties(show, 'The synchronization template to read'),
];

/** One synchronization template of the service principal (GET …/synchronization/templates/{id}). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const templateId = readSynchronizationId(this, itemIndex, 'template');
	const settings = readRequestSettings(this, itemIndex, true);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const response = await graphRequest<IDataObject & { id: string }>(
		this,
		context.connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/templates/${templateId}`,
		},
		settings,
		{
			...servicePrincipalFailure(
				'readSynchronizationTemplates',
				context.connection,
				servicePrincipal,
				itemIndex,
			),
			subject: `synchronization template ${templateId} on service principal ${servicePrincipal.objectId}`,
			notFoundHint:
				'Pick the template from the list: Template › List shows the templates this service principal offers.',
		},
	);
	const { id, ...template } = response.body;
	return { ...servicePrincipalFields(servicePrincipal), templateId: id, ...template };
}

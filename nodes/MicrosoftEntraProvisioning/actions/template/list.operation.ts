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

const show = { resource: ['template'], operation: ['list'] };

export const description: INodeProperties[] = [...servicePrincipalProperties(show)];

/** One output item per synchronization template the service principal offers (GET …/synchronization/templates). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	const settings = readRequestSettings(this, itemIndex, true);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const templates = await listAll<IDataObject & { id: string }>(
		this,
		context.connection,
		graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/templates`,
		settings,
		servicePrincipalFailure(
			'readSynchronizationTemplates',
			context.connection,
			servicePrincipal,
			itemIndex,
		),
	);
	return templates.map(({ id, ...template }) => ({
		...servicePrincipalFields(servicePrincipal),
		templateId: id,
		...template,
	}));
}

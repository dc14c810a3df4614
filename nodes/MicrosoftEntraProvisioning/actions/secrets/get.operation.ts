import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { readRequestSettings } from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../node.type';

const show = { resource: ['secrets'], operation: ['get'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	{
		displayName:
			'Graph answers the saved settings with the values of secrets (tokens, passwords) masked: this shows which keys are set, but a secret cannot be read back. Plain settings may come back as saved.',
		name: 'maskedNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
];

/** Reads which connection settings are saved (GET …/synchronization/secrets). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const settings = readRequestSettings(this, itemIndex, true);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const response = await graphRequest<{ value?: Array<{ key: string; value: string | null }> }>(
		this,
		context.connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/secrets`,
		},
		settings,
		servicePrincipalFailure(
			'readSynchronizationSecrets',
			context.connection,
			servicePrincipal,
			itemIndex,
		),
	);
	const secrets = (response.body?.value ?? []).map(({ key, value }) => ({ key, value }));
	return {
		...servicePrincipalFields(servicePrincipal),
		secretKeys: secrets.map(({ key }) => key),
		secrets,
		valuesMasked: true,
	};
}

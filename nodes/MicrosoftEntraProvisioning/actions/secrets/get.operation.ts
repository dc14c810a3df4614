import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { readRequestSettings } from '../../helpers/itemParameters';
import {
	readSavedSecrets,
	resolveServicePrincipal,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../../helpers/operationContext';

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
	const secrets = await readSavedSecrets(
		this,
		context.connection,
		servicePrincipal,
		settings,
		itemIndex,
	);
	return {
		...servicePrincipalFields(servicePrincipal),
		secretKeys: secrets.map(({ key }) => key),
		secrets,
		valuesMasked: true,
	};
}

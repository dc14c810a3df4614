import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	onlyWithParametersInput,
	secretsInputProperties,
	secretsProperties,
} from '../../descriptions/secrets';
import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { readRequestSettings, readTargetAndSecrets } from '../../helpers/itemParameters';
import { checkKeysKept, readReplaceAllSavedKeys } from '../../helpers/secretsSave';
import {
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { resolveTarget } from '../../helpers/targets';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['secrets'], operation: ['save'] };

export const description: INodeProperties[] = [
	...secretsInputProperties(show, {
		displayName: 'Service Principal ID Field',
		default: 'servicePrincipalId',
		what: 'the service principal',
	}),
	...onlyWithParametersInput([...servicePrincipalProperties(show), ...secretsProperties(show)]),
	{
		displayName: 'Replace All Saved Keys',
		name: 'replaceAllSavedKeys',
		type: 'boolean',
		default: false,
		description:
			"Whether to remove the saved keys this save does not give. Graph's Save (PUT) replaces the saved set as a whole. Off, the node first reads which keys are saved and refuses a save that would remove one, naming it; on, it saves exactly the keys given.",
		displayOptions: { show },
	},
];

/**
 * Saves the connection settings the provisioning jobs use (PUT …/synchronization/secrets; Graph answers 204).
 *
 * A PUT replaces the resource it names, and the node reads it that way: Microsoft's page ("Add synchronization
 * secrets") says neither that Graph merges nor that it replaces. So the node first reads the saved keys (GET; the
 * values come back masked, only the keys are used) and refuses a save that would leave out a saved key, unless
 * Replace All Saved Keys is on. Whichever Graph does, no saved key is lost without the admin asking for it.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const { target, secrets } = readTargetAndSecrets(this, itemIndex, 'servicePrincipal');
	const replaceAll = readReplaceAllSavedKeys(this, itemIndex);
	// Saving the same set twice leaves the same state, so a dropped connection may be retried.
	const settings = readRequestSettings(this, itemIndex, true);
	const servicePrincipal = await resolveTarget(
		this,
		context.connection,
		target,
		settings,
		context.objectIds,
		itemIndex,
	);
	const givenKeys = secrets.map(({ key }) => key);
	const { savedKeys, leftOut } = await checkKeysKept(
		this,
		itemIndex,
		{ connection: context.connection, servicePrincipal, settings },
		givenKeys,
		replaceAll,
	);
	const response = await graphRequest(
		this,
		context.connection,
		{
			method: 'PUT',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/secrets`,
			// The property is named `value` in the body (Graph's reference table says `credentials`; Graph reads `value`).
			body: { value: secrets.map(({ key, value }) => ({ key, value })) },
		},
		settings,
		servicePrincipalFailure(
			'saveSynchronizationSecrets',
			context.connection,
			servicePrincipal,
			itemIndex,
		),
	);
	return {
		success: true,
		operation: 'saveSecrets',
		...servicePrincipalFields(servicePrincipal),
		secretKeys: givenKeys,
		addedKeys: givenKeys.filter((key) => !savedKeys.includes(key)),
		replacedKeys: givenKeys.filter((key) => savedKeys.includes(key)),
		removedKeys: leftOut,
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

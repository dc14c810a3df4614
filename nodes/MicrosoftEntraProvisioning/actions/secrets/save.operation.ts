import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	onlyWithParametersInput,
	secretsInputProperties,
	secretsProperties,
} from '../../descriptions/secrets';
import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import {
	invalidInput,
	itemParameter,
	readRequestSettings,
	readTargetAndSecrets,
} from '../../helpers/itemParameters';
import {
	readSavedSecrets,
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
	const replaceAll = itemParameter(this, 'replaceAllSavedKeys', itemIndex, false);
	if (typeof replaceAll !== 'boolean') {
		invalidInput(
			this,
			itemIndex,
			'Replace All Saved Keys must be true or false',
			'Turn the switch on or off; if an expression supplies it, make it yield true or false.',
		);
	}
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
	// A key Graph answers with null holds nothing a save could lose. An empty text still counts as saved: Graph's
	// masking of secret values is not documented, and refusing one save too many is the cheaper mistake.
	const savedKeys = (
		await readSavedSecrets(this, context.connection, servicePrincipal, settings, itemIndex)
	)
		.filter(({ value }) => value !== null)
		.map(({ key }) => key);
	const givenKeys = secrets.map(({ key }) => key);
	const leftOut = savedKeys.filter((key) => !givenKeys.includes(key));
	if (leftOut.length > 0 && !replaceAll) {
		invalidInput(
			this,
			itemIndex,
			`Saving would remove the saved ${leftOut.length === 1 ? 'key' : 'keys'} ${leftOut.join(', ')}`,
			`Graph replaces the saved connection settings of service principal ${servicePrincipal.objectId} with the keys given here (${givenKeys.join(', ')}). Add ${leftOut.join(', ')} to the secrets of this save, with the values the application needs (Secrets › Get shows the plain ones; secrets come back masked, take them from where you keep them), or turn on Replace All Saved Keys to save only the keys given. Nothing was saved.`,
		);
	}
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

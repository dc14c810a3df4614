import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	onlyWithParametersInput,
	secretsInputProperties,
	secretsProperties,
} from '../../descriptions/secrets';
import { servicePrincipalProperties } from '../../descriptions/synchronizationLocators';
import { readRequestSettings, readTargetAndSecrets } from '../../helpers/itemParameters';
import {
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { resolveTarget } from '../../helpers/targets';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../node.type';

const show = { resource: ['secrets'], operation: ['save'] };

export const description: INodeProperties[] = [
	...secretsInputProperties(show, {
		displayName: 'Service Principal ID Field',
		default: 'servicePrincipalId',
		what: 'the service principal',
	}),
	...onlyWithParametersInput([...servicePrincipalProperties(show), ...secretsProperties(show)]),
];

/**
 * Saves the connection settings the provisioning jobs use (PUT …/synchronization/secrets). Graph replaces the
 * whole set, so send every key the application needs. Graph answers 204.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const { target, secrets } = readTargetAndSecrets(this, itemIndex, 'servicePrincipal');
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
		secretKeys: secrets.map(({ key }) => key),
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

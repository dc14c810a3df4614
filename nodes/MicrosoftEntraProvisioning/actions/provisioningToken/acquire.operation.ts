import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { TARGET_TYPES } from '../../../../lib/graphIdentifiers';
import {
	onlyWithParametersInput,
	secretsInputProperties,
	secretsProperties,
} from '../../descriptions/secrets';
import { targetProperties } from '../../descriptions/target';
import { readRequestSettings, readTargetAndSecrets } from '../../helpers/itemParameters';
import { objectIdNotFoundHint, resolveTarget } from '../../helpers/targets';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['provisioningToken'], operation: ['acquire'] };

const [targetType, ...target] = targetProperties(show);

export const description: INodeProperties[] = [
	...secretsInputProperties(show, {
		displayName: 'Target ID Field',
		default: 'targetId',
		what: 'the target',
	}),
	targetType,
	...onlyWithParametersInput([...target, ...secretsProperties(show)]),
];

/**
 * Authorizes the Entra provisioning service for the target by handing Graph the application's connection
 * secrets (synchronization: acquireAccessToken). Graph answers 204 with no body.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const { target, secrets } = readTargetAndSecrets(this, itemIndex);
	// Setting the same secrets twice leaves the same state, so a dropped connection may be retried.
	const settings = readRequestSettings(this, itemIndex, true);
	const { connection } = context;

	const resolved = await resolveTarget(
		this,
		connection,
		target,
		settings,
		context.objectIds,
		itemIndex,
	);
	const collection = TARGET_TYPES[resolved.type].collection;
	const response = await graphRequest(
		this,
		connection,
		{
			method: 'POST',
			path: graphPath`/${collection}/${resolved.objectId}/synchronization/acquireAccessToken`,
			body: { credentials: secrets.map(({ key, value }) => ({ key, value })) },
		},
		settings,
		{
			access: 'acquireProvisioningToken',
			delegated: connection.delegated,
			subject: `${TARGET_TYPES[resolved.type].displayName.toLowerCase()} with object ID ${resolved.objectId}`,
			notFoundHint: objectIdNotFoundHint(resolved),
			itemIndex,
		},
	);

	return {
		success: true,
		operation: 'acquireProvisioningToken',
		targetType: resolved.type,
		targetObjectId: resolved.objectId,
		...(resolved.appId ? { targetAppId: resolved.appId } : {}),
		secretKeys: secrets.map(({ key }) => key),
		apiVersion: settings.apiVersion,
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

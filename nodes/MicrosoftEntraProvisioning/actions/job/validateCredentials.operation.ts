import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { secretsProperties } from '../../descriptions/secrets';
import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import {
	invalidInput,
	itemParameter,
	readSecrets,
	type SecretPair,
} from '../../helpers/itemParameters';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../node.type';

const show = { resource: ['job'], operation: ['validateCredentials'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Credentials to Test',
		name: 'credentialSource',
		type: 'options',
		options: [
			{
				name: 'Saved Secrets',
				value: 'saved',
				description: 'The secrets saved with Secrets › Save (or in the admin center)',
			},
			{
				name: 'These Secrets',
				value: 'given',
				description: 'Secrets entered here, before saving them',
			},
		],
		default: 'saved',
		description:
			'Which connection settings the provisioning service should try against the application',
		displayOptions: { show },
	},
	...secretsProperties({ ...show, credentialSource: ['given'] }),
];

/**
 * Has the provisioning service try the connection settings against the application, as the admin center's "Test
 * Connection" does (POST …/jobs/{id}/validateCredentials; 204 when they work). Graph answers 400 when the
 * application refuses them.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const credentialSource = itemParameter(this, 'credentialSource', itemIndex, 'saved') as unknown;
	if (credentialSource !== 'saved' && credentialSource !== 'given') {
		invalidInput(
			this,
			itemIndex,
			`"${String(credentialSource)}" is not a choice of Credentials to Test`,
			'Choose Saved Secrets or These Secrets.',
		);
	}
	const given: SecretPair[] | undefined =
		credentialSource === 'given' ? readSecrets(this, itemIndex) : undefined;
	const { servicePrincipal, jobId, response } = await callJob(this, itemIndex, context, {
		method: 'POST',
		action: 'validateCredentials',
		body: given
			? { useSavedCredentials: false, credentials: given.map(({ key, value }) => ({ key, value })) }
			: { useSavedCredentials: true },
		access: 'validateSynchronizationCredentials',
		idempotent: true,
	});
	return {
		success: true,
		credentialsValid: true,
		operation: 'validateCredentials',
		...servicePrincipalFields(servicePrincipal),
		jobId,
		credentialSource: given ? 'given' : 'saved',
		...(given ? { secretKeys: given.map(({ key }) => key) } : {}),
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

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
import { graphErrorDetails } from '../../transport/errors';
import type { OperationContext } from '../../helpers/operationContext';

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
	{
		displayName: 'Output a Refusal Instead of Failing',
		name: 'refusalAsOutput',
		type: 'boolean',
		default: false,
		description:
			"Whether to output valid: false with Graph's code, message and request-id when the application refuses the credentials, instead of failing the item. Other failures (a missing permission, a job not found) still fail it.",
		displayOptions: { show },
	},
];

/** What Graph answers when the application refuses the credentials (its other failures stay errors). */
const REFUSED = 400;

/**
 * Has the provisioning service try the connection settings against the application, as the admin center's "Test
 * Connection" does (POST …/jobs/{id}/validateCredentials; 204 when they work). Graph answers 400 when the
 * application refuses them: an error, or with Output a Refusal Instead of Failing an item with valid: false.
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
	const refusalAsOutput = itemParameter(this, 'refusalAsOutput', itemIndex, false) as unknown;
	if (typeof refusalAsOutput !== 'boolean') {
		invalidInput(
			this,
			itemIndex,
			'Output a Refusal Instead of Failing must be true or false',
			'Turn the switch on or off, or give an expression that yields true or false.',
		);
	}
	const { servicePrincipal, jobId, response } = await callJob(this, itemIndex, context, {
		method: 'POST',
		action: 'validateCredentials',
		body: given
			? { useSavedCredentials: false, credentials: given.map(({ key, value }) => ({ key, value })) }
			: { useSavedCredentials: true },
		access: 'validateSynchronizationCredentials',
		idempotent: true,
		answerStatuses: refusalAsOutput ? [REFUSED] : undefined,
	});
	const valid = response.status !== REFUSED;
	// Graph's reason, as it gave it: what an IF node after this one branches on.
	const reason = graphErrorDetails(response.body);
	return {
		success: true,
		valid,
		credentialsValid: valid,
		operation: 'validateCredentials',
		...servicePrincipalFields(servicePrincipal),
		jobId,
		credentialSource: given ? 'given' : 'saved',
		...(given ? { secretKeys: given.map(({ key }) => key) } : {}),
		...(valid ? {} : { code: reason.code ?? null, message: reason.message ?? null }),
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

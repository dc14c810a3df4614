import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { requestOptionsProperty } from '../descriptions/requestOptions';
import { AUTHENTICATION_METHODS } from '../helpers/credentialTypes';
import * as provisioningToken from './provisioningToken';

/** Every parameter of the node, in display order; the node class holds the rest of its description. */
export const nodeProperties: INodeProperties[] = [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: Object.entries(AUTHENTICATION_METHODS).map(([value, { displayName }]) => ({ name: displayName, value })),
		default: 'appOnly',
	},
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Provisioning Token',
				value: 'provisioningToken',
				description: 'Authorize the provisioning service to reach an application',
			},
		],
		default: 'provisioningToken',
	},
	...provisioningToken.description,
	requestOptionsProperty,
];

/** One credential entry per Authentication choice. */
export const nodeCredentials: INodeCredentialDescription[] = Object.entries(AUTHENTICATION_METHODS).map(
	([value, { credentialType }]) => ({
		name: credentialType,
		required: true,
		displayOptions: { show: { authentication: [value] } },
	}),
);

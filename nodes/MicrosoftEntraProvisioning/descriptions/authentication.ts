import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { AUTHENTICATION_METHODS } from '../transport/credentialTypes';

/** The Authentication choice both nodes open with; transport/credentialTypes.ts maps each to its credential. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: Object.entries(AUTHENTICATION_METHODS).map(([value, { displayName }]) => ({
		name: displayName,
		value,
	})),
	default: 'appOnly',
};

/** One credential entry per Authentication choice. */
export const nodeCredentials: INodeCredentialDescription[] = Object.entries(
	AUTHENTICATION_METHODS,
).map(([value, { credentialType }]) => ({
	name: credentialType,
	required: true,
	displayOptions: { show: { authentication: [value] } },
}));

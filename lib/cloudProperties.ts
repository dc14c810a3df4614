import type { ICredentialTestRequest, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { cloudUrlExpression, CUSTOM_CLOUD } from './clouds';
import { describeRequiredAccess } from './permissions';

/** The cloud picker and the Custom cloud's two URLs, shared by both credential types. */
export function cloudProperties(options: INodePropertyOptions[]): INodeProperties[] {
	const showForCustom = { show: { cloud: [CUSTOM_CLOUD] } };
	return [
		{
			displayName: 'Cloud',
			name: 'cloud',
			type: 'options',
			options,
			default: 'global',
			description: 'The Microsoft cloud your tenant lives in. GCC (not High) tenants use Global.',
		},
		{
			displayName: 'Graph URL',
			name: 'customGraphUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://graph.contoso-gateway.example',
			description:
				'Root URL of Microsoft Graph (without /v1.0). Must use https, except for loopback addresses.',
			displayOptions: showForCustom,
		},
		{
			displayName: 'Login Authority URL',
			name: 'customAuthorityUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://login.contoso-gateway.example',
			description:
				'Root URL of the Microsoft Entra login authority (without the tenant). Must use https.',
			displayOptions: showForCustom,
		},
	];
}

/**
 * The credential "Test" request of both credential types: read one service principal from the credential's Graph,
 * which proves the sign-in and the permission the target list needs; a 403 names that permission.
 */
export function graphCredentialTest(delegated: boolean): ICredentialTestRequest {
	return {
		request: {
			baseURL: `={{ ${cloudUrlExpression('graphUrl', '$credentials')} }}`,
			url: '/v1.0/servicePrincipals?$top=1&$select=id',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: `Signed in, but Graph refused to list service principals. ${describeRequiredAccess('readDirectoryObjects', delegated)}`,
				},
			},
		],
	};
}

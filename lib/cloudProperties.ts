import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CUSTOM_CLOUD } from './clouds';

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
			description: 'Root URL of Microsoft Graph (without /v1.0). Must use https, except for loopback addresses.',
			displayOptions: showForCustom,
		},
		{
			displayName: 'Login Authority URL',
			name: 'customAuthorityUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://login.contoso-gateway.example',
			description: 'Root URL of the Microsoft Entra login authority (without the tenant). Must use https.',
			displayOptions: showForCustom,
		},
	];
}

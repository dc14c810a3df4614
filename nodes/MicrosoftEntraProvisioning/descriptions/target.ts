import type { INodeProperties } from 'n8n-workflow';

import { GUID_PATTERN, TARGET_TYPES } from '../../../lib/graphIdentifiers';

/** Target Type + Target, shown for the given operations. */
export function targetProperties(show: Record<string, string[]>): INodeProperties[] {
	return [
		{
			displayName: 'Target Type',
			name: 'targetType',
			type: 'options',
			options: [
				{
					name: TARGET_TYPES.application.displayName,
					value: 'application',
					description: 'The app registration (Microsoft Entra admin center › App registrations)',
				},
				{
					name: TARGET_TYPES.servicePrincipal.displayName,
					value: 'servicePrincipal',
					description: 'The enterprise application in your tenant (Enterprise applications)',
				},
			],
			default: 'servicePrincipal',
			description:
				'Whether the target is an application (app registration) or a service principal (enterprise application)',
			displayOptions: { show },
		},
		{
			displayName: 'Target',
			name: 'target',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description:
				'The application or service principal to authorize. Graph needs its object ID; an app ID (client ID) is looked up once.',
			displayOptions: { show },
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					typeOptions: {
						searchListMethod: 'searchTargets',
						searchable: true,
						searchFilterRequired: false,
					},
				},
				{
					displayName: 'By Object ID',
					name: 'id',
					type: 'string',
					placeholder: 'e.g. 6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60',
					hint: 'The Object ID shown on the Overview page — not the Application (client) ID',
					validation: [
						{
							type: 'regex',
							properties: {
								regex: GUID_PATTERN,
								errorMessage:
									'Enter an object ID: a GUID like 00000000-0000-0000-0000-000000000000',
							},
						},
					],
				},
				{
					displayName: 'By App ID (Client ID)',
					name: 'appId',
					type: 'string',
					placeholder: 'e.g. 8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d',
					hint: 'The Application (client) ID; the node looks up the object ID for you (needs Application.Read.All)',
					validation: [
						{
							type: 'regex',
							properties: {
								regex: GUID_PATTERN,
								errorMessage: 'Enter an app ID: a GUID like 00000000-0000-0000-0000-000000000000',
							},
						},
					],
				},
			],
		},
	];
}

import type { INodeProperties } from 'n8n-workflow';

import * as acquire from './acquire.operation';

export { acquire };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['provisioningToken'] } },
		options: [
			{
				name: 'Acquire',
				value: 'acquire',
				description:
					'Authorize the Entra provisioning service to provision users into the application',
				action: 'Acquire provisioning token',
			},
		],
		default: 'acquire',
	},
	...acquire.description,
];

import type { INodeProperties } from 'n8n-workflow';

import * as uploadUsers from './uploadUsers.operation';

export { uploadUsers };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bulkUpload'] } },
		options: [
			{
				name: 'Upload Users',
				value: 'uploadUsers',
				description:
					'Send employees from an HR source to an API-driven inbound provisioning job, 50 per request',
				action: 'Upload users for inbound provisioning',
			},
		],
		default: 'uploadUsers',
	},
	...uploadUsers.description,
];

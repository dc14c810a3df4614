import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as list from './list.operation';

export { get, list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['template'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Get a synchronization template',
				action: 'Get a synchronization template',
			},
			{
				name: 'List',
				value: 'list',
				description: 'List the synchronization templates a service principal offers',
				action: 'List synchronization templates',
			},
		],
		default: 'list',
	},
	...list.description,
	...get.description,
];

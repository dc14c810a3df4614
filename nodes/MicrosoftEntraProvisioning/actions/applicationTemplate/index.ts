import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as instantiate from './instantiate.operation';
import * as search from './search.operation';

export { get, instantiate, search };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['applicationTemplate'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Get an app of the Entra application gallery',
				action: 'Get an application template',
			},
			{
				name: 'Instantiate',
				value: 'instantiate',
				description:
					'Add a gallery app to the tenant: its app registration and enterprise application',
				action: 'Instantiate an application template',
			},
			{
				name: 'Search',
				value: 'search',
				description: 'Search the Entra application gallery by name',
				action: 'Search application templates',
			},
		],
		default: 'search',
	},
	...search.description,
	...get.description,
	...instantiate.description,
];

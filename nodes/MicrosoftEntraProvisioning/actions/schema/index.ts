import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as parseExpression from './parseExpression.operation';

export { get, parseExpression };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['schema'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: "Get a job's schema and its synchronization rules",
				action: 'Get a job schema',
			},
			{
				name: 'Parse Expression',
				value: 'parseExpression',
				description: 'Test an attribute-mapping expression against a sample object',
				action: 'Parse an attribute mapping expression',
			},
		],
		default: 'get',
	},
	...get.description,
	...parseExpression.description,
];

import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getUploadOutcomes from './getUploadOutcomes.operation';

export { get, getMany, getUploadOutcomes };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['provisioningLog'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Get one provisioning log entry by its ID',
				action: 'Get a provisioning log entry',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description:
					'List provisioning log entries by job, status, action, time, identity, change or cycle',
				action: 'Get many provisioning log entries',
			},
			{
				name: 'Get Upload Outcomes',
				value: 'getUploadOutcomes',
				description:
					'Turn the items of a Bulk Upload into one outcome per employee: processed (with the result) or pending',
				action: 'Get the outcome of each uploaded employee',
			},
		],
		default: 'getMany',
	},
	...getMany.description,
	...get.description,
	...getUploadOutcomes.description,
];

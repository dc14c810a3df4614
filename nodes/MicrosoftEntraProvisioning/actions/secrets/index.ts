import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as save from './save.operation';

export { get, save };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['secrets'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'See which connection settings are saved; Graph masks the secret values',
				action: 'Get provisioning secrets',
			},
			{
				name: 'Save',
				value: 'save',
				description:
					'Save the connection settings (e.g. BaseAddress, SecretToken) the provisioning jobs use; they replace the saved set',
				action: 'Save provisioning secrets',
			},
		],
		default: 'save',
	},
	...save.description,
	...get.description,
];

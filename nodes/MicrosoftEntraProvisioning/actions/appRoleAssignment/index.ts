import type { INodeProperties } from 'n8n-workflow';

import * as assign from './assign.operation';
import * as list from './list.operation';
import * as remove from './remove.operation';

export { assign, list, remove };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['appRoleAssignment'] } },
		options: [
			{
				name: 'Assign',
				value: 'assign',
				description: 'Assign a user or group to the app, with the app role provisioning needs',
				action: 'Assign a user or group to an app',
			},
			{
				name: 'List',
				value: 'list',
				description: 'List the users and groups assigned to the app',
				action: 'List app role assignments',
			},
			{
				name: 'Remove',
				value: 'remove',
				description: 'Remove a user or group from the app',
				action: 'Remove an app role assignment',
			},
		],
		default: 'assign',
	},
	...assign.description,
	...list.description,
	...remove.description,
];

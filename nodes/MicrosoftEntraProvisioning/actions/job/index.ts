import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as deleteJob from './delete.operation';
import * as get from './get.operation';
import * as list from './list.operation';
import * as pause from './pause.operation';
import * as provisionOnDemand from './provisionOnDemand.operation';
import * as restart from './restart.operation';
import * as start from './start.operation';
import * as validateCredentials from './validateCredentials.operation';

export {
	create,
	deleteJob,
	get,
	list,
	pause,
	provisionOnDemand,
	restart,
	start,
	validateCredentials,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Create a provisioning job from a template',
				action: 'Create a provisioning job',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a provisioning job',
				action: 'Delete a provisioning job',
			},
			{
				name: 'Get',
				value: 'get',
				description: "Get a job's status, last run, quarantine and progress",
				action: 'Get a provisioning job',
			},
			{
				name: 'List',
				value: 'list',
				description: 'List the provisioning jobs of a service principal',
				action: 'List provisioning jobs',
			},
			{
				name: 'Pause',
				value: 'pause',
				description: 'Pause a provisioning job',
				action: 'Pause a provisioning job',
			},
			{
				name: 'Provision On Demand',
				value: 'provisionOnDemand',
				description: 'Provision one user or group now, without waiting for the next cycle',
				action: 'Provision a user or group on demand',
			},
			{
				name: 'Restart',
				value: 'restart',
				description: 'Restart a job, clearing its quarantine, escrows or watermark as chosen',
				action: 'Restart a provisioning job',
			},
			{
				name: 'Start',
				value: 'start',
				description: 'Start a provisioning job',
				action: 'Start a provisioning job',
			},
			{
				name: 'Validate Credentials',
				value: 'validateCredentials',
				description: 'Test the connection settings against the application',
				action: 'Validate the credentials of a provisioning job',
			},
		],
		default: 'get',
	},
	...list.description,
	...get.description,
	...create.description,
	...start.description,
	...pause.description,
	...restart.description,
	...deleteJob.description,
	...validateCredentials.description,
	...provisionOnDemand.description,
];

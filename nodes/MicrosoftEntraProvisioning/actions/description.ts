import type { INodeProperties } from 'n8n-workflow';

import { authenticationProperty } from '../descriptions/authentication';
import { requestOptionsProperty } from '../descriptions/requestOptions';
import * as applicationTemplate from './applicationTemplate';
import * as appRoleAssignment from './appRoleAssignment';
import * as bulkUpload from './bulkUpload';
import * as job from './job';
import * as provisioningLog from './provisioningLog';
import * as provisioningToken from './provisioningToken';
import * as schema from './schema';
import * as secrets from './secrets';
import * as template from './template';

/** Every parameter of the node, in display order; the node class holds the rest of its description. */
export const nodeProperties: INodeProperties[] = [
	authenticationProperty,
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'App Role Assignment',
				value: 'appRoleAssignment',
				description: 'Assign users and groups to an app, which puts them in provisioning scope',
			},
			{
				name: 'Application Template',
				value: 'applicationTemplate',
				description: 'Find an app in the Entra gallery and add it to the tenant',
			},
			{
				name: 'Bulk Upload',
				value: 'bulkUpload',
				description: 'Send employees to an API-driven inbound provisioning job (HR onboarding)',
			},
			{
				name: 'Job',
				value: 'job',
				description:
					'Create, run, watch and restart provisioning jobs; provision one user on demand',
			},
			{
				name: 'Provisioning Log',
				value: 'provisioningLog',
				description:
					"What the provisioning service did to each object, and each uploaded employee's outcome",
			},
			{
				name: 'Provisioning Token',
				value: 'provisioningToken',
				description: 'Authorize the provisioning service to reach an application',
			},
			{
				name: 'Schema',
				value: 'schema',
				description: "Read a job's synchronization rules; test attribute-mapping expressions",
			},
			{
				name: 'Secrets',
				value: 'secrets',
				description: 'Save or read the connection settings the provisioning jobs use',
			},
			{
				name: 'Template',
				value: 'template',
				description: 'The synchronization templates a service principal offers',
			},
		],
		default: 'provisioningToken',
	},
	...provisioningToken.description,
	...secrets.description,
	...job.description,
	...template.description,
	...schema.description,
	...bulkUpload.description,
	...provisioningLog.description,
	...applicationTemplate.description,
	...appRoleAssignment.description,
	requestOptionsProperty,
];

/**
 * The canvas subtitle: each operation's own action label (e.g. "Acquire provisioning token"), read from the
 * operation lists above so a new operation gets its subtitle with its description.
 */
export const nodeSubtitle = (() => {
	const labels: Record<string, string> = {};
	for (const property of nodeProperties) {
		if (property.name !== 'operation') continue;
		for (const resource of (property.displayOptions?.show?.resource ?? []) as string[]) {
			for (const option of (property.options ?? []) as Array<{
				value?: unknown;
				action?: string;
				name?: string;
			}>) {
				labels[`${resource}.${String(option.value)}`] =
					option.action ?? option.name ?? String(option.value);
			}
		}
	}
	return `={{ (${JSON.stringify(labels)})[$parameter["resource"] + "." + $parameter["operation"]] }}`;
})();

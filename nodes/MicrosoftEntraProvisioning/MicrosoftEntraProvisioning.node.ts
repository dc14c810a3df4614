import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { nodeProperties, nodeSubtitle } from './actions/description';
import { router } from './actions/router';
import { nodeCredentials } from './descriptions/authentication';
import { listSearch, resourceMapping } from './methods';

export class MicrosoftEntraProvisioning implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Entra Provisioning',
		name: 'microsoftEntraProvisioning',
		icon: {
			light: 'file:microsoftEntraProvisioning.svg',
			dark: 'file:microsoftEntraProvisioning.dark.svg',
		},
		group: ['transform'],
		// Version 2 maps Bulk Upload's attributes with the resource mapper; version 1 keeps its attribute rows.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: nodeSubtitle,
		description: 'Drive Microsoft Entra provisioning (synchronization) through Microsoft Graph',
		defaults: { name: 'Microsoft Entra Provisioning' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		properties: nodeProperties,
	};

	methods = { listSearch, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}

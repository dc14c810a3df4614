import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { nodeCredentials, nodeProperties, nodeSubtitle } from './actions/description';
import { router } from './actions/router';
import { listSearch } from './methods';

export class MicrosoftEntraProvisioning implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Entra Provisioning',
		name: 'microsoftEntraProvisioning',
		icon: { light: 'file:microsoftEntraProvisioning.svg', dark: 'file:microsoftEntraProvisioning.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: nodeSubtitle,
		description: 'Drive Microsoft Entra provisioning (synchronization) through Microsoft Graph',
		defaults: { name: 'Microsoft Entra Provisioning' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		properties: nodeProperties,
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}

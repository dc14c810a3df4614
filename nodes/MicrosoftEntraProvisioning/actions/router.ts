import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { getGraphConnection, type GraphConnection } from '../transport';
import type { ItemOperation, OperationContext, Resource, ResourceMap } from './node.type';
import * as provisioningToken from './provisioningToken';

const operations: { [R in Resource]: Record<ResourceMap[R], ItemOperation> } = {
	provisioningToken: { acquire: provisioningToken.acquire.execute },
};

function errorJson(error: unknown) {
	const failure = error as { message?: string; description?: string | null; httpCode?: string | null };
	return {
		error: failure.message ?? String(error),
		...(failure.description ? { description: failure.description } : {}),
		...(failure.httpCode ? { httpCode: failure.httpCode } : {}),
	};
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as Resource;
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = (operations[resource] as Record<string, ItemOperation> | undefined)?.[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}

	// Read once per execution; a credential problem still fails item by item, so Continue On Fail can pair it.
	let connection: Promise<GraphConnection> | undefined;
	const objectIds: OperationContext['objectIds'] = new Map();
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			connection ??= getGraphConnection(this);
			const json = await execute.call(this, itemIndex, { connection: await connection, objectIds });
			returnData.push(
				...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(json), { itemData: { item: itemIndex } }),
			);
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push({ json: errorJson(error), pairedItem: { item: itemIndex } });
				continue;
			}
			throw error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	}
	return [returnData];
}

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../descriptions/requestOptions';
import { AdaptiveConcurrency, runBounded } from '../helpers/concurrency';
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

function readConcurrency(ctx: IExecuteFunctions): number {
	const { concurrency } = ctx.getNodeParameter('options', 0, {}) as { concurrency?: unknown };
	const value = Number(concurrency ?? DEFAULT_CONCURRENCY);
	if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
		throw new NodeOperationError(ctx.getNode(), `Items in Flight must be a whole number from 1 to ${MAX_CONCURRENCY}`, {
			description: `Set Options › Items in Flight, e.g. ${DEFAULT_CONCURRENCY}.`,
		});
	}
	return value;
}

/**
 * Runs the chosen operation for every input item, several at a time, and returns one output item per input
 * item in input order. Without Continue On Fail the first failure (by item order) stops the node once the items
 * already in flight have finished.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as Resource;
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = (operations[resource] as Record<string, ItemOperation> | undefined)?.[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	const limiter = new AdaptiveConcurrency(readConcurrency(this));
	const continueOnFail = this.continueOnFail();

	// Read once per execution; a credential problem still fails item by item, so Continue On Fail can pair it.
	let connection: Promise<GraphConnection> | undefined;
	const objectIds: OperationContext['objectIds'] = new Map();
	const outputs: INodeExecutionData[][] = new Array(items.length);
	const failures = new Map<number, unknown>();

	await runBounded(
		items.length,
		limiter,
		async (itemIndex) => {
			try {
				connection ??= getGraphConnection(this).then((resolved) => ({ ...resolved, pace: limiter }));
				const json = await execute.call(this, itemIndex, { connection: await connection, objectIds });
				outputs[itemIndex] = this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(json), {
					itemData: { item: itemIndex },
				});
			} catch (error) {
				if (continueOnFail) {
					outputs[itemIndex] = [{ json: errorJson(error), pairedItem: { item: itemIndex } }];
				} else {
					failures.set(itemIndex, error);
				}
			}
		},
		() => failures.size > 0,
	);

	if (failures.size > 0) {
		const [itemIndex, error] = [...failures.entries()].sort(([a], [b]) => a - b)[0];
		throw error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
	}
	return [outputs.flat()];
}

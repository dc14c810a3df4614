import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { errorItemJson } from '../transport/errors';
import { runItems, type ItemAllowance } from './itemRunner';
import type { OpenedContext, OperationContext } from './operationContext';

/** An operation handles one input item and returns the JSON of its output item (several for a list). */
export type ItemOperation = (
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
) => Promise<IDataObject | IDataObject[]>;

/** What an operation made of one input item: its output, or the error the item failed with. */
export type ItemOutcome = { json: IDataObject | IDataObject[] } | { error: unknown };

/**
 * A batch operation handles all input items at once (e.g. packs them into bulk requests) and returns one outcome
 * per item, in input order. It throws only for a failure that concerns every item.
 */
export type BatchOperation = (
	this: IExecuteFunctions,
	itemIndexes: number[],
	context: OperationContext,
) => Promise<ItemOutcome[]>;

export type Operation =
	{ kind: 'item'; execute: ItemOperation } | { kind: 'batch'; execute: BatchOperation };

/** What an item failed with, as the n8n error it is thrown or output as. */
function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	return error instanceof NodeApiError || error instanceof NodeOperationError
		? error
		: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/**
 * Each item's output items, in input order. With Continue On Fail a failed item becomes an error item paired with
 * its input; without it the failures are kept, and the first (by item order) is what the node throws.
 */
class ItemOutputs {
	private readonly outputs: INodeExecutionData[][];
	readonly failures = new Map<number, unknown>();
	private readonly continueOnFail: boolean;
	private readonly toErrorOutput: boolean;

	constructor(private readonly ctx: IExecuteFunctions) {
		this.outputs = new Array(ctx.getInputData().length);
		this.continueOnFail = ctx.continueOnFail();
		this.toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	}

	settle(itemIndex: number, outcome: ItemOutcome): void {
		if ('json' in outcome) {
			this.outputs[itemIndex] = this.ctx.helpers.constructExecutionMetaData(
				this.ctx.helpers.returnJsonArray(outcome.json),
				{ itemData: { item: itemIndex } },
			);
		} else if (this.continueOnFail) {
			this.outputs[itemIndex] = [
				{
					json: errorItemJson(asNodeError(this.ctx, outcome.error, itemIndex), this.toErrorOutput),
					pairedItem: { item: itemIndex },
				},
			];
		} else {
			this.failures.set(itemIndex, outcome.error);
		}
	}

	/** All output items, or the first failure thrown */
	result(): INodeExecutionData[] {
		if (this.failures.size > 0) {
			const [itemIndex, error] = [...this.failures.entries()].sort(([a], [b]) => a - b)[0];
			throw asNodeError(this.ctx, error, itemIndex);
		}
		return this.outputs.flat();
	}
}

/**
 * Runs the operation and returns one output item (or several, for a list) per input item, in input order. An item
 * operation runs for every item, several at a time (Items in Flight bounds their Graph calls, and up to twice as
 * many items, at most 200, are prepared meanwhile); a batch operation gets all items at once. Without Continue On
 * Fail the first failure (by item order) starts no further item and stops the node once the items under way have
 * finished.
 */
export async function runOperation(
	ctx: IExecuteFunctions,
	operation: Operation,
	context: OpenedContext,
	throttle: ItemAllowance,
): Promise<INodeExecutionData[]> {
	const outputs = new ItemOutputs(ctx);
	const itemCount = ctx.getInputData().length;
	if (operation.kind === 'batch') {
		const itemIndexes = Array.from({ length: itemCount }, (_, itemIndex) => itemIndex);
		let outcomes: ItemOutcome[];
		try {
			if ('failure' in context) throw context.failure;
			outcomes = await operation.execute.call(ctx, itemIndexes, context);
		} catch (error) {
			// A failure before any item was handled (e.g. the credential) belongs to every item.
			outcomes = itemIndexes.map(() => ({ error }));
		}
		outcomes.forEach((outcome, itemIndex) => outputs.settle(itemIndex, outcome));
	} else {
		await runItems(
			itemCount,
			throttle,
			async (itemIndex) => {
				try {
					if ('failure' in context) throw context.failure;
					outputs.settle(itemIndex, {
						json: await operation.execute.call(ctx, itemIndex, context),
					});
				} catch (error) {
					outputs.settle(itemIndex, { error });
				}
			},
			() => outputs.failures.size > 0,
		);
	}
	return outputs.result();
}

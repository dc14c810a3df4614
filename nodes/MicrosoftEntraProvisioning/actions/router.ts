import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { runItems } from '../helpers/itemRunner';
import { createBatcher, getGraphConnection, type GraphConnection } from '../transport';
import { executionThrottle } from '../transport/throttling';
import { errorItemJson } from '../transport/errors';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../transport/requestLimits';
import * as applicationTemplate from './applicationTemplate';
import * as appRoleAssignment from './appRoleAssignment';
import * as bulkUpload from './bulkUpload';
import * as job from './job';
import type {
	BatchOperation,
	ItemOperation,
	ItemOutcome,
	Operation,
	OperationContext,
	Resource,
	ResourceMap,
} from './node.type';
import * as provisioningLog from './provisioningLog';
import * as provisioningToken from './provisioningToken';
import * as schema from './schema';
import * as secrets from './secrets';
import * as template from './template';

const item = (execute: ItemOperation): Operation => ({ kind: 'item', execute });
const batch = (execute: BatchOperation): Operation => ({ kind: 'batch', execute });

const operations: { [R in Resource]: Record<ResourceMap[R], Operation> } = {
	provisioningToken: { acquire: item(provisioningToken.acquire.execute) },
	secrets: { save: item(secrets.save.execute), get: item(secrets.get.execute) },
	job: {
		list: item(job.list.execute),
		get: item(job.get.execute),
		create: item(job.create.execute),
		start: item(job.start.execute),
		pause: item(job.pause.execute),
		restart: item(job.restart.execute),
		delete: item(job.deleteJob.execute),
		validateCredentials: item(job.validateCredentials.execute),
		provisionOnDemand: item(job.provisionOnDemand.execute),
	},
	template: { list: item(template.list.execute), get: item(template.get.execute) },
	schema: {
		get: item(schema.get.execute),
		update: item(schema.update.execute),
		reset: item(schema.reset.execute),
		compare: item(schema.compare.execute),
		discoverDirectory: item(schema.discoverDirectory.execute),
		getFilterOperators: item(schema.getCatalogue.filterOperators),
		getFunctions: item(schema.getCatalogue.functions),
		parseExpression: item(schema.parseExpression.execute),
	},
	bulkUpload: { uploadUsers: batch(bulkUpload.uploadUsers.execute) },
	provisioningLog: {
		getMany: item(provisioningLog.getMany.execute),
		get: item(provisioningLog.get.execute),
		getUploadOutcomes: batch(provisioningLog.getUploadOutcomes.execute),
	},
	applicationTemplate: {
		search: item(applicationTemplate.search.execute),
		get: item(applicationTemplate.get.execute),
		instantiate: item(applicationTemplate.instantiate.execute),
	},
	appRoleAssignment: {
		assign: item(appRoleAssignment.assign.execute),
		list: item(appRoleAssignment.list.execute),
		remove: item(appRoleAssignment.remove.execute),
	},
};

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

function readConcurrency(ctx: IExecuteFunctions): number {
	const { concurrency } = ctx.getNodeParameter('options', 0, {}) as { concurrency?: unknown };
	const value = Number(concurrency ?? DEFAULT_CONCURRENCY);
	if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Max Items in Flight must be a whole number from 1 to ${MAX_CONCURRENCY}`,
			{
				description: `Set Options › Max Items in Flight, e.g. ${DEFAULT_CONCURRENCY}.`,
			},
		);
	}
	return value;
}

/** Like Items in Flight, settings of the execution: read from the first item. */
function readExecutionSwitches(ctx: IExecuteFunctions): {
	retryWhileReplicating: boolean;
	batching: boolean;
} {
	const { retryWhileReplicating, batching } = ctx.getNodeParameter('options', 0, {}) as {
		retryWhileReplicating?: unknown;
		batching?: unknown;
	};
	return { retryWhileReplicating: retryWhileReplicating === true, batching: batching !== false };
}

/**
 * Runs the chosen operation and returns one output item (or several, for a list) per input item, in input order.
 * An item operation runs for every item, several at a time (Items in Flight bounds their Graph calls, and twice as
 * many items are prepared meanwhile); a batch operation gets all items at once. Without Continue On Fail the first
 * failure (by item order) starts no further item and stops the node once the items under way have finished.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as Resource;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = (operations[resource] as Record<string, Operation> | undefined)?.[operation];
	if (!chosen) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	const maximum = readConcurrency(this);
	// Without a connection the items fail one by one; the throttle only bounds the runner then.
	let throttle = executionThrottle(undefined, maximum);
	const continueOnFail = this.continueOnFail();
	const toErrorOutput = this.getNode().onError === 'continueErrorOutput';

	// Read once per execution, before the first item; a credential problem still fails item by item, so Continue
	// On Fail can pair it. Resolved here, an item's parameters are read as soon as the item starts.
	const switches = readExecutionSwitches(this);
	let context: OperationContext | { failure: unknown };
	try {
		const resolved = await getGraphConnection(this);
		const shared = executionThrottle(resolved.throttleKey, maximum);
		throttle = shared;
		const connection: GraphConnection = {
			...resolved,
			throttle: shared,
			retryWhileReplicating: switches.retryWhileReplicating,
			// Items of a batch operation already share requests of their own making.
			batcher:
				switches.batching && chosen.kind === 'item'
					? createBatcher(this, resolved, () => shared.limit)
					: undefined,
		};
		context = { connection, objectIds: new Map(), pacerScope: { tenantKey: resolved.tenantKey } };
	} catch (failure) {
		context = { failure };
	}
	const outputs: INodeExecutionData[][] = new Array(items.length);
	const failures = new Map<number, unknown>();
	const settle = (itemIndex: number, outcome: ItemOutcome) => {
		if ('json' in outcome) {
			outputs[itemIndex] = this.helpers.constructExecutionMetaData(
				this.helpers.returnJsonArray(outcome.json),
				{
					itemData: { item: itemIndex },
				},
			);
		} else if (continueOnFail) {
			outputs[itemIndex] = [
				{
					json: errorItemJson(asNodeError(this, outcome.error, itemIndex), toErrorOutput),
					pairedItem: { item: itemIndex },
				},
			];
		} else {
			failures.set(itemIndex, outcome.error);
		}
	};

	if (chosen.kind === 'batch') {
		const itemIndexes = items.map((_, itemIndex) => itemIndex);
		let outcomes: ItemOutcome[];
		try {
			if ('failure' in context) throw context.failure;
			outcomes = await chosen.execute.call(this, itemIndexes, context);
		} catch (error) {
			// A failure before any item was handled (e.g. the credential) belongs to every item.
			outcomes = itemIndexes.map(() => ({ error }));
		}
		outcomes.forEach((outcome, itemIndex) => settle(itemIndex, outcome));
	} else {
		await runItems(
			items.length,
			throttle,
			async (itemIndex) => {
				try {
					if ('failure' in context) throw context.failure;
					settle(itemIndex, { json: await chosen.execute.call(this, itemIndex, context) });
				} catch (error) {
					settle(itemIndex, { error });
				}
			},
			() => failures.size > 0,
		);
	}

	if (failures.size > 0) {
		const [itemIndex, error] = [...failures.entries()].sort(([a], [b]) => a - b)[0];
		throw asNodeError(this, error, itemIndex);
	}
	return [outputs.flat()];
}

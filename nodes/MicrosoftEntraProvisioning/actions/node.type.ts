import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ObjectIdCache } from '../helpers/targets';
import type { GraphConnection } from '../transport';

/** What every operation of one execution shares: the connection and lookups already made. */
export interface OperationContext {
	connection: GraphConnection;
	objectIds: ObjectIdCache;
}

/** An operation handles one input item and returns the JSON of its output item. */
export type ItemOperation = (this: IExecuteFunctions, itemIndex: number, context: OperationContext) => Promise<IDataObject>;

export type ResourceMap = {
	provisioningToken: 'acquire';
};

export type Resource = keyof ResourceMap;

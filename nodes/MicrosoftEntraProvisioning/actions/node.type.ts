import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { PacerScope } from '../transport/throttling';
import type { ServicePrincipalLookups } from '../helpers/servicePrincipalCalls';

/** What every operation of one execution shares: the connection and lookups already made. */
export interface OperationContext extends ServicePrincipalLookups {
	/** Client-side pacing for calls Graph limits per time window, shared by every execution on the tenant */
	pacerScope: PacerScope;
}

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

export type ResourceMap = {
	provisioningToken: 'acquire';
	secrets: 'save' | 'get';
	job:
		| 'list'
		| 'get'
		| 'create'
		| 'start'
		| 'pause'
		| 'restart'
		| 'delete'
		| 'validateCredentials'
		| 'provisionOnDemand';
	template: 'list' | 'get';
	schema:
		| 'get'
		| 'update'
		| 'reset'
		| 'compare'
		| 'discoverDirectory'
		| 'getFilterOperators'
		| 'getFunctions'
		| 'parseExpression';
	bulkUpload: 'uploadUsers';
	provisioningLog: 'getMany' | 'get' | 'getUploadOutcomes';
	applicationTemplate: 'search' | 'get' | 'instantiate';
	appRoleAssignment: 'assign' | 'list' | 'remove';
};

export type Resource = keyof ResourceMap;

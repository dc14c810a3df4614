import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { callJob, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['schema'], operation: ['getFilterOperators', 'getFunctions'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
];

/**
 * Schema › Get Filter Operators and Get Functions: GET …/schema/filterOperators ("all operators supported in the
 * scoping filters") and …/schema/functions ("all the functions currently supported in the attributeMappingSource"),
 * one item per operator or function.
 */
async function catalogue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
	action: 'filterOperators' | 'functions',
): Promise<IDataObject[]> {
	const { servicePrincipal, jobId, response } = await callJob<{ value?: IDataObject[] }>(
		ctx,
		itemIndex,
		context,
		{
			method: 'GET',
			action: `schema/${action}`,
			access: 'readSynchronizationCatalogues',
			idempotent: true,
		},
	);
	return (response.body?.value ?? []).map((entry) => ({
		...servicePrincipalFields(servicePrincipal),
		jobId,
		...entry,
	}));
}

export async function filterOperators(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	return await catalogue(this, itemIndex, context, 'filterOperators');
}

export async function functions(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	return await catalogue(this, itemIndex, context, 'functions');
}

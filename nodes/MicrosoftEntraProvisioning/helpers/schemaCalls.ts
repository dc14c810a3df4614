import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ServicePrincipalLookups } from './servicePrincipalCalls';
import { callJob, servicePrincipalFields } from './servicePrincipalCalls';
import type { SchemaDifference, SynchronizationSchema } from './synchronizationSchema';
import { readSchema, SchemaProblem } from './synchronizationSchema';
import { invalidInput } from './itemParameters';

/*
 * The requests about a job's schema that more than one schema operation makes, and how a SchemaProblem becomes the
 * item's error.
 */

/** The job's schema (GET …/jobs/{id}/schema), with which service principal and job it belongs to. */
export async function readJobSchema(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: ServicePrincipalLookups,
): Promise<{ fields: IDataObject; schema: SynchronizationSchema; path: string }> {
	const { servicePrincipal, jobId, response } = await callJob<SynchronizationSchema>(
		ctx,
		itemIndex,
		context,
		{ method: 'GET', action: 'schema', access: 'readSynchronizationSchema', idempotent: true },
	);
	return {
		fields: { ...servicePrincipalFields(servicePrincipal), jobId },
		schema: checked(ctx, itemIndex, () => readSchema(response.body, "The job's schema")),
		path: `/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}/schema`,
	};
}

/** Runs a check of the schema helpers; a SchemaProblem fails the item with its message and fix. */
export function checked<T>(ctx: IExecuteFunctions, itemIndex: number, check: () => T): T {
	try {
		return check();
	} catch (error) {
		if (error instanceof SchemaProblem)
			invalidInput(ctx, itemIndex, error.message, error.description);
		throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	}
}

/**
 * Runs the read-change-write of one job's schema after the others of this execution on the same job: two items
 * changing one job at once would each write back what they read, and the second would undo the first.
 */
const jobQueues = new WeakMap<ServicePrincipalLookups, Map<string, Promise<unknown>>>();

export async function oneAtATimePerJob<T>(
	context: ServicePrincipalLookups,
	jobKey: string,
	run: () => Promise<T>,
): Promise<T> {
	let queues = jobQueues.get(context);
	if (!queues) {
		queues = new Map();
		jobQueues.set(context, queues);
	}
	const previous = queues.get(jobKey) ?? Promise.resolve();
	const next = previous.catch(() => undefined).then(run);
	queues.set(jobKey, next);
	return await next;
}

/** How many differences of each kind a list holds. */
export function differenceCounts(differences: SchemaDifference[]): IDataObject {
	return {
		added: differences.filter(({ change }) => change === 'added').length,
		changed: differences.filter(({ change }) => change === 'changed').length,
		removed: differences.filter(({ change }) => change === 'removed').length,
	};
}

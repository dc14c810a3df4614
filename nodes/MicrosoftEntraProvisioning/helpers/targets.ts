import { NodeOperationError } from 'n8n-workflow';

import { TARGET_TYPES } from '../../../lib/graphIdentifiers';
import {
	graphPath,
	graphRequest,
	type GraphConnection,
	type GraphFunctions,
	type RequestSettings,
} from '../transport';
import type { TargetReference } from './itemParameters';

/** App ID → object ID lookups already made in this execution, so many items for one app cost one lookup. */
export type ObjectIdCache = Map<string, Promise<string>>;

export interface ResolvedTarget {
	type: TargetReference['type'];
	objectId: string;
	/** Set when the admin gave an app ID that was looked up */
	appId?: string;
}

function label(target: TargetReference): string {
	return TARGET_TYPES[target.type].displayName.toLowerCase();
}

/**
 * Graph's synchronization API takes object IDs only; an app ID is looked up through its alternate key. Items
 * share `cache` across an execution; list searches and the trigger pass a fresh one.
 */
export async function resolveTarget(
	ctx: GraphFunctions,
	connection: GraphConnection,
	target: TargetReference,
	settings: RequestSettings,
	cache: ObjectIdCache = new Map(),
	itemIndex?: number,
): Promise<ResolvedTarget> {
	if (target.by === 'objectId') return { type: target.type, objectId: target.id };
	const cacheKey = `${target.type}:${target.id}:${settings.apiVersion}`;
	let lookup = cache.get(cacheKey);
	if (!lookup) {
		const collection = TARGET_TYPES[target.type].collection;
		lookup = graphRequest<{ id?: string }>(
			ctx,
			connection,
			{
				method: 'GET',
				path: `${graphPath`/${collection}`}(appId='${target.id}')`,
				qs: { $select: 'id' },
			},
			settings,
			{
				access: 'readDirectoryObjects',
				delegated: connection.delegated,
				subject: `${label(target)} with app ID ${target.id}`,
				notFoundHint: `No ${label(target)} in this tenant has the Application (client) ID ${target.id}. Check the ID, the Target Type (an app registration's ${target.type === 'application' ? 'enterprise application is a Service Principal' : 'registration is an Application'}), and that the credential's tenant is the right one.`,
				itemIndex,
			},
		).then((response) => {
			if (typeof response.body?.id !== 'string') {
				throw new NodeOperationError(
					ctx.getNode(),
					'Microsoft Graph answered the app ID lookup without an object ID',
					{
						description: `The answer for app ID ${target.id} could not be read (a proxy may have replaced or cut it). Run the node again; if it persists, quote request-id ${response.requestId ?? '(none)'} to Microsoft support.`,
						itemIndex,
					},
				);
			}
			return response.body.id;
		});
		cache.set(cacheKey, lookup);
		// A failed lookup is not remembered: the next item may succeed (e.g. after replication).
		lookup.catch(() => cache.delete(cacheKey));
	}
	return { type: target.type, objectId: await lookup, appId: target.id };
}

/** The 404 advice for a target named by object ID: the commonest mistake is an app ID in its place. */
export function objectIdNotFoundHint(target: ResolvedTarget): string {
	if (target.appId) {
		return `The app ID ${target.appId} resolved to object ${target.objectId}, which Graph no longer finds; it may have just been deleted.`;
	}
	const other =
		target.type === 'application'
			? 'service principal (enterprise application)'
			: 'application (app registration)';
	return `Graph needs the ${label({ type: target.type, by: 'objectId', id: '' })}'s Object ID. If ${target.objectId} is the Application (client) ID, switch Target to "By App ID"; if it is the object ID of the ${other}, change Target Type.`;
}

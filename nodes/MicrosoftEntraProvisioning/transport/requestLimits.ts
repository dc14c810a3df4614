import { GRAPH_LIMITS } from './throttling/graphLimits';
import type { RequestSettings } from './types';

/*
 * The defaults and bounds of the request settings the transport takes. They live beside RequestSettings rather than
 * with the Options parameter that shows them, because the Options description, the reading of an item's Options, the
 * router's window and the calls made outside an item all read them, and the transport is the layer all of those
 * stand on.
 */

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_LIMIT = 8;
/** Calls a person waits for (list searches in the editor, a trigger's poll): a few retries, as Microsoft's SDKs make. */
export const INTERACTIVE_RETRY_LIMIT = 3;
export const MAX_RETRY_LIMIT = 10;
/**
 * Items in Flight is the user's upper bound on calls at Graph; the node's own window opens below it and follows
 * Graph (graphLimits.ts says why these numbers). A value saved before keeps bounding the calls as it did.
 */
export const DEFAULT_CONCURRENCY = GRAPH_LIMITS.maximumCallLimit;
export const MAX_CONCURRENCY = GRAPH_LIMITS.maximumCallLimit;

/** For calls outside an item (list searches, the trigger), which have no Options: the defaults. */
export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
	apiVersion: 'v1.0',
	timeoutMs: DEFAULT_TIMEOUT_MS,
	retryLimit: INTERACTIVE_RETRY_LIMIT,
	idempotent: true,
};

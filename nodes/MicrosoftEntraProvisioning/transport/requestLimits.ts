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
 * Items in Flight is the user's upper bound on calls at Graph, where the call limit opens and below which it follows
 * Graph (throttling/callLimit.ts); a value saved before keeps bounding the calls as it did. Its highest and default
 * value is the whole burst of the identity and access write quota in Microsoft's "Microsoft Graph service-specific
 * throttling limits": 3,000 requests per 2 min 30 s per app and tenant (a token bucket: a burst of up to 3,000, then
 * 20 a second), besides 3,500 to 8,000 resource units per 10 s by tenant size. Microsoft documents no limit on
 * concurrent requests for these APIs: their limits count requests over time, and a 429 says when one is reached.
 */
export const MAX_CONCURRENCY = 3_000;
export const DEFAULT_CONCURRENCY = MAX_CONCURRENCY;

/** For calls outside an item (list searches, the trigger), which have no Options: the defaults. */
export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
	apiVersion: 'v1.0',
	timeoutMs: DEFAULT_TIMEOUT_MS,
	retryLimit: INTERACTIVE_RETRY_LIMIT,
	idempotent: true,
};

/**
 * The numbers the node's pace starts from, from Microsoft's "Microsoft Graph service-specific throttling limits"
 * (identity and access service limits) and "Combine multiple requests in one HTTP call using JSON batching".
 *
 * - Identity and access writes (POST, PATCH, PUT, DELETE; acquireAccessToken, secrets and jobs are POST and PUT) are
 *   counted against a write quota of 3,000 requests per 2 min 30 s per app and tenant (a token bucket: a burst of up
 *   to 3,000, then 20 a second), besides 3,500 to 8,000 resource units per 10 s by tenant size.
 * - Microsoft documents no limit on concurrent requests for these APIs: their limits are counts of requests over
 *   time, and a 429 (with Retry-After, and x-ms-throttle-scope / x-ms-throttle-information naming the limit) is how
 *   Graph says one is reached. From 80 % of a limit on, answers carry x-ms-throttle-limit-percentage (0.8 to 1.8).
 * - A JSON batch carries at most 20 requests, each evaluated against the limits on its own.
 */
export const GRAPH_LIMITS = {
	/** Write quota per app and tenant: requests, and the period Graph counts them over */
	writeQuota: { requests: 3_000, periodMs: 150_000 },
	/** The highest Items in Flight: the write quota's whole burst */
	maximumCallLimit: 3_000,
} as const;

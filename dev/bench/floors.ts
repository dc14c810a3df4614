/**
 * The least time a run could take, given the latency the emulator adds and how many calls the tool keeps in
 * flight. Every figure of the report is set against one of these.
 *
 * - Calls in flight: with per-call latency L and at most C calls in flight, N calls cannot take less than
 *   ⌈N / C⌉ × L, plus the token fetch when the run had to fetch one.
 * - Paced batches (the HTTP Request node's batching): batch b starts (b − 1) × interval after the first, so the
 *   last of B batches cannot finish before (B − 1) × interval + L (+ token).
 * - Under throttling, the Retry-After floor; under a token bucket, the bucket floor; in the latency sweep, the larger
 *   of n8n's own expression time and one latency (each below).
 */

export interface Latency {
	graphMs: number;
	tokenMs: number;
}

export type Pacing =
	{ kind: 'inFlight'; limit: number } | { kind: 'batches'; size: number; intervalMs: number };

export interface Floor {
	ms: number;
	/** How it was computed, for the report */
	formula: string;
}

function tokenPart(latency: Latency, tokenFetched: boolean): { ms: number; text: string } {
	return tokenFetched
		? { ms: latency.tokenMs, text: ` + ${latency.tokenMs} ms token` }
		: { ms: 0, text: '' };
}

/** The floor of `calls` Graph calls made with the given pacing. */
export function callsFloor(
	calls: number,
	pacing: Pacing,
	latency: Latency,
	tokenFetched: boolean,
): Floor {
	const token = tokenPart(latency, tokenFetched);
	if (calls === 0) return { ms: token.ms, formula: `no Graph calls${token.text}` };
	if (pacing.kind === 'inFlight') {
		const limit = Math.min(pacing.limit, calls);
		const rounds = Math.ceil(calls / limit);
		return {
			ms: rounds * latency.graphMs + token.ms,
			formula: `⌈${calls}/${limit}⌉ × ${latency.graphMs} ms${token.text}`,
		};
	}
	const batches = Math.ceil(calls / pacing.size);
	return {
		ms: (batches - 1) * pacing.intervalMs + latency.graphMs + token.ms,
		formula: `(${batches} − 1) × ${pacing.intervalMs} ms + ${latency.graphMs} ms${token.text}`,
	};
}

/**
 * The Retry-After floor: an item answered 429 k times in a row cannot finish before k × (Retry-After + L) + L, however
 * many calls a tool keeps in flight; no run is shorter than one latency. k is the most 429s any one item received.
 */
export function retryAfterFloor(
	throttlesPerItem: number[],
	retryAfterMs: number,
	latencyMs: number,
): Floor {
	const longest = Math.max(0, ...throttlesPerItem);
	return {
		ms: longest * (retryAfterMs + latencyMs) + latencyMs,
		formula: `${longest} × (${retryAfterMs} + ${latencyMs}) ms + ${latencyMs} ms`,
	};
}

/**
 * The token-bucket floor: Graph admits `burst` calls at once and then `rate` a second, so N calls cannot all be
 * admitted before (N − burst) / rate seconds, and the last then takes one latency.
 */
export function bucketFloor(
	calls: number,
	burst: number,
	ratePerSecond: number,
	latencyMs: number,
): Floor {
	const waitMs = (Math.max(0, calls - burst) / ratePerSecond) * 1000;
	return {
		ms: waitMs + latencyMs,
		formula: `(${calls} − ${burst}) / ${ratePerSecond} per s + ${latencyMs} ms`,
	};
}

/**
 * The sweep's floor: no node reading its parameters through n8n's expressions is faster than n8n evaluating them
 * (the Edit Fields baseline), and no run is shorter than one Graph latency.
 */
export function sweepFloor(expressionsMs: number, latencyMs: number): Floor {
	return {
		ms: Math.max(expressionsMs, latencyMs),
		formula: `max(Edit Fields ${(expressionsMs / 1000).toFixed(2)} s, ${latencyMs} ms)`,
	};
}

/**
 * Microsoft's documented limits of API-driven inbound provisioning (POST …/jobs/{id}/bulkUpload): at most 50 records
 * (SCIM operations) per request; at most 40 requests in any 5 seconds and a tenant quota of 2,000 (Entra ID P1/P2) or
 * 6,000 (Microsoft Entra ID Governance) requests per 24 hours, both answered 429 beyond. Stated here, not read from the
 * node, so the benchmark holds the node to the documentation rather than to itself.
 */
export const BULK_UPLOAD_LIMITS = {
	recordsPerRequest: 50,
	requestsPerWindow: 40,
	windowMs: 5_000,
	dailyQuota: { entraIdP1P2: 2_000, governance: 6_000 },
} as const;

/** The floor of `requests` requests under a documented "at most `perWindow` in any `windowMs`" limit. */
export function rateLimitFloor(
	requests: number,
	perWindow: number,
	windowMs: number,
	latency: Latency,
	tokenFetched: boolean,
): Floor {
	const token = tokenPart(latency, tokenFetched);
	if (requests === 0) return { ms: token.ms, formula: `no requests${token.text}` };
	const windows = Math.ceil(requests / perWindow);
	return {
		ms: (windows - 1) * windowMs + latency.graphMs + token.ms,
		formula: `(⌈${requests}/${perWindow}⌉ − 1) × ${windowMs} ms + ${latency.graphMs} ms${token.text}`,
	};
}

/** Paced at the documented rate, one request per employee is slow (10,000 take over 20 minutes): run only if this short. */
export const BULK_PACED_RUN_LIMIT_MS = 180_000;

/** The least time of one request per employee at the documented rate; the report states it when the run is skipped. */
export function bulkPacedFloor(settings: {
	bulkItems: number;
	graphLatencyMs: number;
	tokenLatencyMs: number;
}): Floor {
	const latency = { graphMs: settings.graphLatencyMs, tokenMs: settings.tokenLatencyMs };
	return rateLimitFloor(
		settings.bulkItems,
		BULK_UPLOAD_LIMITS.requestsPerWindow,
		BULK_UPLOAD_LIMITS.windowMs,
		latency,
		true,
	);
}

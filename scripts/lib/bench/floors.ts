/**
 * The least time a run could take, given the latency the emulator adds and how many calls the tool keeps in
 * flight. Every figure of the report is set against one of these.
 *
 * - Calls in flight: with per-call latency L and at most C calls in flight, N calls cannot take less than
 *   ⌈N / C⌉ × L, plus the token fetch when the run had to fetch one.
 * - Paced batches (the HTTP Request node's batching): batch b starts (b − 1) × interval after the first, so the
 *   last of B batches cannot finish before (B − 1) × interval + L (+ token).
 * - Under throttling, the Retry-After floor: an item throttled k times cannot finish before k × (Retry-After + L) + L,
 *   and all calls made (retries included) cannot take less than their calls-in-flight floor; the floor is the larger
 *   of the two. A tool reaches it only if it knew in advance which items Graph will throttle and sent those first, so
 *   the report also gives the allowance: the calls floor plus the longest chain of Retry-After waits, i.e. the time
 *   the work needs with the waits of the unluckiest item added on top rather than overlapped.
 */

export interface Latency {
	graphMs: number;
	tokenMs: number;
}

export type Pacing = { kind: 'inFlight'; limit: number } | { kind: 'batches'; size: number; intervalMs: number };

export interface Floor {
	ms: number;
	/** How it was computed, for the report */
	formula: string;
}

function tokenPart(latency: Latency, tokenFetched: boolean): { ms: number; text: string } {
	return tokenFetched ? { ms: latency.tokenMs, text: ` + ${latency.tokenMs} ms token` } : { ms: 0, text: '' };
}

/** The floor of `calls` Graph calls made with the given pacing. */
export function callsFloor(calls: number, pacing: Pacing, latency: Latency, tokenFetched: boolean): Floor {
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

export interface ThrottledFloors {
	/** max(calls floor, longest chain of one item): the least time the Retry-After waits allow */
	floor: Floor;
	/** Calls floor for all calls + the waits of the longest Retry-After chain of one item */
	allowance: Floor;
}

export function throttledFloors(
	calls: number,
	throttlesPerItem: number[],
	retryAfterMs: number,
	pacing: Pacing,
	latency: Latency,
	tokenFetched: boolean,
): ThrottledFloors {
	const base = callsFloor(calls, pacing, latency, tokenFetched);
	const longest = Math.max(0, ...throttlesPerItem);
	const waits = longest * retryAfterMs;
	const chain = longest * (retryAfterMs + latency.graphMs) + latency.graphMs + tokenPart(latency, tokenFetched).ms;
	return {
		allowance: { ms: base.ms + waits, formula: `${base.formula} + ${longest} × ${retryAfterMs} ms Retry-After` },
		floor: {
			ms: Math.max(base.ms, chain),
			formula: `max(${base.formula}, ${longest} × (${retryAfterMs} + ${latency.graphMs}) ms + ${latency.graphMs} ms)`,
		},
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
export function rateLimitFloor(requests: number, perWindow: number, windowMs: number, latency: Latency, tokenFetched: boolean): Floor {
	const token = tokenPart(latency, tokenFetched);
	if (requests === 0) return { ms: token.ms, formula: `no requests${token.text}` };
	const windows = Math.ceil(requests / perWindow);
	return {
		ms: (windows - 1) * windowMs + latency.graphMs + token.ms,
		formula: `(⌈${requests}/${perWindow}⌉ − 1) × ${windowMs} ms + ${latency.graphMs} ms${token.text}`,
	};
}

/**
 * What a listener's handler is given and gives back: the request as recorded (Exchange, RecordedRequest), its Reply,
 * and the counts every listener keeps (EmulatorStats). Types and counters only, so that the listener plumbing
 * (server.ts), the faults and the capacity all read them from here without importing each other.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type ListenerName = 'graph' | 'login' | 'managedIdentity';

export interface RecordedRequest {
	listener: ListenerName;
	method: string;
	/** Path without the query, as sent (percent-encoded). */
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	/** Raw request body. */
	body: string;
	/** Status answered; 0 while pending or when the connection was reset. */
	status: number;
	time: Date;
	/** Id of the fault that caught this request. */
	fault?: string;
}

/** How a fault breaks a connection: before any answer, or halfway through writing it. */
export type ConnectionReset = 'immediately' | 'mid-response';

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	body?: string;
	/**
	 * Break the connection instead of answering, as a reset fault does: set by a handler whose work
	 * caught a reset fault of its own (a request inside a $batch). 'mid-response' writes half of this reply.
	 */
	reset?: ConnectionReset;
}

export interface Exchange {
	listener: ListenerName;
	method: string;
	url: URL;
	headers: IncomingHttpHeaders;
	body: string;
	record: RecordedRequest;
}

export interface EmulatorStats {
	/** HTTP requests received, on all listeners (a $batch is one). */
	requests: number;
	/** HTTP requests received per listener (a $batch is one): round trips. */
	byListener: Record<ListenerName, number>;
	/** TCP connections accepted per listener: a client that keeps its connection alive counts once (a proxy's tunnel too). */
	connectionsByListener: Record<ListenerName, number>;
	/**
	 * Graph operations: every Graph request other than a $batch, plus every request inside a $batch (those
	 * answered 424 without running included). A $batch of 20 counts 20 here and 1 in batchRequests, so
	 * byListener.graph = graphRequests - batched requests + batchRequests.
	 */
	graphRequests: number;
	/** Graph operations received and not yet answered (those inside a $batch until the batch is answered). */
	graphCallsInFlight: number;
	/** The most graphCallsInFlight has been: how many calls a client had at Graph at once. */
	peakGraphCallsInFlight: number;
	/** POST /{version}/$batch requests received, rejected ones included. */
	batchRequests: number;
	/** Token endpoint POSTs plus managed identity token requests. */
	tokenRequests: number;
	/** Token requests answered 200. */
	tokensIssued: number;
	/** Token requests by grant_type ('client_credentials', 'authorization_code', 'refresh_token', 'password'; 'managed_identity' for the App Service endpoint). */
	byGrantType: Record<string, number>;
	faultsTriggered: number;
	/** Graph calls answered 429 because the emulated Graph was at the capacity setGraphCapacity gave it */
	capacityRefusals: number;
}

/** Counts `count` Graph operations as arrived (positive) or answered (negative). */
export function countCallsInFlight(stats: EmulatorStats, count: number): void {
	stats.graphCallsInFlight += count;
	stats.peakGraphCallsInFlight = Math.max(stats.peakGraphCallsInFlight, stats.graphCallsInFlight);
}

export function emptyStats(): EmulatorStats {
	return {
		requests: 0,
		byListener: { graph: 0, login: 0, managedIdentity: 0 },
		connectionsByListener: { graph: 0, login: 0, managedIdentity: 0 },
		graphRequests: 0,
		graphCallsInFlight: 0,
		peakGraphCallsInFlight: 0,
		batchRequests: 0,
		tokenRequests: 0,
		tokensIssued: 0,
		byGrantType: {},
		faultsTriggered: 0,
		capacityRefusals: 0,
	};
}

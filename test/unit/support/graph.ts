import type {
	GraphConnection,
	GraphRequest,
	GraphResponse,
	RequestSettings,
} from '../../../nodes/MicrosoftEntraProvisioning/transport';
import type { OperationContext } from '../../../nodes/MicrosoftEntraProvisioning/helpers/operationContext';
import type { FailureContext } from '../../../nodes/MicrosoftEntraProvisioning/transport/errors';

/*
 * Graph as the operations see it: the transport's one call (graphRequest), answered from a script the test writes;
 * the transport's real page readers run over it. Every request is recorded; one the script did not expect fails the test.
 * The real transport (retries, pace, batches, errors) has its own suites; here only what an operation asks for and
 * what it makes of the answer count.
 */

export interface SentRequest extends GraphRequest {
	settings: RequestSettings;
	failure: FailureContext & { itemIndex?: number };
}

/** Graph's answer to one request, or what the transport throws for it (an n8n error it already built). */
export type Answer = Partial<GraphResponse> | { throws: Error };

export const GRAPH_URL = 'https://graph.microsoft.com';

const script: Answer[] = [];
export const sent: SentRequest[] = [];

/** Queues Graph's answers, in the order the requests are to come. */
export function answer(...answers: Answer[]): void {
	script.push(...answers);
}

/** Forgets the previous test's requests and answers. */
export function resetGraph(): void {
	script.length = 0;
	sent.length = 0;
}

/** The answers the test queued that no request took: a test that expects fewer requests than it scripted fails. */
export function unansweredCount(): number {
	return script.length;
}

/** The method and path (with its query, if any) of each request, for a compact assertion. */
export function sentLines(): string[] {
	return sent.map(({ method, path, url, qs }) => {
		const query = qs ? `?${new URLSearchParams(qs as Record<string, string>).toString()}` : '';
		return `${method} ${path ?? url}${query}`;
	});
}

export async function graphRequest<T>(
	_ctx: unknown,
	_connection: GraphConnection,
	request: GraphRequest,
	settings: RequestSettings,
	failure: FailureContext & { itemIndex?: number },
): Promise<GraphResponse<T>> {
	sent.push({ ...structuredClone(request), settings, failure });
	const next = script.shift();
	if (!next) {
		throw new Error(
			`Graph got a request the test did not expect: ${request.method} ${request.path ?? request.url}`,
		);
	}
	if ('throws' in next) throw next.throws;
	return {
		status: next.status ?? 200,
		body: structuredClone(next.body) as T,
		requestId: next.requestId,
		headers: next.headers ?? {},
	};
}

let executions = 0;

/** What the router hands every operation of one execution: an app-only connection and empty lookups. */
export function operationContext(): OperationContext {
	// A tenant of its own per execution, so pacers shared across executions start empty in each test.
	const tenantKey = `${GRAPH_URL} unit-tenant-${++executions}`;
	return {
		connection: {
			credentialType: 'microsoftGraphProvisioningAppOnlyApi',
			delegated: false,
			graphUrl: GRAPH_URL,
			throttleKey: `microsoftGraphProvisioningAppOnlyApi credential-1 ${tenantKey}`,
			tenantKey,
		},
		objectIds: new Map(),
		pacerScope: { tenantKey },
	};
}

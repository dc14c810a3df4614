import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { CloudConfigurationError, resolveCloud } from '../../../lib/clouds';
import type { ApiVersion } from '../descriptions/requestOptions';
import { AUTHENTICATION_METHODS, type AuthenticationMethod } from '../helpers/credentialTypes';
import { graphApiError, networkError, type FailureContext } from '../helpers/errors';
import { GraphBatcher, type FullResponse } from './batch';
import { readFailure, type TransportFailure } from './failureShapes';

export type GraphFunctions = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/** Which credential the node uses and where its Graph lives; read once per execution. */
export interface GraphConnection {
	credentialType: string;
	delegated: boolean;
	/** Graph root without version, e.g. https://graph.microsoft.com */
	graphUrl: string;
	/**
	 * The app-only credential as read once for the execution, handed to n8n with every request so it does not fetch
	 * and decrypt it again for each one. Not for OAuth2: n8n keeps its token data current itself.
	 */
	decrypted?: ICredentialsDecrypted;
	/** Bounds the calls of the execution in flight, and slows them down while Graph throttles */
	pace?: CallGate;
	/** Also retry the 403/404/409 that Graph answers for a while about an object created moments ago */
	retryWhileReplicating?: boolean;
	/** Combines the JSON calls that items make at the same moment into Graph JSON batches */
	batcher?: GraphBatcher;
}

/**
 * Where a call waits for its turn: it holds a slot from acquire() until its answer, never while waiting out a
 * Retry-After, and reports throttling and successes so the number of slots can follow Graph's pace.
 */
export interface CallGate {
	/** Resolves when the call may go; a retry goes before first attempts. */
	acquire(retry: boolean): Promise<void>;
	release(): void;
	/** Waits before a retry, holding no slot */
	rest(ms: number): Promise<void>;
	throttled(retryAfterMs?: number): void;
	succeeded(): void;
}

export interface RequestSettings {
	apiVersion: ApiVersion;
	timeoutMs: number;
	retryLimit: number;
	/** Retry a reset or timed-out connection too; only for calls that are safe to repeat */
	idempotent: boolean;
}

export interface GraphRequest {
	method: IHttpRequestMethods;
	/** Path below the version segment, built with graphPath */
	path?: string;
	/** An absolute URL Graph handed out (an @odata.nextLink); checked to be on the same Graph */
	url?: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** Extra request headers, e.g. a Content-Type other than JSON's */
	headers?: Record<string, string>;
}

export interface GraphResponse<T = unknown> {
	status: number;
	body: T;
	requestId?: string;
	/** Response headers, lower-cased names (e.g. location) */
	headers?: Record<string, unknown>;
}

/** Statuses Graph documents as transient; Microsoft's own SDKs retry exactly these. */
const RETRYABLE_STATUSES = new Set([429, 503, 504]);
/**
 * What Graph answers for a while about a service principal (or its jobs) created moments ago, until directory
 * replication catches up; Terraform's azuread provider retries these for synchronization calls too. Opt-in, because
 * a genuine missing permission or wrong ID then fails only after the retries.
 */
const REPLICATION_STATUSES = new Set([403, 404, 409]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
/** The longest Retry-After the node will wait; Microsoft's SDKs cap it the same way. */
export const MAX_RETRY_AFTER_MS = 180_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;

/**
 * Builds a Graph path, percent-encoding every interpolated value as one path segment. Dot segments are refused
 * because URL parsers collapse them, which would send the request to another path.
 */
export function graphPath(strings: TemplateStringsArray, ...values: string[]): string {
	return strings.reduce((path, part, index) => {
		if (index === 0) return part;
		const value = values[index - 1];
		if (value === '' || value === '.' || value === '..') {
			throw new Error(`Refusing to build a Graph path with the segment "${value}"`);
		}
		return path + encodeURIComponent(value) + part;
	}, '');
}

export async function getGraphConnection(ctx: GraphFunctions): Promise<GraphConnection> {
	const authentication = ctx.getNodeParameter('authentication', 0) as AuthenticationMethod;
	const method = AUTHENTICATION_METHODS[authentication];
	if (!method) {
		throw new NodeOperationError(ctx.getNode(), `Unknown authentication "${String(authentication)}"`, {
			description: 'Open the node and choose an Authentication method.',
		});
	}
	const credentials = await ctx.getCredentials(method.credentialType);
	try {
		const { graphUrl } = resolveCloud(credentials);
		const reference = ctx.getNode().credentials?.[method.credentialType];
		const decrypted =
			method.delegated || !reference
				? undefined
				: { id: reference.id ?? '', name: reference.name, type: method.credentialType, data: credentials };
		return { credentialType: method.credentialType, delegated: method.delegated, graphUrl, decrypted };
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			description:
				error instanceof CloudConfigurationError ? 'Open the credential and correct its cloud settings.' : undefined,
		});
	}
}

/** Seconds or an HTTP date, as Graph sends in Retry-After; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const header = Array.isArray(value) ? value[0] : value;
	if (typeof header !== 'string' && typeof header !== 'number') return undefined;
	const text = String(header).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

function backoffDelay(attempt: number): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function resolveUrl(node: INode, connection: GraphConnection, request: GraphRequest, apiVersion: ApiVersion): string {
	const versionRoot = `${connection.graphUrl}/${apiVersion}`;
	if (request.path !== undefined) return `${versionRoot}${request.path}`;
	const url = new URL(request.url ?? '');
	const graphRoot = new URL(`${connection.graphUrl}/`);
	// A link Graph hands back is followed with the bearer token, so it must stay on the configured Graph.
	if (url.origin !== graphRoot.origin || !url.pathname.startsWith(graphRoot.pathname)) {
		throw new NodeOperationError(node, 'Refusing to follow a link that leaves Microsoft Graph', {
			description: `The response pointed to ${url.origin}, not to the credential's Graph (${graphRoot.origin}); the access token is only ever sent to the latter.`,
		});
	}
	return url.toString();
}

/** Neither an HTTP answer nor a network failure: n8n could not use the credential (e.g. OAuth2 never connected). */
function credentialProblem(node: INode, message: string, connection: GraphConnection, itemIndex?: number): NodeOperationError {
	const notConnected = /not connected/i.test(message);
	return new NodeOperationError(node, notConnected ? 'The OAuth2 credential is not connected' : message, {
		description: notConnected
			? 'Open the credential and press Connect (sign in as an admin), then run the node again.'
			: connection.delegated
				? 'Check the OAuth2 credential: reconnect it if its sign-in was revoked.'
				: 'Check the credential.',
		itemIndex,
	});
}

function requestIdOf(headers: Record<string, unknown> | undefined): string | undefined {
	const value = headers?.['request-id'];
	return typeof value === 'string' ? value : undefined;
}

async function sendWithCredential(ctx: GraphFunctions, connection: GraphConnection, options: IHttpRequestOptions): Promise<FullResponse> {
	return (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		connection.credentialType,
		options,
		connection.decrypted ? { credentialsDecrypted: connection.decrypted } : undefined,
	)) as FullResponse;
}

/**
 * A batcher that sends with the connection's credential, for the items of one execution to share. A batch holds
 * half the calls allowed in flight at the moment (at most 20; fewer while Graph throttles), so one batch is on the
 * wire while the next one fills.
 */
export function createBatcher(ctx: IExecuteFunctions, connection: GraphConnection, callsInFlight: () => number): GraphBatcher {
	return new GraphBatcher(
		async (options) => await sendWithCredential(ctx, connection, options),
		() => Math.ceil(callsInFlight() / 2),
	);
}

/**
 * One Graph call with the node's credential: retries throttling and brief outages as Graph asks, and turns
 * every failure into an error that says what to fix. The request body never reaches an error or a log line.
 */
export async function graphRequest<T = unknown>(
	ctx: GraphFunctions,
	connection: GraphConnection,
	request: GraphRequest,
	settings: RequestSettings,
	context: FailureContext & { itemIndex?: number },
): Promise<GraphResponse<T>> {
	const node = ctx.getNode();
	const url = resolveUrl(node, connection, request, settings.apiVersion);
	// A batch carries JSON bodies only, and only calls addressed by path (a link Graph handed out is absolute).
	const batcher = request.path !== undefined && request.headers?.['Content-Type'] === undefined ? connection.batcher : undefined;
	const send = async (attempt: number): Promise<FullResponse> => {
		const headers = { ...request.headers, ...(attempt > 0 ? { 'Retry-Attempt': String(attempt) } : {}) };
		if (batcher && request.path !== undefined) {
			const query = Object.entries(request.qs ?? {})
				.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
				.join('&');
			return await batcher.submit(`${connection.graphUrl}/${settings.apiVersion}`, settings.timeoutMs, {
				method: request.method,
				url: query ? `${request.path}?${query}` : request.path,
				headers,
				body: request.body,
			});
		}
		const options: IHttpRequestOptions = {
			method: request.method,
			url,
			qs: request.qs,
			body: request.body,
			json: true,
			returnFullResponse: true,
			timeout: settings.timeoutMs,
			headers,
		};
		return await sendWithCredential(ctx, connection, options);
	};
	for (let attempt = 0; ; attempt++) {
		let failure: TransportFailure;
		await connection.pace?.acquire(attempt > 0);
		try {
			const response = await send(attempt);
			connection.pace?.release();
			connection.pace?.succeeded();
			return {
				status: response.statusCode,
				body: response.body as T,
				requestId: requestIdOf(response.headers),
				headers: response.headers,
			};
		} catch (error) {
			connection.pace?.release();
			failure = readFailure(error);
		}

		if (failure.kind === 'signIn') {
			throw new NodeOperationError(node, failure.error.message, {
				description: failure.error.description,
				itemIndex: context.itemIndex,
			});
		}
		if (failure.kind === 'credential') throw credentialProblem(node, failure.message, connection, context.itemIndex);
		const status = failure.kind === 'http' ? failure.status : undefined;
		const code = failure.kind === 'network' ? failure.code : undefined;
		const retryable = status
			? RETRYABLE_STATUSES.has(status) || (connection.retryWhileReplicating === true && REPLICATION_STATUSES.has(status))
			: settings.idempotent && (failure.kind === 'batchIncomplete' || (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)));
		const asked = failure.kind === 'http' ? parseRetryAfter(failure.headers['retry-after']) : undefined;
		const waitTooLong = asked !== undefined && asked > MAX_RETRY_AFTER_MS;
		// A wait the node refuses (a quota spent for the day) says nothing about the pace of the calls that follow.
		if (status === 429 && !waitTooLong) connection.pace?.throttled(asked);
		if (retryable && attempt < settings.retryLimit && !waitTooLong) {
			const delay = asked ?? backoffDelay(attempt);
			ctx.logger.debug(
				`Microsoft Graph answered ${status ?? code ?? 'a batch without this call'}; retry ${attempt + 1} of ${settings.retryLimit} in ${delay} ms`,
				{ node: node.name },
			);
			if (connection.pace) await connection.pace.rest(delay);
			else await sleep(delay);
			continue;
		}
		if (failure.kind === 'http') {
			throw graphApiError(
				node,
				{ status: failure.status, body: failure.body, requestId: requestIdOf(failure.headers) },
				{ ...context, retries: attempt, refusedWaitMs: retryable && waitTooLong ? asked : undefined },
				context.itemIndex,
			);
		}
		if (failure.kind === 'batchIncomplete') {
			throw new NodeOperationError(node, 'Microsoft Graph did not answer this call', {
				description: `Graph's answer to the batch that carried it left it out, so it may or may not have been applied. Run the item again${settings.idempotent ? '' : ' after checking its state'}, or turn off Options › Combine Calls into Batches.`,
				itemIndex: context.itemIndex,
			});
		}
		throw networkError(node, failure.code, attempt, context.itemIndex);
	}
}

/** One page of a Graph collection and the link to the next, if any. */
export async function graphListPage<T>(
	ctx: GraphFunctions,
	connection: GraphConnection,
	request: GraphRequest,
	settings: RequestSettings,
	context: FailureContext,
): Promise<{ value: T[]; nextLink?: string }> {
	const response = await graphRequest<{ value?: T[]; '@odata.nextLink'?: string }>(
		ctx,
		connection,
		request,
		settings,
		context,
	);
	return { value: response.body?.value ?? [], nextLink: response.body?.['@odata.nextLink'] };
}

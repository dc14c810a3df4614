import { NodeOperationError, sleep } from 'n8n-workflow';

import { renewAppOnlyTokenAfterRefusal } from '../../../lib/appOnlySignIn';
import { CloudConfigurationError, resolveCloud } from '../../../lib/clouds';
import { AUTHENTICATION_METHODS, type AuthenticationMethod } from './credentialTypes';
import { failureError, graphErrorDetails, type FailureContext } from './errors';
import { readFailure, type TransportFailure } from './failureShapes';
import { decideRetry } from './retry';
import { resolveUrl, sendAttempt } from './send';
import { readLimitUsage } from './throttleSignals';
import type {
	GraphConnection,
	GraphFunctions,
	GraphRequest,
	GraphResponse,
	RequestSettings,
} from './types';

export { createBatcher } from './send';
export type {
	GraphConnection,
	GraphFunctions,
	GraphRequest,
	GraphResponse,
	RequestSettings,
} from './types';

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
		throw new NodeOperationError(
			ctx.getNode(),
			`Unknown authentication "${String(authentication)}"`,
			{
				description: 'Open the node and choose an Authentication method.',
			},
		);
	}
	const credentials = await ctx.getCredentials(method.credentialType);
	try {
		const { graphUrl } = resolveCloud(credentials);
		const reference = ctx.getNode().credentials?.[method.credentialType];
		const decrypted =
			method.delegated || !reference
				? undefined
				: {
						id: reference.id ?? '',
						name: reference.name,
						type: method.credentialType,
						data: credentials,
					};
		const tenantKey = `${graphUrl} ${typeof credentials.tenantId === 'string' ? credentials.tenantId.trim().toLowerCase() : ''}`;
		const paceKey = `${method.credentialType} ${reference?.id ?? reference?.name ?? ''} ${tenantKey}`;
		return {
			credentialType: method.credentialType,
			delegated: method.delegated,
			graphUrl,
			decrypted,
			paceKey,
			tenantKey,
		};
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			description:
				error instanceof CloudConfigurationError
					? 'Open the credential and correct its cloud settings.'
					: undefined,
		});
	}
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
	const policy = { ...settings, retryWhileReplicating: connection.retryWhileReplicating === true };
	const pace = connection.pace;
	let renewedToken = false;
	for (let attempt = 0; ; attempt++) {
		let failure: TransportFailure;
		await pace?.acquire(attempt > 0);
		const sentAt = Date.now();
		try {
			const response = await sendAttempt(
				ctx,
				connection,
				request,
				url,
				settings.apiVersion,
				settings.timeoutMs,
				attempt,
			);
			pace?.release();
			pace?.succeeded({
				elapsedMs: Date.now() - sentAt,
				limitUsage: readLimitUsage(response.headers),
			});
			const requestId = response.headers?.['request-id'];
			return {
				status: response.statusCode,
				body: response.body as T,
				requestId: typeof requestId === 'string' ? requestId : undefined,
				headers: response.headers,
			};
		} catch (error) {
			pace?.release();
			failure = readFailure(error);
		}
		if (failure.kind === 'http' && request.answerStatuses?.includes(failure.status)) {
			const requestId = failure.headers['request-id'];
			return {
				status: failure.status,
				body: failure.body as T,
				// n8n 1.x keeps no response headers; Graph's error body repeats the request-id.
				requestId:
					typeof requestId === 'string' ? requestId : graphErrorDetails(failure.body).requestId,
				headers: failure.headers,
			};
		}
		// An app-only token carries the roles granted when it was issued: one kept from before an admin's consent
		// keeps answering 403 for its lifetime (up to an hour). Once per call, a fresh token, and the call again.
		if (
			failure.kind === 'http' &&
			failure.status === 403 &&
			!renewedToken &&
			connection.decrypted?.data &&
			(await renewAppOnlyTokenAfterRefusal(connection.decrypted.data, sentAt))
		) {
			renewedToken = true;
			ctx.logger.debug(
				'Microsoft Graph answered 403 to a token fetched before the call; sending it again with a fresh token',
				{ node: node.name },
			);
			continue;
		}

		const decision = decideRetry(failure, attempt, policy);
		// A wait the node refuses (a quota spent for the day) says nothing about the pace of the calls that follow.
		if (failure.kind === 'http' && failure.status === 429 && !decision.waitRefused)
			pace?.throttled(decision.askedMs);
		if (decision.delayMs === undefined) {
			throw failureError(node, failure, context, {
				retries: attempt,
				refusedWaitMs: decision.retryable && decision.waitRefused ? decision.askedMs : undefined,
				idempotent: settings.idempotent,
			});
		}
		ctx.logger.debug(
			`Microsoft Graph answered ${failure.kind === 'http' ? failure.status : failure.kind === 'network' ? failure.code : 'a batch without this call'}; retry ${attempt + 1} of ${settings.retryLimit} in ${decision.delayMs} ms`,
			{ node: node.name },
		);
		if (pace) await pace.rest(decision.delayMs);
		else await sleep(decision.delayMs);
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

/**
 * The items of a Graph collection, page by page, following @odata.nextLink (which resolveUrl keeps on the same Graph)
 * to the last page, or until `limit` items; and how many Graph calls that took.
 */
export async function readPages<T>(
	ctx: GraphFunctions,
	connection: GraphConnection,
	firstPage: GraphRequest,
	settings: RequestSettings,
	failure: FailureContext & { itemIndex?: number },
	limit?: number,
): Promise<{ value: T[]; calls: number }> {
	const value: T[] = [];
	let request = firstPage;
	for (let calls = 1; ; calls++) {
		const page = await graphListPage<T>(ctx, connection, request, settings, failure);
		value.push(...page.value);
		if (limit !== undefined && value.length >= limit)
			return { value: value.slice(0, limit), calls };
		if (!page.nextLink) return { value, calls };
		request = { method: 'GET', url: page.nextLink };
	}
}

/** Every item of a Graph collection. */
export async function listAll<T>(
	ctx: GraphFunctions,
	connection: GraphConnection,
	path: string,
	settings: RequestSettings,
	failure: FailureContext & { itemIndex?: number },
): Promise<T[]> {
	return (await readPages<T>(ctx, connection, { method: 'GET', path }, settings, failure)).value;
}

import type { IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiVersion } from '../apiVersions';
import { readFailure } from '../failureShapes';
import type { GraphConnection, GraphFunctions, GraphRequest } from '../types';
import type { FullResponse } from './batcher';
import { attemptHeaders, FailedAttempt, graphResponse, type Handler } from './chain';

/** The URL of a request: a path below the version, or a link Graph handed out, checked to stay on the same Graph. */
export function resolveUrl(
	ctx: Pick<GraphFunctions, 'getNode'>,
	connection: GraphConnection,
	request: GraphRequest,
	apiVersion: ApiVersion,
): string {
	const versionRoot = `${connection.graphUrl}/${apiVersion}`;
	if (request.path !== undefined) return `${versionRoot}${request.path}`;
	const url = new URL(request.url ?? '');
	const graphRoot = new URL(`${connection.graphUrl}/`);
	// A link Graph hands back is followed with the bearer token, so it must stay on the configured Graph.
	if (url.origin !== graphRoot.origin || !url.pathname.startsWith(graphRoot.pathname)) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Refusing to follow a link that leaves Microsoft Graph',
			{
				description: `The response pointed to ${url.origin}, not to the credential's Graph (${graphRoot.origin}); the access token is only ever sent to the latter.`,
			},
		);
	}
	return url.toString();
}

export async function sendWithCredential(
	ctx: GraphFunctions,
	connection: GraphConnection,
	options: IHttpRequestOptions,
): Promise<FullResponse> {
	return (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		connection.credentialType,
		options,
		connection.decrypted ? { credentialsDecrypted: connection.decrypted } : undefined,
	)) as FullResponse;
}

/** The end of the chain: one attempt sent on its own with the node's credential. */
export const sendAlone: Handler = async (call) => {
	const { request, settings } = call;
	const sentAt = Date.now();
	try {
		return graphResponse(
			await sendWithCredential(call.ctx, call.connection, {
				method: request.method,
				url: call.url,
				qs: request.qs,
				body: request.body,
				json: true,
				returnFullResponse: true,
				timeout: settings.timeoutMs,
				headers: attemptHeaders(call),
			}),
		);
	} catch (error) {
		throw new FailedAttempt(readFailure(error), sentAt);
	}
};

import type { IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiVersion } from './apiVersions';
import { GraphBatcher, type FullResponse } from './batch';
import type { GraphConnection, GraphFunctions, GraphRequest } from './types';

/** The URL of a request: a path below the version, or a link Graph handed out, checked to stay on the same Graph. */
export function resolveUrl(
	node: INode,
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
		throw new NodeOperationError(node, 'Refusing to follow a link that leaves Microsoft Graph', {
			description: `The response pointed to ${url.origin}, not to the credential's Graph (${graphRoot.origin}); the access token is only ever sent to the latter.`,
		});
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

/**
 * A batcher that sends with the connection's credential, for the items of one execution to share. A batch holds
 * half the calls allowed in flight at the moment (at most 20; fewer while Graph throttles), so one batch is on the
 * wire while the next one fills.
 */
export function createBatcher(
	ctx: IExecuteFunctions,
	connection: GraphConnection,
	callsInFlight: () => number,
): GraphBatcher {
	return new GraphBatcher(
		async (options) => await sendWithCredential(ctx, connection, options),
		() => Math.ceil(callsInFlight() / 2),
	);
}

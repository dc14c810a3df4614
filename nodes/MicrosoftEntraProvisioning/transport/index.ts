import { NodeOperationError } from 'n8n-workflow';

import { CloudConfigurationError, resolveCloud } from '../../../lib/clouds';
import { AUTHENTICATION_METHODS, type AuthenticationMethod } from './credentialTypes';
import { notConnectedError, type FailureContext } from './errors';
import { collectionReaders } from './pages';
import { batchCalls } from './steps/batch';
import { chain } from './steps/chain';
import { explainFailures } from './steps/errors';
import { keepPace } from './steps/pace';
import { retryTransient } from './steps/retry';
import { resolveUrl, sendAlone } from './steps/send';
import type {
	GraphConnection,
	GraphFunctions,
	GraphRequest,
	GraphResponse,
	RequestSettings,
} from './types';

export { createBatcher } from './steps/batch';
export type * from './types';

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
	// n8n keeps a delegated credential's tokens in oauthTokenData, which its Connect button sets.
	const { oauthTokenData } = credentials;
	if (method.delegated && (typeof oauthTokenData !== 'object' || oauthTokenData === null))
		throw notConnectedError(ctx.getNode());
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
		const throttleKey = `${method.credentialType} ${reference?.id ?? reference?.name ?? ''} ${tenantKey}`;
		return {
			credentialType: method.credentialType,
			delegated: method.delegated,
			graphUrl,
			decrypted,
			throttleKey,
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
 * Every Graph call of the node goes down this chain, outermost first: failures explained, transient ones retried,
 * each attempt kept to the pace, put in a JSON batch when it can go in one, or sent alone.
 */
const sendGraphCall = chain([explainFailures, retryTransient, keepPace, batchCalls], sendAlone);

/**
 * One Graph call with the node's credential: retries throttling and brief outages as Graph asks, and turns
 * every failure into an error that says what to fix. The request body never reaches an error or a log line.
 */
export async function graphRequest<T = unknown>(
	ctx: GraphFunctions,
	connection: GraphConnection,
	request: GraphRequest,
	settings: RequestSettings,
	context: FailureContext,
): Promise<GraphResponse<T>> {
	const url = resolveUrl(ctx, connection, request, settings.apiVersion);
	return (await sendGraphCall({
		ctx,
		connection,
		request,
		url,
		settings,
		failureContext: context,
		attempt: 0,
	})) as GraphResponse<T>;
}

/** The readers of a Graph collection, over graphRequest. */
export const { graphListPage, readPages, listAll } = collectionReaders(graphRequest);

import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeRequiredAccess, type AccessName } from '../../../lib/permissions';
import type { TransportFailure } from './failureShapes';
import { describeThrottle } from './throttleSignals';

/** Graph's error body: {"error":{"code","message","innerError":{"request-id","date"}}}. */
export interface GraphErrorBody {
	error?: {
		code?: string;
		message?: string;
		innerError?: { 'request-id'?: string; 'client-request-id'?: string; date?: string };
	};
}

/** What the failing call was about, so the message can say what to fix. */
export interface FailureContext {
	/** Permissions table entry for the call */
	access: AccessName;
	/** Delegated (OAuth2) or app-only sign-in */
	delegated: boolean;
	/** e.g. "service principal 6f0c…" — what a 404 did not find */
	subject?: string;
	/** Extra advice for a 404, e.g. the object ID vs app ID mix-up */
	notFoundHint?: string;
	/** What usually makes Graph answer 400 to this call, when the node's parameters alone do not say */
	invalidHint?: string;
	/** The item the call was made for, which the error names */
	itemIndex?: number;
}

/**
 * What a workflow branches on without reading prose: every error the node throws carries these as properties of
 * their own, and with Continue On Fail every error item carries them as fields (errorItemJson). n8n copies a
 * failed node's own enumerable properties into the execution's error, so an error workflow sees them too.
 */
export interface ErrorFields {
	/**
	 * Graph's error code (e.g. Authorization_RequestDenied), Entra's sign-in code (e.g. AADSTS7000215), or the system
	 * code of a connection that failed (e.g. ECONNRESET); null when the node refused the input itself
	 */
	code: string | null;
	/** The HTTP status as text, as n8n's own errors give it ("409"); null without an HTTP answer */
	httpCode: string | null;
	/** Graph's request-id, or the trace ID of Entra's sign-in answer: what Microsoft support asks for */
	requestId: string | null;
}

/** Sets the fields an IF node reads on an error the node throws. */
export function withErrorFields<E extends NodeApiError | NodeOperationError>(
	error: E,
	fields: Partial<ErrorFields>,
): E & ErrorFields {
	return Object.assign(error, {
		code: fields.code ?? null,
		httpCode: fields.httpCode ?? null,
		requestId: fields.requestId ?? null,
	});
}

function textField(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The json of a Continue On Fail item, read from the error by its structure (an error that is not the node's own
 * gives what it has; a field it lacks is null). On the regular output: `error` (the message, as n8n's own nodes
 * give it), then message, description, code, httpCode and requestId as fields of their own. For the error output
 * (On Error › Continue (using error output)) n8n takes an item there only by its json's keys: n8n 1.x only when
 * they are `error`, or `error` and `message`; n8n 2.x also with `details`. The error the item could carry instead
 * routes it on both lines, but n8n 2.x then replaces the json with the bare message. So there the same fields sit
 * under `error`, and `message` beside it.
 */
export function errorItemJson(error: unknown, forErrorOutput: boolean): IDataObject {
	const failure = (typeof error === 'object' && error !== null ? error : {}) as Record<
		string,
		unknown
	>;
	const message = textField(failure.message) ?? String(error);
	const fields = {
		message,
		description: textField(failure.description),
		code: textField(failure.code),
		httpCode: textField(failure.httpCode),
		requestId: textField(failure.requestId),
	};
	return forErrorOutput ? { error: fields, message } : { error: message, ...fields };
}

function graphError(body: unknown): GraphErrorBody['error'] {
	if (body && typeof body === 'object' && 'error' in body) {
		const { error } = body as GraphErrorBody;
		if (error && typeof error === 'object') return error;
	}
	return undefined;
}

function summarize(
	status: number,
	context: FailureContext,
	giveUp: GiveUp,
	code: string | undefined,
	/** Which of Graph's limits a 429 was for, from its throttling headers */
	throttle?: string,
): { message: string; advice: string } {
	switch (status) {
		case 400:
			return {
				message: 'Microsoft Graph rejected the request as invalid',
				advice:
					context.invalidHint ?? "Check the node's parameters against the Graph message above.",
			};
		case 401:
			return {
				message: "Microsoft Graph did not accept the credential's access token",
				advice: context.delegated
					? "Reconnect the OAuth2 credential, and check that its cloud is the tenant's cloud."
					: "Check that the credential's cloud is the tenant's cloud and that the app registration still exists.",
			};
		case 403:
			return {
				message: 'The credential is not allowed to do this in Microsoft Graph',
				advice: describeRequiredAccess(context.access, context.delegated),
			};
		case 404:
			return {
				message: `Microsoft Graph found no ${context.subject ?? 'such object'}`,
				advice:
					context.notFoundHint ??
					'Check the ID; objects created moments ago can take a few seconds to become visible.',
			};
		case 409:
			return {
				message: 'Microsoft Graph reported a conflict',
				advice:
					'Another change to the same object is in progress or the object was just created; run the node again shortly.',
			};
		case 429:
			if (giveUp.refusedWaitMs !== undefined) {
				return {
					message: `Microsoft Graph asked to wait ${Math.ceil(giveUp.refusedWaitMs / 1000)} s before retrying, longer than the node waits`,
					advice:
						'Graph is throttling this app heavily. Run the workflow again later, or spread the items over time.',
				};
			}
			return {
				message: `Microsoft Graph is throttling requests and kept doing so after ${giveUp.retries} retries`,
				advice: `${throttle ? `Graph says the calls reached ${throttle}. ` : ''}Lower Options › Max Items in Flight, raise Options › Retry Limit, or try again later.`,
			};
		default:
			if (status >= 500) {
				return {
					message: `Microsoft Graph had a temporary problem (HTTP ${status})${giveUp.retries ? ` that lasted through ${giveUp.retries} retries` : ''}`,
					advice:
						'Try again later. If it persists, quote the request-id below to Microsoft support.',
				};
			}
			return {
				message: `Microsoft Graph answered with HTTP ${status}${code ? ` (${code})` : ''}`,
				advice: "Check the node's parameters.",
			};
	}
}

/** Graph's own account of an error answer: its code, its message and the request-id inside its body. */
export function graphErrorDetails(body: unknown): {
	code?: string;
	message?: string;
	requestId?: string;
} {
	const error = graphError(body);
	return {
		code: error?.code,
		message: error?.message,
		requestId: error?.innerError?.['request-id'],
	};
}

/** A Graph error answer as an n8n error an admin can act on. The request (and its secrets) is never attached. */
function graphApiError(
	node: INode,
	failure: Extract<TransportFailure, { kind: 'http' }>,
	context: FailureContext,
	giveUp: GiveUp,
): NodeApiError {
	const error = graphError(failure.body);
	const code = error?.code;
	const headerId = failure.headers['request-id'];
	const requestId = typeof headerId === 'string' ? headerId : error?.innerError?.['request-id'];
	const throttle = failure.status === 429 ? describeThrottle(failure.headers) : undefined;
	const { message, advice } = summarize(failure.status, context, giveUp, code, throttle);
	const details = [
		error?.message ? `Graph says: ${error.message}` : undefined,
		advice,
		[
			code && `Graph error code: ${code}`,
			`HTTP status: ${failure.status}`,
			requestId && `request-id: ${requestId}`,
		]
			.filter(Boolean)
			.join(' · '),
	].filter(Boolean);
	const errorResponse: IDataObject = { httpCode: String(failure.status) };
	if (error) errorResponse.error = error as IDataObject;
	return withErrorFields(
		new NodeApiError(node, errorResponse as JsonObject, {
			message,
			description: details.join('\n'),
			httpCode: String(failure.status),
			itemIndex: context.itemIndex,
		}),
		{ code, httpCode: String(failure.status), requestId },
	);
}

const NETWORK_ADVICE: Record<string, string> = {
	ECONNREFUSED:
		"Nothing accepted the connection. Check the credential's cloud (or Custom Graph URL) and any proxy between n8n and Microsoft Graph.",
	ENOTFOUND:
		"The Graph host name could not be resolved. Check the credential's cloud (or Custom Graph URL) and the n8n host's DNS.",
	ECONNRESET:
		'The connection was cut before Graph answered. A proxy or firewall may be interrupting it; try again.',
	ETIMEDOUT: "Graph did not answer in time. Raise the node's Timeout option or try again later.",
	ECONNABORTED: "Graph did not answer in time. Raise the node's Timeout option or try again later.",
	CERT: 'The TLS certificate of the Graph host was not trusted or did not match its name. If a proxy inspects TLS, add its CA to n8n (NODE_EXTRA_CA_CERTS).',
};

function networkAdvice(code: string | undefined): string {
	if (!code) return "Check the n8n host's connection to Microsoft Graph and try again.";
	if (/CERT|SSL|TLS|SELF_SIGNED|ALTNAME/i.test(code)) return NETWORK_ADVICE.CERT;
	return (
		NETWORK_ADVICE[code] ?? "Check the n8n host's connection to Microsoft Graph and try again."
	);
}

/**
 * A request that never got a Graph answer. The system error code goes in the description: n8n rewrites messages
 * that contain one into a generic sentence.
 */
function networkError(
	node: INode,
	code: string | undefined,
	retries: number,
	itemIndex?: number,
): NodeOperationError {
	return withErrorFields(
		new NodeOperationError(node, 'Could not reach Microsoft Graph', {
			description: [
				networkAdvice(code),
				retries ? `Retried ${retries} times.` : '',
				code ? `Error code: ${code}` : '',
			]
				.filter(Boolean)
				.join(' '),
			itemIndex,
		}),
		{ code },
	);
}

/** Neither an HTTP answer nor a network failure: n8n could not use the credential (e.g. its sign-in was revoked). */
function credentialProblem(
	node: INode,
	message: string,
	delegated: boolean,
	itemIndex?: number,
): NodeOperationError {
	return withErrorFields(
		new NodeOperationError(node, message, {
			description: delegated
				? 'Check the OAuth2 credential: reconnect it if its sign-in was revoked.'
				: 'Check the credential.',
			itemIndex,
		}),
		{},
	);
}

/** A delegated credential whose Connect was never pressed: it holds no tokens, so no call can go. */
export function notConnectedError(node: INode): NodeOperationError {
	return withErrorFields(
		new NodeOperationError(node, 'The OAuth2 credential is not connected', {
			description:
				'Open the credential and press Connect (sign in as an admin), then run the node again.',
		}),
		{},
	);
}

/** How the call ended: after how many retries, and whether the node refused a wait Graph asked for. */
export interface GiveUp {
	retries: number;
	refusedWaitMs?: number;
	/** The call may be repeated safely; said in the advice when Graph's answer to its batch left it out */
	idempotent: boolean;
}

/** The error a call's last failure is thrown as: what went wrong, in words an admin can act on. */
export function failureError(
	node: INode,
	failure: TransportFailure,
	context: FailureContext,
	giveUp: GiveUp,
): NodeApiError | NodeOperationError {
	const { itemIndex } = context;
	switch (failure.kind) {
		case 'signIn':
			return withErrorFields(
				new NodeOperationError(node, failure.error.message, {
					description: failure.error.description,
					itemIndex,
				}),
				{
					code: failure.error.entraCode,
					httpCode: failure.error.entraStatus,
					requestId: failure.error.traceId,
				},
			);
		case 'credential':
			return credentialProblem(node, failure.message, context.delegated, itemIndex);
		case 'http':
			return graphApiError(node, failure, context, giveUp);
		case 'batchIncomplete':
			return withErrorFields(
				new NodeOperationError(node, 'Microsoft Graph did not answer this call', {
					description: `Graph's answer to the batch that carried it left it out, so it may or may not have been applied. Run the item again${giveUp.idempotent ? '' : ' after checking its state'}, or turn off Options › Combine Calls into Batches.`,
					itemIndex,
				}),
				{},
			);
		case 'network':
			return networkError(node, failure.code, giveUp.retries, itemIndex);
	}
}

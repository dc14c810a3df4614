import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';

import type { ApiVersion } from './apiVersions';
import type { GraphBatcher } from './steps/batcher';
import type { ExecutionThrottle } from './throttling';

/*
 * The shapes the transport's modules pass each other, in a file of their own so that index.ts (the calls) and
 * the steps of a call (steps/) both read them without importing each other.
 */

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
	/** Names the credential and tenant: executions with the same key share one pace at Graph */
	throttleKey: string;
	/** Names the tenant on its Graph: budgets Graph counts per tenant (a job's bulk uploads) are shared under it */
	tenantKey: string;
	/** Bounds the calls of the execution in flight, and slows them down while Graph throttles */
	throttle?: ExecutionThrottle;
	/** Also retry the 403/404/409 that Graph answers for a while about an object created moments ago */
	retryWhileReplicating?: boolean;
	/** Combines the JSON calls that items make at the same moment into Graph JSON batches */
	batcher?: GraphBatcher;
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
	/**
	 * Never put in a JSON batch: a batch carries JSON bodies only, so a body of another type (SCIM's) goes alone.
	 * Calls addressed by `url` always go alone.
	 */
	sendAlone?: boolean;
	/**
	 * Error statuses handed back as Graph's answer instead of thrown, for an operation that reports them as output
	 * (Validate Credentials' refusal); never retried
	 */
	answerStatuses?: readonly number[];
}

export interface GraphResponse<T = unknown> {
	status: number;
	body: T;
	requestId?: string;
	/** Response headers, lower-cased names (e.g. location) */
	headers?: Record<string, unknown>;
}

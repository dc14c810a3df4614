import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AccessName } from '../../../lib/permissions';
import {
	graphPath,
	graphRequest,
	type GraphConnection,
	type GraphFunctions,
	type GraphResponse,
	type RequestSettings,
} from '../transport';
import type { FailureContext } from '../transport/errors';
import {
	checkTargetLocator,
	readRequestSettings,
	readSynchronizationId,
	readTarget,
} from './itemParameters';
import type { RequestPacer } from '../transport/throttling';
import {
	objectIdNotFoundHint,
	resolveTarget,
	type ObjectIdCache,
	type ResolvedTarget,
} from './targets';

/*
 * Synchronization lives on a service principal: this finds it (from an item, or from the editor's Service Principal
 * locator) and makes the calls about it and its jobs, with failure contexts that say which object to check.
 */

/** What an item's calls share across the execution; the operations' context holds it. */
export interface ServicePrincipalLookups {
	connection: GraphConnection;
	objectIds: ObjectIdCache;
}

/** The item's service principal as an object ID (an app ID is looked up once per execution). */
export async function resolveServicePrincipal(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: ServicePrincipalLookups,
	settings: RequestSettings,
): Promise<ResolvedTarget> {
	const target = readTarget(ctx, itemIndex, 'servicePrincipal');
	return await resolveTarget(
		ctx,
		context.connection,
		target,
		settings,
		context.objectIds,
		itemIndex,
	);
}

/**
 * The object ID of the service principal a Target locator names, for code that runs outside an item (list
 * searches, the trigger); an app ID is looked up.
 */
export async function locatedServicePrincipalId(
	ctx: GraphFunctions,
	connection: GraphConnection,
	locator: unknown,
	settings: RequestSettings,
): Promise<string> {
	const value =
		typeof locator === 'object' && locator !== null
			? (locator as { value?: unknown }).value
			: locator;
	// In the editor an expression is not resolved yet, so there is nothing to list for.
	if (typeof value !== 'string' || value.trim() === '' || value.startsWith('=')) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the Service Principal first', {
			description:
				'Pick the service principal from its list, or enter its Object ID or App ID; the jobs, templates and rules listed are its own.',
		});
	}
	const checked = checkTargetLocator(locator, 'servicePrincipal', 'Service Principal');
	if ('message' in checked)
		throw new NodeOperationError(ctx.getNode(), checked.message, {
			description: checked.description,
		});
	return (await resolveTarget(ctx, connection, checked, settings)).objectId;
}

/** The fields every output of these operations starts with. */
export function servicePrincipalFields(servicePrincipal: ResolvedTarget): IDataObject {
	return {
		servicePrincipalId: servicePrincipal.objectId,
		...(servicePrincipal.appId ? { servicePrincipalAppId: servicePrincipal.appId } : {}),
	};
}

function servicePrincipalNotFoundHint(servicePrincipal: ResolvedTarget): string {
	if (servicePrincipal.appId) return objectIdNotFoundHint(servicePrincipal);
	return `Graph needs the enterprise application's (service principal's) Object ID. If ${servicePrincipal.objectId} is the Application (client) ID, choose Service Principal › By App ID; an app registration's object ID is a different one.`;
}

/** A saved connection setting as Graph reads it back: secret values masked, plain settings as saved. */
export interface SavedSecret {
	key: string;
	value: string | null;
}

/** The connection settings saved on the service principal (GET …/synchronization/secrets). */
export async function readSavedSecrets(
	ctx: IExecuteFunctions,
	connection: GraphConnection,
	servicePrincipal: ResolvedTarget,
	settings: RequestSettings,
	itemIndex: number,
): Promise<SavedSecret[]> {
	const response = await graphRequest<{ value?: SavedSecret[] }>(
		ctx,
		connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/secrets`,
		},
		settings,
		servicePrincipalFailure('readSynchronizationSecrets', connection, servicePrincipal, itemIndex),
	);
	return (response.body?.value ?? []).map(({ key, value }) => ({ key, value }));
}

/** What a failed call about a service principal's synchronization was about, so the error says what to fix. */
export function servicePrincipalFailure(
	access: AccessName,
	connection: GraphConnection,
	servicePrincipal: ResolvedTarget,
	itemIndex?: number,
): FailureContext {
	return {
		access,
		delegated: connection.delegated,
		subject: `service principal with object ID ${servicePrincipal.objectId}`,
		notFoundHint: servicePrincipalNotFoundHint(servicePrincipal),
		itemIndex,
	};
}

/** As servicePrincipalFailure, for a call about one of its jobs: a 404 may mean either. */
export function jobFailure(
	access: AccessName,
	connection: GraphConnection,
	servicePrincipal: ResolvedTarget,
	jobId: string,
	itemIndex?: number,
): FailureContext {
	return {
		...servicePrincipalFailure(access, connection, servicePrincipal, itemIndex),
		subject: `provisioning job ${jobId} on service principal ${servicePrincipal.objectId}`,
		notFoundHint: `Check the job: pick it from the list (Job › List shows the service principal's jobs; a deleted job is gone). Check the service principal too: ${servicePrincipalNotFoundHint(servicePrincipal)}`,
	};
}

/** What callJob sent the request about, and Graph's answer. */
export interface JobCall<T = unknown> {
	servicePrincipal: ResolvedTarget;
	jobId: string;
	response: GraphResponse<T>;
}

/** The job-level call most job operations make: read the job, resolve the service principal, send one request. */
export async function callJob<T = unknown>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: ServicePrincipalLookups,
	call: {
		method: 'GET' | 'POST' | 'PUT' | 'DELETE';
		/** Path below the job, e.g. `start` or `schema/parseExpression`; none for the job itself */
		action?: string;
		body?: IDataObject;
		access: AccessName;
		/** Safe to repeat after a dropped connection */
		idempotent: boolean;
		/** Waited for after validation, right before the request */
		pacer?: RequestPacer;
		/** Error statuses the operation reports as output instead of failing */
		answerStatuses?: readonly number[];
	},
): Promise<JobCall<T>> {
	const jobId = readSynchronizationId(ctx, itemIndex, 'job');
	const settings = readRequestSettings(ctx, itemIndex, call.idempotent);
	const servicePrincipal = await resolveServicePrincipal(ctx, itemIndex, context, settings);
	const jobPath = graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}`;
	await call.pacer?.next();
	const response = await graphRequest<T>(
		ctx,
		context.connection,
		{
			method: call.method,
			path:
				jobPath +
				(call.action ?? '')
					.split('/')
					.filter(Boolean)
					.map((segment) => graphPath`/${segment}`)
					.join(''),
			body: call.body,
			answerStatuses: call.answerStatuses,
		},
		settings,
		jobFailure(call.access, context.connection, servicePrincipal, jobId, itemIndex),
	);
	return { servicePrincipal, jobId, response };
}

/**
 * The output of a job action Graph answers with 204 No Content (start, pause, restart, delete): which job of which
 * service principal, what the operation adds, and Graph's status and request ID.
 */
export function jobActionOutput(
	operation: string,
	{ servicePrincipal, jobId, response }: JobCall,
	details: IDataObject = {},
): IDataObject {
	return {
		success: true,
		operation,
		...servicePrincipalFields(servicePrincipal),
		jobId,
		...details,
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationContext } from '../actions/node.type';
import { DEFAULT_TIMEOUT_MS, INTERACTIVE_RETRY_LIMIT } from '../descriptions/requestOptions';
import { SYNCHRONIZATION_ID_PATTERN } from '../descriptions/synchronization';
import {
	graphListPage,
	graphPath,
	graphRequest,
	type GraphConnection,
	type GraphFunctions,
	type GraphRequest,
	type GraphResponse,
	type RequestSettings,
} from '../transport';
import type { FailureContext } from '../transport/errors';
import type { RequestPacer } from './pacing';
import type { AccessName } from '../../../lib/permissions';
import { itemParameter } from './parameters';
import { objectIdNotFoundHint, resolveTarget, type ResolvedTarget } from './targets';
import { readRequestSettings, readTarget } from './validation';

const SYNCHRONIZATION_ID = new RegExp(SYNCHRONIZATION_ID_PATTERN);

/** For calls outside an item (list searches, the trigger), which have no Options: the defaults. */
export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
	apiVersion: 'v1.0',
	timeoutMs: DEFAULT_TIMEOUT_MS,
	retryLimit: INTERACTIVE_RETRY_LIMIT,
	idempotent: true,
};

export function isSynchronizationId(value: string): boolean {
	return SYNCHRONIZATION_ID.test(value);
}

export function invalidInput(ctx: IExecuteFunctions, itemIndex: number, message: string, description: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
}

/** The item's service principal as an object ID (an app ID is looked up once per execution). */
export async function resolveServicePrincipal(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
	settings: RequestSettings,
): Promise<ResolvedTarget> {
	const target = readTarget(ctx, itemIndex, 'servicePrincipal');
	return await resolveTarget(ctx, context.connection, target, settings, context.objectIds, itemIndex);
}

const LOCATOR_LABELS = {
	job: { label: 'Job', example: 'scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.<tenant ID>', where: 'Pick the job from the list, or copy its ID from Job › List.' },
	template: { label: 'Template', example: 'scim', where: 'Pick the template from the list, or copy its ID from Template › List.' },
	rule: { label: 'Rule', example: '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8', where: 'Pick the rule from the list, or copy its ID from Schema › Get.' },
} as const;

/** A job, template or rule ID from its resource locator, checked before any request. */
export function readSynchronizationId(ctx: IExecuteFunctions, itemIndex: number, parameter: keyof typeof LOCATOR_LABELS): string {
	const { label, example, where } = LOCATOR_LABELS[parameter];
	const locator = itemParameter(ctx, parameter, itemIndex) as INodeParameterResourceLocator | string;
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	if (typeof raw !== 'string' || raw.trim() === '') {
		invalidInput(ctx, itemIndex, `No ${label} is selected`, `${where} If an expression supplies it, check that it yields an ID for this item.`);
	}
	const id = raw.trim();
	if (!isSynchronizationId(id)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${id}" is not a ${label.toLowerCase()} ID`,
			`A ${label.toLowerCase()} ID is made of letters, digits, dots, dashes and underscores, e.g. ${example}. ${where}`,
		);
	}
	return id;
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

/** What a failed call about a service principal's synchronization was about, so the error says what to fix. */
export function servicePrincipalFailure(
	access: AccessName,
	connection: GraphConnection,
	servicePrincipal: ResolvedTarget,
	itemIndex?: number,
): FailureContext & { itemIndex?: number } {
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
): FailureContext & { itemIndex?: number } {
	return {
		...servicePrincipalFailure(access, connection, servicePrincipal, itemIndex),
		subject: `provisioning job ${jobId} on service principal ${servicePrincipal.objectId}`,
		notFoundHint: `Check the job: pick it from the list (Job › List shows the service principal's jobs; a deleted job is gone). Check the service principal too: ${servicePrincipalNotFoundHint(servicePrincipal)}`,
	};
}

/** Every page of a Graph collection, following @odata.nextLink (which transport keeps on the same Graph). */
export async function listAll<T>(
	ctx: GraphFunctions,
	connection: GraphConnection,
	path: string,
	settings: RequestSettings,
	failure: FailureContext & { itemIndex?: number },
): Promise<T[]> {
	const all: T[] = [];
	let request: GraphRequest = { method: 'GET', path };
	for (;;) {
		const page = await graphListPage<T>(ctx, connection, request, settings, failure);
		all.push(...page.value);
		if (!page.nextLink) return all;
		request = { method: 'GET', url: page.nextLink };
	}
}

/** The job-level call most job operations make: read the job, resolve the service principal, send one request. */
export async function callJob<T = unknown>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
	call: {
		method: 'GET' | 'POST' | 'DELETE';
		/** Path below the job, e.g. `start` or `schema/parseExpression`; none for the job itself */
		action?: string;
		body?: IDataObject;
		access: AccessName;
		/** Safe to repeat after a dropped connection */
		idempotent: boolean;
		/** Waited for after validation, right before the request */
		pacer?: RequestPacer;
	},
): Promise<{ servicePrincipal: ResolvedTarget; jobId: string; response: GraphResponse<T> }> {
	const jobId = readSynchronizationId(ctx, itemIndex, 'job');
	const settings = readRequestSettings(ctx, itemIndex, call.idempotent);
	const servicePrincipal = await resolveServicePrincipal(ctx, itemIndex, context, settings);
	const jobPath = graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}`;
	await call.pacer?.next();
	const response = await graphRequest<T>(
		ctx,
		context.connection,
		{ method: call.method, path: jobPath + (call.action ?? '').split('/').filter(Boolean).map((segment) => graphPath`/${segment}`).join(''), body: call.body },
		settings,
		jobFailure(call.access, context.connection, servicePrincipal, jobId, itemIndex),
	);
	return { servicePrincipal, jobId, response };
}

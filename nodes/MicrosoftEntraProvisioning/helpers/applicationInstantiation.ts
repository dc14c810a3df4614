import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { graphPath, graphRequest, type GraphConnection, type RequestSettings } from '../transport';
import type { AppRole } from './applicationGallery';
import { invalidInput, itemParameters } from './itemParameters';

/** Entra's limit for an application's displayName. */
const MAX_DISPLAY_NAME_LENGTH = 256;
export const DEFAULT_REPLICATION_WAIT_SECONDS = 120;
export const MAX_REPLICATION_WAIT_SECONDS = 600;
/** The first check comes soon (replication often takes seconds), later ones further apart. */
const FIRST_CHECK_MS = 1000;
const MAX_CHECK_INTERVAL_MS = 10_000;

export interface ApplicationServicePrincipal {
	application?: IDataObject & { id?: string; appId?: string };
	servicePrincipal?: IDataObject & { id?: string; appId?: string; appRoles?: AppRole[] };
}

/** The new app's Display Name and how long to wait for it to replicate, checked */
export function readInstantiation(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { displayName: string; waitSeconds: number } {
	const [rawName, rawWait] = itemParameters(ctx, itemIndex, [
		{ name: 'displayName', fallback: '' },
		{ name: 'replicationWaitSeconds', fallback: DEFAULT_REPLICATION_WAIT_SECONDS },
	]);
	const displayName = typeof rawName === 'string' ? rawName.trim() : '';
	if (displayName === '' || displayName.length > MAX_DISPLAY_NAME_LENGTH) {
		invalidInput(
			ctx,
			itemIndex,
			`Display Name must be a text of 1 to ${MAX_DISPLAY_NAME_LENGTH} characters`,
			'Enter the name the new enterprise application gets, e.g. Contoso Payroll.',
		);
	}
	const waitSeconds = Number(rawWait);
	if (
		!Number.isFinite(waitSeconds) ||
		waitSeconds < 0 ||
		waitSeconds > MAX_REPLICATION_WAIT_SECONDS
	) {
		invalidInput(
			ctx,
			itemIndex,
			`Replication Wait must be from 0 to ${MAX_REPLICATION_WAIT_SECONDS} seconds`,
			`Set Replication Wait (Seconds), e.g. ${DEFAULT_REPLICATION_WAIT_SECONDS}.`,
		);
	}
	return { displayName, waitSeconds };
}

/** The application and service principal Graph's answer holds, or an error telling the admin to look before retrying */
export function createdObjects(
	ctx: IExecuteFunctions,
	body: ApplicationServicePrincipal | undefined,
	itemIndex: number,
): Required<ApplicationServicePrincipal> & { applicationId: string; servicePrincipalId: string } {
	const { application, servicePrincipal } = body ?? {};
	const [applicationId, servicePrincipalId] = [application?.id, servicePrincipal?.id];
	if (!application || !applicationId || !servicePrincipal || !servicePrincipalId) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Graph answered instantiate without the new application and service principal',
			{
				description:
					'Look the app up in the admin center (Enterprise applications, by its display name) before trying again, so it is not added twice.',
				itemIndex,
			},
		);
	}
	return { application, servicePrincipal, applicationId, servicePrincipalId };
}

function isNotFound(error: unknown): boolean {
	return String((error as { httpCode?: unknown }).httpCode) === '404';
}

/**
 * Reads the new service principal until Graph answers, with growing pauses, for at most `budgetMs`. Returns how long
 * that took; fails the item, naming the new objects, when it never answers.
 */
export async function waitForReplication(
	ctx: IExecuteFunctions,
	connection: GraphConnection,
	settings: RequestSettings,
	servicePrincipalId: string,
	budgetMs: number,
	itemIndex: number,
): Promise<number> {
	const started = Date.now();
	// This loop is the replication wait; the transport's own 404 retries would only stretch it.
	const once = { ...connection, retryWhileReplicating: false };
	const reading = { ...settings, idempotent: true };
	for (let pause = FIRST_CHECK_MS; ; pause = Math.min(pause * 2, MAX_CHECK_INTERVAL_MS)) {
		try {
			await graphRequest(
				ctx,
				once,
				{
					method: 'GET',
					path: graphPath`/servicePrincipals/${servicePrincipalId}`,
					qs: { $select: 'id' },
				},
				reading,
				{
					access: 'instantiateApplicationTemplate',
					delegated: connection.delegated,
					subject: `new service principal ${servicePrincipalId}`,
					itemIndex,
				},
			);
			return Date.now() - started;
		} catch (error) {
			if (!isNotFound(error)) {
				throw error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
			}
		}
		const left = started + budgetMs - Date.now();
		if (left <= 0) {
			throw new NodeOperationError(
				ctx.getNode(),
				`The new service principal ${servicePrincipalId} did not answer Graph within ${Math.round(budgetMs / 1000)} s`,
				{
					description: `The app was created, but Entra has not finished replicating it. Do not instantiate again (that adds a second app): use servicePrincipalId ${servicePrincipalId} a little later, or raise Replication Wait (Seconds).`,
					itemIndex,
				},
			);
		}
		await sleep(Math.min(pause, left));
	}
}

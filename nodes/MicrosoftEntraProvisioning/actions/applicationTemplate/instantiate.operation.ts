import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { applicationTemplateProperties } from '../../descriptions/applicationGallery';
import { type AppRole, readApplicationTemplateId } from '../../helpers/applicationGallery';
import { invalidInput, itemParameters, readRequestSettings } from '../../helpers/itemParameters';
import {
	graphPath,
	graphRequest,
	type GraphConnection,
	type RequestSettings,
} from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['applicationTemplate'], operation: ['instantiate'] };

/** Entra's limit for an application's displayName. */
const MAX_DISPLAY_NAME_LENGTH = 256;
const DEFAULT_REPLICATION_WAIT_SECONDS = 120;
const MAX_REPLICATION_WAIT_SECONDS = 600;
/** The first check comes soon (replication often takes seconds), later ones further apart. */
const FIRST_CHECK_MS = 1000;
const MAX_CHECK_INTERVAL_MS = 10_000;

export const description: INodeProperties[] = [
	...applicationTemplateProperties(
		show,
		'The gallery app to add to the tenant; the list searches the gallery by name',
	),
	{
		displayName: 'Display Name',
		name: 'displayName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Contoso Payroll',
		displayOptions: { show },
		description: 'The name of the new enterprise application (and its app registration)',
	},
	{
		displayName: 'Replication Wait (Seconds)',
		name: 'replicationWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_REPLICATION_WAIT_SECONDS },
		default: DEFAULT_REPLICATION_WAIT_SECONDS,
		displayOptions: { show },
		description:
			'How long to wait for the new service principal to answer Graph before the item fails; 0 returns right after Graph creates it. Until then, calls about it (creating a job, assigning a group) get 404.',
	},
];

interface ApplicationServicePrincipal {
	application?: IDataObject & { id?: string; appId?: string };
	servicePrincipal?: IDataObject & { id?: string; appId?: string; appRoles?: AppRole[] };
}

/**
 * Adds a gallery app to the tenant (POST /applicationTemplates/{id}/instantiate {displayName}); Graph answers 201
 * with an applicationServicePrincipal: the new application and its service principal. The new objects answer 404
 * for a while (directory replication), so the operation then reads the service principal until it answers, within
 * Replication Wait, so the next node can use it at once.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const templateId = readApplicationTemplateId(this, itemIndex);
	const [rawName, rawWait] = itemParameters(this, itemIndex, [
		{ name: 'displayName', fallback: '' },
		{ name: 'replicationWaitSeconds', fallback: DEFAULT_REPLICATION_WAIT_SECONDS },
	]);
	const displayName = typeof rawName === 'string' ? rawName.trim() : '';
	if (displayName === '' || displayName.length > MAX_DISPLAY_NAME_LENGTH) {
		invalidInput(
			this,
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
			this,
			itemIndex,
			`Replication Wait must be from 0 to ${MAX_REPLICATION_WAIT_SECONDS} seconds`,
			`Set Replication Wait (Seconds), e.g. ${DEFAULT_REPLICATION_WAIT_SECONDS}.`,
		);
	}
	// Not idempotent: a repeated POST after a dropped connection would add a second app.
	const settings = readRequestSettings(this, itemIndex, false);
	const failure = {
		access: 'instantiateApplicationTemplate' as const,
		delegated: context.connection.delegated,
		subject: `application template ${templateId}`,
		notFoundHint: 'Pick the app from the list, or find its ID with Application Template › Search.',
		itemIndex,
	};
	const response = await graphRequest<ApplicationServicePrincipal>(
		this,
		context.connection,
		{
			method: 'POST',
			path: graphPath`/applicationTemplates/${templateId}/instantiate`,
			body: { displayName },
		},
		settings,
		failure,
	);
	const { application, servicePrincipal } = response.body ?? {};
	if (!application?.id || !servicePrincipal?.id) {
		throw new NodeOperationError(
			this.getNode(),
			'Graph answered instantiate without the new application and service principal',
			{
				description:
					'Look the app up in the admin center (Enterprise applications, by its display name) before trying again, so it is not added twice.',
				itemIndex,
			},
		);
	}
	const waitedMs =
		waitSeconds > 0
			? await waitForReplication(
					this,
					context.connection,
					settings,
					servicePrincipal.id,
					waitSeconds * 1000,
					itemIndex,
				)
			: null;
	return {
		applicationTemplateId: templateId,
		displayName,
		applicationObjectId: application.id,
		appId: servicePrincipal.appId ?? application.appId ?? null,
		servicePrincipalId: servicePrincipal.id,
		appRoles: (servicePrincipal.appRoles ?? []) as unknown as IDataObject[],
		replicated: waitedMs !== null,
		replicationWaitMs: waitedMs,
		graphStatus: response.status,
		requestId: response.requestId ?? null,
		application,
		servicePrincipal,
	};
}

function isNotFound(error: unknown): boolean {
	return String((error as { httpCode?: unknown }).httpCode) === '404';
}

/**
 * Reads the new service principal until Graph answers, with growing pauses, for at most `budgetMs`. Returns how long
 * that took; fails the item, naming the new objects, when it never answers.
 */
async function waitForReplication(
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

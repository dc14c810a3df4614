import type { IDataObject } from 'n8n-workflow';

import {
	readPages,
	type GraphConnection,
	type GraphFunctions,
	type RequestSettings,
} from '../transport';
import type { FailureContext } from '../transport/errors';

/** Where Graph keeps them: GET /auditLogs/provisioning (provisioningObjectSummary), newest first. */
export const PROVISIONING_LOG_PATH = '/auditLogs/provisioning';

/**
 * Entries asked for per page when reading many. Graph pages this collection with $top and $skiptoken and
 * documents no larger page; 500 keeps an answer well under a megabyte for entries with many steps.
 */
export const LOG_PAGE_SIZE = 500;

/** provisioningStatusInfo.status: the outcomes Graph reports, with what each means to an admin. */
export const PROVISIONING_STATUSES = {
	success: { displayName: 'Success', description: 'The change was applied' },
	failure: {
		displayName: 'Failure',
		description: 'The change failed; the entry says why and what to do',
	},
	skipped: {
		displayName: 'Skipped',
		description: 'Nothing was done, e.g. the object is out of scope',
	},
	warning: { displayName: 'Warning', description: 'Applied with a problem worth a look' },
} as const;

export type ProvisioningStatus = keyof typeof PROVISIONING_STATUSES;

/** provisioningAction values, as Graph filters them (case-sensitive). */
export const PROVISIONING_ACTIONS = {
	create: 'Create',
	update: 'Update',
	delete: 'Delete',
	stagedDelete: 'Staged Delete',
	disable: 'Disable',
	other: 'Other',
} as const;

/** The Graph spelling of each action value in $filter. */
export const ACTION_FILTER_VALUES: Record<keyof typeof PROVISIONING_ACTIONS, string> = {
	create: 'create',
	update: 'update',
	delete: 'delete',
	stagedDelete: 'stageddelete',
	disable: 'disable',
	other: 'other',
};

export function isProvisioningStatus(value: unknown): value is ProvisioningStatus {
	return (
		typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROVISIONING_STATUSES, value)
	);
}

interface Identity {
	id?: string | null;
	displayName?: string | null;
	identityType?: string | null;
	details?: Record<string, unknown> | null;
}

/** The parts of a provisioningObjectSummary the node reads; everything else stays in the raw object. */
export interface ProvisioningObjectSummary {
	id: string;
	activityDateTime?: string;
	jobId?: string;
	cycleId?: string;
	changeId?: string;
	provisioningAction?: string;
	durationInMilliseconds?: number;
	servicePrincipal?: { id?: string; displayName?: string } | null;
	sourceSystem?: { displayName?: string } | null;
	targetSystem?: { displayName?: string } | null;
	sourceIdentity?: Identity | null;
	targetIdentity?: Identity | null;
	provisioningStatusInfo?: {
		status?: string;
		errorInformation?: {
			errorCode?: string | null;
			reason?: string | null;
			additionalDetails?: string | null;
			errorCategory?: string | null;
			recommendedAction?: string | null;
		} | null;
	} | null;
	provisioningSteps?: Array<{
		name?: string;
		provisioningStepType?: string;
		status?: string;
		description?: string;
	}> | null;
	modifiedProperties?: Array<{
		displayName?: string;
		oldValue?: string | null;
		newValue?: string | null;
	}> | null;
}

function userPrincipalName(identity: Identity | null | undefined): string | null {
	const details = identity?.details ?? {};
	const value = details.UserPrincipalName ?? details.userPrincipalName;
	return typeof value === 'string' ? value : null;
}

/** The status in Graph's lower-case spelling (older entries answer e.g. "Success"). */
export function statusOf(entry: ProvisioningObjectSummary): string | null {
	const status = entry.provisioningStatusInfo?.status;
	return typeof status === 'string' ? status.toLowerCase() : null;
}

/** One entry as an admin reads it: when, what, the result and why, who; Graph's object under provisioningLog. */
export function flattenLogEntry(entry: ProvisioningObjectSummary): IDataObject {
	const error = entry.provisioningStatusInfo?.errorInformation ?? null;
	return {
		logId: entry.id,
		activityDateTime: entry.activityDateTime ?? null,
		action: entry.provisioningAction ?? null,
		status: statusOf(entry),
		errorCode: error?.errorCode ?? null,
		reason: error?.reason ?? null,
		recommendedAction: error?.recommendedAction ?? null,
		errorCategory: error?.errorCategory ?? null,
		sourceId: entry.sourceIdentity?.id ?? null,
		sourceDisplayName: entry.sourceIdentity?.displayName || null,
		sourceType: entry.sourceIdentity?.identityType ?? null,
		sourceSystem: entry.sourceSystem?.displayName ?? null,
		targetId: entry.targetIdentity?.id || null,
		targetDisplayName: entry.targetIdentity?.displayName || null,
		targetUserPrincipalName: userPrincipalName(entry.targetIdentity),
		targetSystem: entry.targetSystem?.displayName ?? null,
		jobId: entry.jobId ?? null,
		servicePrincipalId: entry.servicePrincipal?.id ?? null,
		servicePrincipalDisplayName: entry.servicePrincipal?.displayName ?? null,
		cycleId: entry.cycleId ?? null,
		changeId: entry.changeId ?? null,
		durationInMilliseconds: entry.durationInMilliseconds ?? null,
		steps: (entry.provisioningSteps ?? []).map((step) => ({
			name: step.name ?? null,
			type: step.provisioningStepType ?? null,
			status: step.status ?? null,
			description: step.description ?? null,
		})),
		modifiedProperties: (entry.modifiedProperties ?? []).map((property) => ({
			name: property.displayName ?? null,
			oldValue: property.oldValue ?? null,
			newValue: property.newValue ?? null,
		})),
		provisioningLog: entry as unknown as IDataObject,
	};
}

export function logFailure(connection: GraphConnection, itemIndex?: number): FailureContext {
	return {
		access: 'readProvisioningLogs',
		delegated: connection.delegated,
		subject: 'provisioning logs',
		itemIndex,
	};
}

/**
 * Reads entries matching `filter`, newest first, page by page until `limit` entries (all when undefined). Returns the
 * entries and how many Graph calls that took.
 */
export async function readLogEntries(
	ctx: GraphFunctions,
	connection: GraphConnection,
	filter: string | undefined,
	limit: number | undefined,
	settings: RequestSettings,
	failure: FailureContext,
): Promise<{ entries: ProvisioningObjectSummary[]; calls: number }> {
	const top = limit === undefined ? LOG_PAGE_SIZE : Math.min(limit, LOG_PAGE_SIZE);
	const { value, calls } = await readPages<ProvisioningObjectSummary>(
		ctx,
		connection,
		{
			method: 'GET',
			path: PROVISIONING_LOG_PATH,
			qs: { ...(filter ? { $filter: filter } : {}), $top: top },
		},
		settings,
		failure,
		limit,
	);
	return { entries: value, calls };
}

import type { IExecuteFunctions } from 'n8n-workflow';

import { GUID_PATTERN, isSynchronizationId } from '../../../lib/graphIdentifiers';
import { odataDateTime, odataString } from '../transport/odata';
import { invalidInput, readMoment } from './itemParameters';
import {
	ACTION_FILTER_VALUES,
	isProvisioningStatus,
	PROVISIONING_ACTIONS,
	PROVISIONING_STATUSES,
} from './provisioningLogs';

const GUID = new RegExp(GUID_PATTERN);

export interface Filters {
	action?: unknown;
	after?: unknown;
	before?: unknown;
	changeId?: unknown;
	cycleId?: unknown;
	jobId?: unknown;
	servicePrincipalId?: unknown;
	sourceId?: unknown;
	status?: unknown;
	targetId?: unknown;
}

function text(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	const trimmed = String(value).trim();
	return trimmed === '' ? undefined : trimmed;
}

/** The item's filters as Graph's $filter, checked and escaped before any request. */
export function readLogFilter(
	ctx: IExecuteFunctions,
	itemIndex: number,
	filters: Filters,
): string | undefined {
	const clauses = [
		...jobClauses(ctx, itemIndex, filters),
		...outcomeClauses(ctx, itemIndex, filters),
		...timeClauses(ctx, itemIndex, filters),
		...identifierClauses(ctx, itemIndex, filters),
	];
	return clauses.length > 0 ? clauses.join(' and ') : undefined;
}

/** The job and the service principal the entries belong to */
function jobClauses(ctx: IExecuteFunctions, itemIndex: number, filters: Filters): string[] {
	const clauses: string[] = [];
	const jobId = text(filters.jobId);
	if (jobId !== undefined) {
		if (!isSynchronizationId(jobId)) {
			invalidInput(
				ctx,
				itemIndex,
				`"${jobId}" is not a job ID`,
				'A job ID is made of letters, digits, dots, dashes and underscores, e.g. API2AAD.0f1e….<tenant ID>. Job › List shows them.',
			);
		}
		clauses.push(`jobId eq ${odataString(jobId)}`);
	}
	const servicePrincipalId = text(filters.servicePrincipalId);
	if (servicePrincipalId !== undefined) {
		if (!GUID.test(servicePrincipalId)) {
			invalidInput(
				ctx,
				itemIndex,
				'The Service Principal Object ID is not a GUID',
				"Copy the enterprise application's Object ID from its Overview page, e.g. 6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60.",
			);
		}
		clauses.push(`servicePrincipal/id eq ${odataString(servicePrincipalId.toLowerCase())}`);
	}
	return clauses;
}

/** What the service did and how it ended */
function outcomeClauses(ctx: IExecuteFunctions, itemIndex: number, filters: Filters): string[] {
	const clauses: string[] = [];
	if (filters.status !== undefined && filters.status !== '') {
		if (!isProvisioningStatus(filters.status)) {
			invalidInput(
				ctx,
				itemIndex,
				`"${String(filters.status)}" is not a provisioning status`,
				`Choose one of: ${Object.keys(PROVISIONING_STATUSES).join(', ')}.`,
			);
		}
		clauses.push(`provisioningStatusInfo/status eq ${odataString(filters.status)}`);
	}
	if (filters.action !== undefined && filters.action !== '') {
		const action = ACTION_FILTER_VALUES[filters.action as keyof typeof ACTION_FILTER_VALUES];
		if (!Object.prototype.hasOwnProperty.call(ACTION_FILTER_VALUES, String(filters.action))) {
			invalidInput(
				ctx,
				itemIndex,
				`"${String(filters.action)}" is not a provisioning action`,
				`Choose one of: ${Object.values(PROVISIONING_ACTIONS).join(', ')}.`,
			);
		}
		clauses.push(`provisioningAction eq ${odataString(action)}`);
	}
	return clauses;
}

/** After and Before, the first earlier than the second */
function timeClauses(ctx: IExecuteFunctions, itemIndex: number, filters: Filters): string[] {
	const clauses: string[] = [];
	const after = readMoment(ctx, itemIndex, filters.after, 'After');
	const before = readMoment(ctx, itemIndex, filters.before, 'Before');
	if (after && before && after >= before) {
		invalidInput(
			ctx,
			itemIndex,
			'After must be earlier than Before',
			'Swap the two moments, or clear one of them.',
		);
	}
	if (after) clauses.push(`activityDateTime gt ${odataDateTime(after)}`);
	if (before) clauses.push(`activityDateTime lt ${odataDateTime(before)}`);
	return clauses;
}

/** The source, target, change and cycle IDs, as the provisioning log shows them */
function identifierClauses(ctx: IExecuteFunctions, itemIndex: number, filters: Filters): string[] {
	const clauses: string[] = [];
	for (const [name, property, label] of [
		['sourceId', 'sourceIdentity/id', 'Source ID'],
		['targetId', 'targetIdentity/id', 'Target ID'],
		['changeId', 'changeId', 'Change ID'],
		['cycleId', 'cycleId', 'Cycle ID'],
	] as const) {
		const value = text(filters[name]);
		if (value === undefined) continue;
		if (/[\u0000-\u001f]/.test(value)) {
			invalidInput(
				ctx,
				itemIndex,
				`${label} holds a control character`,
				`Give the ${label} as it appears in the provisioning log, without line breaks or tabs.`,
			);
		}
		clauses.push(`${property} eq ${odataString(value)}`);
	}
	return clauses;
}

import type { IDataObject } from 'n8n-workflow';

import { flattenLogEntry, statusOf, type ProvisioningObjectSummary } from './provisioningLogs';

/** Worst first: an employee with any failed entry failed, whatever else happened to them. */
const STATUS_SEVERITY = ['failure', 'warning', 'skipped', 'success'];

function severity(entry: ProvisioningObjectSummary): number {
	const index = STATUS_SEVERITY.indexOf(statusOf(entry) ?? '');
	return index === -1 ? STATUS_SEVERITY.length : index;
}

const byTime = (a: ProvisioningObjectSummary, b: ProvisioningObjectSummary) =>
	String(a.activityDateTime ?? '').localeCompare(String(b.activityDateTime ?? ''));

/**
 * The outcome of one employee from their log entries since the upload: processed with the result, or pending.
 * One upload can give an employee several entries (e.g. created, then updated once the manager is resolved): the
 * action is the first one's, the status the worst one's, and the error and steps those of the entry that decided it.
 */
export function employeeOutcome(entries: ProvisioningObjectSummary[]): IDataObject {
	if (entries.length === 0) {
		return {
			outcome: 'pending',
			status: null,
			action: null,
			errorCode: null,
			reason: null,
			recommendedAction: null,
			logEntries: 0,
			logIds: [],
		};
	}
	const ordered = [...entries].sort(byTime);
	const worst = Math.min(...ordered.map(severity));
	const deciding =
		ordered.filter((entry) => severity(entry) === worst).at(-1) ?? ordered[ordered.length - 1];
	const withTarget = [...ordered].reverse().find((entry) => entry.targetIdentity?.id);
	const flat = flattenLogEntry(deciding);
	const target = withTarget ? flattenLogEntry(withTarget) : flat;
	return {
		outcome: 'processed',
		status: flat.status,
		action: ordered[0].provisioningAction ?? null,
		activityDateTime: flat.activityDateTime,
		errorCode: flat.errorCode,
		reason: flat.reason,
		recommendedAction: flat.recommendedAction,
		targetId: target.targetId,
		targetDisplayName: target.targetDisplayName,
		targetUserPrincipalName: target.targetUserPrincipalName,
		steps: flat.steps,
		logEntries: ordered.length,
		logIds: ordered.map((entry) => entry.id),
	};
}

/** Entries of the wanted source IDs (the employees' externalIds), grouped by it, each entry once. */
export function entriesBySource(
	entries: ProvisioningObjectSummary[],
	wanted: Set<string>,
): Map<string, ProvisioningObjectSummary[]> {
	const grouped = new Map<string, ProvisioningObjectSummary[]>();
	const seen = new Set<string>();
	for (const entry of entries) {
		const sourceId = entry.sourceIdentity?.id;
		if (typeof sourceId !== 'string' || !wanted.has(sourceId) || seen.has(entry.id)) continue;
		seen.add(entry.id);
		grouped.set(sourceId, [...(grouped.get(sourceId) ?? []), entry]);
	}
	return grouped;
}

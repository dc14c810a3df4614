import type { IDataObject } from 'n8n-workflow';

import {
	flattenLogEntry,
	logFailure,
	odataDateTime,
	odataString,
	PROVISIONING_STATUSES,
	readLogEntries,
	type GraphConnection,
	type GraphFunctions,
	type ProvisioningObjectSummary,
	type ProvisioningStatus,
	type RequestSettings,
} from '../MicrosoftEntraProvisioning/sharedWithTrigger';

/** The trigger's event for entries of the provisioning logs, besides the job events. */
export const PROVISIONING_FAILURES_EVENT = 'provisioningFailures';

/** The statuses the event can report; success never is. */
export const REPORTABLE_STATUSES = [
	'failure',
	'warning',
	'skipped',
] as const satisfies readonly ProvisioningStatus[];
export type ReportableStatus = (typeof REPORTABLE_STATUSES)[number];

export function isReportableStatus(value: unknown): value is ReportableStatus {
	return (REPORTABLE_STATUSES as readonly unknown[]).includes(value);
}

export const REPORTABLE_STATUS_OPTIONS = REPORTABLE_STATUSES.map((status) => ({
	name: PROVISIONING_STATUSES[status].displayName,
	value: status,
	description: PROVISIONING_STATUSES[status].description,
}));

/**
 * Microsoft puts 5 to 10 minutes between processing and the entry showing in the logs: each poll reads again the
 * last 15 minutes before the previous poll, and remembers the IDs it saw there so no entry is reported twice.
 */
export const LOG_OVERLAP_MS = 15 * 60_000;

/** What the trigger keeps of the logs in static data between polls (n8n persists it across restarts). */
export interface LogWatchMemory extends IDataObject {
	/** What is watched: a changed setting starts afresh instead of replaying */
	scope: string;
	/** The previous poll's time (ISO) */
	polledAt: string;
	/** Entries seen within the overlap: ID → activityDateTime */
	seen: Record<string, string>;
}

export interface LogWatch {
	servicePrincipalId: string;
	jobId?: string;
	statuses: ReportableStatus[];
}

export function logWatchScope(watch: LogWatch): string {
	return `${watch.servicePrincipalId}/${watch.jobId ?? '*'}/${[...watch.statuses].sort().join(',')}`;
}

function baseFilter(watch: LogWatch): string {
	return watch.jobId
		? `jobId eq ${odataString(watch.jobId)}`
		: `servicePrincipal/id eq ${odataString(watch.servicePrincipalId)}`;
}

/** Entries of the chosen statuses after `after`: one query per status, as Graph's $filter joins with and only. */
export async function readReportableEntries(
	ctx: GraphFunctions,
	connection: GraphConnection,
	watch: LogWatch,
	after: Date | undefined,
	limit: number | undefined,
	settings: RequestSettings,
): Promise<ProvisioningObjectSummary[]> {
	const entries: ProvisioningObjectSummary[] = [];
	for (const status of watch.statuses) {
		const clauses = [baseFilter(watch), `provisioningStatusInfo/status eq ${odataString(status)}`];
		if (after) clauses.push(`activityDateTime gt ${odataDateTime(after)}`);
		const page = await readLogEntries(
			ctx,
			connection,
			clauses.join(' and '),
			limit,
			settings,
			logFailure(connection),
		);
		entries.push(...page.entries);
	}
	return entries.sort((a, b) =>
		String(a.activityDateTime ?? '').localeCompare(String(b.activityDateTime ?? '')),
	);
}

/**
 * One poll of the logs: entries not reported before, oldest first, and the memory to keep. The first poll (or one
 * after the settings changed) reports nothing: it notes the entries already there, so none of them is replayed, and
 * shows a missing permission right when the workflow is activated.
 */
export async function pollProvisioningFailures(
	ctx: GraphFunctions,
	connection: GraphConnection,
	watch: LogWatch,
	memory: LogWatchMemory | undefined,
	settings: RequestSettings,
	now = new Date(),
): Promise<{ items: IDataObject[]; memory: LogWatchMemory }> {
	const scope = logWatchScope(watch);
	const known = memory?.scope === scope ? memory : undefined;
	const after = new Date((known ? Date.parse(known.polledAt) : now.getTime()) - LOG_OVERLAP_MS);
	const entries = await readReportableEntries(ctx, connection, watch, after, undefined, settings);
	const fresh = known ? entries.filter((entry) => known.seen[entry.id] === undefined) : [];
	// The next poll reads from this poll's time minus the overlap: what is older can be forgotten.
	const keepFrom = now.getTime() - LOG_OVERLAP_MS - 60_000;
	const seen: Record<string, string> = {};
	for (const [id, at] of Object.entries(known?.seen ?? {}))
		if (Date.parse(at) >= keepFrom) seen[id] = at;
	for (const entry of entries) seen[entry.id] = entry.activityDateTime ?? now.toISOString();
	return {
		items: fresh.map((entry) => ({
			event: PROVISIONING_FAILURES_EVENT,
			...flattenLogEntry(entry),
		})),
		memory: { scope, polledAt: now.toISOString(), seen },
	};
}

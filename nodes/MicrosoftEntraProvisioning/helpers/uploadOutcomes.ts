import type { IDataObject } from 'n8n-workflow';

import { describeRequiredAccess } from '../../../lib/permissions';
import {
	graphPath,
	graphRequest,
	type GraphConnection,
	type GraphFunctions,
	type RequestSettings,
} from '../transport';
import { odataDateTime } from '../transport/odata';
import { flattenLogEntry, statusOf, type ProvisioningObjectSummary } from './provisioningLogs';
import { jobFailure } from './servicePrincipalCalls';
import { isQuarantined, type SynchronizationJob } from './synchronizationJob';
import type { UploadStatus } from './uploadPlan';

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

/**
 * The moment Graph is asked for entries after, for an upload at `uploadedAt`: Graph compares activityDateTime with gt
 * only, to the second, so one second earlier keeps the upload's first second.
 */
export function logWindowStart(uploadedAt: Date): string {
	return odataDateTime(new Date(uploadedAt.getTime() - 1000));
}

/**
 * The entries of one employee's upload: those after the window start, compared as Graph compares them. One log query
 * reads a job's entries from its earliest upload; an employee uploaded later must not count an earlier upload's.
 */
export function entriesSince(
	entries: ProvisioningObjectSummary[],
	uploadedAt: Date,
): ProvisioningObjectSummary[] {
	const after = Date.parse(logWindowStart(uploadedAt));
	return entries.filter((entry) => Date.parse(String(entry.activityDateTime ?? '')) > after);
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

/**
 * Upload Users' `status` for an employee it did not send: Only What Changed found the employee unchanged, Preview Only
 * sent nothing, or a later item with the same externalId was sent instead. The provisioning logs have nothing new on
 * them, so they are reported as such without a query.
 */
export const NOT_SENT_STATUSES: Record<Exclude<UploadStatus, 'sent'>, string> = {
	unchanged:
		'Not sent: unchanged since Graph last accepted this employee (Upload Users › Upload Options › Only What Changed). Nothing to check; Forget What Was Sent sends everyone again.',
	preview:
		'Not sent: Upload Users ran with Upload Options › Preview Only. Turn Preview Only off to send the employee.',
	superseded:
		"Not sent: a later item with the same externalId was sent in this one's place (its outcome is this employee's).",
};

export type NotSentStatus = keyof typeof NOT_SENT_STATUSES;

export function isNotSentStatus(value: unknown): value is NotSentStatus {
	return (
		typeof value === 'string' && Object.prototype.hasOwnProperty.call(NOT_SENT_STATUSES, value)
	);
}

/**
 * Graph's quarantineReason values (synchronizationQuarantine) whose names say the cause, with what an admin does about
 * it before starting the job again (Start clears a quarantine). Unknown and IngestionInterrupted say none: for them
 * the message points at the quarantine's own error.
 */
const QUARANTINE_ADVICE: Record<string, string> = {
	EncounteredBaseEscrowThreshold:
		'Too many entries failed: read the failures (Provisioning Log › Get Many, Status Failure) and fix their cause, often an attribute mapping',
	EncounteredTotalEscrowThreshold:
		'Too many entries failed: read the failures (Provisioning Log › Get Many, Status Failure) and fix their cause, often an attribute mapping',
	EncounteredEscrowProportionThreshold:
		'Too large a share of the entries failed: read the failures (Provisioning Log › Get Many, Status Failure) and fix their cause, often an attribute mapping',
	EncounteredQuarantineException:
		'The provisioning service met an error it cannot get past: fix what the quarantine error names',
	QuarantinedOnDemand: 'An administrator put the job in quarantine: ask why before lifting it',
	TooManyDeletes:
		"The job would delete more accounts than its accidental-deletion threshold allows: review the deletions it holds back, then carry them out (Job › Restart, Reset Scope Force Deletes) or raise the job's QuarantineTooManyDeletesThreshold setting",
};

const START_IT =
	"start it (Job › Start, or Start provisioning on the app's Provisioning page in the admin center): it then processes the held uploads within minutes";

/** Why a job that is not running holds the uploads it accepted, and what to do; Graph's status code → sentence. */
const HOLDING_JOB: Record<string, string> = {
	NotConfigured:
		'The job is not configured: it holds this upload. Save its connection settings (Secrets › Save), then ' +
		START_IT +
		'.',
	NotRun: `The job has never been started: it holds this upload. To provision it, ${START_IT}.`,
	Paused: `The job is paused: it holds this upload and keeps its progress. To provision it, ${START_IT}.`,
};

/** A job's state as the employees it holds report it: can it process their upload now, and what they carry. */
export interface JobState {
	/** False when the job provisions nothing now: paused, in quarantine, never started, not configured, or gone */
	canProcess: boolean;
	/** False when the credential may not read the job, so it is not asked again */
	readable: boolean;
	/** jobState (Graph's status code, NotFound when the job is gone, null when unreadable), details and message */
	fields: IDataObject;
}

function jobStateFields(job: SynchronizationJob): JobState {
	const code = job.status?.code ?? null;
	const quarantine = job.status?.quarantine ?? null;
	const run = job.status?.lastExecution ?? null;
	const details = {
		jobState: isQuarantined(job) ? 'Quarantine' : code,
		jobQuarantineReason: quarantine?.reason ?? null,
		jobLastRunState: run?.state ?? null,
		jobLastRunEnded: run?.timeEnded && !run.timeEnded.startsWith('0001-') ? run.timeEnded : null,
	};
	if (isQuarantined(job)) {
		const reason = quarantine?.reason ?? 'Unknown';
		const error = quarantine?.error?.message;
		const advice =
			QUARANTINE_ADVICE[reason] ??
			'Read the quarantine error on the job (Job › Get) and fix its cause';
		return {
			canProcess: false,
			readable: true,
			fields: {
				...details,
				message: `The job is in quarantine (${reason}${error ? `: ${error}` : ''}): it holds this upload, and the service tries the job less and less often, down to once a day. ${advice}; then ${START_IT}.`,
			},
		};
	}
	if (code !== null && code !== 'Active') {
		return {
			canProcess: false,
			readable: true,
			fields: {
				...details,
				message:
					HOLDING_JOB[code] ??
					`The job's state is ${code}: it processes uploads only while Active. To provision it, ${START_IT}.`,
			},
		};
	}
	return {
		canProcess: true,
		readable: true,
		fields: {
			...details,
			message:
				'The job is running and has not processed this employee yet: Microsoft processes an upload within minutes. Check again later (a Wait node, then this operation on its own output).',
		},
	};
}

/**
 * The job's state (GET …/synchronization/jobs/{id}), read once per job for the employees it has not processed yet. A
 * credential without a permission to read jobs (API-driven provisioning needs none) still gets its outcomes: the
 * employees stay pending and say which permission would show the job's state. A job Graph no longer finds was deleted:
 * it will never process the upload.
 */
export async function readJobState(
	ctx: GraphFunctions,
	connection: GraphConnection,
	servicePrincipalId: string,
	jobId: string,
	settings: RequestSettings,
	itemIndex: number,
): Promise<JobState> {
	const servicePrincipal = { type: 'servicePrincipal' as const, objectId: servicePrincipalId };
	const { status, body } = await graphRequest<SynchronizationJob>(
		ctx,
		connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipalId}/synchronization/jobs/${jobId}`,
			answerStatuses: [403, 404],
		},
		settings,
		jobFailure('readSynchronizationJobs', connection, servicePrincipal, jobId, itemIndex),
	);
	if (status === 404) {
		return {
			canProcess: false,
			readable: true,
			fields: {
				jobState: 'NotFound',
				message: `Graph finds no job ${jobId} on service principal ${servicePrincipalId}: it was deleted (or the IDs are not the upload's), so this upload will never be processed. Upload the employee again to an existing API-driven inbound provisioning job.`,
			},
		};
	}
	if (status === 403) {
		return {
			canProcess: true,
			readable: false,
			fields: {
				jobState: null,
				message: `Not processed yet, and the job's state could not be read to say why (a paused, quarantined or never-started job holds uploads). ${describeRequiredAccess('readSynchronizationJobs', connection.delegated)}`,
			},
		};
	}
	return jobStateFields(body);
}

import {
	isQuarantined,
	lastRunHadIssues,
	lastRunId,
	type SynchronizationJob,
} from '../MicrosoftEntraProvisioning/sharedWithTrigger';

/** What the trigger remembers of a job between polls: enough to tell what changed, nothing more. */
export interface JobSnapshot {
	statusCode: string | null;
	quarantined: boolean;
	lastRunId: string | null;
}

export function snapshotOf(job: SynchronizationJob): JobSnapshot {
	return {
		statusCode: job.status?.code ?? null,
		quarantined: isQuarantined(job),
		lastRunId: lastRunId(job),
	};
}

/** A job that appeared since the last poll is compared with this: no status, no quarantine, no run. */
const UNSEEN: JobSnapshot = { statusCode: null, quarantined: false, lastRunId: null };

/** The changes the trigger reports, each decided from what was seen before and the job now. */
export const JOB_EVENTS = {
	quarantineEntered: {
		displayName: 'Entered Quarantine',
		description: 'The provisioning service stopped the job after repeated failures',
		happened: (before: JobSnapshot, now: JobSnapshot) => !before.quarantined && now.quarantined,
	},
	quarantineLeft: {
		displayName: 'Left Quarantine',
		description: 'The job is out of quarantine (started, restarted, or a run succeeded)',
		happened: (before: JobSnapshot, now: JobSnapshot) => before.quarantined && !now.quarantined,
	},
	runFinishedWithIssues: {
		displayName: 'Run Finished with Escrows or Errors',
		description:
			'A provisioning cycle ended with entries in escrow (failed objects) or with an error',
		happened: (before: JobSnapshot, now: JobSnapshot, job: SynchronizationJob) =>
			now.lastRunId !== null && now.lastRunId !== before.lastRunId && lastRunHadIssues(job),
	},
	statusChanged: {
		displayName: 'Status Changed',
		description: "The job's status code changed (e.g. Active → Paused), or a new job appeared",
		happened: (before: JobSnapshot, now: JobSnapshot) => before.statusCode !== now.statusCode,
	},
} as const;

export type JobEvent = keyof typeof JOB_EVENTS;

export function isJobEvent(value: unknown): value is JobEvent {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(JOB_EVENTS, value);
}

/** Which of the wanted events happened to the job since it was seen as `before` (undefined: not seen before). */
export function eventsSince(
	before: JobSnapshot | undefined,
	job: SynchronizationJob,
	wanted: JobEvent[],
): JobEvent[] {
	const now = snapshotOf(job);
	return wanted.filter((event) => JOB_EVENTS[event].happened(before ?? UNSEEN, now, job));
}

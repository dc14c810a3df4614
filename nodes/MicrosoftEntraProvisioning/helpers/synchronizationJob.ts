import type { IDataObject } from 'n8n-workflow';

/** Graph's synchronizationStatusCode (v1.0), with what each means to an admin. */
export const JOB_STATUS_CODES = {
	NotConfigured: 'Created, but the connection secrets are missing',
	NotRun: 'Configured, never started',
	Active: 'Running on its schedule',
	Paused: 'Paused; provisions nothing until started',
	Quarantine: 'Stopped by the provisioning service after repeated failures',
} as const;

function isJobStatusCode(code: unknown): code is keyof typeof JOB_STATUS_CODES {
	return typeof code === 'string' && Object.prototype.hasOwnProperty.call(JOB_STATUS_CODES, code);
}

/**
 * Graph's synchronizationJobRestartScope flags (v1.0), in Graph's order, with what each resets, in the words of
 * Microsoft's synchronizationJobRestartCriteria page. Full is ConnectorDataStore, Escrows, Watermark and
 * QuarantineState together.
 */
export const RESET_SCOPE_FLAGS = {
	None: 'Resets nothing: starts a paused or quarantined job. Microsoft says do not use it: use Job › Start instead',
	ConnectorDataStore:
		'Clears the cache the service keeps of every user in the target. Microsoft says do not use it without guidance from Microsoft Support',
	Escrows:
		'Clears the escrows: the provisioning failures the service would retry, so they are no longer retried',
	Watermark:
		'Clears the watermark: the next cycle is a full (initial) cycle that re-evaluates every user and group, not just the changes',
	QuarantineState:
		'Lifts the quarantine (for now: the service quarantines the job again if it keeps failing)',
	Full: 'All four above (Connector Data Store included): the job starts over as if new',
	ForceDeletes:
		'Carries out the deletions that exceeded the accidental-deletion threshold and were held back',
} as const;

export type ResetScopeFlag = keyof typeof RESET_SCOPE_FLAGS;

/** The parts of Graph's synchronizationTaskExecution the node reads. */
interface TaskExecution {
	activityIdentifier?: string | null;
	countEscrowed?: number;
	countExported?: number;
	state?: string;
	error?: { code?: string; message?: string } | null;
	timeBegan?: string;
	timeEnded?: string;
}

/** The parts of Graph's synchronizationJob the node reads; the rest is passed through as returned. */
export interface SynchronizationJob extends IDataObject {
	id: string;
	templateId?: string;
	schedule?: { state?: string; interval?: string; expiration?: string | null };
	status?: {
		code?: string;
		countSuccessiveCompleteFailures?: number;
		lastExecution?: TaskExecution | null;
		lastSuccessfulExecution?: TaskExecution | null;
		progress?: IDataObject[];
		quarantine?: {
			reason?: string;
			seriesBegan?: string;
			currentBegan?: string;
			nextAttempt?: string;
			error?: { code?: string; message?: string } | null;
		} | null;
		steadyStateLastAchievedTime?: string;
	};
}

/** Graph's DateTimeOffset for "never". */
const NEVER = /^0001-01-01/;

function when(value: string | undefined | null): string | null {
	return value && !NEVER.test(value) ? value : null;
}

/** Quarantine per Graph: a quarantine object, or the Quarantine status code. */
export function isQuarantined(job: SynchronizationJob): boolean {
	return Boolean(job.status?.quarantine) || job.status?.code === 'Quarantine';
}

/** Identifies a run: its activity ID (what the provisioning logs show), else when it ended. */
export function lastRunId(job: SynchronizationJob): string | null {
	const run = job.status?.lastExecution;
	return run ? (run.activityIdentifier ?? when(run.timeEnded) ?? null) : null;
}

/** A run ended with escrows (entries that failed) or errors. */
export function lastRunHadIssues(job: SynchronizationJob): boolean {
	const run = job.status?.lastExecution;
	return Boolean(
		run && ((run.countEscrowed ?? 0) > 0 || run.error || (run.state && run.state !== 'Succeeded')),
	);
}

/** A job as an n8n item: status, last run and quarantine as top-level fields, and Graph's job as returned. */
export function summarizeJob(job: SynchronizationJob): IDataObject {
	const status = job.status ?? {};
	const run = status.lastExecution;
	const quarantine = status.quarantine;
	return {
		jobId: job.id,
		templateId: job.templateId ?? null,
		statusCode: status.code ?? null,
		statusDescription: isJobStatusCode(status.code) ? JOB_STATUS_CODES[status.code] : null,
		scheduleState: job.schedule?.state ?? null,
		scheduleInterval: job.schedule?.interval ?? null,
		quarantined: isQuarantined(job),
		quarantineReason: quarantine?.reason ?? null,
		quarantineSince: when(quarantine?.seriesBegan),
		quarantineNextAttempt: when(quarantine?.nextAttempt),
		quarantineError: quarantine?.error?.message ?? null,
		lastRunActivityId: run?.activityIdentifier ?? null,
		lastRunState: run?.state ?? null,
		lastRunEnded: when(run?.timeEnded),
		lastRunEscrows: run?.countEscrowed ?? null,
		lastRunExported: run?.countExported ?? null,
		lastRunError: run?.error?.message ?? null,
		lastSuccessfulRunEnded: when(status.lastSuccessfulExecution?.timeEnded),
		consecutiveFailures: status.countSuccessiveCompleteFailures ?? 0,
		progress: status.progress ?? [],
		job,
	};
}

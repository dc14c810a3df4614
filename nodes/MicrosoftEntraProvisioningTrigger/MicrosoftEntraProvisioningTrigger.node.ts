import type {
	IDataObject,
	INodeExecutionData,
	INodeParameterResourceLocator,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	authenticationProperty,
	DEFAULT_REQUEST_SETTINGS,
	flattenLogEntry,
	getGraphConnection,
	graphPath,
	graphRequest,
	isSynchronizationId,
	jobProperties,
	listAll,
	locatedServicePrincipalId,
	nodeCredentials,
	searchJobs,
	searchTargets,
	servicePrincipalProperties,
	summarizeJob,
	type GraphConnection,
	type SynchronizationJob,
} from '../MicrosoftEntraProvisioning/sharedWithTrigger';
import {
	eventsSince,
	isJobEvent,
	JOB_EVENTS,
	snapshotOf,
	type JobEvent,
	type JobSnapshot,
} from './jobEvents';
import {
	isReportableStatus,
	pollProvisioningFailures,
	PROVISIONING_FAILURES_EVENT,
	readReportableEntries,
	REPORTABLE_STATUS_OPTIONS,
	type LogWatch,
	type LogWatchMemory,
	type ReportableStatus,
} from './provisioningFailures';

/** Entries "Fetch Test Event" shows for the log event: the newest few, enough to build the rest of the workflow on. */
const TEST_EVENT_ENTRIES = 5;

/** What the trigger keeps in the workflow's static data, which n8n persists: the jobs as last seen. */
interface WatchMemory extends IDataObject {
	/** Service principal and job (or `*`) watched; a changed setting starts afresh */
	scope: string;
	jobs: Record<string, JobSnapshot>;
}

export class MicrosoftEntraProvisioningTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Entra Provisioning Trigger',
		name: 'microsoftEntraProvisioningTrigger',
		icon: {
			light: 'file:microsoftEntraProvisioning.svg',
			dark: 'file:microsoftEntraProvisioning.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["watch"] === "job" ? "Watch one job" : "Watch all jobs" }}',
		description:
			'Starts the workflow when a provisioning job enters or leaves quarantine, finishes a run with escrows or errors, or changes status, or when provisioning an object fails',
		defaults: { name: 'Microsoft Entra Provisioning Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		properties: [
			authenticationProperty,
			...servicePrincipalProperties(),
			{
				displayName: 'Watch',
				name: 'watch',
				type: 'options',
				options: [
					{
						name: 'All Jobs',
						value: 'allJobs',
						description: 'Every provisioning job of the service principal, including new ones',
					},
					{ name: 'One Job', value: 'job', description: 'A single provisioning job' },
				],
				default: 'allJobs',
			},
			...jobProperties({ watch: ['job'] }),
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					...Object.entries(JOB_EVENTS).map(([value, { displayName, description }]) => ({
						name: displayName,
						value,
						description,
					})),
					{
						name: 'Provisioning Failures',
						value: PROVISIONING_FAILURES_EVENT,
						description:
							'An entry of the provisioning logs failed (or, as chosen, warned or was skipped): one item per entry, e.g. an employee whose manager was not found. Needs AuditLog.Read.All and Directory.Read.All.',
					},
				],
				default: Object.keys(JOB_EVENTS),
				required: true,
				description:
					'Which changes start the workflow. The first poll only notes how things are; changes are reported from then on, once each, also across n8n restarts.',
			},
			{
				displayName: 'Log Statuses to Report',
				name: 'logStatuses',
				type: 'multiOptions',
				options: REPORTABLE_STATUS_OPTIONS,
				default: ['failure'],
				description: 'Which provisioning log entries count as Provisioning Failures',
				displayOptions: { show: { events: [PROVISIONING_FAILURES_EVENT] } },
			},
		],
	};

	methods = { listSearch: { searchTargets, searchJobs } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const { jobEvents, watchLogs } = readEvents(this);
		const statuses = watchLogs ? readLogStatuses(this) : [];
		const watchedJobId = readWatchedJobId(this);
		const connection = await getGraphConnection(this);
		const servicePrincipalId = await locatedServicePrincipalId(
			this,
			connection,
			this.getNodeParameter('target'),
			DEFAULT_REQUEST_SETTINGS,
		);
		const logWatch: LogWatch | undefined = watchLogs
			? { servicePrincipalId, jobId: watchedJobId, statuses }
			: undefined;
		const jobs =
			jobEvents.length > 0
				? await readJobs(this, connection, servicePrincipalId, watchedJobId)
				: [];

		// "Fetch Test Event": how things are now, without touching what the active workflow remembers.
		if (this.getMode() === 'manual')
			return [
				await testEventItems(this, connection, { servicePrincipalId, jobs, jobEvents, logWatch }),
			];

		const staticData = this.getWorkflowStaticData('node');
		const items: INodeExecutionData[] =
			jobEvents.length > 0
				? jobEventItems(staticData, { servicePrincipalId, watchedJobId, jobs, jobEvents })
				: [];
		if (logWatch) {
			const polled = await pollProvisioningFailures(
				this,
				connection,
				logWatch,
				staticData.logs as LogWatchMemory | undefined,
				DEFAULT_REQUEST_SETTINGS,
			);
			staticData.logs = polled.memory;
			items.push(...polled.items.map((json) => ({ json })));
		}
		return items.length > 0 ? [items] : null;
	}
}

/** What one poll found: the watched service principal, its jobs, and what the trigger reports. */
interface PollScope {
	servicePrincipalId: string;
	jobs: SynchronizationJob[];
	jobEvents: JobEvent[];
}

/** How things are now, as "Fetch Test Event" shows them: every job, and the latest reportable log entries. */
async function testEventItems(
	ctx: IPollFunctions,
	connection: GraphConnection,
	{ servicePrincipalId, jobs, jobEvents, logWatch }: PollScope & { logWatch?: LogWatch },
): Promise<INodeExecutionData[]> {
	const entries = logWatch
		? await readReportableEntries(
				ctx,
				connection,
				logWatch,
				undefined,
				TEST_EVENT_ENTRIES,
				DEFAULT_REQUEST_SETTINGS,
			)
		: [];
	const items = [
		...jobs.map((job) => ({ json: eventItem(servicePrincipalId, job, [], undefined) })),
		...entries.slice(-TEST_EVENT_ENTRIES).map((entry) => ({
			json: { event: PROVISIONING_FAILURES_EVENT, ...flattenLogEntry(entry) },
		})),
	];
	if (items.length === 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			jobEvents.length > 0
				? 'The service principal has no provisioning jobs'
				: `No provisioning log entry has the status ${logWatch?.statuses.join(' or ')}`,
			{
				description:
					jobEvents.length > 0
						? 'Create one with the Microsoft Entra Provisioning node (Job › Create), or pick another service principal.'
						: 'Nothing to show yet: once an entry of the watched job fails (the provisioning logs go back 30 days), it appears here. The active workflow reports new ones as they come.',
			},
		);
	}
	return items;
}

/**
 * One item per job whose state changed since the last poll in a way the trigger reports; the state is remembered in
 * the node's static data. The first poll (or one after the settings changed) only notes the current state: nothing
 * old is replayed.
 */
function jobEventItems(
	staticData: IDataObject,
	{ servicePrincipalId, watchedJobId, jobs, jobEvents }: PollScope & { watchedJobId?: string },
): INodeExecutionData[] {
	const scope = `${servicePrincipalId}/${watchedJobId ?? '*'}`;
	const memory = staticData.watched as WatchMemory | undefined;
	const seen = memory?.scope === scope ? memory.jobs : undefined;
	const watched: WatchMemory = {
		scope,
		jobs: Object.fromEntries(jobs.map((job) => [job.id, snapshotOf(job)])),
	};
	// n8n saves the workflow when its static data changes: write only what changed, not on every poll.
	if (JSON.stringify(memory) !== JSON.stringify(watched)) staticData.watched = watched;
	if (!seen) return [];
	return jobs.flatMap((job) => {
		const happened = eventsSince(seen[job.id], job, jobEvents);
		return happened.length > 0
			? [{ json: eventItem(servicePrincipalId, job, happened, seen[job.id]) }]
			: [];
	});
}

function readEvents(ctx: IPollFunctions): { jobEvents: JobEvent[]; watchLogs: boolean } {
	const events = ctx.getNodeParameter('events', []) as unknown;
	const known = (event: unknown) => isJobEvent(event) || event === PROVISIONING_FAILURES_EVENT;
	if (!Array.isArray(events) || events.length === 0 || !events.every(known)) {
		throw new NodeOperationError(ctx.getNode(), 'Choose at least one event to watch', {
			description: `Pick one or more of: ${[...Object.values(JOB_EVENTS).map(({ displayName }) => displayName), 'Provisioning Failures'].join(', ')}.`,
		});
	}
	return {
		jobEvents: events.filter(isJobEvent),
		watchLogs: events.includes(PROVISIONING_FAILURES_EVENT),
	};
}

function readLogStatuses(ctx: IPollFunctions): ReportableStatus[] {
	const statuses = ctx.getNodeParameter('logStatuses', ['failure']) as unknown;
	if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every(isReportableStatus)) {
		throw new NodeOperationError(ctx.getNode(), 'Choose at least one log status to report', {
			description: `Under Log Statuses to Report, pick one or more of: ${REPORTABLE_STATUS_OPTIONS.map(({ name }) => name).join(', ')}.`,
		});
	}
	return statuses;
}

/** The job to watch, or undefined for all jobs. */
function readWatchedJobId(ctx: IPollFunctions): string | undefined {
	if (ctx.getNodeParameter('watch', 'allJobs') !== 'job') return undefined;
	const locator = ctx.getNodeParameter('job') as INodeParameterResourceLocator | string;
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	const jobId = typeof raw === 'string' ? raw.trim() : '';
	if (!isSynchronizationId(jobId)) {
		throw new NodeOperationError(
			ctx.getNode(),
			jobId ? `"${jobId}" is not a job ID` : 'No Job is selected',
			{
				description: 'Pick the job from the list, or choose Watch › All Jobs.',
			},
		);
	}
	return jobId;
}

async function readJobs(
	ctx: IPollFunctions,
	connection: GraphConnection,
	servicePrincipalId: string,
	jobId: string | undefined,
): Promise<SynchronizationJob[]> {
	const failure = {
		access: 'readSynchronizationJobs' as const,
		delegated: connection.delegated,
		subject: jobId
			? `provisioning job ${jobId} on service principal ${servicePrincipalId}`
			: `service principal ${servicePrincipalId}`,
	};
	const jobs = graphPath`/servicePrincipals/${servicePrincipalId}/synchronization/jobs`;
	if (!jobId)
		return await listAll<SynchronizationJob>(
			ctx,
			connection,
			jobs,
			DEFAULT_REQUEST_SETTINGS,
			failure,
		);
	const response = await graphRequest<SynchronizationJob>(
		ctx,
		connection,
		{ method: 'GET', path: `${jobs}${graphPath`/${jobId}`}` },
		DEFAULT_REQUEST_SETTINGS,
		failure,
	);
	return [response.body];
}

function eventItem(
	servicePrincipalId: string,
	job: SynchronizationJob,
	events: JobEvent[],
	before: JobSnapshot | undefined,
): IDataObject {
	return {
		events,
		servicePrincipalId,
		previousStatusCode: before?.statusCode ?? null,
		...summarizeJob(job),
	};
}

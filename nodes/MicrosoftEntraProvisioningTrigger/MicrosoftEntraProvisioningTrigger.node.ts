import type {
	IDataObject,
	INodeExecutionData,
	INodeParameterResourceLocator,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { nodeCredentials } from '../MicrosoftEntraProvisioning/actions/description';
import { jobProperties, servicePrincipalProperties } from '../MicrosoftEntraProvisioning/descriptions/synchronization';
import { AUTHENTICATION_METHODS } from '../MicrosoftEntraProvisioning/transport/credentialTypes';
import { eventsSince, isJobEvent, JOB_EVENTS, snapshotOf, type JobEvent, type JobSnapshot } from '../MicrosoftEntraProvisioning/helpers/jobEvents';
import { locatedServicePrincipalId } from '../MicrosoftEntraProvisioning/helpers/servicePrincipalLocator';
import { DEFAULT_REQUEST_SETTINGS, isSynchronizationId, listAll } from '../MicrosoftEntraProvisioning/helpers/synchronization';
import { summarizeJob, type SynchronizationJob } from '../MicrosoftEntraProvisioning/helpers/synchronizationJob';
import { listSearch } from '../MicrosoftEntraProvisioning/methods';
import { getGraphConnection, graphPath, graphRequest, type GraphConnection } from '../MicrosoftEntraProvisioning/transport';

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
		icon: { light: 'file:microsoftEntraProvisioning.svg', dark: 'file:microsoftEntraProvisioning.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["watch"] === "job" ? "Watch one job" : "Watch all jobs" }}',
		description:
			'Starts the workflow when a provisioning job enters or leaves quarantine, finishes a run with escrows or errors, or changes status',
		defaults: { name: 'Microsoft Entra Provisioning Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: Object.entries(AUTHENTICATION_METHODS).map(([value, { displayName }]) => ({ name: displayName, value })),
				default: 'appOnly',
			},
			...servicePrincipalProperties(),
			{
				displayName: 'Watch',
				name: 'watch',
				type: 'options',
				options: [
					{ name: 'All Jobs', value: 'allJobs', description: 'Every provisioning job of the service principal, including new ones' },
					{ name: 'One Job', value: 'job', description: 'A single provisioning job' },
				],
				default: 'allJobs',
			},
			...jobProperties({ watch: ['job'] }),
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: Object.entries(JOB_EVENTS).map(([value, { displayName, description }]) => ({ name: displayName, value, description })),
				default: Object.keys(JOB_EVENTS),
				required: true,
				description:
					'Which changes start the workflow. The first poll only notes how the jobs are; changes are reported from then on, once each, also across n8n restarts.',
			},
		],
	};

	methods = { listSearch: { searchTargets: listSearch.searchTargets, searchJobs: listSearch.searchJobs } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const events = readEvents(this);
		const watchedJobId = readWatchedJobId(this);
		const connection = await getGraphConnection(this);
		const servicePrincipalId = await locatedServicePrincipalId(this, connection, this.getNodeParameter('target'), DEFAULT_REQUEST_SETTINGS);
		const jobs = await readJobs(this, connection, servicePrincipalId, watchedJobId);

		// "Fetch Test Event": the jobs as they are now, without touching what the active workflow remembers.
		if (this.getMode() === 'manual') {
			if (jobs.length === 0) {
				throw new NodeOperationError(this.getNode(), 'The service principal has no provisioning jobs', {
					description: 'Create one with the Microsoft Entra Provisioning node (Job › Create), or pick another service principal.',
				});
			}
			return [jobs.map((job) => ({ json: eventItem(servicePrincipalId, job, [], undefined) }))];
		}

		const staticData = this.getWorkflowStaticData('node');
		const scope = `${servicePrincipalId}/${watchedJobId ?? '*'}`;
		const memory = staticData.watched as WatchMemory | undefined;
		const seen = memory?.scope === scope ? memory.jobs : undefined;
		const watched: WatchMemory = { scope, jobs: Object.fromEntries(jobs.map((job) => [job.id, snapshotOf(job)])) };
		// n8n saves the workflow when its static data changes: write only what changed, not on every poll.
		if (JSON.stringify(memory) !== JSON.stringify(watched)) staticData.watched = watched;
		// The first poll (or one after the settings changed) only notes the current state: nothing old is replayed.
		if (!seen) return null;

		const items = jobs.flatMap((job) => {
			const happened = eventsSince(seen[job.id], job, events);
			return happened.length > 0 ? [{ json: eventItem(servicePrincipalId, job, happened, seen[job.id]) }] : [];
		});
		return items.length > 0 ? [items] : null;
	}
}

function readEvents(ctx: IPollFunctions): JobEvent[] {
	const events = ctx.getNodeParameter('events', []) as unknown;
	if (!Array.isArray(events) || events.length === 0 || !events.every(isJobEvent)) {
		throw new NodeOperationError(ctx.getNode(), 'Choose at least one event to watch', {
			description: `Pick one or more of: ${Object.values(JOB_EVENTS).map(({ displayName }) => displayName).join(', ')}.`,
		});
	}
	return events;
}

/** The job to watch, or undefined for all jobs. */
function readWatchedJobId(ctx: IPollFunctions): string | undefined {
	if (ctx.getNodeParameter('watch', 'allJobs') !== 'job') return undefined;
	const locator = ctx.getNodeParameter('job') as INodeParameterResourceLocator | string;
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	const jobId = typeof raw === 'string' ? raw.trim() : '';
	if (!isSynchronizationId(jobId)) {
		throw new NodeOperationError(ctx.getNode(), jobId ? `"${jobId}" is not a job ID` : 'No Job is selected', {
			description: 'Pick the job from the list, or choose Watch › All Jobs.',
		});
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
		subject: jobId ? `provisioning job ${jobId} on service principal ${servicePrincipalId}` : `service principal ${servicePrincipalId}`,
	};
	const jobs = graphPath`/servicePrincipals/${servicePrincipalId}/synchronization/jobs`;
	if (!jobId) return await listAll<SynchronizationJob>(ctx, connection, jobs, DEFAULT_REQUEST_SETTINGS, failure);
	const response = await graphRequest<SynchronizationJob>(
		ctx,
		connection,
		{ method: 'GET', path: `${jobs}${graphPath`/${jobId}`}` },
		DEFAULT_REQUEST_SETTINGS,
		failure,
	);
	return [response.body];
}

function eventItem(servicePrincipalId: string, job: SynchronizationJob, events: JobEvent[], before: JobSnapshot | undefined): IDataObject {
	return {
		events,
		servicePrincipalId,
		previousStatusCode: before?.statusCode ?? null,
		...summarizeJob(job),
	};
}

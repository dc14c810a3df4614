import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { OperationContext } from '../../helpers/operationContext';
import type { ItemOutcome } from '../../helpers/operationRun';
import {
	checkJob,
	fillUnsettled,
	forgetFailedRecords,
	readLookups,
} from '../../helpers/uploadOutcomeChecks';
import { MAX_IN_NODE_WAIT_SECONDS, readWait, type Lookup } from '../../helpers/uploadOutcomeInputs';

const show = { resource: ['provisioningLog'], operation: ['getUploadOutcomes'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Place it after Bulk Upload › Upload Users (or feed it its own output, in a loop): it needs no expression. It outputs one item per employee: "processed" with the result from the provisioning logs; "pending" while the job has not got to it; "jobNotRunning" when the job is paused, in quarantine, never started or deleted (with what to do); or, for employees Upload Users did not send, "unchanged", "preview" or "superseded". Microsoft takes minutes to process an upload: put a Wait node before it, and loop back while any employee is pending.',
		name: 'uploadOutcomesNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'External ID',
		name: 'employeeExternalId',
		type: 'string',
		required: true,
		default: '={{ $json.externalId }}',
		description:
			"The employee's externalId as uploaded. The provisioning logs show it as the entry's source ID.",
		displayOptions: { show },
	},
	{
		displayName: 'Job ID',
		name: 'employeeJobId',
		type: 'string',
		required: true,
		default: '={{ $json.jobId }}',
		description: 'The API-driven inbound provisioning job the employee was uploaded to',
		displayOptions: { show },
	},
	{
		displayName: 'Service Principal Object ID',
		name: 'employeeServicePrincipalId',
		type: 'string',
		required: true,
		default: '={{ $json.servicePrincipalId }}',
		description: "The object ID of the job's enterprise application",
		displayOptions: { show },
	},
	{
		displayName: 'Uploaded After',
		name: 'uploadedAfter',
		type: 'string',
		default: '={{ $json.uploadedAt ?? $json.uploadedAfter }}',
		placeholder: 'e.g. 2026-01-31T08:00:00Z',
		description:
			"When the employee was uploaded (ISO 8601): entries before it belong to earlier uploads. Upload Users' items carry it as uploadedAt, and this operation's output as uploadedAfter, so a loop keeps it. Empty: the last 24 hours, and the output says so.",
		displayOptions: { show },
	},
	{
		displayName: 'Wait in Node Up To (Seconds)',
		name: 'waitUpTo',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_IN_NODE_WAIT_SECONDS },
		default: 0,
		description: `For short uploads: keep checking until every employee is processed, for at most this long (0: check once). For longer waits use n8n's Wait node in a loop; at most ${MAX_IN_NODE_WAIT_SECONDS} s.`,
		displayOptions: { show },
	},
	{
		displayName: 'Check Every (Seconds)',
		name: 'checkEvery',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 30,
		description: 'How long to pause between checks while waiting in the node',
		displayOptions: { show: { ...show, waitUpTo: [{ _cnd: { gt: 0 } }] } },
	},
];

/**
 * Each employee's outcome from the provisioning logs, matched as Microsoft's logs of API-driven provisioning show it:
 * the entry's sourceIdentity.id is the uploaded externalId, its jobId the job. One query per job reads the job's
 * entries since its earliest upload, page by page ($top 500), so 10,000 employees take about 20 calls a check however
 * many are still pending and whatever their upload times; a per-employee query would take 10,000. For the employees
 * the job has not processed, one read of the job says why: a job that is paused, in quarantine, never started or
 * deleted holds them (and the wait in the node ends, as nothing will change), a running one has not got to them yet.
 * Employees Upload Users did not send are reported from their item. Every employee gets exactly one output item.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndexes: number[],
	context: OperationContext,
): Promise<ItemOutcome[]> {
	const outcomes: ItemOutcome[] = new Array(itemIndexes.length);
	const { waitMs, everyMs } = readWait(this);
	let pending = readLookups(this, itemIndexes, outcomes);
	if (!this.continueOnFail() && outcomes.some((outcome) => outcome && 'error' in outcome))
		return fillUnsettled(outcomes, itemIndexes);

	const deadline = Date.now() + waitMs;
	for (let check = 1; ; check++) {
		const stillPending: Lookup[] = [];
		for (const lookup of pending) {
			const waiting = await checkJob(this, context.connection, lookup, outcomes, check);
			if (waiting) stillPending.push(waiting);
		}
		pending = stillPending;
		if (pending.length === 0 || Date.now() + everyMs > deadline) break;
		await sleep(everyMs);
	}
	forgetFailedRecords(this, outcomes);
	return fillUnsettled(outcomes, itemIndexes);
}

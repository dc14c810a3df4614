import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { GUID_PATTERN, isSynchronizationId } from '../../../../lib/graphIdentifiers';
import {
	invalidInput,
	itemParameter,
	readMoment,
	readRequestSettings,
} from '../../helpers/itemParameters';
import { logFailure, readLogEntries } from '../../helpers/provisioningLogs';
import { employeeOutcome, entriesBySource } from '../../helpers/uploadOutcomes';
import { odataDateTime, odataString } from '../../transport/odata';
import type { ItemOutcome, OperationContext } from '../node.type';

const show = { resource: ['provisioningLog'], operation: ['getUploadOutcomes'] };
const GUID = new RegExp(GUID_PATTERN);

/** Without Uploaded After: the last day, enough for a run of the provisioning service that Microsoft puts at minutes. */
const DEFAULT_LOOK_BACK_MS = 24 * 3600_000;
/** The longest in-node wait: longer waits belong to n8n's Wait node, which frees the worker meanwhile. */
export const MAX_IN_NODE_WAIT_SECONDS = 300;

export const description: INodeProperties[] = [
	{
		displayName:
			'Give this operation the items Bulk Upload › Upload Users produced (or its own output, in a loop). It outputs one item per employee: "processed" with the result from the provisioning logs, or "pending". Microsoft takes minutes to process an upload: put a Wait node before it, and loop back while any employee is pending.',
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
		default: '={{ $json.uploadedAfter }}',
		placeholder: 'e.g. 2026-01-31T08:00:00Z',
		description:
			'When the upload started (ISO 8601): entries before it belong to earlier uploads. Empty: the last 24 hours, which is right when each employee is uploaded at most once a day. The output carries it on, so a loop keeps it.',
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

interface Employee {
	itemIndex: number;
	externalId: string;
	jobId: string;
	servicePrincipalId: string;
	since: Date;
	/** Checks made before this one (a loop hands back the previous output) */
	checks: number;
	input: IDataObject;
}

/** `={{ $json.name }}`, the defaults: the field of the item, read without n8n's expression engine. */
const ITEM_FIELD = /^=\{\{\s*\$json\.([A-Za-z_$][\w$]*)\s*\}\}$/;
const itemFields = new WeakMap<IExecuteFunctions, Map<string, string | undefined>>();

/**
 * A parameter of the item. The defaults name a field of the item, which is read straight from it: the same value n8n's
 * expression gives, without the milliseconds per item and parameter that add up to seconds for 10,000 employees.
 */
function employeeParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): unknown {
	// The parameter as typed is the same for every item: look at it once per execution.
	let fields = itemFields.get(ctx);
	if (!fields) {
		fields = new Map();
		itemFields.set(ctx, fields);
	}
	if (!fields.has(name)) {
		const raw = ctx.getNodeParameter(name, itemIndex, '', { rawExpressions: true });
		fields.set(name, typeof raw === 'string' ? ITEM_FIELD.exec(raw)?.[1] : undefined);
	}
	const field = fields.get(name);
	if (field === undefined) return itemParameter(ctx, name, itemIndex, '');
	return ctx.getInputData()[itemIndex]?.json[field];
}

function readEmployee(ctx: IExecuteFunctions, itemIndex: number): Employee {
	const externalId = employeeParameter(ctx, 'employeeExternalId', itemIndex);
	if (typeof externalId !== 'string' && typeof externalId !== 'number') {
		invalidInput(
			ctx,
			itemIndex,
			'This item has no externalId',
			"Feed the items Bulk Upload › Upload Users produced, or set External ID to the employee's externalId. An error item of the upload has none.",
		);
	}
	const id = String(externalId).trim();
	if (id === '')
		invalidInput(
			ctx,
			itemIndex,
			'This item has no externalId',
			"Feed the items Bulk Upload › Upload Users produced, or set External ID to the employee's externalId. An error item of the upload has none.",
		);
	const jobId = String(employeeParameter(ctx, 'employeeJobId', itemIndex) ?? '').trim();
	if (!isSynchronizationId(jobId)) {
		invalidInput(
			ctx,
			itemIndex,
			jobId ? `"${jobId}" is not a job ID` : 'This item has no job ID',
			'Feed the items Bulk Upload › Upload Users produced (they carry jobId), or set Job ID.',
		);
	}
	const servicePrincipalId = String(
		employeeParameter(ctx, 'employeeServicePrincipalId', itemIndex) ?? '',
	).trim();
	if (!GUID.test(servicePrincipalId)) {
		invalidInput(
			ctx,
			itemIndex,
			servicePrincipalId
				? 'The Service Principal Object ID is not a GUID'
				: 'This item has no service principal ID',
			'Feed the items Bulk Upload › Upload Users produced (they carry servicePrincipalId), or set Service Principal Object ID.',
		);
	}
	const since =
		readMoment(
			ctx,
			itemIndex,
			employeeParameter(ctx, 'uploadedAfter', itemIndex),
			'Uploaded After',
		) ?? new Date(Date.now() - DEFAULT_LOOK_BACK_MS);
	if (since.getTime() > Date.now() + 60_000) {
		invalidInput(
			ctx,
			itemIndex,
			'Uploaded After lies in the future',
			'Give the moment the upload started, e.g. {{ $now.toISO() }} taken in a node before Bulk Upload.',
		);
	}
	const input = ctx.getInputData()[itemIndex]?.json ?? {};
	const checks = Number(input.checks);
	return {
		itemIndex,
		externalId: id,
		jobId,
		servicePrincipalId: servicePrincipalId.toLowerCase(),
		since,
		checks: Number.isInteger(checks) && checks > 0 ? checks : 0,
		input,
	};
}

function readWait(ctx: IExecuteFunctions): { waitMs: number; everyMs: number } {
	const waitUpTo = Number(ctx.getNodeParameter('waitUpTo', 0, 0));
	if (!Number.isFinite(waitUpTo) || waitUpTo < 0 || waitUpTo > MAX_IN_NODE_WAIT_SECONDS) {
		invalidInput(
			ctx,
			0,
			`Wait in Node Up To must be from 0 to ${MAX_IN_NODE_WAIT_SECONDS} seconds`,
			"For longer waits, put n8n's Wait node before this one and loop back while employees are pending.",
		);
	}
	if (waitUpTo === 0) return { waitMs: 0, everyMs: 0 };
	const checkEvery = Number(ctx.getNodeParameter('checkEvery', 0, 30));
	if (!Number.isFinite(checkEvery) || checkEvery < 1) {
		invalidInput(ctx, 0, 'Check Every must be at least 1 second', 'Set Check Every, e.g. 30.');
	}
	return { waitMs: waitUpTo * 1000, everyMs: checkEvery * 1000 };
}

/** Employees of one job and window: one log query answers them all. */
interface Lookup {
	jobId: string;
	servicePrincipalId: string;
	since: Date;
	employees: Employee[];
}

/**
 * Each employee's outcome from the provisioning logs, matched as Microsoft's logs of API-driven provisioning show it:
 * the entry's sourceIdentity.id is the uploaded externalId, its jobId the job. One query per job reads the job's
 * entries since the upload, page by page ($top 500), so 10,000 employees take about 20 calls a check however many are
 * still pending; a per-employee query would take 10,000. Every employee gets exactly one output item.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndexes: number[],
	context: OperationContext,
): Promise<ItemOutcome[]> {
	const outcomes: ItemOutcome[] = new Array(itemIndexes.length);
	const { waitMs, everyMs } = readWait(this);
	const lookups = new Map<string, Lookup>();
	for (const itemIndex of itemIndexes) {
		try {
			const employee = readEmployee(this, itemIndex);
			const key = `${employee.servicePrincipalId}|${employee.jobId}|${employee.since.toISOString()}`;
			const lookup = lookups.get(key) ?? {
				jobId: employee.jobId,
				servicePrincipalId: employee.servicePrincipalId,
				since: employee.since,
				employees: [],
			};
			lookup.employees.push(employee);
			lookups.set(key, lookup);
		} catch (error) {
			outcomes[itemIndex] = { error };
		}
	}
	if (!this.continueOnFail() && outcomes.some((outcome) => outcome && 'error' in outcome))
		return fillUnsettled(outcomes, itemIndexes);

	const deadline = Date.now() + waitMs;
	let pending = [...lookups.values()];
	for (let check = 1; ; check++) {
		const stillPending: Lookup[] = [];
		for (const lookup of pending) {
			const first = lookup.employees[0].itemIndex;
			try {
				const settings = readRequestSettings(this, first, true);
				// Graph compares activityDateTime with gt only, to the second: one second earlier keeps the upload's first second.
				const after = odataDateTime(new Date(lookup.since.getTime() - 1000));
				const filter = `jobId eq ${odataString(lookup.jobId)} and servicePrincipal/id eq ${odataString(lookup.servicePrincipalId)} and activityDateTime gt ${after}`;
				const { entries } = await readLogEntries(
					this,
					context.connection,
					filter,
					undefined,
					settings,
					logFailure(context.connection, first),
				);
				const bySource = entriesBySource(
					entries,
					new Set(lookup.employees.map((employee) => employee.externalId)),
				);
				const waiting: Employee[] = [];
				for (const employee of lookup.employees) {
					const outcome = employeeOutcome(bySource.get(employee.externalId) ?? []);
					outcomes[employee.itemIndex] = { json: outputOf(employee, outcome, check) };
					if (outcome.outcome === 'pending') waiting.push(employee);
				}
				if (waiting.length > 0) stillPending.push({ ...lookup, employees: waiting });
			} catch (error) {
				for (const employee of lookup.employees) outcomes[employee.itemIndex] = { error };
			}
		}
		pending = stillPending;
		if (pending.length === 0 || Date.now() + everyMs > deadline) break;
		await sleep(everyMs);
	}
	return fillUnsettled(outcomes, itemIndexes);
}

function outputOf(employee: Employee, outcome: IDataObject, checksInNode: number): IDataObject {
	const userName = employee.input.userName;
	return {
		externalId: employee.externalId,
		...(typeof userName === 'string' ? { userName } : {}),
		...outcome,
		jobId: employee.jobId,
		servicePrincipalId: employee.servicePrincipalId,
		uploadedAfter: employee.since.toISOString(),
		checks: employee.checks + checksInNode,
	};
}

/** Items never reached (the node stops at the first invalid one without Continue On Fail) carry no outcome. */
function fillUnsettled(outcomes: ItemOutcome[], itemIndexes: number[]): ItemOutcome[] {
	const firstError = outcomes.find((outcome) => outcome && 'error' in outcome);
	return itemIndexes.map((itemIndex) => outcomes[itemIndex] ?? (firstError as ItemOutcome));
}

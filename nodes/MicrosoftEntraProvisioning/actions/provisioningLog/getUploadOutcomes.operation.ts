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
import {
	employeeOutcome,
	entriesBySource,
	entriesSince,
	isNotSentStatus,
	logWindowStart,
	NOT_SENT_STATUSES,
	readJobState,
	type JobState,
	type NotSentStatus,
} from '../../helpers/uploadOutcomes';
import { AcceptedRecords, uploadJobKey } from '../../helpers/uploadFingerprints';
import { odataString } from '../../transport/odata';
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

interface Employee {
	itemIndex: number;
	externalId: string;
	jobId: string;
	servicePrincipalId: string;
	since: Date;
	/** Set when the item gave no upload time and the last 24 hours were searched: says so in the output */
	lookBackNote?: string;
	/** Checks made before this one (a loop hands back the previous output) */
	checks: number;
	input: IDataObject;
}

/** An employee Upload Users did not send: reported from the item alone. */
interface NotSentEmployee {
	itemIndex: number;
	externalId: string;
	status: NotSentStatus;
	input: IDataObject;
}

const LOOK_BACK_NOTE =
	'The item gave no upload time, so the last 24 hours of logs were read: an earlier upload of this employee in that time counts as this one. Feed the items of Upload Users (they carry uploadedAt) or set Uploaded After.';

/**
 * `={{ $json.name }}` or `={{ $json.a ?? $json.b }}`, the defaults: fields of the item, the first that is not null,
 * read without n8n's expression engine.
 */
const ITEM_FIELDS =
	/^=\{\{\s*(\$json\.[A-Za-z_$][\w$]*(?:\s*\?\?\s*\$json\.[A-Za-z_$][\w$]*)*)\s*\}\}$/;
const itemFields = new WeakMap<IExecuteFunctions, Map<string, string[] | undefined>>();

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
		const chain = typeof raw === 'string' ? ITEM_FIELDS.exec(raw)?.[1] : undefined;
		fields.set(
			name,
			chain?.split('??').map((field) => field.trim().slice('$json.'.length)),
		);
	}
	const names = fields.get(name);
	if (names === undefined) return itemParameter(ctx, name, itemIndex, '');
	const json = ctx.getInputData()[itemIndex]?.json ?? {};
	return names.map((field) => json[field]).find((value) => value !== undefined && value !== null);
}

/** Upload Users' status, or this operation's own outcome when a loop hands back its output. */
function notSentStatus(input: IDataObject): NotSentStatus | undefined {
	if (isNotSentStatus(input.status)) return input.status;
	return isNotSentStatus(input.outcome) ? input.outcome : undefined;
}

function readExternalId(ctx: IExecuteFunctions, itemIndex: number): string {
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
	return id;
}

function readEmployee(ctx: IExecuteFunctions, itemIndex: number): Employee | NotSentEmployee {
	const id = readExternalId(ctx, itemIndex);
	const input = ctx.getInputData()[itemIndex]?.json ?? {};
	const status = notSentStatus(input);
	if (status) return { itemIndex, externalId: id, status, input };
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
	const uploadedAt = readMoment(
		ctx,
		itemIndex,
		employeeParameter(ctx, 'uploadedAfter', itemIndex),
		'Uploaded After',
	);
	const since = uploadedAt ?? new Date(Date.now() - DEFAULT_LOOK_BACK_MS);
	if (since.getTime() > Date.now() + 60_000) {
		invalidInput(
			ctx,
			itemIndex,
			'Uploaded After lies in the future',
			'Give the moment the upload started, e.g. {{ $now.toISO() }} taken in a node before Bulk Upload.',
		);
	}
	const checks = Number(input.checks);
	// A loop hands back the output of a check that read the last 24 hours: its window, and the note with it.
	const lookedBack = !uploadedAt || typeof input.lookBackNote === 'string';
	return {
		itemIndex,
		externalId: id,
		jobId,
		servicePrincipalId: servicePrincipalId.toLowerCase(),
		since,
		...(lookedBack ? { lookBackNote: LOOK_BACK_NOTE } : {}),
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

/** Employees of one job: one log query answers them all, from the earliest upload among them. */
interface Lookup {
	jobId: string;
	servicePrincipalId: string;
	since: Date;
	employees: Employee[];
	/** The job's state as last read; kept when the credential may not read it, so it is not asked again */
	jobState?: JobState;
}

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
	const lookups = new Map<string, Lookup>();
	for (const itemIndex of itemIndexes) {
		try {
			const employee = readEmployee(this, itemIndex);
			if ('status' in employee) {
				outcomes[itemIndex] = { json: notSentOutput(employee) };
				continue;
			}
			const key = `${employee.servicePrincipalId}|${employee.jobId}`;
			const lookup = lookups.get(key) ?? {
				jobId: employee.jobId,
				servicePrincipalId: employee.servicePrincipalId,
				since: employee.since,
				employees: [],
			};
			if (employee.since < lookup.since) lookup.since = employee.since;
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
				const filter = `jobId eq ${odataString(lookup.jobId)} and servicePrincipal/id eq ${odataString(lookup.servicePrincipalId)} and activityDateTime gt ${logWindowStart(lookup.since)}`;
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
					const outcome = employeeOutcome(
						entriesSince(bySource.get(employee.externalId) ?? [], employee.since),
					);
					if (outcome.outcome === 'pending') waiting.push(employee);
					else outcomes[employee.itemIndex] = { json: outputOf(employee, outcome, check) };
				}
				if (waiting.length === 0) continue;
				// Only the employees still waiting depend on the job's state: a failed read fails them, not the others.
				let jobState: JobState;
				try {
					jobState =
						lookup.jobState && !lookup.jobState.readable
							? lookup.jobState
							: await readJobState(
									this,
									context.connection,
									lookup.servicePrincipalId,
									lookup.jobId,
									settings,
									first,
								);
				} catch (error) {
					for (const employee of waiting) outcomes[employee.itemIndex] = { error };
					continue;
				}
				for (const employee of waiting) {
					const outcome = {
						...employeeOutcome([]),
						...(jobState.canProcess ? {} : { outcome: 'jobNotRunning' }),
						...jobState.fields,
					};
					outcomes[employee.itemIndex] = { json: outputOf(employee, outcome, check) };
				}
				if (jobState.canProcess) {
					// The next check reads from the earliest upload still waiting: fewer pages once the first are done.
					const since = waiting.reduce(
						(earliest, employee) => (employee.since < earliest ? employee.since : earliest),
						waiting[0].since,
					);
					stillPending.push({ ...lookup, since, employees: waiting, jobState });
				}
			} catch (error) {
				for (const employee of lookup.employees) outcomes[employee.itemIndex] = { error };
			}
		}
		pending = stillPending;
		if (pending.length === 0 || Date.now() + everyMs > deadline) break;
		await sleep(everyMs);
	}
	forgetFailedRecords(this, outcomes);
	return fillUnsettled(outcomes, itemIndexes);
}

/**
 * The service processed the record and failed it. A skipped record is not one: the provisioning logs give a skip its
 * reason as an error code too (NotEffectivelyEntitled for a leaver who never had an account, out of scope), and the
 * same record sent again is skipped again, every day.
 */
function failedByService(outcome: IDataObject): boolean {
	return outcome.outcome === 'processed' && outcome.status === 'failure';
}

/**
 * Upload Users' Only What Changed remembers every record Graph accepted with a 202, though the provisioning service
 * may fail it later (a manager it cannot resolve, a refused attribute): unchanged, it would then never be sent again.
 * For each employee the service failed, the record remembered for the job is forgotten (in the workflow's static
 * data both operations share), so that the next upload sends exactly that employee; `willResend` says whether it will.
 */
function forgetFailedRecords(ctx: IExecuteFunctions, outcomes: ItemOutcome[]): void {
	const failed = outcomes.filter(
		(outcome): outcome is { json: IDataObject } =>
			outcome !== undefined &&
			'json' in outcome &&
			!Array.isArray(outcome.json) &&
			failedByService(outcome.json),
	);
	if (failed.length === 0) return;
	const remembered = AcceptedRecords.of(ctx);
	// n8n does not save a manual execution's static data: a record remembered stays remembered.
	const kept = ctx.getMode() !== 'manual';
	for (const { json } of failed) {
		const jobKey = uploadJobKey(String(json.servicePrincipalId), String(json.jobId));
		const externalId = String(json.externalId);
		const failedAt = new Date(String(json.activityDateTime));
		const result = remembered.forgetFailed(jobKey, externalId, failedAt);
		json.willResend = result === 'notRemembered' || (result === 'forgotten' && kept);
		if (result === 'acceptedSince') json.willResendNote = WILL_RESEND_NOTES.acceptedSince;
		else if (!json.willResend) json.willResendNote = WILL_RESEND_NOTES.manualExecution;
	}
	if (kept) remembered.save();
}

/** Why an employee the service failed is not sent again by the next Only What Changed upload */
const WILL_RESEND_NOTES = {
	manualExecution:
		"Only What Changed still remembers this employee's record: n8n saves the workflow's static data after production executions only, not after this manual one. Let the active workflow check the outcome, or upload with Forget What Was Sent.",
	acceptedSince:
		'Graph accepted a later record of this employee after this failure: Only What Changed keeps it, and its own outcome tells whether it was processed.',
} as const;

function outputOf(employee: Employee, outcome: IDataObject, checksInNode: number): IDataObject {
	const userName = employee.input.userName;
	return {
		externalId: employee.externalId,
		...(typeof userName === 'string' ? { userName } : {}),
		...outcome,
		jobId: employee.jobId,
		servicePrincipalId: employee.servicePrincipalId,
		uploadedAfter: employee.since.toISOString(),
		...(employee.lookBackNote ? { lookBackNote: employee.lookBackNote } : {}),
		checks: employee.checks + checksInNode,
	};
}

/** An employee Upload Users did not send: what the item says, and why there is nothing to look up. */
function notSentOutput({ externalId, status, input }: NotSentEmployee): IDataObject {
	const text = (value: unknown) => (typeof value === 'string' ? value : null);
	const checks = Number(input.checks);
	return {
		externalId,
		...(typeof input.userName === 'string' ? { userName: input.userName } : {}),
		...employeeOutcome([]),
		outcome: status,
		message: NOT_SENT_STATUSES[status],
		...(status === 'superseded' ? { supersededByItem: input.supersededByItem ?? null } : {}),
		jobId: text(input.jobId),
		servicePrincipalId: text(input.servicePrincipalId),
		// unchanged: when Graph last accepted the employee, as Upload Users gives it
		...(status === 'unchanged'
			? { lastAcceptedAt: text(input.uploadedAt ?? input.lastAcceptedAt) }
			: {}),
		checks: Number.isInteger(checks) && checks > 0 ? checks : 0,
	};
}

/** Items never reached (the node stops at the first invalid one without Continue On Fail) carry no outcome. */
function fillUnsettled(outcomes: ItemOutcome[], itemIndexes: number[]): ItemOutcome[] {
	const firstError = outcomes.find((outcome) => outcome && 'error' in outcome);
	return itemIndexes.map((itemIndex) => outcomes[itemIndex] ?? (firstError as ItemOutcome));
}

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { GraphConnection, RequestSettings } from '../transport';
import { odataString } from '../transport/odata';
import { readRequestSettings } from './itemParameters';
import type { ItemOutcome } from './operationRun';
import { logFailure, readLogEntries, type ProvisioningObjectSummary } from './provisioningLogs';
import { AcceptedRecords, uploadJobKey } from './uploadFingerprints';
import {
	readEmployee,
	type Employee,
	type Lookup,
	type NotSentEmployee,
} from './uploadOutcomeInputs';
import {
	employeeOutcome,
	entriesBySource,
	entriesSince,
	logWindowStart,
	NOT_SENT_STATUSES,
	readJobState,
	type JobState,
} from './uploadOutcomes';

/**
 * The employees to look up, one lookup per job (from the earliest upload among its employees); an employee Upload
 * Users did not send gets its output item, an invalid item its error, in `outcomes`.
 */
export function readLookups(
	ctx: IExecuteFunctions,
	itemIndexes: number[],
	outcomes: ItemOutcome[],
): Lookup[] {
	const lookups = new Map<string, Lookup>();
	for (const itemIndex of itemIndexes) {
		try {
			const employee = readEmployee(ctx, itemIndex);
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
	return [...lookups.values()];
}

/**
 * One check of one job's employees against its provisioning logs: each gets its outcome (or error) in `outcomes`.
 * Returns the employees still pending on a job that processes them, for the next check.
 */
export async function checkJob(
	ctx: IExecuteFunctions,
	connection: GraphConnection,
	lookup: Lookup,
	outcomes: ItemOutcome[],
	check: number,
): Promise<Lookup | undefined> {
	const first = lookup.employees[0].itemIndex;
	try {
		const settings = readRequestSettings(ctx, first, true);
		const filter = `jobId eq ${odataString(lookup.jobId)} and servicePrincipal/id eq ${odataString(lookup.servicePrincipalId)} and activityDateTime gt ${logWindowStart(lookup.since)}`;
		const { entries } = await readLogEntries(
			ctx,
			connection,
			filter,
			undefined,
			settings,
			logFailure(connection, first),
		);
		const waiting = settleProcessed(lookup.employees, entries, outcomes, check);
		if (waiting.length === 0) return undefined;
		return await settleWaiting(ctx, connection, { lookup, waiting, settings }, outcomes, check);
	} catch (error) {
		for (const employee of lookup.employees) outcomes[employee.itemIndex] = { error };
		return undefined;
	}
}

/** The employees the logs show processed get their outcome; the others are returned, still waiting. */
function settleProcessed(
	employees: Employee[],
	entries: ProvisioningObjectSummary[],
	outcomes: ItemOutcome[],
	check: number,
): Employee[] {
	const bySource = entriesBySource(
		entries,
		new Set(employees.map((employee) => employee.externalId)),
	);
	const waiting: Employee[] = [];
	for (const employee of employees) {
		const outcome = employeeOutcome(
			entriesSince(bySource.get(employee.externalId) ?? [], employee.since),
		);
		if (outcome.outcome === 'pending') waiting.push(employee);
		else outcomes[employee.itemIndex] = { json: outputOf(employee, outcome, check) };
	}
	return waiting;
}

/**
 * The employees the job has not processed: pending while the job runs, held (jobNotRunning) while it cannot. Only
 * they depend on the job's state: a failed read fails them, not the others.
 */
async function settleWaiting(
	ctx: IExecuteFunctions,
	connection: GraphConnection,
	{ lookup, waiting, settings }: { lookup: Lookup; waiting: Employee[]; settings: RequestSettings },
	outcomes: ItemOutcome[],
	check: number,
): Promise<Lookup | undefined> {
	let jobState: JobState;
	try {
		jobState =
			lookup.jobState && !lookup.jobState.readable
				? lookup.jobState
				: await readJobState(
						ctx,
						connection,
						lookup.servicePrincipalId,
						lookup.jobId,
						settings,
						lookup.employees[0].itemIndex,
					);
	} catch (error) {
		for (const employee of waiting) outcomes[employee.itemIndex] = { error };
		return undefined;
	}
	for (const employee of waiting) {
		const outcome = {
			...employeeOutcome([]),
			...(jobState.canProcess ? {} : { outcome: 'jobNotRunning' }),
			...jobState.fields,
		};
		outcomes[employee.itemIndex] = { json: outputOf(employee, outcome, check) };
	}
	if (!jobState.canProcess) return undefined;
	// The next check reads from the earliest upload still waiting: fewer pages once the first are done.
	const since = waiting.reduce(
		(earliest, employee) => (employee.since < earliest ? employee.since : earliest),
		waiting[0].since,
	);
	return { ...lookup, since, employees: waiting, jobState };
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
export function forgetFailedRecords(ctx: IExecuteFunctions, outcomes: ItemOutcome[]): void {
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
export function fillUnsettled(outcomes: ItemOutcome[], itemIndexes: number[]): ItemOutcome[] {
	const firstError = outcomes.find((outcome) => outcome && 'error' in outcome);
	return itemIndexes.map((itemIndex) => outcomes[itemIndex] ?? (firstError as ItemOutcome));
}

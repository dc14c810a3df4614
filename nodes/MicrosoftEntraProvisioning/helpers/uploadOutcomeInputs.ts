import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { GUID_PATTERN, isSynchronizationId } from '../../../lib/graphIdentifiers';
import { invalidInput, itemParameter, readMoment } from './itemParameters';
import { isNotSentStatus, type JobState, type NotSentStatus } from './uploadOutcomes';

const GUID = new RegExp(GUID_PATTERN);

/** Without Uploaded After: the last day, enough for a run of the provisioning service that Microsoft puts at minutes. */
const DEFAULT_LOOK_BACK_MS = 24 * 3600_000;
/** The longest in-node wait: longer waits belong to n8n's Wait node, which frees the worker meanwhile. */
export const MAX_IN_NODE_WAIT_SECONDS = 300;

export interface Employee {
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
export interface NotSentEmployee {
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

export function readEmployee(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Employee | NotSentEmployee {
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

export function readWait(ctx: IExecuteFunctions): { waitMs: number; everyMs: number } {
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
export interface Lookup {
	jobId: string;
	servicePrincipalId: string;
	since: Date;
	employees: Employee[];
	/** The job's state as last read; kept when the credential may not read it, so it is not asked again */
	jobState?: JobState;
}

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { SCIM_ENTERPRISE_USER_SCHEMA } from '../../../lib/scimUserAttributes';
import type { ItemOutcome } from '../actions/node.type';
import {
	DUPLICATE_EXTERNAL_ID_RULES,
	type DuplicateExternalIdRule,
} from '../descriptions/uploadOptions';
import { employeeReader, type Employee } from './employeeRecords';
import {
	invalidInput,
	itemParameter,
	readSynchronizationId,
	readTarget,
	type TargetReference,
} from './itemParameters';
import { MAX_OPERATIONS_PER_REQUEST } from './scimUser';

/** The Upload Options of one upload: settings of the execution, read from the first item. */
/**
 * What Upload Users did with an employee, as its output's `status` says: the one list Get Upload Outcomes reads it by
 * (an employee not sent has nothing new in the provisioning logs).
 */
export type UploadStatus = 'sent' | 'unchanged' | 'preview' | 'superseded';

export interface UploadOptions {
	duplicateExternalIds: DuplicateExternalIdRule;
	previewOnly: boolean;
	onlyChanged: boolean;
	forgetSent: boolean;
	managersFirst: boolean;
}

export function readUploadOptions(ctx: IExecuteFunctions): UploadOptions {
	const options = (itemParameter(ctx, 'uploadOptions', 0, {}) ?? {}) as IDataObject;
	const duplicateExternalIds = options.duplicateExternalIds ?? 'laterWins';
	if (!DUPLICATE_EXTERNAL_ID_RULES.includes(duplicateExternalIds as DuplicateExternalIdRule)) {
		invalidInput(
			ctx,
			0,
			`"${String(duplicateExternalIds)}" is not a choice for Duplicate External IDs`,
			'Set Upload Options › Duplicate External IDs to Later Record Wins or Refuse.',
		);
	}
	for (const name of ['previewOnly', 'onlyChanged', 'forgetSent', 'managersFirst']) {
		if (options[name] !== undefined && typeof options[name] !== 'boolean') {
			invalidInput(
				ctx,
				0,
				`Upload Options › ${name} must be true or false, not "${String(options[name])}"`,
				'Switch the option on or off, or make its expression give true or false.',
			);
		}
	}
	return {
		duplicateExternalIds: duplicateExternalIds as DuplicateExternalIdRule,
		previewOnly: options.previewOnly === true,
		onlyChanged: options.onlyChanged === true,
		forgetSent: options.forgetSent === true,
		managersFirst: options.managersFirst !== false,
	};
}

/** An employee to send, with what the output says about it beyond the request it went in. */
export interface PlannedEmployee extends Employee {
	/** What reading the item found worth telling (e.g. which column went where), spread into its output */
	report?: IDataObject;
	/** 1-based numbers of the earlier items of this externalId it superseded */
	duplicateOfItems?: number[];
}

/** The employees of an upload that go to one job */
export interface UploadDestination {
	target: TargetReference;
	jobId: string;
	/** The record that wins for each externalId (the later one, or the only one), in input order */
	employees: PlannedEmployee[];
	/** Records a later item of the same externalId replaced, with the item index of the winner */
	superseded: Array<{ employee: Employee; winnerIndex: number }>;
}

/**
 * Reads every item into the job it goes to. An invalid item, and with 'refuse' a repeated externalId, gets its error
 * at its index in `outcomes`; with 'laterWins' the later record of an externalId replaces the earlier one, which is
 * kept to be output as superseded. Duplicates count per job: the same externalId may go to two jobs.
 */
export function readDestinations(
	ctx: IExecuteFunctions,
	itemIndexes: number[],
	duplicates: DuplicateExternalIdRule,
	outcomes: ItemOutcome[],
): UploadDestination[] {
	const readEmployee = employeeReader(ctx);
	const destinations = new Map<
		string,
		{
			target: TargetReference;
			jobId: string;
			winners: Map<string, PlannedEmployee>;
			superseded: Employee[];
		}
	>();
	for (const itemIndex of itemIndexes) {
		try {
			const employee: PlannedEmployee = readEmployee(itemIndex);
			const target = readTarget(ctx, itemIndex, 'servicePrincipal');
			const jobId = readSynchronizationId(ctx, itemIndex, 'job');
			const key = `${target.by}:${target.id}:${jobId}`;
			const destination = destinations.get(key) ?? {
				target,
				jobId,
				winners: new Map<string, PlannedEmployee>(),
				superseded: [],
			};
			destinations.set(key, destination);
			const earlier = destination.winners.get(employee.externalId);
			if (earlier !== undefined) {
				if (duplicates === 'refuse') {
					invalidInput(
						ctx,
						itemIndex,
						`The employee with externalId ${employee.externalId} is also in item ${earlier.itemIndex + 1}`,
						'Send each employee once per upload: the job matches on externalId, so a second record would race the first. Or set Upload Options › Duplicate External IDs to Later Record Wins.',
					);
				}
				// The winner lists every earlier item of its externalId; a superseded item lists none
				employee.duplicateOfItems = [...(earlier.duplicateOfItems ?? []), earlier.itemIndex + 1];
				delete earlier.duplicateOfItems;
				destination.superseded.push(earlier);
				// The winner takes its own place in the input order
				destination.winners.delete(employee.externalId);
			}
			destination.winners.set(employee.externalId, employee);
		} catch (error) {
			outcomes[itemIndex] = { error };
		}
	}
	return [...destinations.values()].map(({ target, jobId, winners, superseded }) => ({
		target,
		jobId,
		employees: [...winners.values()],
		superseded: superseded.map((employee) => ({
			employee,
			winnerIndex: (winners.get(employee.externalId) as Employee).itemIndex,
		})),
	}));
}

/** The externalId of the employee's manager (enterprise `manager.value`), when it names someone else. */
export function managerOf(employee: Employee): string | undefined {
	const enterprise = employee.data[SCIM_ENTERPRISE_USER_SCHEMA] as
		{ manager?: { value?: unknown } } | undefined;
	const value = enterprise?.manager?.value;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const manager = String(value);
	return manager === '' || manager === employee.externalId ? undefined : manager;
}

/**
 * The employees in sending order, each after their manager when the manager is among them; otherwise the input order
 * is kept. Microsoft's "Troubleshoot HR manager update issues" (entra-docs, app-provisioning/hr-manager-update-issues)
 * requires that "the provisioning app should have processed the manager record prior to processing the user record",
 * and SCIM bulk requests (RFC 7644 §3.7, the format /bulkUpload takes) are processed as if in the order given; no
 * Microsoft page says that a reference waits for a later operation or a later cycle. So the manager goes earlier in
 * the same request, or in an earlier request: the reference resolves in one cycle, and no request is added.
 * In a cycle (A manages B manages A) everyone is still sent once; one of them necessarily goes before their manager.
 */
export function managersFirst<T extends Employee>(employees: T[]): T[] {
	const indexOf = new Map(employees.map((employee, index) => [employee.externalId, index]));
	const managerIndex = employees.map((employee) => {
		const manager = managerOf(employee);
		return manager === undefined ? undefined : indexOf.get(manager);
	});
	const placed = new Array<boolean>(employees.length).fill(false);
	const order: T[] = [];
	for (let start = 0; start < employees.length; start++) {
		// Climb from this employee through managers not placed yet; a manager already on the climb closes a cycle.
		const climb: number[] = [];
		const onClimb = new Set<number>();
		for (
			let index: number | undefined = start;
			index !== undefined && !placed[index] && !onClimb.has(index);
			index = managerIndex[index]
		) {
			climb.push(index);
			onClimb.add(index);
		}
		for (let step = climb.length - 1; step >= 0; step--) {
			placed[climb[step]] = true;
			order.push(employees[climb[step]]);
		}
	}
	return order;
}

/** The externalIds of the employees whose manager is named but not among the upload's employees to the job. */
export function managersNotInUpload(employees: Employee[]): Set<string> {
	const present = new Set(employees.map(({ externalId }) => externalId));
	const missing = new Set<string>();
	for (const employee of employees) {
		const manager = managerOf(employee);
		if (manager !== undefined && !present.has(manager)) missing.add(employee.externalId);
	}
	return missing;
}

/** Consecutive bulk requests of at most 50 operations, in sending order. */
export function packRequests<T>(employees: T[]): T[][] {
	const requests: T[][] = [];
	for (let start = 0; start < employees.length; start += MAX_OPERATIONS_PER_REQUEST)
		requests.push(employees.slice(start, start + MAX_OPERATIONS_PER_REQUEST));
	return requests;
}

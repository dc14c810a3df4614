import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter } from '../../helpers/itemParameters';
import { callJob, jobActionOutput } from '../../helpers/servicePrincipalCalls';
import { RESET_SCOPE_FLAGS, type ResetScopeFlag } from '../../helpers/synchronizationJob';
import type { OperationContext } from '../node.type';

const show = { resource: ['job'], operation: ['restart'] };

/** Microsoft's own example restart clears these three. */
const DEFAULT_RESET_SCOPE: ResetScopeFlag[] = ['Watermark', 'Escrows', 'QuarantineState'];

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Reset Scope',
		name: 'resetScope',
		type: 'multiOptions',
		options: Object.entries(RESET_SCOPE_FLAGS).map(([value, description]) => ({
			name: value.replace(/([a-z])([A-Z])/g, '$1 $2'),
			value,
			description,
		})),
		default: DEFAULT_RESET_SCOPE,
		required: true,
		description:
			"What the restart clears before the job runs again (Graph's criteria.resetScope). Quarantine State gets a job out of quarantine; Watermark makes the next cycle a full one.",
		displayOptions: { show },
	},
];

function readResetScope(ctx: IExecuteFunctions, itemIndex: number): ResetScopeFlag[] {
	const raw = itemParameter(ctx, 'resetScope', itemIndex, []) as unknown;
	const chosen = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : []).map(
		(flag) => String(flag).trim(),
	);
	if (chosen.length === 0) {
		invalidInput(
			ctx,
			itemIndex,
			'Choose at least one Reset Scope',
			'Pick what the restart clears, or None to restart without clearing anything.',
		);
	}
	const unknown = chosen.find(
		(flag) => !Object.prototype.hasOwnProperty.call(RESET_SCOPE_FLAGS, flag),
	);
	if (unknown !== undefined) {
		invalidInput(
			ctx,
			itemIndex,
			`"${unknown}" is not a reset scope`,
			`Graph knows these: ${Object.keys(RESET_SCOPE_FLAGS).join(', ')}.`,
		);
	}
	if (chosen.includes('None') && chosen.length > 1) {
		invalidInput(
			ctx,
			itemIndex,
			'Reset Scope None cannot be combined with other scopes',
			'None restarts without clearing anything; remove it, or remove the others.',
		);
	}
	return [...new Set(chosen)] as ResetScopeFlag[];
}

/** Restarts the job (POST …/jobs/{id}/restart; 204) after clearing what the reset scope names; the job then runs. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	// Graph reads the flags enum as names joined by commas: "Watermark, Escrows, QuarantineState".
	const resetScope = readResetScope(this, itemIndex).join(', ');
	const call = await callJob(this, itemIndex, context, {
		method: 'POST',
		action: 'restart',
		body: { criteria: { resetScope } },
		access: 'manageSynchronizationJobs',
		// Clearing the same state twice leaves the same state, so a dropped connection may be retried.
		idempotent: true,
	});
	return jobActionOutput('restartJob', call, { resetScope });
}

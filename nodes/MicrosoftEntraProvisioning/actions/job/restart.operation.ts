import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter } from '../../helpers/itemParameters';
import { callJob, jobActionOutput } from '../../helpers/servicePrincipalCalls';
import { RESET_SCOPE_FLAGS, type ResetScopeFlag } from '../../helpers/synchronizationJob';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['restart'] };

/**
 * Microsoft's own example restart clears these three, and its restart criteria page calls them close to the admin
 * center's Restart provisioning (an empty scope). Kept as the default, since a saved workflow that never set the
 * scope runs with it; the notice says what it costs.
 */
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
			"What the restart resets before the job runs again (Graph's criteria.resetScope). Quarantine State alone gets a job out of quarantine without a full cycle.",
		displayOptions: { show },
	},
	{
		displayName:
			"What a restart costs: the default scope (Watermark, Escrows, Quarantine State, close to the admin center's Restart provisioning) makes the next cycle a full one that re-evaluates every user and group, and stops retrying escrowed failures. On an API-driven inbound provisioning job a restart also discards the uploads the service has not processed yet: send them again afterwards. To only get a job out of quarantine, use Job › Start, or Quarantine State alone.",
		name: 'restartNotice',
		type: 'notice',
		default: '',
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
			'Pick what the restart resets. To run a paused or quarantined job without resetting anything, use Job › Start.',
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

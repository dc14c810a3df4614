import type { IExecuteFunctions } from 'n8n-workflow';

import type { GraphConnection, RequestSettings } from '../transport';
import { invalidInput, itemParameter } from './itemParameters';
import { readSavedSecrets } from './servicePrincipalCalls';
import type { ResolvedTarget } from './targets';

/** Replace All Saved Keys, checked to be a boolean */
export function readReplaceAllSavedKeys(ctx: IExecuteFunctions, itemIndex: number): boolean {
	const replaceAll = itemParameter(ctx, 'replaceAllSavedKeys', itemIndex, false);
	if (typeof replaceAll !== 'boolean') {
		invalidInput(
			ctx,
			itemIndex,
			'Replace All Saved Keys must be true or false',
			'Turn the switch on or off; if an expression supplies it, make it yield true or false.',
		);
	}
	return replaceAll;
}

/**
 * The keys saved now, and those a save of `givenKeys` would remove: Graph replaces the whole set, so unless Replace
 * All Saved Keys is on, a save that would lose a saved key fails the item before anything is sent.
 */
export async function checkKeysKept(
	ctx: IExecuteFunctions,
	itemIndex: number,
	target: {
		connection: GraphConnection;
		servicePrincipal: ResolvedTarget;
		settings: RequestSettings;
	},
	givenKeys: string[],
	replaceAll: boolean,
): Promise<{ savedKeys: string[]; leftOut: string[] }> {
	// A key Graph answers with null holds nothing a save could lose. An empty text still counts as saved: Graph's
	// masking of secret values is not documented, and refusing one save too many is the cheaper mistake.
	const savedKeys = (
		await readSavedSecrets(
			ctx,
			target.connection,
			target.servicePrincipal,
			target.settings,
			itemIndex,
		)
	)
		.filter(({ value }) => value !== null)
		.map(({ key }) => key);
	const leftOut = savedKeys.filter((key) => !givenKeys.includes(key));
	if (leftOut.length > 0 && !replaceAll) {
		invalidInput(
			ctx,
			itemIndex,
			`Saving would remove the saved ${leftOut.length === 1 ? 'key' : 'keys'} ${leftOut.join(', ')}`,
			`Graph replaces the saved connection settings of service principal ${target.servicePrincipal.objectId} with the keys given here (${givenKeys.join(', ')}). Add ${leftOut.join(', ')} to the secrets of this save, with the values the application needs (Secrets › Get shows the plain ones; secrets come back masked, take them from where you keep them), or turn on Replace All Saved Keys to save only the keys given. Nothing was saved.`,
		);
	}
	return { savedKeys, leftOut };
}

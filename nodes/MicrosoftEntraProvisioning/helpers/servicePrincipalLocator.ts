import { NodeOperationError } from 'n8n-workflow';

import type { GraphConnection, GraphFunctions, RequestSettings } from '../transport';
import { resolveTarget } from './targets';
import { checkTargetLocator } from './validation';

/**
 * The object ID of the service principal a Target locator names, for code that runs outside an item (list
 * searches, the trigger); an app ID is looked up.
 */
export async function locatedServicePrincipalId(
	ctx: GraphFunctions,
	connection: GraphConnection,
	locator: unknown,
	settings: RequestSettings,
): Promise<string> {
	const value = typeof locator === 'object' && locator !== null ? (locator as { value?: unknown }).value : locator;
	// In the editor an expression is not resolved yet, so there is nothing to list for.
	if (typeof value !== 'string' || value.trim() === '' || value.startsWith('=')) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the Service Principal first', {
			description: 'Pick the service principal from its list, or enter its Object ID or App ID; the jobs, templates and rules listed are its own.',
		});
	}
	const checked = checkTargetLocator(locator, 'servicePrincipal', 'Service Principal');
	if ('message' in checked) throw new NodeOperationError(ctx.getNode(), checked.message, { description: checked.description });
	return (await resolveTarget(ctx, connection, checked, settings)).objectId;
}

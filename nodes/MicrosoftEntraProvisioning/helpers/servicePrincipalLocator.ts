import type { INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { GUID_PATTERN } from '../descriptions/target';
import { graphPath, graphRequest, type GraphConnection, type GraphFunctions, type RequestSettings } from '../transport';

const GUID = new RegExp(GUID_PATTERN);

/**
 * The object ID of the service principal a Target locator names, for code that runs outside an item (list
 * searches, the trigger); an app ID is looked up. Items go through resolveTarget, which caches per execution.
 */
export async function locatedServicePrincipalId(
	ctx: GraphFunctions,
	connection: GraphConnection,
	locator: unknown,
	settings: RequestSettings,
): Promise<string> {
	const { mode, value } = (typeof locator === 'object' && locator !== null ? locator : { mode: 'id', value: locator }) as INodeParameterResourceLocator;
	const id = typeof value === 'string' ? value.trim() : '';
	if (id === '' || id.startsWith('=')) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the Service Principal first', {
			description: 'Pick the service principal from its list, or enter its Object ID or App ID; the jobs, templates and rules listed are its own.',
		});
	}
	if (!GUID.test(id)) {
		throw new NodeOperationError(ctx.getNode(), `The Service Principal "${id}" is not a GUID`, {
			description: 'Graph identifies a service principal by a GUID like 00000000-0000-0000-0000-000000000000.',
		});
	}
	if (mode !== 'appId') return id.toLowerCase();
	const response = await graphRequest<{ id?: string }>(
		ctx,
		connection,
		{ method: 'GET', path: `${graphPath`/servicePrincipals`}(appId='${id}')`, qs: { $select: 'id' } },
		settings,
		{
			access: 'readDirectoryObjects',
			delegated: connection.delegated,
			subject: `service principal with app ID ${id}`,
			notFoundHint: `No service principal in this tenant has the Application (client) ID ${id}.`,
		},
	);
	if (typeof response.body?.id !== 'string') {
		throw new NodeOperationError(ctx.getNode(), `Graph returned no object ID for app ID ${id}`);
	}
	return response.body.id;
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	type ApplicationTemplate,
	summarizeApplicationTemplate,
	supportsProvisioning,
} from '../../helpers/applicationGallery';
import { invalidInput, itemParameters, readRequestSettings } from '../../helpers/itemParameters';
import { readPages } from '../../transport';
import { odataString } from '../../transport/odata';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['applicationTemplate'], operation: ['search'] };

/** Gallery names are short; a longer search text is a mistake (e.g. a whole item pasted in). */
const MAX_NAME_LENGTH = 256;
const MAX_LIMIT = 999;

export const description: INodeProperties[] = [
	{
		displayName: 'Name Contains',
		name: 'nameContains',
		type: 'string',
		default: '',
		placeholder: 'e.g. Salesforce',
		displayOptions: { show },
		description:
			"Part of the app's name in the gallery (Graph's contains(displayName, …)); empty lists the whole gallery",
	},
	{
		displayName: 'Only Apps with Provisioning',
		name: 'provisioningOnly',
		type: 'boolean',
		default: true,
		displayOptions: { show },
		description:
			'Whether to keep only apps that support automatic user provisioning (supportedProvisioningTypes has "sync")',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_LIMIT },
		default: 50,
		displayOptions: { show },
		description: 'Max number of results to return',
	},
];

/**
 * Searches the Entra application gallery (GET /applicationTemplates). Graph documents $filter by displayName or
 * categories only, so "supports provisioning" is checked here on what Graph returns. One output item per template.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject[]> {
	const [nameContains, provisioningOnly, limit] = itemParameters(this, itemIndex, [
		{ name: 'nameContains', fallback: '' },
		{ name: 'provisioningOnly', fallback: true },
		{ name: 'limit', fallback: 50 },
	]);
	const name = typeof nameContains === 'string' ? nameContains.trim() : String(nameContains ?? '');
	if (name.length > MAX_NAME_LENGTH) {
		invalidInput(
			this,
			itemIndex,
			`Name Contains is ${name.length} characters long; gallery names are at most ${MAX_NAME_LENGTH}`,
			'Enter part of the app name as the gallery shows it, e.g. Salesforce.',
		);
	}
	const max = Number(limit);
	if (!Number.isInteger(max) || max < 1 || max > MAX_LIMIT) {
		invalidInput(
			this,
			itemIndex,
			`Limit must be a whole number from 1 to ${MAX_LIMIT}`,
			'Set Limit, e.g. 50.',
		);
	}
	const settings = readRequestSettings(this, itemIndex, true);
	const filtered = provisioningOnly !== false;
	const { value } = await readPages<ApplicationTemplate>(
		this,
		context.connection,
		{
			method: 'GET',
			path: '/applicationTemplates',
			qs: name ? { $filter: `contains(displayName, ${odataString(name)})` } : {},
		},
		settings,
		{
			access: 'readApplicationTemplates',
			delegated: context.connection.delegated,
			subject: 'the application gallery',
			itemIndex,
		},
		// The provisioning check is made here, so all of Graph's matches are read before the limit applies.
		filtered ? undefined : max,
	);
	return value
		.filter((template) => !filtered || supportsProvisioning(template))
		.slice(0, max)
		.map(summarizeApplicationTemplate);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { invalidInput, itemParameter } from '../../helpers/itemParameters';
import { readJobSchema } from '../../helpers/schemaCalls';
import { callJob } from '../../helpers/servicePrincipalCalls';
import type { DirectoryDefinition } from '../../helpers/synchronizationSchema';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['schema'], operation: ['discoverDirectory'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName: 'Directory',
		name: 'directory',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. customappsso',
		description:
			"The directory of the job's schema to discover, by name or ID (Schema › Get lists them)",
		displayOptions: { show },
	},
];

/**
 * Schema › Discover Directory: POST …/schema/directories/{id}/discover, Graph's "Discover the latest schema
 * definition for provisioning to an application". The directory is named as admins know it; its ID is read from
 * the job's schema first. One item: the discovered definition and its attributes, object by object.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const named = String(itemParameter(this, 'directory', itemIndex, '')).trim();
	if (named === '')
		invalidInput(
			this,
			itemIndex,
			'No Directory is given',
			"Enter the directory's name, e.g. customappsso.",
		);
	const { fields, schema } = await readJobSchema(this, itemIndex, context);
	const directory = schema.directories.find(
		(candidate) =>
			candidate.name.toLowerCase() === named.toLowerCase() ||
			(candidate.id ?? '').toLowerCase() === named.toLowerCase(),
	);
	if (!directory?.id)
		invalidInput(
			this,
			itemIndex,
			`The job's schema has no directory "${named}"`,
			`Name one of its directories: ${schema.directories.map(({ name }) => `"${name}"`).join(', ')}.`,
		);
	const { response } = await callJob<DirectoryDefinition>(this, itemIndex, context, {
		method: 'POST',
		action: `schema/directories/${directory.id}/discover`,
		access: 'discoverSynchronizationDirectory',
		idempotent: true,
	});
	const discovered = response.body;
	return {
		...fields,
		directoryId: discovered.id ?? directory.id,
		directory: discovered.name ?? directory.name,
		discoveryDateTime: discovered.discoveryDateTime ?? null,
		discoverabilities: discovered.discoverabilities ?? null,
		version: discovered.version ?? null,
		attributes: (discovered.objects ?? []).flatMap((object) =>
			(object.attributes ?? []).map((attribute) => ({
				object: object.name,
				name: attribute.name,
				type: attribute.type ?? null,
				multivalued: attribute.multivalued ?? false,
			})),
		),
	};
}

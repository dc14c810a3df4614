import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { applicationTemplateProperties } from '../../descriptions/applicationGallery';
import {
	type ApplicationTemplate,
	readApplicationTemplateId,
	summarizeApplicationTemplate,
} from '../../helpers/applicationGallery';
import { readRequestSettings } from '../../helpers/itemParameters';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['applicationTemplate'], operation: ['get'] };

export const description: INodeProperties[] = [
	...applicationTemplateProperties(show, 'The gallery app to read'),
];

/** One gallery app (GET /applicationTemplates/{id}). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const templateId = readApplicationTemplateId(this, itemIndex);
	const settings = readRequestSettings(this, itemIndex, true);
	const response = await graphRequest<ApplicationTemplate>(
		this,
		context.connection,
		{ method: 'GET', path: graphPath`/applicationTemplates/${templateId}` },
		settings,
		{
			access: 'readApplicationTemplates',
			delegated: context.connection.delegated,
			subject: `application template ${templateId}`,
			notFoundHint:
				'Pick the app from the list, or find its ID with Application Template › Search.',
			itemIndex,
		},
	);
	return summarizeApplicationTemplate(response.body);
}

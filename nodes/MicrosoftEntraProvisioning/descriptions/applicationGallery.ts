import type { INodeProperties } from 'n8n-workflow';

import { GUID_PATTERN } from '../../../lib/graphIdentifiers';

type Show = Record<string, string[]>;

/** The Application Template locator: the gallery searched by name, or a template ID. */
export function applicationTemplateProperties(show: Show, description: string): INodeProperties[] {
	return [
		{
			displayName: 'Application Template',
			name: 'applicationTemplate',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description,
			displayOptions: { show },
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					typeOptions: {
						searchListMethod: 'searchApplicationTemplates',
						searchable: true,
						searchFilterRequired: false,
					},
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: 'e.g. 8adf8e6e-67b2-4cf2-a259-e3dc5476c621',
					hint: 'The applicationTemplateId from Application Template › Search',
					validation: [
						{
							type: 'regex',
							properties: {
								regex: GUID_PATTERN,
								errorMessage: 'Enter an application template ID (a GUID)',
							},
						},
					],
				},
			],
		},
	];
}

import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { SCIM_VALUE_MAX_LENGTH } from '../../../lib/scimUserAttributes';

/** What Map Automatically does with an item field that names no SCIM attribute. */
export const UNKNOWN_FIELD_HANDLING = ['refuse', 'ignore', 'customExtension'] as const;
export type UnknownFieldHandling = (typeof UNKNOWN_FIELD_HANDLING)[number];

/** What Bulk Upload does with an employee that comes without `active`: Graph would disable such an account. */
export const WITHOUT_ACTIVE_HANDLING = ['setActive', 'refuse'] as const;
export type WithoutActiveHandling = (typeof WITHOUT_ACTIVE_HANDLING)[number];

/** Bulk Upload › Upload Users' "Input Options": how the items are read as employees. */
export function inputOptionsProperty(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Input Options',
		name: 'inputOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Add Missing Attributes to the Job',
				name: 'addMissingAttributes',
				type: 'boolean',
				default: false,
				description:
					"Whether to add the custom extension attributes the employees carry and the job's attribute list for API lacks, before sending (one schema read and write per job and run; needs Synchronization.ReadWrite.All). With Preview Only the additions are only output.",
			},
			{
				displayName: 'Custom Extension Schema',
				name: 'customExtensionSchema',
				type: 'string',
				default: '',
				placeholder: 'e.g. urn:ietf:params:scim:schemas:extension:contoso:1.0:User',
				description:
					'The SCIM schema URN other fields are sent under: a field named HireDate goes as <URN>:HireDate. Field names must be attribute names (a letter, then letters, digits, _ or -).',
				displayOptions: { show: { unknownFields: ['customExtension'] } },
			},
			{
				displayName: 'Employee Without Active',
				name: 'employeeWithoutActive',
				type: 'options',
				options: [
					{
						name: 'Send Active True',
						value: 'setActive',
						description:
							"Send active true (the output says so): Graph's job disables an account updated without active",
					},
					{
						name: 'Refuse the Employee',
						value: 'refuse',
						description: 'Refuse an employee without active before any request',
					},
				],
				default: 'setActive',
				description: 'What to do with an employee that has no active value',
			},
			{
				displayName: 'Match HR Columns',
				name: 'matchHrColumns',
				type: 'boolean',
				default: false,
				description:
					'Whether Map Automatically also reads common HR column names (Worker ID, First Name, Manager ID, Worker Status…) as their SCIM attributes, ignoring case, spaces, _ and -. The output says which column went where.',
			},
			{
				displayName: 'Other Fields',
				name: 'unknownFields',
				type: 'options',
				options: [
					{
						name: 'Refuse the Employee',
						value: 'refuse',
						description:
							'An item with a field that is not a SCIM attribute fails before any request',
					},
					{
						name: 'Ignore Them',
						value: 'ignore',
						description:
							"Send the SCIM attributes only; the output lists each item's ignored fields",
					},
					{
						name: 'Send Under a Custom Extension',
						value: 'customExtension',
						description: 'Send each under the Custom Extension Schema below',
					},
				],
				default: 'refuse',
				description: `What Map Automatically does with item fields that are not SCIM attributes. Each value may be at most ${SCIM_VALUE_MAX_LENGTH.toLocaleString('en-US')} characters.`,
			},
		],
	};
}

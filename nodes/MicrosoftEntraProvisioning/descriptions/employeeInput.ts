import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import {
	SCIM_VALUE_MAX_LENGTH,
	type UnknownFieldHandling,
	type WithoutActiveHandling,
} from '../../../lib/scimUserAttributes';

/** The choices of Other Fields and Employee Without Active, each a value of lib's list. */
const UNKNOWN_FIELD_CHOICES: Record<UnknownFieldHandling, { name: string; description: string }> = {
	refuse: {
		name: 'Refuse the Employee',
		description: 'An item with a field that is not a SCIM attribute fails before any request',
	},
	ignore: {
		name: 'Ignore Them',
		description: "Send the SCIM attributes only; the output lists each item's ignored fields",
	},
	customExtension: {
		name: 'Send Under a Custom Extension',
		description: 'Send each under the Custom Extension Schema below',
	},
};

const WITHOUT_ACTIVE_CHOICES: Record<WithoutActiveHandling, { name: string; description: string }> =
	{
		setActive: {
			name: 'Send Active True',
			description:
				"Send active true (the output says so): Graph's job disables an account updated without active",
		},
		refuse: {
			name: 'Refuse the Employee',
			description: 'Refuse an employee without active before any request',
		},
	};

const choices = (entries: Record<string, { name: string; description: string }>) =>
	Object.entries(entries).map(([value, { name, description }]) => ({ name, value, description }));

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
				options: choices(WITHOUT_ACTIVE_CHOICES),
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
				options: choices(UNKNOWN_FIELD_CHOICES),
				default: 'refuse',
				description: `What Map Automatically does with item fields that are not SCIM attributes. Each value may be at most ${SCIM_VALUE_MAX_LENGTH.toLocaleString('en-US')} characters.`,
			},
		],
	};
}

import type { INodeProperties } from 'n8n-workflow';

import { SECRET_KEY_HINTS, SYNCHRONIZATION_SECRET_KEYS } from '../helpers/synchronizationSecrets';

export const CUSTOM_SECRET_KEY = '__custom';

const keyOptions = [
	...[...SYNCHRONIZATION_SECRET_KEYS]
		.sort((a, b) => a.localeCompare(b))
		.map((key) => ({ name: key, value: key, description: SECRET_KEY_HINTS[key] })),
	{
		name: 'Custom Key',
		value: CUSTOM_SECRET_KEY,
		description: 'A key Graph added after this node was released',
	},
];

/** The key/value secrets collection, shown for the given operations. */
export function secretsProperties(show: Record<string, string[]>): INodeProperties[] {
	return [
		{
			displayName: 'Secrets',
			name: 'secrets',
			type: 'fixedCollection',
			placeholder: 'Add Secret',
			typeOptions: { multipleValues: true },
			default: {},
			required: true,
			description:
				'The connection settings of the application, as Graph\'s synchronizationSecret key/value pairs. Usually BaseAddress (the SCIM endpoint) and SecretToken.',
			displayOptions: { show },
			options: [
				{
					name: 'secret',
					displayName: 'Secret',
					values: [
						{
							displayName: 'Key',
							name: 'key',
							type: 'options',
							options: keyOptions,
							default: 'SecretToken',
							description: 'Which setting this value is for',
						},
						{
							displayName: 'Custom Key',
							name: 'customKey',
							type: 'string',
							default: '',
							placeholder: 'e.g. NewSettingName',
							description: 'The key exactly as Graph spells it (PascalCase)',
							displayOptions: { show: { key: [CUSTOM_SECRET_KEY] } },
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							typeOptions: { password: true },
							default: '',
							description: 'The value to store. It is sent to Graph only and never appears in the node\'s output.',
						},
					],
				},
			],
		},
	];
}

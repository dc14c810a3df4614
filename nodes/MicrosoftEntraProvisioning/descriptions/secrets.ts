import type { INodeProperties } from 'n8n-workflow';

import {
	CUSTOM_SECRET_KEY,
	SYNCHRONIZATION_SECRET_KEYS,
	URL_SECRET_KEYS,
	secretKeyDescription,
} from '../../../lib/synchronizationSecrets';

/** What the Item Fields input calls the field that holds the target's object ID, per operation. */
export interface TargetIdField {
	/** e.g. "Target ID Field" */
	displayName: string;
	/** The field name it defaults to */
	default: string;
	/** What the field identifies, e.g. "the target" */
	what: string;
}

const keyOptions = [
	...[...SYNCHRONIZATION_SECRET_KEYS]
		.sort((a, b) => a.localeCompare(b))
		.map((key) => ({ name: key, value: key, description: secretKeyDescription(key) })),
	{
		name: 'Custom Key',
		value: CUSTOM_SECRET_KEY,
		description: 'A key Graph added after this node was released',
	},
];

/**
 * The Input switch and, for Item Fields, the name of the target ID field. With Item Fields the node reads the target
 * and the secrets from each item's JSON, so a rotation fed from a vault, a sheet or a CSV needs no expression per item.
 */
export function secretsInputProperties(
	show: Record<string, string[]>,
	targetField: TargetIdField,
): INodeProperties[] {
	return [
		{
			displayName: 'Input',
			name: 'inputMode',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Parameters',
					value: 'parameters',
					description: `Enter ${targetField.what} and the secrets below, as values or expressions`,
				},
				{
					name: 'Item Fields',
					value: 'itemFields',
					description: `Read ${targetField.what}'s object ID and the secrets from each item's fields, named like the secret keys (BaseAddress, SecretToken, …)`,
				},
			],
			default: 'parameters',
			description: "Where each item's target and secrets come from",
			displayOptions: { show },
		},
		{
			displayName: targetField.displayName,
			name: 'targetIdField',
			type: 'string',
			default: targetField.default,
			required: true,
			placeholder: `e.g. ${targetField.default}`,
			description: `The item field that holds ${targetField.what}'s object ID. Every other field named exactly like a secret key is sent as that secret; fields with other names are ignored.`,
			displayOptions: { show: { ...show, inputMode: ['itemFields'] } },
		},
	];
}

/** Hides parameters that the Item Fields input replaces. */
export function onlyWithParametersInput(properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			hide: { ...property.displayOptions?.hide, inputMode: ['itemFields'] },
		},
	}));
}

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
				"The connection settings of the application, as Graph's synchronizationSecret key/value pairs. Usually BaseAddress (the SCIM endpoint) and SecretToken.",
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
							displayName: 'URL',
							name: 'url',
							type: 'string',
							default: '',
							placeholder: 'e.g. https://scim.example.com/scim/v2',
							description:
								'The address, shown as typed so it can be checked. It must start with https:// (http:// only for a loopback address such as 127.0.0.1).',
							displayOptions: { show: { key: [...URL_SECRET_KEYS] } },
						},
						{
							// Shown for URL keys too: a workflow saved before the URL field holds its URL here, and n8n drops
							// the value of a field that is hidden. Leave it empty for a URL key and use URL above.
							displayName: 'Value',
							name: 'value',
							type: 'string',
							typeOptions: { password: true },
							default: '',
							description:
								"The value to store. It is sent to Graph only and never appears in the node's output. For a URL key, enter the address under URL instead.",
						},
					],
				},
			],
		},
	];
}

import type { INodeProperties, INodePropertyModeValidation } from 'n8n-workflow';

import { SYNCHRONIZATION_ID_PATTERN } from '../../../lib/graphIdentifiers';
import { targetProperties } from './target';

type Show = Record<string, string[]>;

function idValidation(what: string): INodePropertyModeValidation[] {
	return [
		{
			type: 'regex',
			properties: {
				regex: SYNCHRONIZATION_ID_PATTERN,
				errorMessage: `Enter a ${what} ID: letters, digits, dots, dashes, underscores and #, no spaces or slashes`,
			},
		},
	];
}

function displayOptionsFor(show: Show | undefined): Pick<INodeProperties, 'displayOptions'> {
	return show ? { displayOptions: { show } } : {};
}

/**
 * Synchronization lives on the enterprise application, so these operations take a service principal only: the
 * Target locator of the token operation (its list, object ID and app ID modes) under its own label, with no Target
 * Type. A Target Type here would share its name with the token operation's and could keep "Application" from it.
 */
export function servicePrincipalProperties(show?: Show): INodeProperties[] {
	const locator = targetProperties(show ?? {}).find((property) => property.name === 'target');
	if (!locator) throw new Error('targetProperties has no Target locator');
	return [
		{
			...locator,
			...displayOptionsFor(show),
			displayName: 'Service Principal',
			description:
				'The enterprise application whose provisioning to manage. Graph needs its object ID; an app ID (client ID) is looked up once.',
		},
	];
}

/** The Job locator: the jobs of the selected service principal, or an ID. */
export function jobProperties(show?: Show): INodeProperties[] {
	return [
		{
			displayName: 'Job',
			name: 'job',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: 'The provisioning job of the service principal',
			...displayOptionsFor(show),
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					typeOptions: {
						searchListMethod: 'searchJobs',
						searchable: true,
						searchFilterRequired: false,
					},
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder:
						'e.g. scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.6f0c1e4b-2a7d-4c1e-9a51-3b2c9d8e7f60',
					hint: "The job ID from Job › List, or the admin center's Provisioning › View technical information",
					validation: idValidation('job'),
				},
			],
		},
	];
}

/** The Template locator: the synchronization templates the service principal offers, or an ID. */
export function templateProperties(show: Show, description: string): INodeProperties[] {
	return [
		{
			displayName: 'Template',
			name: 'template',
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
						searchListMethod: 'searchTemplates',
						searchable: true,
						searchFilterRequired: false,
					},
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: 'e.g. scim',
					hint: 'A template ID from Template › List, e.g. scim (non-gallery SCIM app) or API2AAD (API-driven inbound)',
					validation: idValidation('template'),
				},
			],
		},
	];
}

/** The Rule locator: the synchronization rules of the job's schema, or an ID. */
export function ruleProperties(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Rule',
			name: 'rule',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: "Which synchronization rule of the job's schema to run for the object",
			displayOptions: { show },
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					typeOptions: {
						searchListMethod: 'searchRules',
						searchable: true,
						searchFilterRequired: false,
					},
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: 'e.g. 33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2',
					hint: 'A rule ID from Schema › Get (synchronizationRules[].id), exactly as Graph gives it, suffix such as #V2 included',
					validation: idValidation('rule'),
				},
			],
		},
	];
}

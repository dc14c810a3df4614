import type { INodeProperties } from 'n8n-workflow';

/** What to do with a second record of the same externalId in one upload */
export const DUPLICATE_EXTERNAL_ID_RULES = ['laterWins', 'refuse'] as const;
export type DuplicateExternalIdRule = (typeof DUPLICATE_EXTERNAL_ID_RULES)[number];

/** Bulk Upload › Upload Users: how one upload is planned and sent (read from the first item). */
export function uploadOptionsProperty(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Upload Options',
		name: 'uploadOptions',
		type: 'collection',
		placeholder: 'Add Upload Option',
		default: {},
		displayOptions,
		options: [
			{
				displayName: 'Duplicate External IDs',
				name: 'duplicateExternalIds',
				type: 'options',
				options: [
					{
						name: 'Later Record Wins',
						value: 'laterWins',
						description:
							'Send the last item of each externalId; the earlier ones are output as superseded, naming the item that won',
					},
					{
						name: 'Refuse',
						value: 'refuse',
						description: 'Refuse every later item that repeats an externalId, naming the first one',
					},
				],
				default: 'laterWins',
				description:
					'What to do when two items of one upload to a job have the same externalId: the job matches users on it, so both records would race for one account',
			},
			{
				displayName: 'Forget What Was Sent',
				name: 'forgetSent',
				type: 'boolean',
				default: false,
				description:
					"Whether to clear what Only What Changed remembers of the workflow's uploads to the job before sending, so that every employee is sent again (e.g. after changing the job's attribute mappings)",
			},
			{
				displayName: 'Managers First',
				name: 'managersFirst',
				type: 'boolean',
				default: true,
				description:
					"Whether to send each employee after their manager when both are in the upload (manager.value is the manager's externalId), so that the job can resolve the manager reference in the same cycle",
			},
			{
				displayName: 'Only What Changed',
				name: 'onlyChanged',
				type: 'boolean',
				default: false,
				description:
					"Whether to send only employees whose record differs from the one Graph last accepted from this workflow for the job (joiners, movers, leavers); the others are output as unchanged, without a request. An employee Get Upload Outcomes then reports failed by the job is sent again. Remembered in the workflow's static data, which n8n saves for production executions only.",
			},
			{
				displayName: 'Preview Only',
				name: 'previewOnly',
				type: 'boolean',
				default: false,
				description:
					'Whether to output the SCIM operation of each employee and the number of the bulk request it would go in, packed and ordered as a real run would send them, without sending anything',
			},
		],
	};
}

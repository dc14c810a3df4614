import type { INodeProperties, IExecuteFunctions } from 'n8n-workflow';

import { REQUIRED_SCIM_ATTRIBUTES, SCIM_USER_ATTRIBUTES } from '../../../../lib/scimUserAttributes';
import { inputOptionsProperty } from '../../descriptions/employeeInput';
import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import { uploadOptionsProperty } from '../../descriptions/uploadOptions';
import { addMissingApiAttributes } from '../../helpers/apiAttributeList';
import { sendBulkUploads } from '../../helpers/bulkUploadRequests';
import { readDestinations, readUploadOptions } from '../../helpers/uploadPlan';
import type { OperationContext } from '../../helpers/operationContext';
import type { ItemOutcome } from '../../helpers/operationRun';

const show = { resource: ['bulkUpload'], operation: ['uploadUsers'] };
/** Version 1 maps with a list of attribute → value rows; version 2 with n8n's resource mapper. */
const showVersion1 = { ...show, '@version': [1] };
const showFromVersion2 = { ...show, '@version': [{ _cnd: { gte: 2 } }] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName:
			"One input item is one employee. The node packs up to 50 employees into each SCIM bulk request to the API-driven inbound provisioning job, and outputs one item per employee with the request's ID and the provisioning log link. The job must be started to process them.",
		name: 'bulkUploadNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Attributes',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		description:
			"Map Automatically sends each item field named like a SCIM attribute; Map Each Attribute lists the attributes of the job's attribute list for API, custom ones included",
		hint: 'A leaver needs only externalId and active set to false: the job disables the account',
		displayOptions: { show: showFromVersion2 },
		typeOptions: {
			loadOptionsDependsOn: ['target.value', 'job.value'],
			resourceMapper: {
				resourceMapperMethod: 'getScimAttributes',
				mode: 'map',
				valuesLabel: 'SCIM Attributes',
				fieldWords: { singular: 'attribute', plural: 'attributes' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
	},
	{
		displayName: 'Attributes',
		name: 'attributes',
		type: 'fixedCollection',
		placeholder: 'Add Attribute',
		typeOptions: { multipleValues: true },
		default: {},
		required: true,
		description: `Which SCIM user attribute each value of the item goes to. ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')} are required; an empty value leaves the attribute out.`,
		displayOptions: { show: showVersion1 },
		options: [
			{
				name: 'attribute',
				displayName: 'Attribute',
				values: [
					{
						displayName: 'SCIM Attribute',
						name: 'attribute',
						type: 'options',
						options: Object.entries(SCIM_USER_ATTRIBUTES).map(
							([value, { displayName, description }]) => ({
								name: displayName,
								value,
								description,
							}),
						),
						default: 'externalId',
						description: 'The attribute of the SCIM core or enterprise user schema',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. {{ $json.employeeId }}',
						description: 'The value for this employee, usually an expression on the item',
					},
				],
			},
		],
	},
	inputOptionsProperty(showFromVersion2),
	uploadOptionsProperty({ show }),
];

/**
 * API-driven inbound provisioning (POST …/jobs/{id}/bulkUpload, Content-Type application/scim+json; 202 with a
 * Location). Works across items: every valid employee becomes one SCIM POST /Users operation (bulkId = externalId),
 * up to 50 per request. An invalid employee is refused on its own: with Continue On Fail it becomes an error item
 * and the others are sent; without it, nothing is sent and the node stops at the first refusal.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndexes: number[],
	context: OperationContext,
): Promise<ItemOutcome[]> {
	const options = readUploadOptions(this);
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(itemIndexes.length);
	// Without Continue On Fail the router fails the node on the first error, so stop sending once there is one.
	const mustStop = () => !continueOnFail && outcomes.some((outcome) => 'error' in outcome);
	const read = readDestinations(this, itemIndexes, options.duplicateExternalIds, outcomes);
	const destinations = mustStop()
		? read
		: await addMissingApiAttributes(this, context, read, outcomes);
	await sendBulkUploads(this, context, destinations, options, outcomes, mustStop);
	return outcomes;
}

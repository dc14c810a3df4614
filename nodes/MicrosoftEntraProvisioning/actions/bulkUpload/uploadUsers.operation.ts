import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { jobProperties, servicePrincipalProperties } from '../../descriptions/synchronization';
import { pacerFor } from '../../helpers/pacing';
import { itemParameter } from '../../helpers/parameters';
import {
	MAX_OPERATIONS_PER_REQUEST,
	REQUIRED_SCIM_ATTRIBUTES,
	SCIM_BULK_REQUEST_SCHEMA,
	SCIM_USER_ATTRIBUTES,
	scimUser,
	scimValue,
} from '../../helpers/scimUser';
import {
	invalidInput,
	jobFailure,
	readSynchronizationId,
	servicePrincipalFields,
} from '../../helpers/synchronization';
import { resolveTarget, type ResolvedTarget } from '../../helpers/targets';
import { readRequestSettings, readTarget, type TargetReference } from '../../helpers/validation';
import { graphPath, graphRequest } from '../../transport';
import type { ItemOutcome, OperationContext } from '../node.type';

const show = { resource: ['bulkUpload'], operation: ['uploadUsers'] };

/**
 * Microsoft documents at most 40 bulkUpload calls in any 5 seconds (beyond: 429), besides a tenant quota of 2,000
 * (Entra ID P1/P2) or 6,000 (Governance) calls a day that only full 50-operation requests keep small.
 */
const BULK_UPLOAD_LIMIT = { requests: 40, windowMs: 5_000 };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...jobProperties(show),
	{
		displayName:
			'One input item is one employee. The node packs up to 50 employees into each SCIM bulk request to the API-driven inbound provisioning job, and outputs one item per employee with the request\'s ID and the provisioning log link. The job must be started to process them.',
		name: 'bulkUploadNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
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
		displayOptions: { show },
		options: [
			{
				name: 'attribute',
				displayName: 'Attribute',
				values: [
					{
						displayName: 'SCIM Attribute',
						name: 'attribute',
						type: 'options',
						options: Object.entries(SCIM_USER_ATTRIBUTES).map(([value, { displayName, description }]) => ({
							name: displayName,
							value,
							description,
						})),
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
];

interface Upload {
	itemIndex: number;
	bulkId: string;
	externalId: string;
	userName: string;
	data: IDataObject;
}

/** The employee of one item as a SCIM user; throws a NodeOperationError naming what is wrong. */
function readEmployee(ctx: IExecuteFunctions, itemIndex: number): Omit<Upload, 'bulkId'> {
	const entries = itemParameter(ctx, 'attributes.attribute', itemIndex, []) as Array<{ attribute?: unknown; value?: unknown }>;
	const mapped = new Set<string>();
	const values: Array<{ path: string; value: string | boolean }> = [];
	for (const { attribute, value } of entries) {
		const path = String(attribute);
		if (!Object.prototype.hasOwnProperty.call(SCIM_USER_ATTRIBUTES, path)) {
			invalidInput(ctx, itemIndex, `"${path}" is not a SCIM user attribute the node knows`, 'Pick the attribute from the list under Attributes.');
		}
		if (mapped.has(path)) {
			invalidInput(ctx, itemIndex, `The attribute ${path} is mapped twice`, 'Map each SCIM attribute once under Attributes.');
		}
		mapped.add(path);
		const scim = scimValue(path, value);
		if ('problem' in scim) {
			invalidInput(ctx, itemIndex, `This employee's ${scim.problem}`, 'Fix the value in the input item, or the expression that maps it.');
		}
		if (scim.value !== undefined) values.push({ path, value: scim.value });
	}
	for (const required of REQUIRED_SCIM_ATTRIBUTES) {
		if (!values.some(({ path }) => path === required)) {
			invalidInput(
				ctx,
				itemIndex,
				`This employee has no ${required}`,
				mapped.has(required)
					? `The value mapped to ${required} is empty for this item. Every employee needs ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')}.`
					: `Map ${required} under Attributes: the provisioning job cannot process a user without ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')}.`,
			);
		}
	}
	const text = (path: string) => String(values.find((entry) => entry.path === path)?.value);
	return { itemIndex, externalId: text('externalId'), userName: text('userName'), data: scimUser(values) };
}

interface Destination {
	target: TargetReference;
	jobId: string;
	uploads: Upload[];
}

/**
 * API-driven inbound provisioning (POST …/jobs/{id}/bulkUpload, Content-Type application/scim+json; 202 with a
 * Location). Works across items: every valid employee becomes one SCIM POST /Users operation (bulkId = externalId),
 * up to 50 per request. An invalid employee is refused on its own: with Continue On Fail it becomes an error item
 * and the others are sent; without it, nothing is sent and the node stops at the first refusal.
 */
export async function execute(this: IExecuteFunctions, itemIndexes: number[], context: OperationContext): Promise<ItemOutcome[]> {
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(itemIndexes.length);
	// Without Continue On Fail the router fails the node on the first error, so stop sending once there is one.
	const mustStop = () => !continueOnFail && outcomes.some((outcome) => 'error' in outcome);
	const destinations = new Map<string, Destination>();
	const itemOfExternalId = new Map<string, number>();

	for (const itemIndex of itemIndexes) {
		try {
			const employee = readEmployee(this, itemIndex);
			const earlier = itemOfExternalId.get(employee.externalId);
			if (earlier !== undefined) {
				invalidInput(
					this,
					itemIndex,
					`The employee with externalId ${employee.externalId} is also in item ${earlier + 1}`,
					'Send each employee once per upload: the job matches on externalId, so a second record would race the first.',
				);
			}
			const target = readTarget(this, itemIndex, 'servicePrincipal');
			const jobId = readSynchronizationId(this, itemIndex, 'job');
			itemOfExternalId.set(employee.externalId, itemIndex);
			const key = `${target.by}:${target.id}:${jobId}`;
			const destination = destinations.get(key) ?? { target, jobId, uploads: [] };
			destination.uploads.push({ ...employee, bulkId: employee.externalId });
			destinations.set(key, destination);
		} catch (error) {
			outcomes[itemIndex] = { error };
		}
	}

	const pacer = pacerFor(context.pacers, 'bulkUpload', BULK_UPLOAD_LIMIT.requests, BULK_UPLOAD_LIMIT.windowMs);
	for (const { target, jobId, uploads } of destinations.values()) {
		if (mustStop()) break;
		// Requests are shared by items: the first item's options (API version, timeout, retries) apply. The job
		// matches on externalId, so a request repeated after a dropped connection leaves the same users.
		const first = uploads[0].itemIndex;
		const settings = readRequestSettings(this, first, true);
		let servicePrincipal: ResolvedTarget;
		try {
			servicePrincipal = await resolveTarget(this, context.connection, target, settings, context.objectIds, first);
		} catch (error) {
			for (const upload of uploads) outcomes[upload.itemIndex] = { error };
			continue;
		}
		const path = graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}/bulkUpload`;
		for (let start = 0; start < uploads.length && !mustStop(); start += MAX_OPERATIONS_PER_REQUEST) {
			const batch = uploads.slice(start, start + MAX_OPERATIONS_PER_REQUEST);
			await pacer.next();
			try {
				const response = await graphRequest(
					this,
					context.connection,
					{
						method: 'POST',
						path,
						headers: { 'Content-Type': 'application/scim+json' },
						body: {
							schemas: [SCIM_BULK_REQUEST_SCHEMA],
							Operations: batch.map(({ bulkId, data }) => ({ method: 'POST', bulkId, path: '/Users', data })),
						},
					},
					settings,
					jobFailure('bulkUpload', context.connection, servicePrincipal, jobId, batch[0].itemIndex),
				);
				const location = response.headers?.location;
				for (const upload of batch) {
					outcomes[upload.itemIndex] = {
						json: {
							success: true,
							operation: 'bulkUpload',
							...servicePrincipalFields(servicePrincipal),
							jobId,
							bulkId: upload.bulkId,
							externalId: upload.externalId,
							userName: upload.userName,
							bulkRequestId: response.requestId ?? null,
							operationsInRequest: batch.length,
							location: typeof location === 'string' ? location : null,
							graphStatus: response.status,
						},
					};
				}
			} catch (error) {
				for (const upload of batch) outcomes[upload.itemIndex] = { error };
			}
		}
	}
	return outcomes;
}

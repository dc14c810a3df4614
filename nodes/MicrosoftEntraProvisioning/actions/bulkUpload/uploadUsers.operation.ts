import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { REQUIRED_SCIM_ATTRIBUTES, SCIM_USER_ATTRIBUTES } from '../../../../lib/scimUserAttributes';
import {
	jobProperties,
	servicePrincipalProperties,
} from '../../descriptions/synchronizationLocators';
import {
	invalidInput,
	itemParameter,
	itemParameters,
	readRequestSettings,
	readSynchronizationId,
	readTarget,
	type TargetReference,
} from '../../helpers/itemParameters';
import { pacerFor } from '../../helpers/pacing';
import {
	MAX_OPERATIONS_PER_REQUEST,
	resolveAttribute,
	SCIM_BULK_REQUEST_SCHEMA,
	scimUser,
	scimValue,
	type ResolvedAttribute,
	type ScimScalar,
} from '../../helpers/scimUser';
import { jobFailure, servicePrincipalFields } from '../../helpers/servicePrincipalCalls';
import { resolveTarget, type ResolvedTarget } from '../../helpers/targets';
import { graphPath, graphRequest } from '../../transport';
import type { ItemOutcome, OperationContext } from '../node.type';

const show = { resource: ['bulkUpload'], operation: ['uploadUsers'] };
/** Version 1 maps with a list of attribute → value rows; version 2 with n8n's resource mapper. */
const showVersion1 = { ...show, '@version': [1] };
const showFromVersion2 = { ...show, '@version': [{ _cnd: { gte: 2 } }] };

/** n8n's resource mapper modes, as it stores them in the parameter. */
const MAP_AUTOMATICALLY = 'autoMapInputData';

/** Graph answers 400 to a bulk request that does not fit the job: every employee of that request carries this. */
const INVALID_BULK_REQUEST_HINT =
	"Graph refuses the whole request (up to 50 employees) when one attribute is not on the job's attribute list for API: add a custom attribute there first (Schema › Update › Add Attribute to the API directory, or in the admin center: the app's Provisioning › Mappings › Show advanced options › Edit attribute list for API), under its full name such as urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate. Only API-driven inbound provisioning jobs accept bulk uploads.";

const ATTRIBUTE_NAME_EXAMPLES = `externalId, userName, active, name.givenName, department or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department, and a custom attribute's full name such as urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate`;

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
];

interface Upload {
	itemIndex: number;
	bulkId: string;
	externalId: string;
	/** None for a leaver sent with externalId and active false only */
	userName: string | null;
	data: IDataObject;
}

const ATTRIBUTE_ROWS = { name: 'attributes.attribute', fallback: [] };

/** The employee of one item as a SCIM user; throws a NodeOperationError naming what is wrong. */
function readEmployee(ctx: IExecuteFunctions, itemIndex: number): Omit<Upload, 'bulkId'> {
	// Every row's expression in one evaluation: an employee maps ten or so attributes
	const [entries] = itemParameters(ctx, itemIndex, [ATTRIBUTE_ROWS]) as [
		Array<{ attribute?: unknown; value?: unknown }>,
	];
	const mapped = new Set<string>();
	const values: Array<{ path: string; value: ScimScalar }> = [];
	for (const { attribute, value } of entries) {
		const path = String(attribute);
		if (!Object.prototype.hasOwnProperty.call(SCIM_USER_ATTRIBUTES, path)) {
			invalidInput(
				ctx,
				itemIndex,
				`"${path}" is not a SCIM user attribute the node knows`,
				'Pick the attribute from the list under Attributes.',
			);
		}
		if (mapped.has(path)) {
			invalidInput(
				ctx,
				itemIndex,
				`The attribute ${path} is mapped twice`,
				'Map each SCIM attribute once under Attributes.',
			);
		}
		mapped.add(path);
		const scim = scimValue({ path, kind: SCIM_USER_ATTRIBUTES[path].kind }, value);
		if ('problem' in scim) {
			invalidInput(
				ctx,
				itemIndex,
				`This employee's ${scim.problem}`,
				'Fix the value in the input item, or the expression that maps it.',
			);
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
	const data = scimUser(
		values.map(({ path, value }) => ({
			attribute: resolveAttribute(path) as ResolvedAttribute,
			value,
		})),
	);
	return { itemIndex, externalId: text('externalId'), userName: text('userName'), data };
}

/** Values below a plain object: `name.givenName`, and below a schema URN key `urn:…:User:department`. */
function itemFields(json: IDataObject): Array<[name: string, value: unknown]> {
	const fields: Array<[string, unknown]> = [];
	const isPlainObject = (value: unknown): value is IDataObject =>
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		Object.getPrototypeOf(value) === Object.prototype;
	const visit = (name: string, value: unknown, separator: string) => {
		if (!isPlainObject(value)) {
			fields.push([name, value]);
			return;
		}
		for (const [key, child] of Object.entries(value))
			visit(`${name}${separator}${key}`, child, '.');
	};
	for (const [key, value] of Object.entries(json)) {
		// A SCIM-shaped item lists its schemas; the node lists them from the attributes it sends.
		if (key === 'schemas') continue;
		if (isPlainObject(value)) {
			for (const [childKey, child] of Object.entries(value))
				visit(`${key}${key.toLowerCase().startsWith('urn:') ? ':' : '.'}${childKey}`, child, '.');
		} else {
			fields.push([key, value]);
		}
	}
	return fields;
}

/**
 * The employee of one item, mapped with the resource mapper: by field names (Map Automatically) or by the values set
 * for the attributes of the job's list (Map Each Attribute). A leaver (active false) may come without userName, as
 * Microsoft's example of disabling an account sends only externalId and active.
 */
function readMappedEmployee(ctx: IExecuteFunctions, itemIndex: number): Omit<Upload, 'bulkId'> {
	const automatic =
		itemParameter(ctx, 'columns.mappingMode', itemIndex, 'defineBelow') === MAP_AUTOMATICALLY;
	const named = automatic
		? itemFields(ctx.getInputData()[itemIndex]?.json ?? {})
		: Object.entries(
				(itemParameter(ctx, 'columns.value', itemIndex, {}) as IDataObject | null) ?? {},
			);
	const fix = automatic
		? 'Fix the field in the input item.'
		: 'Fix the value in the input item, or the expression that maps it.';
	const nameOf = new Map<string, string>();
	const values: Array<{ attribute: ResolvedAttribute; value: ScimScalar }> = [];
	for (const [name, raw] of named) {
		const attribute = resolveAttribute(name, !automatic);
		if (!attribute) {
			invalidInput(
				ctx,
				itemIndex,
				automatic
					? `The item's field "${name}" is not a SCIM attribute`
					: `"${name}" is not a SCIM attribute the node can send`,
				automatic
					? `Map Automatically sends every field of the item, so each must be named as a SCIM attribute: ${ATTRIBUTE_NAME_EXAMPLES}. Rename or remove the field first (e.g. with an Edit Fields node), or choose Map Each Attribute.`
					: "Pick the attribute from the list under Attributes (refresh it after changing the job's attribute list for API).",
			);
		}
		const earlier = nameOf.get(attribute.path);
		if (earlier !== undefined) {
			invalidInput(
				ctx,
				itemIndex,
				earlier === name
					? `The attribute ${attribute.path} is mapped twice`
					: `The item has both "${earlier}" and "${name}" for the attribute ${attribute.path}`,
				'Give each SCIM attribute one value.',
			);
		}
		nameOf.set(attribute.path, name);
		const scim = scimValue(attribute, raw);
		if ('problem' in scim) invalidInput(ctx, itemIndex, `This employee's ${scim.problem}`, fix);
		if (scim.value !== undefined) values.push({ attribute, value: scim.value });
	}
	const valueOf = (path: string) => values.find(({ attribute }) => attribute.path === path)?.value;
	const leaver = valueOf('active') === false;
	for (const required of REQUIRED_SCIM_ATTRIBUTES) {
		if (valueOf(required) !== undefined || (leaver && required !== 'externalId')) continue;
		const need = `Every employee needs ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')}; only a leaver (active false) may come with externalId alone.`;
		invalidInput(
			ctx,
			itemIndex,
			`This employee has no ${required}`,
			nameOf.has(required)
				? `The value for ${required} is empty for this item. ${need}`
				: automatic
					? `Give the item a field named ${required}. ${need}`
					: `Map ${required} under Attributes. ${need}`,
		);
	}
	const userName = valueOf('userName');
	return {
		itemIndex,
		externalId: String(valueOf('externalId')),
		userName: userName === undefined ? null : String(userName),
		data: scimUser(values),
	};
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
export async function execute(
	this: IExecuteFunctions,
	itemIndexes: number[],
	context: OperationContext,
): Promise<ItemOutcome[]> {
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(itemIndexes.length);
	// Without Continue On Fail the router fails the node on the first error, so stop sending once there is one.
	const mustStop = () => !continueOnFail && outcomes.some((outcome) => 'error' in outcome);
	const destinations = new Map<string, Destination>();
	const itemOfExternalId = new Map<string, number>();

	const read = this.getNode().typeVersion >= 2 ? readMappedEmployee : readEmployee;
	for (const itemIndex of itemIndexes) {
		try {
			const employee = read(this, itemIndex);
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

	const pacer = pacerFor(
		context.pacers,
		'bulkUpload',
		BULK_UPLOAD_LIMIT.requests,
		BULK_UPLOAD_LIMIT.windowMs,
	);
	/** When each request of the execution had its answer, in sending order */
	const answeredAt: Array<Promise<number>> = [];
	for (const { target, jobId, uploads } of destinations.values()) {
		if (mustStop()) break;
		// Requests are shared by items: the first item's options (API version, timeout, retries) apply. The job
		// matches on externalId, so a request repeated after a dropped connection leaves the same users.
		const first = uploads[0].itemIndex;
		const settings = readRequestSettings(this, first, true);
		let servicePrincipal: ResolvedTarget;
		try {
			servicePrincipal = await resolveTarget(
				this,
				context.connection,
				target,
				settings,
				context.objectIds,
				first,
			);
		} catch (error) {
			for (const upload of uploads) outcomes[upload.itemIndex] = { error };
			continue;
		}
		const path = graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}/bulkUpload`;
		const send = async (batch: Upload[]): Promise<void> => {
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
							Operations: batch.map(({ bulkId, data }) => ({
								method: 'POST',
								bulkId,
								path: '/Users',
								data,
							})),
						},
					},
					settings,
					{
						...jobFailure(
							'bulkUpload',
							context.connection,
							servicePrincipal,
							jobId,
							batch[0].itemIndex,
						),
						invalidHint: INVALID_BULK_REQUEST_HINT,
					},
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
		};
		// A request does not wait for the answer to the one before, so at a Graph latency of hundreds of ms the 40
		// requests of a 5-second window still fit in it (Items in Flight bounds them on the wire). A request leaves
		// n8n some time after the pacer lets it go (a busy n8n, the first token); so that Graph never counts more than
		// 40 in a window, each also waits a window after the answer to the request 40 before it.
		const sending: Array<Promise<void>> = [];
		for (
			let start = 0;
			start < uploads.length && !mustStop();
			start += MAX_OPERATIONS_PER_REQUEST
		) {
			const windowAgo = answeredAt[answeredAt.length - BULK_UPLOAD_LIMIT.requests];
			if (windowAgo) await sleep((await windowAgo) + BULK_UPLOAD_LIMIT.windowMs - Date.now());
			await pacer.next();
			if (mustStop()) break;
			const sent = send(uploads.slice(start, start + MAX_OPERATIONS_PER_REQUEST));
			sending.push(sent);
			answeredAt.push(sent.then(() => Date.now()));
		}
		await Promise.all(sending);
	}
	return outcomes;
}

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { OperationContext } from './operationContext';
import type { ItemOutcome } from './operationRun';
import { graphPath, graphRequest, type RequestSettings } from '../transport';
import { pacerFor } from '../transport/throttling';
import type { Employee } from './employeeRecords';
import { readRequestSettings } from './itemParameters';
import { SCIM_BULK_REQUEST_SCHEMA } from './scimUser';
import { jobFailure, servicePrincipalFields } from './servicePrincipalCalls';
import { resolveTarget, type ResolvedTarget } from './targets';
import { AcceptedRecords, uploadJobKey } from './uploadFingerprints';
import {
	managersFirst,
	managersNotInUpload,
	packRequests,
	type PlannedEmployee,
	type UploadDestination,
	type UploadOptions,
	type UploadStatus,
} from './uploadPlan';

/** Graph answers 400 to a bulk request that does not fit the job: every employee of that request carries this. */
const INVALID_BULK_REQUEST_HINT =
	"Graph refuses the whole request (up to 50 employees) when one attribute is not on the job's attribute list for API: add a custom attribute there first (Schema › Update › Add Attribute to the API directory, or in the admin center: the app's Provisioning › Mappings › Show advanced options › Edit attribute list for API), under its full name such as urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate. Only API-driven inbound provisioning jobs accept bulk uploads.";

/**
 * Microsoft documents at most 40 bulkUpload calls in any 5 seconds (beyond: 429), besides a tenant quota of 2,000
 * (Entra ID P1/P2) or 6,000 (Governance) calls a day that only full 50-operation requests keep small.
 */
const BULK_UPLOAD_LIMIT = { requests: 40, windowMs: 5_000 };

/** The SCIM bulk operation of one employee: the job matches on externalId, so it is also the bulkId. */
function scimOperation({ externalId, data }: Employee): IDataObject {
	return { method: 'POST', bulkId: externalId, path: '/Users', data };
}

/** One employee's output item: today's fields (null where this employee has none), then what the plan adds. */
function employeeOutput(
	destination: IDataObject,
	employee: PlannedEmployee,
	fields: IDataObject & { status: UploadStatus },
	managerNotInUpload: boolean,
): IDataObject {
	return {
		success: true,
		operation: 'bulkUpload',
		...destination,
		bulkId: employee.externalId,
		externalId: employee.externalId,
		userName: employee.userName,
		bulkRequestId: null,
		operationsInRequest: null,
		location: null,
		graphStatus: null,
		uploadedAt: null,
		...fields,
		...(employee.duplicateOfItems ? { duplicateOfItems: employee.duplicateOfItems } : {}),
		...(managerNotInUpload ? { managerNotInUpload: true } : {}),
		...employee.report,
	};
}

/**
 * Sends each destination's employees as SCIM bulk requests (POST …/jobs/{id}/bulkUpload, Content-Type
 * application/scim+json; 202 with a Location), up to 50 per request, within Graph's documented rate, and writes each
 * employee's outcome at its item index: sent, unchanged (Only What Changed), superseded (a later record of the same
 * externalId won), or with Preview Only the operation and the request it would go in. `mustStop` ends the sending
 * early (the first refusal without Continue On Fail).
 */
export async function sendBulkUploads(
	ctx: IExecuteFunctions,
	context: OperationContext,
	destinations: UploadDestination[],
	options: UploadOptions,
	outcomes: ItemOutcome[],
	mustStop: () => boolean,
): Promise<void> {
	const upload: UploadRun = {
		ctx,
		context,
		options,
		outcomes,
		mustStop,
		pacer: pacerFor(
			context.pacerScope,
			'bulkUpload',
			BULK_UPLOAD_LIMIT.requests,
			BULK_UPLOAD_LIMIT.windowMs,
		),
		remembered: options.onlyChanged || options.forgetSent ? AcceptedRecords.of(ctx) : undefined,
		answeredAt: [],
		requestNumber: 0,
	};
	for (const destination of destinations) {
		if (mustStop()) break;
		await uploadToDestination(upload, destination);
	}
	// Written once, after every answer: n8n saves it with the workflow when a production execution ends.
	if (!options.previewOnly) upload.remembered?.save();
}

/** What the requests of one execution's upload share, over all its destinations */
interface UploadRun {
	ctx: IExecuteFunctions;
	context: OperationContext;
	options: UploadOptions;
	outcomes: ItemOutcome[];
	mustStop: () => boolean;
	pacer: ReturnType<typeof pacerFor>;
	remembered: AcceptedRecords | undefined;
	/** When each request of the execution had its answer, in sending order */
	answeredAt: Array<Promise<number>>;
	/** Requests of the whole upload, numbered in sending order (Preview Only shows the number) */
	requestNumber: number;
}

/** What the requests to one job share */
interface JobUpload {
	/** The job's bulkUpload endpoint */
	path: string;
	servicePrincipal: ResolvedTarget;
	jobId: string;
	jobKey: string;
	settings: RequestSettings;
	fingerprints: Map<PlannedEmployee, string>;
	output: (
		employee: PlannedEmployee,
		fields: IDataObject & { status: UploadStatus },
	) => ItemOutcome;
}

/** One destination's employees: superseded and unchanged ones settled, the others previewed or sent */
async function uploadToDestination(
	upload: UploadRun,
	destination: UploadDestination,
): Promise<void> {
	const { ctx, context, options, outcomes, remembered } = upload;
	const { target, jobId, employees } = destination;
	// Requests are shared by items: the first item's options (API version, timeout, retries) apply. The job
	// matches on externalId, so a request repeated after a dropped connection leaves the same users.
	const first = employees[0].itemIndex;
	const settings = readRequestSettings(ctx, first, true);
	let servicePrincipal: ResolvedTarget;
	try {
		servicePrincipal = await resolveTarget(
			ctx,
			context.connection,
			target,
			settings,
			context.objectIds,
			first,
		);
	} catch (error) {
		for (const employee of [...employees, ...destination.superseded.map((s) => s.employee)])
			outcomes[employee.itemIndex] = { error };
		return;
	}
	const jobKey = uploadJobKey(servicePrincipal.objectId, jobId);
	const noManager = managersNotInUpload(employees);
	const output = (
		employee: PlannedEmployee,
		fields: IDataObject & { status: UploadStatus },
	): ItemOutcome => ({
		json: employeeOutput(
			{ ...servicePrincipalFields(servicePrincipal), jobId },
			employee,
			fields,
			noManager.has(employee.externalId),
		),
	});
	for (const { employee, winnerIndex } of destination.superseded)
		outcomes[employee.itemIndex] = output(employee, {
			status: 'superseded',
			supersededByItem: winnerIndex + 1,
		});

	// Forget What Was Sent clears the job's records first (a preview only pretends to).
	if (options.forgetSent && !options.previewOnly) remembered?.forget(jobKey);
	const { changed, fingerprints, unchanged } =
		options.onlyChanged && remembered
			? remembered.sortOut(jobKey, employees, options.forgetSent)
			: { changed: employees, fingerprints: new Map<PlannedEmployee, string>(), unchanged: [] };
	for (const { employee, uploadedAt } of unchanged)
		outcomes[employee.itemIndex] = output(employee, { status: 'unchanged', uploadedAt });
	const requests = packRequests(options.managersFirst ? managersFirst(changed) : changed);
	if (options.previewOnly) previewRequests(upload, requests, output);
	else
		await sendPaced(upload, requests, {
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}/bulkUpload`,
			servicePrincipal,
			jobId,
			jobKey,
			settings,
			fingerprints,
			output,
		});
}

/** Preview Only: each employee's operation and the request it would go in */
function previewRequests(
	upload: UploadRun,
	requests: PlannedEmployee[][],
	output: JobUpload['output'],
): void {
	for (const batch of requests) {
		upload.requestNumber++;
		for (const employee of batch)
			upload.outcomes[employee.itemIndex] = output(employee, {
				operationsInRequest: batch.length,
				status: 'preview',
				bulkRequestNumber: upload.requestNumber,
				scimOperation: scimOperation(employee),
			});
	}
}

/**
 * A request does not wait for the answer to the one before, so at a Graph latency of hundreds of ms the 40
 * requests of a 5-second window still fit in it (Items in Flight bounds them on the wire). A request leaves n8n
 * some time after the pacer lets it go (a busy n8n, the first token); so that Graph never counts more than 40 in a
 * window, each also waits a window after the answer to the request 40 before it.
 */
async function sendPaced(
	upload: UploadRun,
	requests: PlannedEmployee[][],
	job: JobUpload,
): Promise<void> {
	const { answeredAt, mustStop } = upload;
	const sending: Array<Promise<void>> = [];
	for (const batch of requests) {
		if (mustStop()) break;
		const windowAgo = answeredAt[answeredAt.length - BULK_UPLOAD_LIMIT.requests];
		if (windowAgo) await sleep((await windowAgo) + BULK_UPLOAD_LIMIT.windowMs - Date.now());
		await upload.pacer.next();
		if (mustStop()) break;
		const sent = sendRequest(upload, job, batch);
		sending.push(sent);
		answeredAt.push(sent.then(() => Date.now()));
	}
	await Promise.all(sending);
}

/** One bulk request: each of its employees sent (and remembered for Only What Changed), or failed with it */
async function sendRequest(
	upload: UploadRun,
	job: JobUpload,
	batch: PlannedEmployee[],
): Promise<void> {
	const { ctx, context, outcomes, remembered } = upload;
	const { servicePrincipal, jobId, jobKey, fingerprints, output } = job;
	try {
		const uploadedAt = new Date();
		const response = await graphRequest(
			ctx,
			context.connection,
			{
				method: 'POST',
				path: job.path,
				headers: { 'Content-Type': 'application/scim+json' },
				sendAlone: true,
				body: {
					schemas: [SCIM_BULK_REQUEST_SCHEMA],
					Operations: batch.map(scimOperation),
				},
			},
			job.settings,
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
		for (const employee of batch) {
			const fingerprint = fingerprints.get(employee);
			if (fingerprint !== undefined)
				remembered?.accepted(jobKey, employee.externalId, fingerprint, uploadedAt);
			outcomes[employee.itemIndex] = output(employee, {
				bulkRequestId: response.requestId ?? null,
				operationsInRequest: batch.length,
				location: typeof location === 'string' ? location : null,
				graphStatus: response.status,
				status: 'sent',
				uploadedAt: uploadedAt.toISOString(),
			});
		}
	} catch (error) {
		for (const employee of batch) outcomes[employee.itemIndex] = { error };
	}
}

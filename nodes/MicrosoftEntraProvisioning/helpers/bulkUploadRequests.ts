import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { ItemOutcome, OperationContext } from '../actions/node.type';
import { graphPath, graphRequest } from '../transport';
import type { Employee } from './employeeRecords';
import { readRequestSettings, type TargetReference } from './itemParameters';
import { pacerFor } from './pacing';
import { MAX_OPERATIONS_PER_REQUEST, SCIM_BULK_REQUEST_SCHEMA } from './scimUser';
import { jobFailure, servicePrincipalFields } from './servicePrincipalCalls';
import { resolveTarget, type ResolvedTarget } from './targets';

/** Graph answers 400 to a bulk request that does not fit the job: every employee of that request carries this. */
const INVALID_BULK_REQUEST_HINT =
	"Graph refuses the whole request (up to 50 employees) when one attribute is not on the job's attribute list for API: add a custom attribute there first (Schema › Update › Add Attribute to the API directory, or in the admin center: the app's Provisioning › Mappings › Show advanced options › Edit attribute list for API), under its full name such as urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate. Only API-driven inbound provisioning jobs accept bulk uploads.";

/**
 * Microsoft documents at most 40 bulkUpload calls in any 5 seconds (beyond: 429), besides a tenant quota of 2,000
 * (Entra ID P1/P2) or 6,000 (Governance) calls a day that only full 50-operation requests keep small.
 */
const BULK_UPLOAD_LIMIT = { requests: 40, windowMs: 5_000 };

/** The employees of an upload that go to one job */
export interface UploadDestination {
	target: TargetReference;
	jobId: string;
	employees: Employee[];
}

/**
 * Sends each destination's employees as SCIM bulk requests (POST …/jobs/{id}/bulkUpload, Content-Type
 * application/scim+json; 202 with a Location), up to 50 per request, within Graph's documented rate, and writes each
 * employee's outcome at its item index. `mustStop` ends the sending early (the first refusal without Continue On Fail).
 */
export async function sendBulkUploads(
	ctx: IExecuteFunctions,
	context: OperationContext,
	destinations: Iterable<UploadDestination>,
	outcomes: ItemOutcome[],
	mustStop: () => boolean,
): Promise<void> {
	const pacer = pacerFor(
		context.pacers,
		'bulkUpload',
		BULK_UPLOAD_LIMIT.requests,
		BULK_UPLOAD_LIMIT.windowMs,
	);
	/** When each request of the execution had its answer, in sending order */
	const answeredAt: Array<Promise<number>> = [];
	for (const { target, jobId, employees: uploads } of destinations) {
		if (mustStop()) break;
		// Requests are shared by items: the first item's options (API version, timeout, retries) apply. The job
		// matches on externalId, so a request repeated after a dropped connection leaves the same users.
		const first = uploads[0].itemIndex;
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
			for (const upload of uploads) outcomes[upload.itemIndex] = { error };
			continue;
		}
		const path = graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs/${jobId}/bulkUpload`;
		const send = async (batch: Employee[]): Promise<void> => {
			try {
				const response = await graphRequest(
					ctx,
					context.connection,
					{
						method: 'POST',
						path,
						headers: { 'Content-Type': 'application/scim+json' },
						body: {
							schemas: [SCIM_BULK_REQUEST_SCHEMA],
							Operations: batch.map(({ externalId, data }) => ({
								method: 'POST',
								// The job matches on externalId, so it is also the operation's bulkId
								bulkId: externalId,
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
							bulkId: upload.externalId,
							externalId: upload.externalId,
							userName: upload.userName,
							bulkRequestId: response.requestId ?? null,
							operationsInRequest: batch.length,
							location: typeof location === 'string' ? location : null,
							graphStatus: response.status,
							...upload.report,
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
}

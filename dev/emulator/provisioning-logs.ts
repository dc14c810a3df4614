/**
 * The provisioning logs (provisioningObjectSummary entries) and how bulk uploads reach them; Graph's list of them,
 * GET /auditLogs/provisioning, is in provisioning-log-routes.ts.
 *
 * An accepted bulk request is processed after `processingDelayMs` (Microsoft documents minutes; tests use
 * milliseconds) and only while its job runs (status Active): a paused job leaves its uploads waiting, as Microsoft's
 * troubleshooting guide says. Each operation becomes one entry, decided by a fixed rule, in the order of the
 * requests and of the operations in each:
 * - `active: false` for an employee the job never created: skipped (nothing to disable);
 * - a manager (enterprise `manager.value`) that names an externalId the job has not processed yet — in an earlier
 *   request or earlier in this one — fails with UnableToResolveReferenceAttributeValue: Microsoft's "Troubleshoot HR
 *   manager update issues" requires the manager's record processed before the user's, and a SCIM bulk request is
 *   processed as if in its order (RFC 7644 §3.7);
 * - otherwise create (first time), update, or disable (`active: false`).
 * `all()` lists the entries newest first, as Graph does.
 */
import { createHash, randomUUID } from 'node:crypto';

import { SCIM_ENTERPRISE_USER_SCHEMA, type SynchronizationJob } from './synchronization';

/** Graph's DateTimeOffset format: ISO 8601 UTC, whole seconds. */
function graphDate(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type ProvisioningLogEntry = Record<string, unknown> & {
	id: string;
	activityDateTime: string;
};

interface PendingUpload {
	servicePrincipal: { id: string; appId: string; displayName: string };
	job: SynchronizationJob;
	tenantId: string;
	receivedAt: number;
	operations: Array<{ bulkId: string; data: Record<string, unknown> }>;
}

/** What the job remembers of employees it has processed: externalId → target user. */
type JobDirectory = Map<
	string,
	{ id: string; displayName: string; userPrincipalName: string; active: boolean }
>;

export class ProvisioningLogs {
	/** How long after its upload a bulk request is processed. */
	processingDelayMs = 0;
	private readonly entries: ProvisioningLogEntry[] = [];
	private readonly pending: PendingUpload[] = [];
	private readonly people = new WeakMap<SynchronizationJob, JobDirectory>();

	/** Called by the bulkUpload route for every accepted request. */
	recordUpload(upload: Omit<PendingUpload, 'receivedAt'>): void {
		this.pending.push({ ...upload, receivedAt: Date.now() });
	}

	/** An entry written directly (e.g. a failure of a scheduled cycle), completed with what Graph always returns. */
	add(entry: Partial<ProvisioningLogEntry>): ProvisioningLogEntry {
		const complete = {
			id: randomUUID(),
			activityDateTime: graphDate(new Date()),
			...entry,
		} as ProvisioningLogEntry;
		this.entries.push(complete);
		return complete;
	}

	/**
	 * A restart of an API-driven inbound provisioning job purges what the job has received and not processed yet:
	 * the uploads still waiting are dropped, and never reach the logs. Returns how many were dropped.
	 */
	discardWaiting(job: SynchronizationJob): number {
		const before = this.pending.length;
		for (let index = this.pending.length - 1; index >= 0; index--) {
			if (this.pending[index].job === job) this.pending.splice(index, 1);
		}
		return before - this.pending.length;
	}

	/** Uploads still waiting to be processed. */
	get waiting(): number {
		return this.pending.length;
	}

	/** Every entry, newest first, after processing what is due. */
	all(now = Date.now()): ProvisioningLogEntry[] {
		this.process(now);
		return [...this.entries].sort(newestFirst);
	}

	private process(now: number): void {
		for (let index = 0; index < this.pending.length;) {
			const upload = this.pending[index];
			if (now < upload.receivedAt + this.processingDelayMs || upload.job.code !== 'Active') {
				index++;
				continue;
			}
			this.pending.splice(index, 1);
			this.entries.push(...this.processUpload(upload, now));
		}
	}

	private processUpload(upload: PendingUpload, now: number): ProvisioningLogEntry[] {
		const known = this.people.get(upload.job) ?? new Map();
		this.people.set(upload.job, known);
		const cycleId = randomUUID();
		const activityDateTime = graphDate(new Date(now));
		return upload.operations.map((operation) => {
			const data = operation.data;
			const externalId = String(data.externalId ?? operation.bulkId);
			const userName = String(data.userName ?? externalId);
			const name = (data.name ?? {}) as { givenName?: unknown; familyName?: unknown };
			const displayName = String(
				data.displayName ?? [name.givenName, name.familyName].filter(Boolean).join(' '),
			);
			const active = data.active !== false && data.active !== 'false';
			const enterprise = (data[SCIM_ENTERPRISE_USER_SCHEMA] ?? {}) as {
				manager?: { value?: unknown };
			};
			const manager =
				typeof enterprise.manager?.value === 'string' ? enterprise.manager.value : undefined;
			const existing = known.get(externalId);
			const target = existing ?? {
				id: stableGuid(`${upload.job.id}/${externalId}`),
				displayName,
				userPrincipalName: userName,
				active,
			};
			const steps: Array<Record<string, unknown>> = [
				step(
					'EntryImportAdd',
					'import',
					'success',
					`Received User '${externalId}' change of type (Add) from API`,
					{ externalId, userName },
				),
			];
			let outcome: {
				action: string;
				status: string;
				error?: { errorCode: string; reason: string; recommendedAction: string };
			};
			if (!active && !existing) {
				steps.push(
					step(
						'EntrySynchronizationScoping',
						'scoping',
						'skipped',
						`User '${externalId}' is inactive in API and has no account in Microsoft Entra ID: nothing to provision`,
						{},
					),
				);
				outcome = {
					action: 'other',
					status: 'skipped',
					error: {
						errorCode: 'NotEffectivelyEntitled',
						reason: `User '${externalId}' is not active in the source system and does not exist in the target.`,
						recommendedAction:
							'Nothing to do if the employee left before joining; otherwise send the record with active set to true.',
					},
				};
			} else if (manager !== undefined && manager !== externalId && !known.has(manager)) {
				steps.push(
					step(
						'EntryExportAdd',
						'export',
						'failure',
						`The manager '${manager}' of User '${externalId}' was not found`,
						{ PropertyName: 'manager' },
					),
				);
				outcome = {
					action: existing ? 'update' : 'create',
					status: 'failure',
					error: {
						errorCode: 'UnableToResolveReferenceAttributeValue',
						reason: `We were unable to assign ${manager} as the manager of ${userName}: no user with that externalId is in scope for provisioning.`,
						recommendedAction: `Upload ${manager} first (or in the same request), then upload ${externalId} again.`,
					},
				};
			} else {
				const action = !existing ? 'create' : !active ? 'disable' : 'update';
				const exportStep = {
					create: 'EntryExportAdd',
					update: 'EntryExportUpdate',
					disable: 'EntryExportUpdateSoftDelete',
				}[action];
				steps.push(
					step(
						exportStep,
						'export',
						'success',
						`User '${userName}' was ${action === 'create' ? 'created' : action === 'disable' ? 'disabled' : 'updated'} in Microsoft Entra ID`,
						{ ReportableIdentifier: externalId },
					),
				);
				known.set(externalId, { ...target, displayName, userPrincipalName: userName, active });
				outcome = { action, status: 'success' };
			}
			return {
				id: randomUUID(),
				activityDateTime,
				tenantId: upload.tenantId,
				jobId: upload.job.id,
				cycleId,
				changeId: randomUUID(),
				provisioningAction: outcome.action,
				durationInMilliseconds: 412,
				servicePrincipal: {
					id: upload.servicePrincipal.id,
					displayName: upload.servicePrincipal.displayName,
				},
				sourceSystem: {
					id: stableGuid(`${upload.job.id}/source`),
					displayName: 'API',
					details: {},
				},
				targetSystem: {
					id: stableGuid(`${upload.job.id}/target`),
					displayName: 'Microsoft Entra ID',
					// The application's IDs and name, as every documented entry's targetSystem.details shows them
					details: {
						ApplicationId: upload.servicePrincipal.appId,
						ServicePrincipalId: upload.servicePrincipal.id,
						ServicePrincipalDisplayName: upload.servicePrincipal.displayName,
					},
				},
				initiatedBy: {
					id: '',
					displayName: 'Microsoft Entra Provisioning Service',
					initiatorType: 'system',
				},
				sourceIdentity: {
					id: externalId,
					displayName: '',
					identityType: SCIM_ENTERPRISE_USER_SCHEMA,
					details: {},
				},
				targetIdentity:
					outcome.status === 'success'
						? {
								id: target.id,
								displayName,
								identityType: 'User',
								details: { UserPrincipalName: userName },
							}
						: {
								id: existing?.id ?? '',
								displayName: existing?.displayName ?? '',
								identityType: 'User',
								details: {},
							},
				provisioningStatusInfo: {
					status: outcome.status,
					errorInformation: outcome.error
						? {
								...outcome.error,
								additionalDetails: null,
								errorCategory: outcome.status === 'failure' ? 'NonServiceFailure' : null,
							}
						: null,
				},
				provisioningSteps: steps,
				modifiedProperties:
					outcome.status === 'success'
						? [
								{
									displayName: 'displayName',
									oldValue: existing?.displayName ?? null,
									newValue: displayName,
								},
							]
						: [],
			};
		});
	}
}

function step(
	name: string,
	provisioningStepType: string,
	status: string,
	description: string,
	details: Record<string, unknown>,
) {
	return { name, provisioningStepType, status, description, details };
}

function stableGuid(seed: string): string {
	const h = createHash('sha256').update(seed).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The order Graph lists the logs in, newest first (ties by id). */
export function newestFirst(a: ProvisioningLogEntry, b: ProvisioningLogEntry): number {
	return a.activityDateTime < b.activityDateTime
		? 1
		: a.activityDateTime > b.activityDateTime
			? -1
			: a.id < b.id
				? 1
				: a.id > b.id
					? -1
					: 0;
}

/**
 * The provisioning logs (GET /auditLogs/provisioning, provisioningObjectSummary) and how bulk uploads reach them.
 *
 * An accepted bulk request is processed after `processingDelayMs` (Microsoft documents minutes; tests use
 * milliseconds) and only while its job runs (status Active): a paused job leaves its uploads waiting, as Microsoft's
 * troubleshooting guide says. Each operation becomes one entry, decided by a fixed rule:
 * - `active: false` for an employee the job never created: skipped (nothing to disable);
 * - a manager (enterprise `manager.value`) that names an externalId the job has never seen and that is not in the
 *   same request: failure, UnableToResolveReferenceAttributeValue;
 * - otherwise create (first time), update, or disable (`active: false`).
 * The list answers newest first, with the $filter subset Graph documents (eq / contains / gt / lt, joined by
 * `and`), $top and a cursor $skiptoken that stays correct while new entries arrive between pages.
 */
import { createHash, randomUUID } from 'node:crypto';

import type { GraphContext, GraphRoute } from './graph';
import type { Reply } from './server';
import { SCIM_ENTERPRISE_USER_SCHEMA, type SynchronizationJob } from './synchronization';

/** Graph: "AuditLog.Read.All and Directory.Read.All" — both, a known issue of the API. */
const REQUIRED_TOGETHER = ['AuditLog.Read.All', 'Directory.Read.All'];
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * Least privileged roles Microsoft lists for delegated calls, by role template ID (Global Administrator holds them
 * all): Reports Reader, Security Reader, Security Administrator, Security Operator, Global Reader, Application
 * Administrator, Cloud Application Administrator, Global Administrator.
 */
const PROVISIONING_LOG_READER_ROLE_IDS = [
	'4a5d8f65-41da-4de4-8968-e035b65339cf',
	'5d6b6bb7-de71-4623-b4af-96380a352509',
	'194ae4cb-b126-40b2-bd5b-6091b380977d',
	'5f2222b1-57c3-48ba-8ad5-d4759f1fde6f',
	'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
	'9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
	'158c047a-c907-4556-b7ef-446551a6b5f7',
	'62e90394-69f5-4237-9190-012177145e10',
];

/** Graph's DateTimeOffset format: ISO 8601 UTC, whole seconds. */
function graphDate(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type ProvisioningLogEntry = Record<string, unknown> & {
	id: string;
	activityDateTime: string;
};

interface PendingUpload {
	servicePrincipal: { id: string; displayName: string };
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
		const inRequest = new Set(
			upload.operations.map((operation) => String(operation.data.externalId ?? operation.bulkId)),
		);
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
			} else if (
				manager !== undefined &&
				manager !== externalId &&
				!known.has(manager) &&
				!inRequest.has(manager)
			) {
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
				servicePrincipal: { ...upload.servicePrincipal },
				sourceSystem: {
					id: stableGuid(`${upload.job.id}/source`),
					displayName: 'API',
					details: {},
				},
				targetSystem: {
					id: stableGuid(`${upload.job.id}/target`),
					displayName: 'Microsoft Entra ID',
					details: { ServicePrincipalId: upload.servicePrincipal.id },
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

function newestFirst(a: ProvisioningLogEntry, b: ProvisioningLogEntry): number {
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

// ---- $filter ------------------------------------------------------------------------------

/** Filterable properties (lower-cased as Graph accepts them) and the operators Graph documents for each. */
const FILTERABLE: Record<string, { path: string[]; operators: string[] }> = {
	id: { path: ['id'], operators: ['eq', 'contains'] },
	activitydatetime: { path: ['activityDateTime'], operators: ['eq', 'gt', 'lt'] },
	tenantid: { path: ['tenantId'], operators: ['eq', 'contains'] },
	jobid: { path: ['jobId'], operators: ['eq', 'contains'] },
	changeid: { path: ['changeId'], operators: ['eq', 'contains'] },
	cycleid: { path: ['cycleId'], operators: ['eq', 'contains'] },
	provisioningaction: { path: ['provisioningAction'], operators: ['eq', 'contains'] },
	'provisioningstatusinfo/status': {
		path: ['provisioningStatusInfo', 'status'],
		operators: ['eq', 'contains'],
	},
	'sourceidentity/id': { path: ['sourceIdentity', 'id'], operators: ['eq', 'contains'] },
	'sourceidentity/displayname': {
		path: ['sourceIdentity', 'displayName'],
		operators: ['eq', 'contains'],
	},
	'targetidentity/id': { path: ['targetIdentity', 'id'], operators: ['eq', 'contains'] },
	'targetidentity/displayname': {
		path: ['targetIdentity', 'displayName'],
		operators: ['eq', 'contains'],
	},
	'serviceprincipal/id': { path: ['servicePrincipal', 'id'], operators: ['eq'] },
	'serviceprincipal/displayname': { path: ['servicePrincipal', 'displayName'], operators: ['eq'] },
};

class FilterError extends Error {}

type Condition = { property: string; operator: string; value: string };

const STRING = String.raw`'((?:[^']|'')*)'`;
const CONDITION = new RegExp(
	String.raw`^\s*(?:([A-Za-z/]+)\s+(eq|gt|lt)\s+(?:${STRING}|(\d{4}-\d{2}-\d{2}T[0-9:.]+Z))|contains\(\s*([A-Za-z/]+)\s*,\s*${STRING}\s*\))\s*`,
);

/** `a eq 'x' and contains(b,'y') and activityDateTime gt 2026-01-01T00:00:00Z` → conditions. */
export function parseProvisioningFilter(text: string): Condition[] {
	const conditions: Condition[] = [];
	let rest = text;
	for (;;) {
		const match = CONDITION.exec(rest);
		if (!match) throw new FilterError(`Invalid filter clause: '${rest.trim()}'.`);
		const [whole, property, operator, quoted, date, containsProperty, containsValue] = match;
		const condition = property
			? { property, operator, value: quoted !== undefined ? quoted.replace(/''/g, "'") : date }
			: {
					property: containsProperty,
					operator: 'contains',
					value: containsValue.replace(/''/g, "'"),
				};
		const known = FILTERABLE[condition.property.toLowerCase()];
		if (!known) throw new FilterError(`Filtering on '${condition.property}' is not supported.`);
		if (!known.operators.includes(condition.operator)) {
			throw new FilterError(
				`The operator '${condition.operator}' is not supported for '${condition.property}'.`,
			);
		}
		if (
			condition.property.toLowerCase() === 'activitydatetime' &&
			(date === undefined || Number.isNaN(Date.parse(date)))
		) {
			throw new FilterError(
				`'${condition.value}' is not a DateTimeOffset; write it unquoted, e.g. 2026-01-01T00:00:00Z.`,
			);
		}
		conditions.push(condition);
		rest = rest.slice(whole.length);
		if (rest.trim() === '') return conditions;
		const joined = /^and\s+/i.exec(rest);
		if (!joined)
			throw new FilterError(
				`Only 'and' may join filter clauses here, not '${rest.trim().split(/\s+/)[0]}'.`,
			);
		rest = rest.slice(joined[0].length);
	}
}

function valueAt(entry: ProvisioningLogEntry, path: string[]): unknown {
	let current: unknown = entry;
	for (const name of path)
		current = (current as Record<string, unknown> | null | undefined)?.[name];
	return current;
}

/** Graph compares case-sensitively, except the status. */
function matches(entry: ProvisioningLogEntry, { property, operator, value }: Condition): boolean {
	const key = property.toLowerCase();
	const actual = valueAt(entry, FILTERABLE[key].path);
	if (key === 'activitydatetime') {
		const at = Date.parse(String(actual));
		const wanted = Date.parse(value);
		return operator === 'gt' ? at > wanted : operator === 'lt' ? at < wanted : at === wanted;
	}
	const text = typeof actual === 'string' ? actual : '';
	const [a, b] =
		key === 'provisioningstatusinfo/status'
			? [text.toLowerCase(), value.toLowerCase()]
			: [text, value];
	return operator === 'contains' ? a.includes(b) : a === b;
}

// ---- route --------------------------------------------------------------------------------

/** The cursor: where the previous page ended in newest-first order; later arrivals sort before it. */
function encodeCursor(entry: ProvisioningLogEntry): string {
	return Buffer.from(JSON.stringify({ t: entry.activityDateTime, i: entry.id })).toString(
		'base64url',
	);
}

function decodeCursor(token: string): { t: string; i: string } | undefined {
	try {
		const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
			t?: unknown;
			i?: unknown;
		};
		if (typeof value.t === 'string' && typeof value.i === 'string')
			return { t: value.t, i: value.i };
	} catch {
		// answered below
	}
	return undefined;
}

function queryValue(ctx: GraphContext, name: string): string | undefined {
	for (const [key, value] of ctx.query) if (key.toLowerCase() === name) return value;
	return undefined;
}

function listProvisioning(ctx: GraphContext, logs: ProvisioningLogs): Reply {
	const missing = REQUIRED_TOGETHER.filter(
		(permission) =>
			!ctx.caller.permissions.some(
				(held) =>
					held.toLowerCase() === permission.toLowerCase() ||
					held.toLowerCase() === permission.replace('.Read.', '.ReadWrite.').toLowerCase(),
			),
	);
	if (missing.length > 0)
		return ctx.error(
			403,
			'Authorization_RequestDenied',
			'Insufficient privileges to complete the operation.',
		);
	for (const [key] of ctx.query) {
		if (
			key.startsWith('$') &&
			!['$filter', '$top', '$skiptoken', '$orderby'].includes(key.toLowerCase())
		) {
			return ctx.error(400, 'BadRequest', `The query parameter '${key}' is not supported.`);
		}
	}
	const top = queryValue(ctx, '$top');
	let pageSize = DEFAULT_PAGE;
	if (top !== undefined) {
		if (!/^\d+$/.test(top) || Number(top) < 1 || Number(top) > MAX_PAGE) {
			return ctx.error(
				400,
				'BadRequest',
				`Invalid page size specified: '${top}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
			);
		}
		pageSize = Number(top);
	}
	let conditions: Condition[] = [];
	const filter = queryValue(ctx, '$filter');
	if (filter !== undefined) {
		try {
			conditions = parseProvisioningFilter(filter);
		} catch (error) {
			if (error instanceof FilterError)
				return ctx.error(400, 'BadRequest', `Invalid filter clause: ${error.message}`);
			throw error;
		}
	}
	let found = logs
		.all()
		.filter((entry) => conditions.every((condition) => matches(entry, condition)));
	const token = queryValue(ctx, '$skiptoken');
	if (token !== undefined) {
		const cursor = decodeCursor(token);
		if (!cursor) return ctx.error(400, 'BadRequest', 'Invalid paging token.');
		const boundary = { id: cursor.i, activityDateTime: cursor.t } as ProvisioningLogEntry;
		found = found.filter((entry) => newestFirst(boundary, entry) < 0);
	}
	const page = found.slice(0, pageSize);
	const body: Record<string, unknown> = {
		'@odata.context': `${ctx.baseUrl}/$metadata#auditLogs/provisioning`,
	};
	if (found.length > pageSize) {
		const next = new URLSearchParams(
			[...ctx.query].filter(([key]) => key.toLowerCase() !== '$skiptoken'),
		);
		if (top === undefined) next.set('$top', String(pageSize));
		next.append('$skiptoken', encodeCursor(page[page.length - 1]));
		body['@odata.nextLink'] = `${ctx.baseUrl}/auditLogs/provisioning?${next.toString()}`;
	}
	body.value = page;
	return ctx.json(200, body);
}

export const provisioningLogRoutes: GraphRoute[] = [
	{
		method: 'GET',
		path: '/auditLogs/provisioning',
		handler: (ctx) => listProvisioning(ctx, ctx.env.directory.provisioningLogs),
		// Either grants the route; the handler then asks for both, as Graph does.
		permissions: {
			application: ['AuditLog.Read.All', 'Directory.Read.All'],
			delegated: ['AuditLog.Read.All', 'Directory.Read.All'],
		},
		delegatedRoles: PROVISIONING_LOG_READER_ROLE_IDS,
	},
];

/**
 * Graph's GET /auditLogs/provisioning over the emulator's provisioning logs (provisioning-logs.ts): the permissions
 * and roles it asks for, the $filter subset Graph documents (eq / contains / gt / lt, joined by `and`), $top, and a
 * cursor $skiptoken that stays correct while new entries arrive between pages.
 */
import type { GraphContext, GraphRoute } from './graph';
import { newestFirst, type ProvisioningLogEntry, type ProvisioningLogs } from './provisioning-logs';
import type { Reply } from './exchange';

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

/** Graph asks for AuditLog.Read.All and Directory.Read.All together; a 403 reply when the caller lacks one. */
function missingLogPermissions(ctx: GraphContext): Reply | undefined {
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
	return undefined;
}

function listProvisioning(ctx: GraphContext, logs: ProvisioningLogs): Reply {
	const refused = missingLogPermissions(ctx);
	if (refused) return refused;
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
	// $orderby: the page documents it; activityDateTime is the order an admin asks for (newest first by default)
	const orderBy = queryValue(ctx, '$orderby');
	const ordering = /^\s*activityDateTime(?:\s+(asc|desc))?\s*$/i.exec(
		orderBy ?? 'activityDateTime desc',
	);
	if (!ordering)
		return ctx.error(
			400,
			'BadRequest',
			`Invalid $orderby '${orderBy}': the provisioning logs are ordered by activityDateTime asc or desc.`,
		);
	const direction = ordering[1]?.toLowerCase() === 'asc' ? -1 : 1;
	let found = logs
		.all()
		.filter((entry) => conditions.every((condition) => matches(entry, condition)));
	if (direction < 0) found.reverse();
	const token = queryValue(ctx, '$skiptoken');
	if (token !== undefined) {
		const cursor = decodeCursor(token);
		if (!cursor) return ctx.error(400, 'BadRequest', 'Invalid paging token.');
		const boundary = { id: cursor.i, activityDateTime: cursor.t } as ProvisioningLogEntry;
		found = found.filter((entry) => direction * newestFirst(boundary, entry) < 0);
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
	body.value = ctx.version === 'beta' ? page.map(withBetaNames) : page;
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
	{
		// provisioningobjectsummary-get.md exists on beta only, with this older path (and "Not supported." for
		// permissions): the emulator answers it on beta, with the list's permissions.
		method: 'GET',
		path: '/auditLogs/directoryProvisioning/{id}',
		handler: (ctx) => getProvisioning(ctx, ctx.env.directory.provisioningLogs),
		permissions: {
			application: ['AuditLog.Read.All', 'Directory.Read.All'],
			delegated: ['AuditLog.Read.All', 'Directory.Read.All'],
		},
		delegatedRoles: PROVISIONING_LOG_READER_ROLE_IDS,
	},
];

/**
 * Beta answers each entry with its older property names as well (provisioningobjectsummary-list, beta 441f24c0:
 * both examples carry `action` beside `provisioningAction` and `statusInfo` beside `provisioningStatusInfo`).
 */
function withBetaNames(entry: ProvisioningLogEntry): ProvisioningLogEntry {
	const action = String(entry.provisioningAction ?? '');
	const info = (entry.provisioningStatusInfo ?? {}) as {
		status?: string;
		errorInformation?: Record<string, unknown> | null;
	};
	return {
		...entry,
		action: action.charAt(0).toUpperCase() + action.slice(1),
		statusInfo: info.errorInformation
			? {
					'@odata.type': '#microsoft.graph.statusDetails',
					status: info.status,
					...info.errorInformation,
				}
			: { '@odata.type': '#microsoft.graph.statusBase', status: info.status },
	};
}

function getProvisioning(ctx: GraphContext, logs: ProvisioningLogs): Reply {
	if (ctx.version !== 'beta')
		return ctx.error(
			400,
			'BadRequest',
			"Resource not found for the segment 'directoryProvisioning'.",
		);
	const refused = missingLogPermissions(ctx);
	if (refused) return refused;
	const entry = logs.all().find((candidate) => candidate.id === ctx.params.id.value);
	if (!entry)
		return ctx.error(
			404,
			'Request_ResourceNotFound',
			`Resource '${ctx.params.id.value}' does not exist or one of its queried reference-property objects are not present.`,
		);
	return ctx.json(200, {
		'@odata.context': `${ctx.baseUrl}/$metadata#auditLogs/directoryProvisioning/$entity`,
		...withBetaNames(entry),
	});
}

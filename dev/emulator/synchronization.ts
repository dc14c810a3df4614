/**
 * The provisioning (synchronization) model of the emulated tenant: templates per service principal, jobs that move
 * through Graph's status codes (create → NotConfigured/NotRun, start → Active, pause → Paused, restart resets what
 * its scope names and lifts a quarantine), saved secrets, job schemas with their rules, a small evaluator for
 * parseExpression, on-demand provisioning and the API-driven inbound upload queue, with the limits Microsoft
 * documents; an inbound job's schema lists its attribute list for API, against which uploads' custom extension
 * attributes are checked. State and rules only: synchronization-routes.ts turns requests into calls on this model.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { enumMembers, enumValues } from './graph-metadata';

export interface SynchronizationSecretPair {
	key: string;
	value: string | null;
}

/** Graph's synchronizationSecret enumeration (exact PascalCase), from the v1.0 metadata. */
export const SYNCHRONIZATION_SECRET_KEYS: readonly string[] = enumMembers('synchronizationSecret');

/** microsoft.graph.synchronizationStatusCode (v1.0). */
export type JobStatusCode = 'NotConfigured' | 'NotRun' | 'Active' | 'Paused' | 'Quarantine';

/** microsoft.graph.synchronizationJobRestartScope (a flags enum: Full = ConnectorDataStore | Escrows | Watermark | QuarantineState). */
export const RESTART_SCOPE = enumValues('synchronizationJobRestartScope');

/** microsoft.graph.quarantineReason (not in the metadata excerpt; listed on the synchronizationQuarantine reference page). */
export const QUARANTINE_REASONS = [
	'EncounteredBaseEscrowThreshold',
	'EncounteredTotalEscrowThreshold',
	'EncounteredEscrowProportionThreshold',
	'EncounteredQuarantineException',
	'Unknown',
	'QuarantinedOnDemand',
	'TooManyDeletes',
	'IngestionInterrupted',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_USER_SCHEMA =
	'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

// ---- templates and their schema rules -------------------------------------------------------

export interface SynchronizationRuleDefinition {
	id: string;
	name: string;
	sourceDirectoryName: string;
	targetDirectoryName: string;
	objectMappings: Array<{
		name: string;
		sourceObjectName: string;
		targetObjectName: string;
		/** target attribute ← source attribute or expression (an expression holds a parenthesis) */
		attributeMappings: Array<{ target: string; source: string; matchingPriority?: number }>;
	}>;
}

/** A directory of a template's default schema: its objects and their attribute names (String unless typed). */
export interface DirectoryTemplate {
	name: string;
	objects: Array<{
		name: string;
		attributes: Array<string | { name: string; type: AttributeType; multivalued?: boolean }>;
	}>;
}

export interface TemplateDefinition {
	id: string;
	factoryTag: string;
	description: string;
	/** A job from it stays NotConfigured until the service principal has saved secrets */
	needsCredentials: boolean;
	/** Only API-driven inbound provisioning jobs accept /bulkUpload */
	acceptsBulkUpload: boolean;
	rules: SynchronizationRuleDefinition[];
	/** The directories of its default schema; an API directory's User object lists DEFAULT_API_ATTRIBUTES */
	directories: DirectoryTemplate[];
}

/** The two templates every emulated service principal offers: a non-gallery SCIM app and API-driven inbound provisioning. */
export const TEMPLATE_DEFINITIONS: Record<string, TemplateDefinition> = {
	scim: {
		id: 'scim',
		factoryTag: 'CustomSCIM',
		description: 'Provision users and groups from Microsoft Entra ID to a SCIM 2.0 endpoint',
		needsCredentials: true,
		acceptsBulkUpload: false,
		rules: [
			{
				id: '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8',
				name: 'USER_GROUP_OUTBOUND',
				sourceDirectoryName: 'Azure Active Directory',
				targetDirectoryName: 'customappsso',
				objectMappings: [
					{
						name: 'Provision Microsoft Entra ID Users',
						sourceObjectName: 'User',
						targetObjectName: SCIM_ENTERPRISE_USER_SCHEMA,
						attributeMappings: [
							{ target: 'userName', source: 'userPrincipalName', matchingPriority: 1 },
							{ target: 'active', source: 'accountEnabled' },
							{ target: 'displayName', source: 'displayName' },
							{ target: 'title', source: 'jobTitle' },
							{ target: 'emails[type eq "work"].value', source: 'mail' },
							{ target: 'name.givenName', source: 'givenName' },
							{ target: 'name.familyName', source: 'surname' },
							{ target: 'externalId', source: 'mailNickname' },
							{ target: `${SCIM_ENTERPRISE_USER_SCHEMA}:department`, source: 'department' },
						],
					},
					{
						name: 'Provision Microsoft Entra ID Groups',
						sourceObjectName: 'Group',
						targetObjectName: 'urn:ietf:params:scim:schemas:core:2.0:Group',
						attributeMappings: [
							{ target: 'displayName', source: 'displayName', matchingPriority: 1 },
							{ target: 'externalId', source: 'objectId' },
							{ target: 'members', source: 'members' },
						],
					},
				],
			},
		],
		directories: [
			{
				name: 'Azure Active Directory',
				objects: [
					{
						name: 'User',
						attributes: [
							'userPrincipalName',
							{ name: 'accountEnabled', type: 'Boolean' },
							'displayName',
							'jobTitle',
							'mail',
							'givenName',
							'surname',
							'mailNickname',
							'department',
							'employeeId',
							'objectId',
						],
					},
					{
						name: 'Group',
						attributes: [
							'displayName',
							'objectId',
							'mailNickname',
							{ name: 'members', type: 'Reference', multivalued: true },
						],
					},
				],
			},
			{
				name: 'customappsso',
				objects: [
					{
						name: SCIM_ENTERPRISE_USER_SCHEMA,
						attributes: [
							'userName',
							{ name: 'active', type: 'Boolean' },
							'displayName',
							'title',
							'emails[type eq "work"].value',
							'name.givenName',
							'name.familyName',
							'externalId',
							`${SCIM_ENTERPRISE_USER_SCHEMA}:department`,
							`${SCIM_ENTERPRISE_USER_SCHEMA}:employeeNumber`,
						],
					},
					{
						name: 'urn:ietf:params:scim:schemas:core:2.0:Group',
						attributes: [
							'displayName',
							'externalId',
							{ name: 'members', type: 'Reference', multivalued: true },
						],
					},
				],
			},
		],
	},
	API2AAD: {
		id: 'API2AAD',
		factoryTag: 'API2AAD',
		description: 'API-driven inbound user provisioning to Microsoft Entra ID',
		needsCredentials: false,
		acceptsBulkUpload: true,
		rules: [
			{
				id: '6c409270-f78a-4bc6-af23-7cf3ab6482fe',
				name: 'USER_INBOUND',
				sourceDirectoryName: 'API',
				targetDirectoryName: 'Azure Active Directory',
				objectMappings: [
					{
						name: 'Provision API users',
						sourceObjectName: SCIM_ENTERPRISE_USER_SCHEMA,
						targetObjectName: 'User',
						attributeMappings: [
							{ target: 'employeeId', source: 'externalId', matchingPriority: 1 },
							{ target: 'displayName', source: 'Join(" ", [name.givenName], [name.familyName])' },
							{ target: 'givenName', source: 'name.givenName' },
							{ target: 'surname', source: 'name.familyName' },
							{ target: 'accountEnabled', source: 'active' },
							{ target: 'jobTitle', source: 'title' },
							{ target: 'department', source: `${SCIM_ENTERPRISE_USER_SCHEMA}:department` },
						],
					},
				],
			},
		],
		directories: [
			{ name: 'API', objects: [] },
			{
				name: 'Azure Active Directory',
				objects: [
					{
						name: 'User',
						attributes: [
							'employeeId',
							'displayName',
							'givenName',
							'surname',
							{ name: 'accountEnabled', type: 'Boolean' },
							'jobTitle',
							'department',
							'userPrincipalName',
							'mail',
						],
					},
				],
			},
		],
	},
};

/**
 * The template a template update leaves: the body's properties, and nothing of the old template that the body leaves
 * out ("Missing properties will be erased"); what a job from it may do (credentials, bulk upload) stays with its kind.
 * A message for a body Graph would refuse.
 */
export function replaceTemplate(
	current: TemplateDefinition,
	body: Record<string, unknown>,
): TemplateDefinition | string {
	if (body.id !== undefined && String(body.id).toLowerCase() !== current.id.toLowerCase())
		return `The template's id '${String(body.id)}' does not match '${current.id}' in the URL.`;
	const schema = body.schema as { synchronizationRules?: unknown } | undefined | null;
	const rules = schema?.synchronizationRules ?? [];
	if (!Array.isArray(rules)) return 'schema.synchronizationRules must be a collection.';
	return {
		...current,
		factoryTag: typeof body.factoryTag === 'string' ? body.factoryTag : '',
		description: typeof body.description === 'string' ? body.description : '',
		rules: (rules as Array<Record<string, unknown>>).map((rule) => ({
			id: String(rule.id ?? randomUUID()),
			name: String(rule.name ?? ''),
			sourceDirectoryName: String(rule.sourceDirectoryName ?? ''),
			targetDirectoryName: String(rule.targetDirectoryName ?? ''),
			objectMappings: Array.isArray(rule.objectMappings)
				? (rule.objectMappings as Array<Record<string, unknown>>).map((mapping) => ({
						name: String(mapping.name ?? ''),
						sourceObjectName: String(mapping.sourceObjectName ?? ''),
						targetObjectName: String(mapping.targetObjectName ?? ''),
						attributeMappings: Array.isArray(mapping.attributeMappings)
							? (mapping.attributeMappings as Array<Record<string, unknown>>).map(
									templateAttributeMapping,
								)
							: [],
					}))
				: [],
		})),
		directories: Array.isArray((schema as { directories?: unknown } | null)?.directories)
			? ((schema as { directories: Array<Record<string, unknown>> }).directories.map(
					templateDirectory,
				) as DirectoryTemplate[])
			: [],
	};
}

/** A template's attribute mapping as the body of a template update gives it (microsoft.graph.attributeMapping). */
function templateAttributeMapping(mapping: Record<string, unknown>): {
	target: string;
	source: string;
	matchingPriority?: number;
} {
	const source = (mapping.source ?? {}) as Record<string, unknown>;
	return {
		target: String(mapping.targetAttributeName ?? ''),
		source: String(
			source.type === 'Attribute' ? source.name : (source.expression ?? source.name ?? ''),
		),
		matchingPriority:
			typeof mapping.matchingPriority === 'number' ? mapping.matchingPriority : undefined,
	};
}

/** A template's directory as the body of a template update gives it (microsoft.graph.directoryDefinition). */
function templateDirectory(directory: Record<string, unknown>): DirectoryTemplate {
	const objects = Array.isArray(directory.objects)
		? (directory.objects as Array<Record<string, unknown>>)
		: [];
	return {
		name: String(directory.name ?? ''),
		objects: objects.map((object) => ({
			name: String(object.name ?? ''),
			attributes: (Array.isArray(object.attributes)
				? (object.attributes as Array<Record<string, unknown>>)
				: []
			).map((attribute) => ({
				name: String(attribute.name ?? ''),
				type: (attribute.type ?? 'String') as AttributeType,
				multivalued: attribute.multivalued === true,
			})),
		})),
	};
}

// ---- the attribute list for API -------------------------------------------------------------

/** microsoft.graph.attributeDefinition's type. */
export type AttributeType = 'String' | 'Integer' | 'Reference' | 'Binary' | 'Boolean' | 'DateTime';

export interface ApiAttribute {
	name: string;
	type: AttributeType;
}

const ENTERPRISE = (name: string) => `${SCIM_ENTERPRISE_USER_SCHEMA}:${name}`;

/**
 * What the API directory of a new API-driven inbound provisioning app lists (the admin center's "Edit attribute list
 * for API"): SCIM core and enterprise user attributes; an admin adds custom extension attributes to it by full name.
 */
export const DEFAULT_API_ATTRIBUTES: readonly ApiAttribute[] = [
	...[
		'externalId',
		'userName',
		'displayName',
		'nickName',
		'title',
		'userType',
		'preferredLanguage',
		'locale',
		'timezone',
	],
	...[
		'name.givenName',
		'name.familyName',
		'name.middleName',
		'name.formatted',
		'name.honorificPrefix',
		'name.honorificSuffix',
	],
	...[
		'emails[type eq "work"].value',
		'phoneNumbers[type eq "work"].value',
		'phoneNumbers[type eq "mobile"].value',
	],
	...['streetAddress', 'locality', 'region', 'postalCode', 'country'].map(
		(part) => `addresses[type eq "work"].${part}`,
	),
	...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map(ENTERPRISE),
]
	.map((name): ApiAttribute => ({ name, type: 'String' }))
	.concat([
		{ name: 'active', type: 'Boolean' },
		{ name: ENTERPRISE('manager'), type: 'Reference' },
	]);

// ---- rate windows ---------------------------------------------------------------------------

/** Counts requests in a sliding window, as Graph's documented "N requests per T" limits do. */
export class RequestWindow {
	private readonly times: number[] = [];

	constructor(
		public limit: number,
		readonly windowMs: number,
	) {}

	/** Counts one request; undefined when it is allowed, otherwise the whole seconds until a slot frees (Retry-After). */
	take(now = Date.now()): number | undefined {
		while (this.times.length > 0 && this.times[0] <= now - this.windowMs) this.times.shift();
		if (this.times.length >= this.limit) {
			// A slot frees once all but limit − 1 of the calls in the window have left it; a limit lowered to 0 frees none
			// within the window, so the whole window is the wait.
			const freeing = this.times[this.times.length - this.limit] ?? now;
			return Math.max(1, Math.ceil((freeing + this.windowMs - now) / 1000));
		}
		this.times.push(now);
		return undefined;
	}

	/** The share of the limit the requests of the last window used. */
	used(now = Date.now()): number {
		while (this.times.length > 0 && this.times[0] <= now - this.windowMs) this.times.shift();
		return this.times.length / this.limit;
	}
}

// ---- state ----------------------------------------------------------------------------------

export interface TaskExecution {
	activityIdentifier: string;
	countEscrowed: number;
	countExported: number;
	state: 'Succeeded' | 'Failed' | 'EntryLevelErrors';
	error: { code: string; message: string; tenantActionable: boolean } | null;
	timeBegan: string;
	timeEnded: string;
}

export interface Quarantine {
	currentBegan: string;
	nextAttempt: string;
	reason: QuarantineReason;
	seriesBegan: string;
	seriesCount: number;
	error: { code: string; message: string; tenantActionable: boolean } | null;
}

export interface BulkUploadRecord {
	requestId: string;
	receivedAt: string;
	operations: Array<{
		method: string;
		bulkId: string;
		path: string;
		data: Record<string, unknown>;
	}>;
}

/** One subject of a provisionOnDemand request, as the job received it; a group's with the members sent along. */
export interface OnDemandRecord {
	ruleId: string;
	objectId: string;
	objectTypeName: string;
	members?: Array<{ objectId: string; objectTypeName: string }>;
}

export interface SynchronizationJob {
	id: string;
	template: TemplateDefinition;
	code: JobStatusCode;
	scheduleState: 'Active' | 'Disabled' | 'Paused';
	quarantine: Quarantine | null;
	countSuccessiveCompleteFailures: number;
	lastExecution: TaskExecution | null;
	lastSuccessfulExecution: TaskExecution | null;
	/** Entries in escrow (object-level errors waiting for a retry); a restart with Escrows drops them. */
	escrows: number;
	/** What the watermark remembers of the last cycle; a restart with Watermark clears it. */
	progress: Array<{
		completedUnits: number;
		totalUnits: number;
		units: string;
		progressObservationDateTime: string;
	}>;
	/** What the connector data store holds; a restart with ConnectorDataStore clears it. */
	synchronizedEntryCountByType: Array<{ key: string; value: number }>;
	/** The reset scope of every restart, oldest first. */
	restarts: string[][];
	/** Graph: "The rate limit for this API is 5 requests per 10 seconds." The scope is not documented; counted per job here. */
	onDemandWindow: RequestWindow;
	provisionedOnDemand: OnDemandRecord[];
	bulkUploads: BulkUploadRecord[];
	/**
	 * The job's schema as the last PUT left it (the template's default until then, and again after a DELETE). For an
	 * API-driven inbound job its API directory is the attribute list for API, which bulkUpload checks against.
	 */
	schema: StoredSchema;
	/** Graph: the schema's version is "updated automatically with every schema change" */
	schemaVersion: number;
	/** synchronizationJobSettings: the template's defaults, overridden by name by what the POST sent */
	settings: JobSetting[];
}

/** microsoft.graph.keyValuePair, the element of synchronizationJobSettings. */
export interface JobSetting {
	name: string;
	value: string;
}

/**
 * "Some settings are inherited from the template" (synchronizationJob resource page); the job Get example shows this
 * one, the accidental-deletion threshold, so every emulated template hands it down.
 */
const TEMPLATE_JOB_SETTINGS: readonly JobSetting[] = [
	{ name: 'QuarantineTooManyDeletesThreshold', value: '500' },
];

export interface SynchronizationState {
	/** What the last acquireAccessToken call sent (null until called). */
	acquiredCredentials: SynchronizationSecretPair[] | null;
	/** What the last PUT …/synchronization/secrets saved; GET answers it masked. */
	savedSecrets: SynchronizationSecretPair[];
	templates: TemplateDefinition[];
	jobs: Map<string, SynchronizationJob>;
}

export function newSynchronizationState(): SynchronizationState {
	return {
		acquiredCredentials: null,
		savedSecrets: [],
		templates: Object.values(TEMPLATE_DEFINITIONS),
		jobs: new Map(),
	};
}

/**
 * Limits that apply to the whole tenant. API-driven inbound provisioning (/bulkUpload), per Microsoft Learn,
 * "API-driven inbound provisioning concepts" and "Troubleshoot issues with inbound provisioning API"
 * (learn.microsoft.com/entra/identity/app-provisioning/inbound-provisioning-api-concepts, …-api-issues): at most
 * 40 calls in any 5-second window, and a tenant-level quota of 2,000 (Entra ID P1/P2) or 6,000 (Entra ID
 * Governance) calls per 24 hours; both answered with 429. The emulator starts with the Governance quota.
 */
export class SynchronizationTenant {
	readonly bulkUploadBurst = new RequestWindow(40, 5_000);
	readonly bulkUploadDaily = new RequestWindow(6_000, 24 * 3600_000);
	/** SCIM endpoints that validateCredentials accepts: BaseAddress → SecretToken. */
	readonly scimEndpoints = new Map<string, string>();
}

const MASKED = '********';

/** Keys whose values Graph never reads back; other settings (BaseAddress, SyncAll…) come back as saved. */
const SECRET_VALUE_KEYS = new Set([
	'Password',
	'SecretToken',
	'AppKey',
	'ClientSecret',
	'ConsumerSecret',
	'TokenKey',
	'Oauth2AccessToken',
	'Oauth2RefreshToken',
	'Oauth2ClientSecret',
	'Oauth2AuthorizationCode',
	'ConnectionString',
]);

export function maskedSecrets(pairs: SynchronizationSecretPair[]): SynchronizationSecretPair[] {
	return pairs.map(({ key, value }) => ({
		key,
		value: SECRET_VALUE_KEYS.has(key) && value ? MASKED : value,
	}));
}

function isoNow(offsetMs = 0): string {
	return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Job ids look like Graph's: `<templateId>.<32 hex>.<tenant id>`; `id` gives one (the demo keeps its jobs' ids). */
export function createJob(
	state: SynchronizationState,
	template: TemplateDefinition,
	tenantId: string,
	settings: JobSetting[] = [],
	id = `${template.id}.${randomBytes(16).toString('hex')}.${tenantId}`,
): SynchronizationJob {
	const given = new Set(settings.map(({ name }) => name.toLowerCase()));
	const job: SynchronizationJob = {
		id,
		template,
		code: template.needsCredentials && state.savedSecrets.length === 0 ? 'NotConfigured' : 'NotRun',
		scheduleState: 'Disabled',
		quarantine: null,
		countSuccessiveCompleteFailures: 0,
		lastExecution: null,
		lastSuccessfulExecution: null,
		escrows: 0,
		progress: [],
		synchronizedEntryCountByType: [],
		restarts: [],
		onDemandWindow: new RequestWindow(5, 10_000),
		provisionedOnDemand: [],
		bulkUploads: [],
		schema: defaultSchema(template),
		schemaVersion: 1,
		settings: [
			...TEMPLATE_JOB_SETTINGS.filter(({ name }) => !given.has(name.toLowerCase())),
			...settings.map(({ name, value }) => ({ name, value })),
		],
	};
	state.jobs.set(job.id.toLowerCase(), job);
	return job;
}

/**
 * A PUT of the secrets replaces the saved set. Microsoft's page ("Add synchronization secrets") says neither that
 * Graph merges nor that it replaces; replacing is what PUT means, and it is the case in which a careless save loses
 * keys, so the emulator shows it. Saving secrets configures the jobs that waited for them.
 */
export function saveSecrets(state: SynchronizationState, pairs: SynchronizationSecretPair[]): void {
	state.savedSecrets = pairs;
	for (const job of state.jobs.values()) {
		if (job.code === 'NotConfigured' && pairs.length > 0) job.code = 'NotRun';
	}
}

/**
 * Microsoft's Start page: "If the job is in a paused state, it continues processing changes from the point where it
 * was paused. If the job is in quarantine, the quarantine status is cleared." Nothing else is reset.
 */
export function startJob(job: SynchronizationJob): void {
	job.scheduleState = 'Active';
	job.quarantine = null;
	job.code = 'Active';
}

export function pauseJob(job: SynchronizationJob): void {
	job.scheduleState = 'Paused';
	job.code = 'Paused';
}

/**
 * The scope an empty resetScope stands for. Microsoft's synchronizationJobRestartCriteria page: "Leaving this property
 * empty emulates the Restart provisioning option in the Microsoft Entra admin center. It is similar to setting the
 * resetScope to include QuarantineState, Watermark, and Escrows."
 */
export const ADMIN_CENTER_RESTART_SCOPE = ['QuarantineState', 'Watermark', 'Escrows'];

/**
 * Clears what the scope names (an empty scope: what the admin center's Restart provisioning clears), then runs the
 * job again. Only QuarantineState (or Full) lifts a quarantine: a restart without it leaves the job in quarantine.
 */
export function restartJob(job: SynchronizationJob, scope: string[]): void {
	const effective = scope.length === 0 ? ADMIN_CENTER_RESTART_SCOPE : scope;
	const bits = effective.reduce((all, flag) => all | RESTART_SCOPE[flag], 0);
	if (bits & RESTART_SCOPE.QuarantineState) {
		job.quarantine = null;
		job.countSuccessiveCompleteFailures = 0;
	}
	if (bits & RESTART_SCOPE.Escrows) job.escrows = 0;
	if (bits & RESTART_SCOPE.Watermark) job.progress = [];
	if (bits & RESTART_SCOPE.ConnectorDataStore) job.synchronizedEntryCountByType = [];
	job.restarts.push(scope);
	job.scheduleState = 'Active';
	job.code = job.quarantine ? 'Quarantine' : 'Active';
}

export function quarantineJob(
	job: SynchronizationJob,
	reason: QuarantineReason,
	error: Quarantine['error'],
): void {
	const now = isoNow();
	job.quarantine = {
		currentBegan: now,
		nextAttempt: isoNow(3600_000),
		reason,
		seriesBegan: job.quarantine?.seriesBegan ?? now,
		seriesCount: (job.quarantine?.seriesCount ?? 0) + 1,
		error,
	};
	job.code = 'Quarantine';
}

/** A provisioning cycle ends: escrows make it EntryLevelErrors, errors make it Failed; a clean run lifts a quarantine. */
export function completeRun(
	job: SynchronizationJob,
	outcome: { escrows?: number; errors?: number; exported?: number },
): TaskExecution {
	const escrows = outcome.escrows ?? 0;
	const errors = outcome.errors ?? 0;
	const execution: TaskExecution = {
		activityIdentifier: randomUUID(),
		countEscrowed: escrows,
		countExported: outcome.exported ?? 0,
		state: errors > 0 ? 'Failed' : escrows > 0 ? 'EntryLevelErrors' : 'Succeeded',
		error:
			errors > 0
				? {
						code: 'SynchronizationExportFailed',
						message: `${errors} entries could not be exported.`,
						tenantActionable: true,
					}
				: null,
		timeBegan: isoNow(-60_000),
		timeEnded: isoNow(),
	};
	job.lastExecution = execution;
	job.escrows += escrows;
	job.progress = [
		{
			completedUnits: 1,
			totalUnits: 1,
			units: 'Cycles',
			progressObservationDateTime: execution.timeEnded,
		},
	];
	if (execution.state === 'Failed') {
		job.countSuccessiveCompleteFailures++;
	} else {
		job.countSuccessiveCompleteFailures = 0;
		if (execution.state === 'Succeeded') job.lastSuccessfulExecution = execution;
		job.quarantine = null;
		if (job.code === 'Quarantine') job.code = job.scheduleState === 'Active' ? 'Active' : 'Paused';
	}
	return execution;
}

const NEVER = '0001-01-01T00:00:00Z';

function executionRepresentation(execution: TaskExecution | null): Record<string, unknown> | null {
	if (!execution) return null;
	return {
		activityIdentifier: execution.activityIdentifier,
		countEntitled: 0,
		countEntitledForProvisioning: 0,
		countEscrowed: execution.countEscrowed,
		countEscrowedRaw: execution.countEscrowed,
		countExported: execution.countExported,
		countExports: execution.countExported,
		countImported: 0,
		countImportedDeltas: 0,
		countImportedReferenceDeltas: 0,
		error: execution.error,
		state: execution.state,
		timeBegan: execution.timeBegan,
		timeEnded: execution.timeEnded,
	};
}

/** microsoft.graph.synchronizationJob as Graph serializes it. */
export function jobRepresentation(job: SynchronizationJob): Record<string, unknown> {
	return {
		id: job.id,
		templateId: job.template.id,
		schedule: { expiration: null, interval: 'PT40M', state: job.scheduleState },
		status: {
			code: job.code,
			countSuccessiveCompleteFailures: job.countSuccessiveCompleteFailures,
			escrowsPruned: false,
			lastExecution: executionRepresentation(job.lastExecution),
			lastSuccessfulExecution: executionRepresentation(job.lastSuccessfulExecution),
			lastSuccessfulExecutionWithExports: executionRepresentation(job.lastSuccessfulExecution),
			progress: job.progress,
			quarantine: job.quarantine,
			steadyStateFirstAchievedTime: job.lastSuccessfulExecution?.timeEnded ?? NEVER,
			steadyStateLastAchievedTime: job.lastSuccessfulExecution?.timeEnded ?? NEVER,
			synchronizedEntryCountByType: job.synchronizedEntryCountByType,
			troubleshootingUrl: null,
		},
		synchronizationJobSettings: job.settings.map(({ name, value }) => ({ name, value })),
	};
}

/** microsoft.graph.synchronizationTemplate. */
export function templateRepresentation(
	template: TemplateDefinition,
	applicationId: string,
): Record<string, unknown> {
	return {
		id: template.id,
		applicationId,
		default: template.id === 'scim',
		description: template.description,
		discoverable: true,
		factoryTag: template.factoryTag,
		metadata: [],
		schema: templateSchemaRepresentation(template),
	};
}

// ---- the job's schema ------------------------------------------------------------------------

/** A synchronizationSchema's rules and directories as stored (Graph adds `id` and `version` when it answers). */
export interface StoredSchema {
	synchronizationRules: Array<Record<string, unknown>>;
	directories: Array<Record<string, unknown> & { id: string; name: string }>;
}

/** microsoft.graph.attributeDefinition with Graph's defaults. */
export function attributeDefinition(
	name: string,
	type: AttributeType,
	options: { multivalued?: boolean; anchor?: boolean; referencedObjectName?: string } = {},
): Record<string, unknown> {
	return {
		anchor: options.anchor ?? false,
		apiExpressions: [],
		caseExact: false,
		defaultValue: null,
		flowNullValues: false,
		metadata: [],
		multivalued: options.multivalued ?? false,
		mutability: 'ReadWrite',
		name,
		referencedObjects:
			type === 'Reference' && options.referencedObjectName
				? [{ referencedObjectName: options.referencedObjectName, referencedProperty: null }]
				: [],
		required: false,
		type,
	};
}

/** microsoft.graph.attributeMappingSource of `[attribute]` or, for an expression, of its parse. */
function defaultMappingSource(source: string): Record<string, unknown> {
	if (source.includes('(')) return parseExpression(source, undefined).parsedExpression as never;
	return { expression: `[${source}]`, name: source, parameters: [], type: 'Attribute' };
}

/**
 * The template's default schema, as a new job starts with it and as DELETE …/schema restores it (Graph: "Delete
 * the customized schema and resets the schema to the default configuration").
 */
export function defaultSchema(template: TemplateDefinition): StoredSchema {
	const inbound = template.rules.find((rule) => rule.sourceDirectoryName === 'API');
	return {
		synchronizationRules: template.rules.map((rule, index) => ({
			id: rule.id,
			name: rule.name,
			editable: true,
			priority: index + 1,
			sourceDirectoryName: rule.sourceDirectoryName,
			targetDirectoryName: rule.targetDirectoryName,
			containerFilter: { includedContainers: [] },
			groupFilter: { includedGroups: [] },
			metadata: [],
			objectMappings: rule.objectMappings.map(({ attributeMappings, ...mapping }) => ({
				...mapping,
				enabled: true,
				flowTypes: 'Add, Update, Delete',
				metadata: [],
				scope: null,
				attributeMappings: attributeMappings.map(({ target, source, matchingPriority }) => ({
					defaultValue: null,
					exportMissingReferences: false,
					flowBehavior: 'FlowWhenChanged',
					flowType: 'Always',
					matchingPriority: matchingPriority ?? 0,
					source: defaultMappingSource(source),
					targetAttributeName: target,
				})),
			})),
		})),
		directories: template.directories.map((directory) => ({
			id: randomUUID(),
			name: directory.name,
			discoverabilities: 'AttributeNames, AttributeDataTypes',
			discoveryDateTime: null,
			readOnly: false,
			version: null,
			objects:
				directory.name === 'API' && inbound
					? [
							{
								name: inbound.objectMappings[0].sourceObjectName,
								metadata: [],
								supportedApis: [],
								attributes: DEFAULT_API_ATTRIBUTES.map(({ name, type }) =>
									attributeDefinition(name, type, {
										anchor: name === 'externalId',
										referencedObjectName: inbound.objectMappings[0].sourceObjectName,
									}),
								),
							},
						]
					: directory.objects.map((object) => ({
							name: object.name,
							metadata: [],
							supportedApis: [],
							attributes: object.attributes.map((attribute) =>
								typeof attribute === 'string'
									? attributeDefinition(attribute, 'String')
									: attributeDefinition(attribute.name, attribute.type, {
											multivalued: attribute.multivalued,
											referencedObjectName: object.name,
										}),
							),
						})),
		})),
	};
}

/** microsoft.graph.synchronizationSchema of a job: what it stores, with its ID and version. */
export function schemaRepresentation(job: SynchronizationJob): Record<string, unknown> {
	return {
		id: job.id,
		version: `Date:2026-02-06T00:00:00Z~~Version:${job.schemaVersion}`,
		...structuredClone(job.schema),
	};
}

/** microsoft.graph.synchronizationSchema of a template: its default schema. */
export function templateSchemaRepresentation(
	template: TemplateDefinition,
): Record<string, unknown> {
	return {
		id: template.id,
		version: 'Date:2026-02-06T00:00:00Z~~Version:1',
		...defaultSchema(template),
	};
}

/**
 * PUT …/schema: "This method fully replaces the current schema with the one provided in the request." Checks what
 * Graph refuses (a body that is not a schema, a directory without a name or named twice, a rule whose directory the
 * schema does not define) and returns the problem, or replaces the schema. A directory keeps its ID when the body
 * names one; a new one gets one.
 */
export function replaceSchema(
	job: SynchronizationJob,
	body: Record<string, unknown>,
): string | undefined {
	const { synchronizationRules = [], directories = [] } = body;
	if (!Array.isArray(synchronizationRules) || !Array.isArray(directories))
		return "'synchronizationRules' and 'directories' must be collections.";
	const names = new Set<string>();
	for (const directory of directories as Array<Record<string, unknown>>) {
		if (typeof directory?.name !== 'string' || directory.name.trim() === '')
			return 'Every directory definition needs a name.';
		if (names.has(directory.name.toLowerCase()))
			return `The directory '${directory.name}' is defined twice.`;
		names.add(directory.name.toLowerCase());
		if (directory.objects !== undefined && !Array.isArray(directory.objects))
			return `The objects of directory '${directory.name}' must be a collection.`;
	}
	for (const rule of synchronizationRules as Array<Record<string, unknown>>) {
		if (typeof rule !== 'object' || rule === null)
			return 'Every synchronization rule must be an object.';
		for (const end of ['sourceDirectoryName', 'targetDirectoryName'] as const) {
			const name = rule[end];
			if (typeof name !== 'string' || !names.has(name.toLowerCase()))
				return `The rule '${String(rule.name)}' names the ${end === 'sourceDirectoryName' ? 'source' : 'target'} directory '${String(name)}', which the schema does not define.`;
		}
	}
	job.schema = {
		synchronizationRules: structuredClone(
			synchronizationRules as StoredSchema['synchronizationRules'],
		),
		directories: (directories as Array<Record<string, unknown> & { name: string }>).map(
			(directory) => ({
				...structuredClone(directory),
				id: typeof directory.id === 'string' && directory.id !== '' ? directory.id : randomUUID(),
			}),
		),
	};
	job.schemaVersion++;
	return undefined;
}

/** DELETE …/schema: back to the template's default. */
export function resetSchema(job: SynchronizationJob): void {
	job.schema = defaultSchema(job.template);
	job.schemaVersion++;
}

/**
 * POST …/schema/directories/{id}/discover: the directory definition as discovered now. The emulated application
 * reports what its schema defines, so discovery finds the attributes already listed and stamps the definition.
 */
export function discoverDirectory(
	job: SynchronizationJob,
	directoryId: string,
): Record<string, unknown> | undefined {
	const directory = job.schema.directories.find(
		(candidate) => candidate.id.toLowerCase() === directoryId.toLowerCase(),
	);
	if (!directory) return undefined;
	directory.discoverabilities = 'AttributeNames, AttributeDataTypes';
	directory.discoveryDateTime = new Date().toISOString();
	directory.version = randomUUID();
	return structuredClone(directory);
}

/** The attribute list for API of an inbound job: the attributes of its API directory's objects. */
export function apiAttributeNames(job: SynchronizationJob): string[] {
	const api = job.schema.directories.find((directory) => directory.name === 'API');
	const objects = (api?.objects ?? []) as Array<{ attributes?: Array<{ name?: unknown }> }>;
	return objects.flatMap((object) =>
		(object.attributes ?? []).flatMap((attribute) =>
			typeof attribute?.name === 'string' ? [attribute.name] : [],
		),
	);
}

/**
 * The custom extension attributes of one SCIM user in a bulk request that the job's attribute list for API lacks,
 * and the extension objects whose URN the user's `schemas` does not list. Core and enterprise attributes are the
 * job's own mapping's business, so they are not checked here.
 */
export function customAttributeProblem(
	job: SynchronizationJob,
	data: Record<string, unknown>,
): string | undefined {
	const listed = new Set(apiAttributeNames(job).map((name) => name.toLowerCase()));
	const schemas = (Array.isArray(data.schemas) ? data.schemas : []).map((schema) =>
		String(schema).toLowerCase(),
	);
	for (const [key, value] of Object.entries(data)) {
		const urn = key.toLowerCase();
		if (
			!urn.startsWith('urn:') ||
			urn === SCIM_USER_SCHEMA.toLowerCase() ||
			urn === SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase()
		)
			continue;
		if (!schemas.includes(urn)) return `the extension '${key}' is not listed in data.schemas`;
		if (typeof value !== 'object' || value === null || Array.isArray(value))
			return `the extension '${key}' must be an object of attributes`;
		for (const attribute of Object.keys(value)) {
			if (!listed.has(`${urn}:${attribute.toLowerCase()}`))
				return `the attribute '${key}:${attribute}' is not defined in the job's schema`;
		}
	}
	return undefined;
}

// ---- parseExpression ------------------------------------------------------------------------

/** An expression as parsed: empty arguments (`Replace([a], , "x")`) keep their position. */
interface ExpressionNode {
	type: 'Attribute' | 'Constant' | 'Function';
	text: string;
	name: string;
	args: Array<ExpressionNode | null>;
}

/** microsoft.graph.attributeMappingSource. */
interface MappingSource {
	expression: string;
	name: string;
	parameters: Array<{ key: string; value: MappingSource }>;
	type: ExpressionNode['type'];
}

class ExpressionError extends Error {}

/** The functions the emulator evaluates, with Graph's parameter names (Microsoft's "Reference for writing expressions"). */
const PARSED_FUNCTIONS: Record<
	string,
	{
		parameters: (count: number) => string[];
		evaluate: (args: Array<string | null>) => string | null;
	}
> = {
	Append: {
		parameters: () => ['source', 'suffix'],
		evaluate: ([source, suffix]) => (source === null ? null : `${source}${suffix ?? ''}`),
	},
	Join: {
		parameters: (count) => [
			'separator',
			...Array.from({ length: Math.max(0, count - 1) }, (_, index) => `source${index + 1}`),
		],
		evaluate: ([separator, ...sources]) =>
			sources
				.filter((value): value is string => value !== null && value !== '')
				.join(separator ?? ''),
	},
	// Replace(source, Find, RegularExpression, RegularExpressionGroupName, Replacement, ReplacementPropertyName,
	// Template): the parameter names of Microsoft's functions list. The emulator replaces a Find string or every match
	// of a RegularExpression (its named group only, when one is given) with Replacement.
	Replace: {
		parameters: () => [
			'source',
			'Find',
			'RegularExpression',
			'RegularExpressionGroupName',
			'Replacement',
			'ReplacementPropertyName',
			'Template',
		],
		evaluate: ([source, find, pattern, group, replacement, replacementProperty]) => {
			if (source === null) return null;
			const by = replacement ?? replacementProperty ?? '';
			if (find) return source.split(find).join(by);
			if (!pattern) return source;
			return source.replace(new RegExp(pattern, 'g'), (match, ...rest) => {
				const groups = rest.at(-1) as Record<string, string> | undefined;
				return group && groups?.[group] !== undefined ? match.replace(groups[group], by) : by;
			});
		},
	},
	ToLower: {
		parameters: () => ['source', 'culture'],
		evaluate: ([source]) => source?.toLowerCase() ?? null,
	},
	ToUpper: {
		parameters: () => ['source', 'culture'],
		evaluate: ([source]) => source?.toUpperCase() ?? null,
	},
};

/** Parses `Name(arg, , arg)`, `[attribute]` and `"constant"`. */
function parseExpressionText(text: string): ExpressionNode {
	let position = 0;
	const skipSpace = () => {
		while (/\s/.test(text[position] ?? '')) position++;
	};
	const parseNode = (): ExpressionNode | null => {
		skipSpace();
		const start = position;
		if (text[position] === '[') {
			const end = text.indexOf(']', position);
			if (end === -1) throw new ExpressionError(`Missing ']' after position ${position}.`);
			position = end + 1;
			return {
				type: 'Attribute',
				text: text.slice(start, position),
				name: text.slice(start + 1, end),
				args: [],
			};
		}
		if (text[position] === '"') {
			let value = '';
			position++;
			while (position < text.length && text[position] !== '"') {
				if (text[position] === '\\') position++;
				value += text[position++];
			}
			if (text[position] !== '"') throw new ExpressionError('Unterminated string constant.');
			position++;
			return { type: 'Constant', text: text.slice(start, position), name: value, args: [] };
		}
		const name = /^[A-Za-z]\w*/.exec(text.slice(position))?.[0];
		if (!name) return null;
		position += name.length;
		skipSpace();
		if (text[position] !== '(') throw new ExpressionError(`Expected '(' after ${name}.`);
		if (!PARSED_FUNCTIONS[name])
			throw new ExpressionError(`The function '${name}' is not supported.`);
		position++;
		const args: Array<ExpressionNode | null> = [];
		for (;;) {
			args.push(parseNode());
			skipSpace();
			const separator = text[position++];
			if (separator === ')') break;
			if (separator !== ',')
				throw new ExpressionError(`Expected ',' or ')' at position ${position - 1}.`);
		}
		return { type: 'Function', text: text.slice(start, position), name, args };
	};
	const root = parseNode();
	skipSpace();
	if (!root || position !== text.length)
		throw new ExpressionError(`Unexpected text at position ${position}.`);
	return root;
}

function mappingSource(node: ExpressionNode): MappingSource {
	const keys =
		node.type === 'Function' ? PARSED_FUNCTIONS[node.name].parameters(node.args.length) : [];
	return {
		expression: node.text,
		name: node.name,
		parameters: node.args.flatMap((arg, index) =>
			arg ? [{ key: keys[index] ?? `parameter${index + 1}`, value: mappingSource(arg) }] : [],
		),
		type: node.type,
	};
}

function evaluate(node: ExpressionNode, input: Map<string, string>): string | null {
	if (node.type === 'Constant') return node.name;
	if (node.type === 'Attribute') {
		if (!input.has(node.name))
			throw new ExpressionError(`The attribute '${node.name}' is not in the test input object.`);
		return input.get(node.name) ?? null;
	}
	return PARSED_FUNCTIONS[node.name].evaluate(
		node.args.map((arg) => (arg ? evaluate(arg, input) : null)),
	);
}

/** microsoft.graph.parseExpressionResponse for an expression and an optional test input (attribute → value). */
export function parseExpression(
	expression: string,
	testInput: Map<string, string> | undefined,
): Record<string, unknown> {
	let parsed: ExpressionNode;
	try {
		parsed = parseExpressionText(expression);
	} catch (error) {
		return {
			error: { code: 'ExpressionParsingFailed', message: (error as Error).message },
			evaluationSucceeded: false,
			evaluationResult: null,
			parsedExpression: null,
			parsingSucceeded: false,
		};
	}
	let evaluation: {
		error: unknown;
		evaluationSucceeded: boolean;
		evaluationResult: string[] | null;
	} = {
		error: null,
		evaluationSucceeded: false,
		evaluationResult: null,
	};
	if (testInput) {
		try {
			const value = evaluate(parsed, testInput);
			evaluation = {
				error: null,
				evaluationSucceeded: true,
				evaluationResult: value === null ? [] : [value],
			};
		} catch (error) {
			evaluation = {
				error: { code: 'ExpressionEvaluationFailed', message: (error as Error).message },
				evaluationSucceeded: false,
				evaluationResult: null,
			};
		}
	}
	return { ...evaluation, parsedExpression: mappingSource(parsed), parsingSucceeded: true };
}

/**
 * Graph routes of the provisioning (synchronization) API under /servicePrincipals/{id}/synchronization: secrets,
 * templates, jobs and their actions, schema and parseExpression, provisionOnDemand, validateCredentials and the
 * API-driven inbound /bulkUpload. Bodies are read as Graph reads them; state changes go through synchronization.ts.
 */
import { randomUUID } from 'node:crypto';

import { DirectoryRoles, type DirectoryObjectKind, ServicePrincipalObject } from './directory';
import { allowedPermissions } from './permissions';
import { FILTER_OPERATORS, MAPPING_FUNCTIONS } from './schema-catalogue';
import type { GraphContext, GraphRoute } from './graph';
import {
	isReply,
	parseActionBody,
	parseJsonObject,
	parseSecretPairs,
	resolve,
} from './route-helpers';
import type { Reply } from './exchange';
import {
	createJob,
	customAttributeProblem,
	discoverDirectory,
	jobRepresentation,
	type JobSetting,
	maskedSecrets,
	OnDemandRecord,
	parseExpression,
	pauseJob,
	replaceSchema,
	resetSchema,
	RESTART_SCOPE,
	restartJob,
	saveSecrets,
	schemaRepresentation,
	SCIM_BULK_REQUEST_SCHEMA,
	SCIM_USER_SCHEMA,
	startJob,
	SynchronizationJob,
	replaceTemplate,
	templateRepresentation,
	templateSchemaRepresentation,
	type TemplateDefinition,
} from './synchronization';

const BASE = '/servicePrincipals/{id}/synchronization';
/** An application's templates are the ones its service principals offer; template updates are made here. */
const APP_BASE = '/applications/{id}/synchronization';
const JOB = `${BASE}/jobs/{jobId}`;

/** Graph documents at most 50 operations in one bulk request. */
export const BULK_UPLOAD_MAX_OPERATIONS = 50;

export const synchronizationRoutes: GraphRoute[] = [
	{ method: 'PUT', path: `${BASE}/secrets`, handler: putSecrets },
	{
		method: 'GET',
		path: `${BASE}/secrets`,
		handler: getSecrets,
		// The permissions reference lists only PUT for secrets; reading them back is treated as the same privilege.
		permissions: {
			application: ['Application.ReadWrite.OwnedBy', 'Synchronization.ReadWrite.All'],
			delegated: ['Synchronization.ReadWrite.All'],
		},
	},
	{
		method: 'GET',
		path: `${BASE}/templates`,
		handler: (ctx) => listTemplates(ctx, 'servicePrincipals'),
	},
	{
		method: 'GET',
		path: `${BASE}/templates/{templateId}`,
		handler: (ctx) => getTemplate(ctx, 'servicePrincipals'),
	},
	{
		method: 'GET',
		path: `${APP_BASE}/templates`,
		handler: (ctx) => listTemplates(ctx, 'applications'),
	},
	{
		method: 'GET',
		path: `${APP_BASE}/templates/{templateId}`,
		handler: (ctx) => getTemplate(ctx, 'applications'),
	},
	{
		method: 'PUT',
		path: `${APP_BASE}/templates/{templateId}`,
		handler: putTemplate,
		// The permissions reference lists the page's PATCH; the example's PUT needs the same.
		permissions: allowedPermissions('PATCH', `${APP_BASE}/templates/{templateId}`),
	},
	...(['filterOperators', 'functions'] as const).flatMap((list) =>
		[`${JOB}/schema/${list}`, `${BASE}/templates/{templateId}/schema/${list}`].map(
			(path): GraphRoute => ({ method: 'GET', path, handler: (ctx) => schemaCatalogue(ctx, list) }),
		),
	),
	{ method: 'GET', path: `${BASE}/jobs`, handler: listJobs },
	{ method: 'POST', path: `${BASE}/jobs`, handler: postJob },
	{
		method: 'GET',
		path: JOB,
		handler: (ctx) =>
			withJob(ctx, (sp, job) =>
				ctx.json(200, {
					'@odata.context': jobsContext(ctx, sp, '/$entity'),
					...jobRepresentation(job),
				}),
			),
	},
	{ method: 'DELETE', path: JOB, handler: deleteJob },
	{
		method: 'POST',
		path: `${JOB}/start`,
		handler: start,
	},
	{
		method: 'POST',
		path: `${JOB}/pause`,
		handler: (ctx) => withJob(ctx, (_sp, job) => (pauseJob(job), ctx.noContent())),
	},
	{ method: 'POST', path: `${JOB}/restart`, handler: restart },
	{ method: 'POST', path: `${JOB}/provisionOnDemand`, handler: provisionOnDemand },
	{ method: 'POST', path: `${JOB}/validateCredentials`, handler: validateCredentials },
	// "Outside of applications that have acquired SynchronizationData-User.Upload … only admin users with Global Administrator role can invoke the API."
	{
		method: 'POST',
		path: `${JOB}/bulkUpload`,
		handler: bulkUpload,
		delegatedRoles: [DirectoryRoles['Global Administrator']],
	},
	{
		method: 'GET',
		path: `${JOB}/schema`,
		handler: (ctx) =>
			withJob(ctx, (sp, job) =>
				ctx.json(200, {
					'@odata.context': jobsContext(ctx, sp, `('${job.id}')/schema/$entity`),
					...schemaRepresentation(job),
				}),
			),
	},
	{ method: 'PUT', path: `${JOB}/schema`, handler: putSchema },
	{
		method: 'DELETE',
		path: `${JOB}/schema`,
		handler: (ctx) => withJob(ctx, (_sp, job) => (resetSchema(job), ctx.noContent())),
	},
	{ method: 'GET', path: `${BASE}/templates/{templateId}/schema`, handler: getTemplateSchema },
	{ method: 'POST', path: `${JOB}/schema/parseExpression`, handler: postParseExpression },
	{
		method: 'POST',
		path: `${JOB}/schema/directories/{directoryId}/discover`,
		handler: (ctx) =>
			withJob(ctx, (_sp, job) => {
				// "Do not supply a request body."
				if (ctx.body.length > 0)
					return ctx.error(400, 'BadRequest', 'discover takes no request body.');
				const discovered = discoverDirectory(job, ctx.params.directoryId.value);
				if (!discovered)
					return ctx.error(
						404,
						'ResourceNotFound',
						`The directory '${ctx.params.directoryId.value}' is not part of the job's schema.`,
					);
				return ctx.json(200, discovered);
			}),
	},
];

function servicePrincipal(ctx: GraphContext): ServicePrincipalObject | Reply {
	return resolve(ctx, 'servicePrincipals', ctx.params.id) as ServicePrincipalObject | Reply;
}

function withJob(
	ctx: GraphContext,
	handle: (sp: ServicePrincipalObject, job: SynchronizationJob) => Reply,
): Reply {
	const sp = servicePrincipal(ctx);
	if (isReply(sp)) return sp;
	const job = sp.synchronization.jobs.get(ctx.params.jobId.value.toLowerCase());
	if (!job)
		return ctx.error(
			404,
			'ResourceNotFound',
			`The synchronization job '${ctx.params.jobId.value}' was not found.`,
		);
	return handle(sp, job);
}

function jobsContext(ctx: GraphContext, sp: ServicePrincipalObject, suffix = ''): string {
	return `${ctx.baseUrl}/$metadata#servicePrincipals('${sp.id}')/synchronization/jobs${suffix}`;
}

function throttled(ctx: GraphContext, retryAfterSeconds: number, message: string): Reply {
	const reply = ctx.error(429, 'TooManyRequests', message);
	return { ...reply, headers: { ...reply.headers, 'Retry-After': String(retryAfterSeconds) } };
}

// ---- secrets ----------------------------------------------------------------------------------

/** PUT of the `secrets` property: the body is `{"value":[…]}` (the reference table says `credentials`; Graph reads `value`). */
function putSecrets(ctx: GraphContext): Reply {
	const sp = servicePrincipal(ctx);
	if (isReply(sp)) return sp;
	const parsed = parseJsonObject(ctx);
	if (!parsed.ok) return parsed.reply;
	const unknown = Object.keys(parsed.body).find((name) => name !== 'value' && !name.includes('@'));
	if (unknown !== undefined) {
		return ctx.error(
			400,
			'BadRequest',
			`The property '${unknown}' does not exist on type 'Collection(microsoft.graph.synchronizationSecretKeyStringValuePair)'. Send the pairs as 'value'.`,
		);
	}
	if (parsed.body.value === undefined || parsed.body.value === null) {
		return ctx.error(400, 'BadRequest', "The property 'value' is required.");
	}
	const pairs = parseSecretPairs(ctx, parsed.body.value);
	if (!Array.isArray(pairs)) return pairs;
	saveSecrets(sp.synchronization, pairs);
	return ctx.noContent();
}

function getSecrets(ctx: GraphContext): Reply {
	const sp = servicePrincipal(ctx);
	if (isReply(sp)) return sp;
	return ctx.json(200, {
		'@odata.context': `${ctx.baseUrl}/$metadata#servicePrincipals('${sp.id}')/synchronization/secrets`,
		value: maskedSecrets(sp.synchronization.savedSecrets),
	});
}

// ---- templates --------------------------------------------------------------------------------

function listTemplates(ctx: GraphContext, kind: DirectoryObjectKind): Reply {
	const owner = resolve(ctx, kind, ctx.params.id);
	if (isReply(owner)) return owner;
	return ctx.json(200, {
		'@odata.context': `${ctx.baseUrl}/$metadata#${kind}('${owner.id}')/synchronization/templates`,
		value: owner.synchronization.templates.map((template) =>
			templateRepresentation(template, owner.appId),
		),
	});
}

function getTemplate(ctx: GraphContext, kind: DirectoryObjectKind): Reply {
	const owner = resolve(ctx, kind, ctx.params.id);
	if (isReply(owner)) return owner;
	const template = findTemplate(owner.synchronization.templates, ctx.params.templateId.value);
	if (!template) return templateNotFound(ctx);
	return ctx.json(200, {
		'@odata.context': `${ctx.baseUrl}/$metadata#${kind}('${owner.id}')/synchronization/templates/$entity`,
		...templateRepresentation(template, owner.appId),
	});
}

/**
 * PUT of a template on the application (synchronizationtemplate-update.md: its section says PATCH, its example sends
 * PUT; the emulator takes the example's PUT, as the page says the body replaces the template). "Missing properties
 * will be erased": a body without a description or schema leaves the template without them.
 */
function putTemplate(ctx: GraphContext): Reply {
	const application = resolve(ctx, 'applications', ctx.params.id);
	if (isReply(application)) return application;
	const parsed = parseJsonObject(ctx);
	if (!parsed.ok) return parsed.reply;
	const current = findTemplate(application.synchronization.templates, ctx.params.templateId.value);
	if (!current) return templateNotFound(ctx);
	const replaced = replaceTemplate(current, parsed.body);
	if (typeof replaced === 'string') return ctx.error(400, 'BadRequest', replaced);
	// The service principal of the application offers the same templates: the update shows in both.
	const sp = ctx.env.directory.findServicePrincipalByAppId(application.appId);
	for (const owner of sp ? [application, sp] : [application])
		owner.synchronization.templates = owner.synchronization.templates.map((template) =>
			template.id === current.id ? replaced : template,
		);
	return ctx.noContent();
}

function findTemplate(templates: TemplateDefinition[], id: string): TemplateDefinition | undefined {
	return templates.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
}

function templateNotFound(ctx: GraphContext): Reply {
	return ctx.error(
		404,
		'ResourceNotFound',
		`The synchronization template '${ctx.params.templateId.value}' was not found.`,
	);
}

/** GET …/schema/filterOperators and …/schema/functions: the same lists for every job and template. */
function schemaCatalogue(ctx: GraphContext, list: 'filterOperators' | 'functions'): Reply {
	return ctx.json(200, {
		'@odata.context':
			list === 'functions'
				? `${ctx.baseUrl}/$metadata#functions`
				: `${ctx.baseUrl}/$metadata#Collection(microsoft.graph.filterOperatorSchema)`,
		value: list === 'functions' ? MAPPING_FUNCTIONS : FILTER_OPERATORS,
	});
}

// ---- jobs -------------------------------------------------------------------------------------

function listJobs(ctx: GraphContext): Reply {
	const sp = servicePrincipal(ctx);
	if (isReply(sp)) return sp;
	return ctx.json(200, {
		'@odata.context': jobsContext(ctx, sp),
		value: [...sp.synchronization.jobs.values()].map(jobRepresentation),
	});
}

function postJob(ctx: GraphContext): Reply {
	const sp = servicePrincipal(ctx);
	if (isReply(sp)) return sp;
	const parsed = parseJsonObject(ctx);
	if (!parsed.ok) return parsed.reply;
	const { templateId } = parsed.body;
	if (typeof templateId !== 'string' || templateId.trim() === '') {
		return ctx.error(
			400,
			'BadRequest',
			"The property 'templateId' is required to create a synchronization job.",
		);
	}
	const template = sp.synchronization.templates.find(
		(candidate) => candidate.id.toLowerCase() === templateId.toLowerCase(),
	);
	if (!template) {
		return ctx.error(
			400,
			'BadRequest',
			`The template '${templateId}' is not available for this service principal.`,
		);
	}
	const settings = parseJobSettings(parsed.body.synchronizationJobSettings);
	if (typeof settings === 'string') return ctx.error(400, 'BadRequest', settings);
	const job = createJob(sp.synchronization, template, ctx.env.directory.tenantId, settings);
	const reply = ctx.json(201, {
		'@odata.context': jobsContext(ctx, sp, '/$entity'),
		...jobRepresentation(job),
	});
	return {
		...reply,
		headers: {
			...reply.headers,
			Location: `${ctx.baseUrl}/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}`,
		},
	};
}

/**
 * synchronizationJobSettings as the v1.0 metadata types it: Collection(keyValuePair), each a string name and value.
 * Returns the settings, or the message of Graph's 400 when the shape is wrong.
 */
function parseJobSettings(raw: unknown): JobSetting[] | string {
	if (raw === undefined || raw === null) return [];
	if (!Array.isArray(raw)) {
		return "The property 'synchronizationJobSettings' must be a collection of keyValuePair.";
	}
	const settings: JobSetting[] = [];
	for (const entry of raw as unknown[]) {
		const { name, value } = (entry ?? {}) as { name?: unknown; value?: unknown };
		if (typeof name !== 'string' || name === '' || typeof value !== 'string') {
			return "Each entry of 'synchronizationJobSettings' needs a string 'name' and a string 'value'.";
		}
		settings.push({ name, value });
	}
	return settings;
}

function deleteJob(ctx: GraphContext): Reply {
	return withJob(ctx, (sp, job) => {
		sp.synchronization.jobs.delete(job.id.toLowerCase());
		// Uploads the job held and had not processed go with it: no other job will process them.
		ctx.env.directory.provisioningLogs.discardWaiting(job);
		return ctx.noContent();
	});
}

/**
 * Microsoft's Start page: a paused job "continues processing changes from the point where it was paused". The uploads
 * a paused, quarantined or never-started job accepted (bulkUpload answers 202 whatever the job's state) are processed
 * from now on, after the usual processing delay, not at once.
 */
function start(ctx: GraphContext): Reply {
	return withJob(ctx, (_sp, job) => {
		const wasRunning = job.code === 'Active';
		startJob(job);
		if (!wasRunning) ctx.env.directory.provisioningLogs.resumeWaiting(job);
		return ctx.noContent();
	});
}

/**
 * criteria.resetScope is one string, the flags enum serialized as names: "Watermark, Escrows, QuarantineState".
 * Microsoft's restart criteria page: "The property can also be empty", and then the restart is the admin center's
 * Restart provisioning; a request without criteria leaves it empty too. None and ConnectorDataStore are marked
 * "DO NOT USE" there, yet are members of the enum, so Graph accepts them and so does the emulator.
 */
function restart(ctx: GraphContext): Reply {
	return withJob(ctx, (_sp, job) => {
		const parsed = parseActionBody(ctx, 'restart', ['criteria']);
		if (!parsed.ok) return parsed.reply;
		const criteria = parsed.body.criteria as { resetScope?: unknown } | null | undefined;
		const text = criteria?.resetScope ?? '';
		if (typeof text !== 'string') {
			return ctx.error(
				400,
				'BadRequest',
				`Cannot convert the literal '${JSON.stringify(text)}' to the expected type 'microsoft.graph.synchronizationJobRestartScope'.`,
			);
		}
		const scope: string[] = [];
		for (const name of text.trim() === '' ? [] : text.split(',').map((part) => part.trim())) {
			const flag = Object.keys(RESTART_SCOPE).find(
				(known) => known.toLowerCase() === name.toLowerCase(),
			);
			if (!flag) return ctx.error(400, 'BadRequest', `Requested value '${name}' was not found.`);
			scope.push(flag);
		}
		restartJob(job, scope);
		// An API-driven inbound provisioning job starts over with an empty queue: uploads not processed yet are purged.
		if (job.template.acceptsBulkUpload) ctx.env.directory.provisioningLogs.discardWaiting(job);
		return ctx.noContent();
	});
}

// ---- provisionOnDemand ------------------------------------------------------------------------

/**
 * synchronizationJobSubject.objectTypeName, as Microsoft's resource page lists it: `user` (Active Directory ↔
 * Microsoft Entra ID), `User` (Microsoft Entra ID → an application), `Worker` (Workday), `Group` (a group, with the
 * members to provision in links.members). The spellings are the scenarios', so they are compared exactly.
 */
const SUBJECT_TYPES = ['User', 'user', 'Worker', 'Group'];

/**
 * The API page sets no number; Microsoft's Cloud Sync page does: "The on-demand provisioning request API can only
 * accept a single group with up to five members at a time", and the admin center picks up to five users.
 */
const MAX_SUBJECTS = 5;
const MAX_MEMBERS = 5;

interface SubjectBody {
	objectId?: unknown;
	objectTypeName?: unknown;
	links?: unknown;
}

/** A subject's problem as Graph's message, or its checked ID and type. */
function checkedSubject(
	subject: SubjectBody | null | undefined,
	what: string,
): { objectId: string; objectTypeName: string } | string {
	if (typeof subject?.objectId !== 'string' || subject.objectId.trim() === '')
		return `${what}'s 'objectId' must not be empty.`;
	const typeName = SUBJECT_TYPES.find((known) => known === subject.objectTypeName);
	if (!typeName)
		return `The objectTypeName '${String(subject.objectTypeName)}' is not supported; use one of ${SUBJECT_TYPES.join(', ')}.`;
	return { objectId: subject.objectId, objectTypeName: typeName };
}

function provisionOnDemand(ctx: GraphContext): Reply {
	return withJob(ctx, (_sp, job) => {
		const retryAfter = job.onDemandWindow.take();
		if (retryAfter !== undefined) {
			return throttled(
				ctx,
				retryAfter,
				'The rate limit for provisionOnDemand is 5 requests per 10 seconds. Please try again later.',
			);
		}
		const parsed = parseActionBody(ctx, 'provisionOnDemand', ['parameters']);
		if (!parsed.ok) return parsed.reply;
		const invalid = (message: string) => ctx.error(400, 'RequestParameterInvalid', message);
		const parameters = parsed.body.parameters;
		if (!Array.isArray(parameters) || parameters.length === 0)
			return invalid("The parameter 'parameters' must hold at least one entry.");
		const requested: OnDemandRecord[] = [];
		for (const parameter of parameters as Array<{ ruleId?: unknown; subjects?: unknown }>) {
			if (typeof parameter?.ruleId !== 'string' || parameter.ruleId.trim() === '')
				return invalid("The parameter 'ruleId' must not be empty.");
			const ruleId = parameter.ruleId;
			if (!job.template.rules.some((rule) => rule.id === ruleId))
				return invalid(`The rule '${ruleId}' is not part of the job's schema.`);
			if (!Array.isArray(parameter.subjects) || parameter.subjects.length === 0)
				return invalid("The parameter 'subjects' must hold at least one subject.");
			const subjects = parameter.subjects as Array<SubjectBody | null>;
			if (subjects.length > MAX_SUBJECTS)
				return invalid(`At most ${MAX_SUBJECTS} subjects can be provisioned on demand at a time.`);
			for (const subject of subjects) {
				const checked = checkedSubject(subject, 'A subject');
				if (typeof checked === 'string') return invalid(checked);
				const record: OnDemandRecord = { ruleId, ...checked };
				const links = subject?.links;
				if (links !== undefined && links !== null) {
					if (checked.objectTypeName !== 'Group')
						return invalid("Only a subject of type 'Group' can have links.");
					if (subjects.length > 1)
						return invalid('A group can only be provisioned on demand alone, with its members.');
					const members = (links as { members?: unknown }).members;
					if (!Array.isArray(members))
						return invalid("The property 'links' must hold a 'members' collection.");
					if (members.length > MAX_MEMBERS)
						return invalid(
							`At most ${MAX_MEMBERS} group members can be provisioned on demand at a time.`,
						);
					record.members = [];
					for (const member of members as Array<SubjectBody | null>) {
						const checkedMember = checkedSubject(member, 'A group member');
						if (typeof checkedMember === 'string') return invalid(checkedMember);
						record.members.push(checkedMember);
					}
				}
				requested.push(record);
			}
		}
		job.provisionedOnDemand.push(...requested);
		const [first] = requested;
		const user =
			first.objectTypeName === 'User' ? ctx.env.directory.findUser(first.objectId) : undefined;
		const now = new Date().toISOString();
		const target =
			job.template.rules.find((rule) => rule.id === first.ruleId)?.targetDirectoryName ?? '';
		const result = user
			? { result: 'Success', details: {} }
			: {
					result: 'Failure',
					details: {
						errorCode: 'EntryNotFound',
						errorMessage: `No ${first.objectTypeName.toLowerCase()} with object ID ${first.objectId} was found in the source directory.`,
					},
				};
		const report = {
			action: user ? 'Create' : 'Other',
			changeId: randomUUID(),
			endTime: now,
			modifiedProperties: user
				? [
						{ displayName: 'objectId', oldValue: null, newValue: user.id },
						{ displayName: 'userPrincipalName', oldValue: null, newValue: user.upn },
						{ displayName: 'displayName', oldValue: null, newValue: user.displayName },
					]
				: [],
			provisioningSteps: [
				{
					name: 'EntryImport',
					type: 'Import',
					status: user ? 'Success' : 'Failure',
					description: user
						? `Retrieved User '${user.upn}' from Microsoft Entra ID`
						: `Could not find ${first.objectTypeName} '${first.objectId}'`,
					timestamp: now,
					details: user ? { objectId: user.id, userPrincipalName: user.upn } : {},
				},
				...(user
					? [
							{
								name: 'EntryExportAdd',
								type: 'Export',
								status: 'Success',
								description: `User '${user.upn}' was created in ${target}`,
								timestamp: now,
								details: {},
							},
						]
					: []),
			],
			reportableIdentifier: user?.upn ?? first.objectId,
			sourceIdentity: {
				id: first.objectId,
				type: first.objectTypeName,
				displayName: user?.displayName ?? null,
				details: null,
			},
			statusInfo: {
				status: result.result,
				errorCode: user ? null : 'EntryNotFound',
				reason: null,
				additionalDetails: null,
				errorCategory: null,
				recommendedAction: null,
			},
			targetSystem: { id: null, name: target, details: null },
		};
		// Graph answers a stringKeyStringValuePair whose two values are JSON documents serialized as strings.
		return ctx.json(200, {
			'@odata.context': `${ctx.baseUrl}/$metadata#microsoft.graph.stringKeyStringValuePair`,
			key: JSON.stringify(result),
			value: JSON.stringify(report),
		});
	});
}

// ---- validateCredentials ----------------------------------------------------------------------

function validateCredentials(ctx: GraphContext): Reply {
	return withJob(ctx, (sp) => {
		const parsed = parseActionBody(ctx, 'validateCredentials', [
			'applicationIdentifier',
			'templateId',
			'useSavedCredentials',
			'credentials',
		]);
		if (!parsed.ok) return parsed.reply;
		const { useSavedCredentials, credentials } = parsed.body;
		if (
			useSavedCredentials !== undefined &&
			useSavedCredentials !== null &&
			typeof useSavedCredentials !== 'boolean'
		) {
			return ctx.error(
				400,
				'BadRequest',
				`Cannot convert the literal '${JSON.stringify(useSavedCredentials)}' to the expected type 'Edm.Boolean'.`,
			);
		}
		let pairs = sp.synchronization.savedSecrets;
		if (!useSavedCredentials) {
			if (credentials === undefined || credentials === null) {
				return ctx.error(
					400,
					'BadRequest',
					"Provide 'credentials' or set 'useSavedCredentials' to true.",
				);
			}
			const given = parseSecretPairs(ctx, credentials);
			if (!Array.isArray(given)) return given;
			pairs = given;
		}
		const baseAddress = pairs.find((pair) => pair.key === 'BaseAddress')?.value;
		const secretToken = pairs.find((pair) => pair.key === 'SecretToken')?.value;
		if (
			baseAddress &&
			secretToken &&
			ctx.env.directory.synchronization.scimEndpoints.get(baseAddress) === secretToken
		) {
			return ctx.noContent();
		}
		return ctx.error(
			400,
			'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
			baseAddress
				? `You appear to have entered invalid credentials. We received an HTTP/401 Unauthorized response from ${baseAddress}.`
				: 'You appear to have entered invalid credentials: no BaseAddress (Tenant URL) was given.',
		);
	});
}

// ---- API-driven inbound provisioning ----------------------------------------------------------

function bulkUpload(ctx: GraphContext): Reply {
	return withJob(ctx, (sp, job) => {
		const limits = ctx.env.directory.synchronization;
		const burst = limits.bulkUploadBurst.take();
		if (burst !== undefined)
			return throttled(ctx, burst, 'Too many bulkUpload requests: at most 40 in any 5 seconds.');
		const daily = limits.bulkUploadDaily.take();
		if (daily !== undefined)
			return throttled(
				ctx,
				daily,
				`The tenant reached its quota of ${limits.bulkUploadDaily.limit} bulkUpload requests per 24 hours.`,
			);
		// Graph answers a missing or wrong Content-Type with 400 "Invalid Data Format", not 415.
		if (!/^application\/scim\+json\b/i.test(String(ctx.headers['content-type'] ?? ''))) {
			return ctx.error(400, 'BadRequest', 'Invalid Data Format');
		}
		const parsed = parseJsonObject(ctx, /^application\/scim\+json\b/i);
		if (!parsed.ok) return parsed.reply;
		if (!job.template.acceptsBulkUpload) {
			return ctx.error(
				400,
				'BadRequest',
				`The job '${job.id}' is not an API-driven inbound provisioning job; only those accept bulkUpload.`,
			);
		}
		const { schemas, Operations: operations } = parsed.body;
		if (!Array.isArray(schemas) || !schemas.includes(SCIM_BULK_REQUEST_SCHEMA)) {
			return ctx.error(
				400,
				'BadRequest',
				`Invalid Data Format: 'schemas' must contain ${SCIM_BULK_REQUEST_SCHEMA}.`,
			);
		}
		if (!Array.isArray(operations) || operations.length === 0) {
			return ctx.error(
				400,
				'BadRequest',
				"Invalid Data Format: 'Operations' must hold at least one operation.",
			);
		}
		// RFC 7644 §3.7.4: more operations than the service's maxOperations is answered 413 Payload Too Large.
		if (operations.length > BULK_UPLOAD_MAX_OPERATIONS) {
			return ctx.error(
				413,
				'PayloadTooLarge',
				`A bulk request may hold at most ${BULK_UPLOAD_MAX_OPERATIONS} operations; this one holds ${operations.length}.`,
			);
		}
		const bulkIds = new Set<string>();
		for (const [position, operation] of (operations as Array<Record<string, unknown>>).entries()) {
			const where = `Operations[${position}]`;
			if (String(operation?.method).toUpperCase() !== 'POST')
				return ctx.error(400, 'BadRequest', `Invalid Data Format: ${where}.method must be POST.`);
			if (typeof operation.bulkId !== 'string' || operation.bulkId === '')
				return ctx.error(400, 'BadRequest', `Invalid Data Format: ${where}.bulkId is required.`);
			if (bulkIds.has(operation.bulkId))
				return ctx.error(
					400,
					'BadRequest',
					`Invalid Data Format: the bulkId '${operation.bulkId}' is used twice.`,
				);
			bulkIds.add(operation.bulkId);
			if (operation.path !== '/Users')
				return ctx.error(400, 'BadRequest', `Invalid Data Format: ${where}.path must be /Users.`);
			const data = operation.data as { schemas?: unknown } | undefined;
			if (
				!data ||
				typeof data !== 'object' ||
				!Array.isArray(data.schemas) ||
				!data.schemas.includes(SCIM_USER_SCHEMA)
			) {
				return ctx.error(
					400,
					'BadRequest',
					`Invalid Data Format: ${where}.data.schemas must contain ${SCIM_USER_SCHEMA}.`,
				);
			}
			// "400: … violates the schema" (bulkUpload reference): an attribute outside the job's attribute list for API.
			const problem = customAttributeProblem(job, data as Record<string, unknown>);
			if (problem)
				return ctx.error(400, 'BadRequest', `Invalid Data Format: in ${where}, ${problem}.`);
		}
		job.bulkUploads.push({
			requestId: ctx.requestId,
			receivedAt: new Date().toISOString(),
			operations: operations as SynchronizationJob['bulkUploads'][number]['operations'],
		});
		logUpload(ctx, sp, job, operations as SynchronizationJob['bulkUploads'][number]['operations']);
		const filter = encodeURIComponent(`jobid eq '${job.id}'`);
		return {
			status: 202,
			headers: {
				Location: `${ctx.env.graphUrl()}/${ctx.version}/auditLogs/provisioning/?$filter=${filter}`,
			},
		};
	});
}

/** Hands an accepted request to the provisioning logs, which process it after their delay. */
function logUpload(
	ctx: GraphContext,
	sp: ServicePrincipalObject,
	job: SynchronizationJob,
	operations: SynchronizationJob['bulkUploads'][number]['operations'],
): void {
	ctx.env.directory.provisioningLogs.recordUpload({
		servicePrincipal: { id: sp.id, appId: sp.appId, displayName: sp.displayName },
		job,
		tenantId: ctx.env.directory.tenantId,
		operations,
	});
}

// ---- schema -----------------------------------------------------------------------------------

function putSchema(ctx: GraphContext): Reply {
	return withJob(ctx, (_sp, job) => {
		const parsed = parseJsonObject(ctx);
		if (!parsed.ok) return parsed.reply;
		const problem = replaceSchema(job, parsed.body);
		return problem ? ctx.error(400, 'BadRequest', problem) : ctx.noContent();
	});
}

function getTemplateSchema(ctx: GraphContext): Reply {
	const sp = servicePrincipal(ctx);
	if (isReply(sp)) return sp;
	const template = sp.synchronization.templates.find(
		(candidate) => candidate.id.toLowerCase() === ctx.params.templateId.value.toLowerCase(),
	);
	if (!template)
		return ctx.error(
			404,
			'ResourceNotFound',
			`The synchronization template '${ctx.params.templateId.value}' was not found.`,
		);
	return ctx.json(200, templateSchemaRepresentation(template));
}

function postParseExpression(ctx: GraphContext): Reply {
	return withJob(ctx, () => {
		const parsed = parseActionBody(ctx, 'parseExpression', [
			'expression',
			'testInputObject',
			'targetAttributeDefinition',
		]);
		if (!parsed.ok) return parsed.reply;
		const { expression, testInputObject } = parsed.body;
		if (typeof expression !== 'string' || expression.trim() === '') {
			return ctx.error(400, 'BadRequest', "The parameter 'expression' is required.");
		}
		let testInput: Map<string, string> | undefined;
		if (testInputObject !== undefined && testInputObject !== null) {
			const properties = (testInputObject as { properties?: unknown }).properties;
			if (!Array.isArray(properties))
				return ctx.error(
					400,
					'BadRequest',
					'testInputObject.properties must be a collection of key/value pairs.',
				);
			testInput = new Map();
			for (const property of properties as Array<{ key?: unknown; value?: unknown }>) {
				if (typeof property?.key !== 'string')
					return ctx.error(400, 'BadRequest', 'Every testInputObject property needs a key.');
				const value = Array.isArray(property.value) ? property.value[0] : property.value;
				testInput.set(property.key, value === undefined || value === null ? '' : String(value));
			}
		}
		return ctx.json(200, parseExpression(expression, testInput));
	});
}

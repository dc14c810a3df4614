/**
 * Every request Microsoft documents for these pages, replayed against the emulator with the emulator's own object IDs
 * in place of the documented ones: the documented status, and a body with the documented properties as the same JSON
 * types (sample values are not compared). Where a page contradicts itself, DOCUMENTED_CHOICES says which part the
 * emulator follows.
 */
import type { TestTenant } from '../support/tenant';
import { startTenant } from '../support/tenant';
import {
	examples,
	mistypedProperties,
	readLenient,
	shapeDifferences,
	substitutedPath,
	undocumentedProperties,
	type DocumentedExample,
	type EmulatorIds,
} from './corpus';

/** Pages that say two things: the status the emulator answers, and which part of the page that follows. */
const DOCUMENTED_CHOICES: Record<string, { status?: number; shapeOf?: string; followed: string }> =
	{
		// synchronization-post-jobs.md: the text says "201 Created", the example shows "200 OK". Graph answers a
		// created entity with 201 everywhere else, and the node accepts both; the emulator follows the text.
		'v1.0/synchronization-synchronization-post-jobs#1': {
			status: 201,
			followed: 'text ("201 Created")',
		},
		// serviceprincipal-post-approleassignedto.md (beta, 02c0379b): the example shows 200 OK for a created assignment;
		// the v1.0 page and its own text say 201 Created, which the emulator follows.
		// Its body is a placeholder one with creationTimestamp, a name the appRoleAssignment type no longer has; the
		// emulator answers beta as v1.0 (serviceprincipal-post-approleassignedto.md, 01d208d4).
		'beta/serviceprincipal-post-approleassignedto#1': {
			status: 201,
			shapeOf: 'v1.0/serviceprincipal-post-approleassignedto#1',
			followed: 'v1.0 page and text ("201 Created")',
		},
		// applicationtemplate-instantiate.md (beta, 01c641ac): the example predates Graph's renames (objectId,
		// deletionTimestamp, appOwnerTenantId); the emulator answers beta with the v1.0 page's names (b7c64905).
		'beta/applicationtemplate-instantiate#1': {
			shapeOf: 'v1.0/applicationtemplate-instantiate#1',
			followed: 'v1.0 page (current property names)',
		},
	};
// Followed as the example shows, against the page's other words (the request is replayed as documented):
// - synchronizationschema-delete.md: text "201 No Content", example 204 → 204 (No Content is 204 by definition).
// - synchronizationtemplate-update.md: section PATCH, example PUT → PUT (the page says the body replaces the template).
// - serviceprincipal-put-synchronization.md: table `credentials`, example `value` → `value` (the node sends `value`).

/**
 * Properties where a resource page's table contradicts the rest of Microsoft's documentation (its examples, or
 * Graph's metadata); the emulator follows the rest, and the check against the table leaves these out.
 */
const TYPE_TABLE_CONTRADICTIONS: Record<string, string> = {
	// provisioningobjectsummary.md (03c7b71e) types it as a collection; every example of the list and get pages shows
	// one object, as the beta resource page types it
	'provisioningObjectSummary.servicePrincipal': 'the examples',
	// synchronization-synchronizationtemplate.md (09455a65) says String; Graph's v1.0 metadata (CSDL) says
	// Edm.Boolean, Nullable=false (dev/emulator/graph-metadata)
	'synchronizationTemplate.discoverable': "Graph's metadata",
	// synchronization-synchronizationrule.md (01a90577) leaves out two properties Graph's v1.0 metadata gives a rule
	'synchronizationRule.containerFilter': "Graph's metadata",
	'synchronizationRule.groupFilter': "Graph's metadata",
};

/** Graph's default access role, for an application that declares no app roles of its own */
const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';

let tenant: TestTenant;
let token: string;
/** An entry of the provisioning logs written by a processed bulk upload, as a real cycle writes one. */
let provisioningLogId: string;

function graph(method: string, path: string, body?: unknown, contentType = 'application/json') {
	return fetch(`${tenant.emulator.graphUrl}/v1.0${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

/** The job path of an API-driven inbound job that runs, whose uploads write the provisioning logs. */
let inboundJobPath: string;

/** One user through bulkUpload; `manager` names an employee the job has never seen, so the entry is a failure. */
async function uploadUser(externalId: string, manager?: string) {
	const upload = await graph(
		'POST',
		`${inboundJobPath}/bulkUpload`,
		{
			schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
			Operations: [
				{
					method: 'POST',
					bulkId: externalId,
					path: '/Users',
					data: {
						schemas: [
							'urn:ietf:params:scim:schemas:core:2.0:User',
							'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
						],
						externalId,
						userName: `${externalId}@contoso.example`,
						...(manager
							? {
									'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
										manager: { value: manager },
									},
								}
							: {}),
					},
				},
			],
		},
		'application/scim+json',
	);
	expect(upload.status).toBe(202);
	const entry = tenant.emulator
		.provisioningLogs()
		.entries.find((candidate) => (candidate.sourceIdentity as { id: string }).id === externalId);
	return entry!.id;
}

async function seedProvisioningLog(): Promise<string> {
	const sp = tenant.emulator.addServicePrincipal({ displayName: 'Conformance inbound' });
	const job = tenant.emulator.createSynchronizationJob(sp.id, 'API2AAD');
	inboundJobPath = `/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}`;
	expect((await graph('POST', `${inboundJobPath}/start`)).status).toBe(204);
	return uploadUser('conformance-1');
}

const SCIM_URL = 'https://scim.contoso.example/scim/v2';
const SCIM_TOKEN = 'scim-token-conformance-7Hq!2x';

beforeAll(async () => {
	tenant = await startTenant();
	tenant.emulator.acceptScimCredentials(SCIM_URL, SCIM_TOKEN);
	token = tenant.emulator.createAccessToken({
		clientId: tenant.client.clientId,
		roles: [
			'Synchronization.ReadWrite.All',
			'Application.ReadWrite.All',
			'AuditLog.Read.All',
			'Directory.Read.All',
			'SynchronizationData-User.Upload',
			'AppRoleAssignment.ReadWrite.All',
			// synchronization-directorydefinition-discover.md's permission (Application.ReadWrite.OwnedBy would need
			// the app to own every service principal here)
			'Directory.ReadWrite.All',
		],
	});
	provisioningLogId = await seedProvisioningLog();
});

afterAll(async () => {
	await tenant.emulator.close();
});

/** What an example's objects need before the documented request, as the page's own example shows them. */
const ARRANGE: Record<string, (ids: EmulatorIds) => unknown> = {
	// The second list example is a failed entry (errorInformation is an object): the newest entry is made one.
	...Object.fromEntries(
		['v1.0', 'beta'].map((version) => [
			`${version}/provisioningobjectsummary-list#2`,
			() => uploadUser(`conformance-${version}-failure`, 'unknown-manager'),
		]),
	),
	// The documented job is in quarantine (status.quarantine is an object).
	'v1.0/synchronization-synchronizationjob-get#1': (ids) =>
		tenant.emulator.quarantineSynchronizationJob(ids.servicePrincipal, ids.job, {
			error: { code: 'SalesforceInvalidCredentials', message: 'Your credentials are invalid.' },
		}),
	// The documented request sends a custom extension (urn:contoso:employee), which the admin first adds to the
	// job's attribute list for API, as Microsoft's inbound provisioning guide has it.
	...Object.fromEntries(
		['v1.0', 'beta'].map((version) => [
			`${version}/synchronization-synchronizationjob-post-bulkupload#2`,
			(ids: EmulatorIds) =>
				tenant.emulator.addApiAttributes(ids.servicePrincipal, ids.job, [
					{ name: 'urn:contoso:employee:HireDate', type: 'DateTime' },
					{ name: 'urn:contoso:employee:JobCode' },
				]),
		]),
	),
};

/** The rule IDs a documented provisionOnDemand request names, exactly as the page writes them. */
function documentedRuleIds(example: DocumentedExample): string[] {
	const parameters = (example.request.body as { parameters?: Array<{ ruleId?: unknown }> } | null)
		?.parameters;
	if (!example.id.includes('provisionondemand') || !Array.isArray(parameters)) return [];
	return [...new Set(parameters.map((parameter) => String(parameter.ruleId)))];
}

/** The ID Graph gives the application's directory in a job's schema (the one that is not Microsoft Entra ID's). */
async function applicationDirectoryId(servicePrincipal: string, job: string): Promise<string> {
	const schema = (await (
		await graph('GET', `/servicePrincipals/${servicePrincipal}/synchronization/jobs/${job}/schema`)
	).json()) as { directories: Array<{ id: string; name: string }> };
	return schema.directories.find((directory) => directory.name !== 'Azure Active Directory')!.id;
}

/** Fresh objects for one example, so no example sees another's state. */
async function objectsFor(
	example: DocumentedExample,
): Promise<{ ids: EmulatorIds; arranged: unknown }> {
	const app = tenant.emulator.addApplication({ displayName: `Conformance ${example.id}` });
	const sp = tenant.emulator.addServicePrincipal({
		displayName: app.displayName,
		appId: app.appId,
	});
	const inbound = example.id.includes('bulkupload');
	const documentedRules = documentedRuleIds(example);
	// provisionOnDemand names rules of the documented app's template (one with Graph's "#V2" suffix): the service
	// principal offers a template with those rules, as a gallery app or Cloud Sync offers its own.
	if (documentedRules.length > 0)
		tenant.emulator.addSynchronizationTemplate(sp.id, {
			id: 'Documented',
			rules: documentedRules.map((id, index) => ({
				id,
				name: `DOCUMENTED_RULE_${index + 1}`,
				sourceDirectoryName: 'Azure Active Directory',
				targetDirectoryName: 'customappsso',
			})),
		});
	const job = tenant.emulator.createSynchronizationJob(
		sp.id,
		documentedRules.length > 0 ? 'Documented' : inbound ? 'API2AAD' : 'scim',
	);
	const ids = {
		servicePrincipal: sp.id,
		application: app.id,
		job: job.id,
		template: 'scim',
		directory: example.request.url.includes('/directories/')
			? await applicationDirectoryId(sp.id, job.id)
			: '',
		provisioningLog: provisioningLogId,
		applicationTemplate: '8adf8e6e-67b2-4cf2-a259-e3dc5476c621',
	};
	const arranged = await ARRANGE[example.id]?.(ids);
	return { ids, arranged };
}

/**
 * Documented bodies that carry sample data the emulator cannot know, put in terms of the emulator's tenant:
 * - validateCredentials: the documented UserName/Password pair is for an app the emulator does not model (its
 *   apps are SCIM apps); the pair the emulator's SCIM app accepts is sent in the same body shape.
 * - acquireAccessToken: the page elides the pair's key and value (the entry shows only its @odata.type); the
 *   elided entry is filled with a key of the synchronizationSecret enum.
 */
function withTenantData(example: DocumentedExample, body: Record<string, unknown>) {
	if (example.id.includes('validatecredentials'))
		return {
			...body,
			credentials: [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: SCIM_TOKEN },
			],
		};
	if (example.id.includes('acquireaccesstoken'))
		return {
			credentials: (body.credentials as Array<Record<string, unknown>>).map((pair) => ({
				...pair,
				key: 'SecretToken',
				value: SCIM_TOKEN,
			})),
		};
	return body;
}

/** The documented body with the documented object IDs replaced by the emulator's. */
function substitutedBody(example: DocumentedExample, ids: EmulatorIds): unknown {
	const body =
		example.request.bodyParseError && typeof example.request.body === 'string'
			? readLenient(example.request.body)
			: example.request.body;
	if (body === null || body === undefined) return undefined;
	const data = withTenantData(example, body as Record<string, unknown>);
	const user = tenant.emulator.registerUser({ upn: `adele.${ids.job}@contoso.example` }).id;
	const text = JSON.stringify(data)
		// post jobs: the documented template (BoxOutDelta) is one of the emulator's templates
		.replace(/"templateId":"[^"]*"/g, `"templateId":"${ids.template}"`)
		// provisionOnDemand: a documented user of Microsoft Entra ID (a subject, or a group's member) is one of the
		// tenant's; rule IDs, groups, Cloud Sync's distinguished names and types are sent as documented
		.replace(
			/"objectId":"[^"]*","objectTypeName":"User"/g,
			`"objectId":"${user}","objectTypeName":"User"`,
		)
		// appRoleAssignedTo and template update
		.replace(/"principalId":"[^"]*"/g, `"principalId":"${user}"`)
		.replace(/"resourceId":"[^"]*"/g, `"resourceId":"${ids.servicePrincipal}"`)
		.replace(/"appRoleId":"[^"]*"/g, `"appRoleId":"${DEFAULT_ACCESS_ROLE}"`)
		.replace(/"applicationId":"[^"]*"/g, `"applicationId":"${ids.application}"`)
		.replace(/"id":"Slack"/g, `"id":"${ids.template}"`);
	return JSON.parse(text);
}

async function replay(example: DocumentedExample) {
	const { ids, arranged } = await objectsFor(example);
	const body = substitutedBody(example, ids);
	const contentType = Object.entries(example.request.headers).find(
		([name]) => name.toLowerCase() === 'content-type',
	)?.[1];
	const response = await fetch(
		`${tenant.emulator.graphUrl}/${example.version}${substitutedPath(example, ids)}`,
		{
			method: example.request.method,
			headers: {
				authorization: `Bearer ${token}`,
				...(contentType ? { 'content-type': contentType } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		},
	);
	const text = await response.text();
	const answer = (text ? JSON.parse(text) : null) as { value?: unknown } | null;
	// A collection whose documented first member was arranged (a failed entry): that member is compared with it,
	// wherever the list puts it among entries of the same second.
	if (typeof arranged === 'string' && answer && Array.isArray(answer.value)) {
		const members = answer.value as Array<{ id?: string }>;
		answer.value = [
			...members.filter((member) => member.id === arranged),
			...members.filter((member) => member.id !== arranged),
		];
	}
	return { status: response.status, headers: response.headers, body: answer as unknown };
}

/** The entity a documented body shows: itself, or its collection's first member (none for unreadable text). */
function firstEntity(body: unknown): object {
	if (body === null || typeof body !== 'object') return {};
	const collection = (body as { value?: unknown }).value;
	return ((Array.isArray(collection) ? collection[0] : body) ?? {}) as object;
}

describe.each(examples.map((example) => [example.id, example] as const))('%s', (_id, example) => {
	const choice = DOCUMENTED_CHOICES[example.id];
	it(`answers the documented status with a body of the documented shape${choice ? ` (following the ${choice.followed})` : ''}`, async () => {
		const answer = await replay(example);
		const expected = DOCUMENTED_CHOICES[example.id]?.status ?? example.response.status;
		expect({
			status: answer.status,
			error: answer.status >= 400 ? answer.body : undefined,
		}).toEqual({
			status: expected,
			error: undefined,
		});
		const shapeOf = DOCUMENTED_CHOICES[example.id]?.shapeOf;
		let documented = shapeOf
			? examples.find((other) => other.id === shapeOf)!.response.body
			: example.response.body;
		if (example.response.bodyParseError) {
			// Printed with a trailing comma (v1.0 list jobs, both provisioning-log lists #1): read as the page means
			// it; each such body of these pages reads that way, so its shape is compared like any other.
			documented = readLenient(String(documented));
			expect(documented).toBeDefined();
		}
		// provisioningobjectsummary-list: example 1 names the initiator's type `initiatingType`, example 2 and the
		// initiator resource `initiatorType`, which the emulator follows.
		documented = JSON.parse(
			JSON.stringify(documented ?? null).replace(/"initiatingType":/g, '"initiatorType":'),
		);
		// bulkUpload (v1.0): the page prints the response headers as a JSON body; its text says they are headers.
		if (example.id.startsWith('v1.0/synchronization-synchronizationjob-post-bulkupload')) {
			expect(answer.headers.get('location')).toMatch(/\/auditLogs\/provisioning/);
			documented = null;
		}
		// bulkUpload (beta): the example prints `{}` with content-length "0"; the text says "nothing in the response
		// body", which the emulator follows.
		if (example.id.startsWith('beta/synchronization-synchronizationjob-post-bulkupload')) {
			expect(answer.headers.get('location')).toMatch(/\/auditLogs\/provisioning/);
			documented = null;
		}
		if ([202, 204].includes(example.response.status)) expect(answer.body).toBeNull();
		expect(shapeDifferences(documented, answer.body)).toEqual([]);
		const typeName = example.response.annotation?.['@odata.type']?.replace('microsoft.graph.', '');
		// A collection's annotation names its members' type (some pages leave out isCollection)
		const collection = (answer.body as { value?: unknown } | null)?.value;
		const entities = Array.isArray(collection) ? collection : [answer.body];
		// The type's resource page lists its properties; what the examples of the same version show for that type
		// (beta's older names beside the new ones) is documented too.
		const shown = examples
			.filter(
				(other) =>
					other.version === example.version &&
					other.response.annotation?.['@odata.type'] ===
						example.response.annotation?.['@odata.type'],
			)
			.flatMap((other) => Object.keys(firstEntity(other.response.body)));
		if (typeName)
			for (const entity of entities)
				expect({
					undocumented: undocumentedProperties(typeName, entity, shown),
					mistyped: mistypedProperties(
						typeName,
						entity,
						new Set(Object.keys(TYPE_TABLE_CONTRADICTIONS)),
					),
				}).toEqual({ undocumented: [], mistyped: [] });
	});
});

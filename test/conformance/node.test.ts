/**
 * Every documented request the node can express, sent by a workflow set up as a user would set it up: the request the
 * emulator receives has the documented method, path and body, with the emulator's object IDs (and, where the page
 * shows sample data the emulator cannot know, the tenant's) in place of the documented ones. The documented requests
 * the node cannot send yet are listed, each with its reason, in coverage.ts; this file prints that list.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type CredentialInput, type RunOptions, type RunResult } from '../harness/engine';
import { expectNoSecrets } from '../support/secrets';
import { clientWith, locator, synchronizationParameters } from '../support/synchronization';
import { graphCalls, startTenant, type TestTenant } from '../support/tenant';
import {
	examples,
	readLenient,
	substitutedPath,
	type DocumentedExample,
	type EmulatorIds,
} from './corpus';
import { NOT_EXPRESSIBLE } from './coverage';

const SCIM_URL = 'https://scim.contoso.example/scim/v2';
const SCIM_RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';

let tenant: TestTenant;
let credential: CredentialInput;
const results: RunResult[] = [];

/** The objects of one case: a fresh application with its enterprise application and a job of the given template. */
interface CaseObjects extends EmulatorIds {
	user: string;
	/** A security group of the tenant, as the documented assignment assigns one */
	group: string;
	/** The rules of the job's schema that a documented request names */
	rules: string[];
	/** The IDs Graph gives the directories of the job's schema, by name */
	directories: Record<string, string>;
}

interface NodeCase {
	/**
	 * Which template the case's job is made from; `documented` is one offering the rules the documented request
	 * names (IDs as Graph gives them, `#V2` included), as a gallery app or Cloud Sync offers its own
	 */
	template?: 'scim' | 'API2AAD' | 'documented';
	/** The workflow: the node's parameters (and items) as the editor stores them */
	workflow(ids: CaseObjects): Pick<RunOptions, 'parameters' | 'items'>;
	/** The documented body with the page's sample data replaced by the tenant's */
	documentedBody?(body: IDataObject, ids: CaseObjects): IDataObject;
	/** A bulk upload: the workflow's items are the documented operations' users */
	bulkUpload?: true;
}

function options(example: DocumentedExample): IDataObject {
	return example.version === 'beta' ? { apiVersion: 'beta' } : {};
}

function jobCase(operation: string, fields: IDataObject = {}): NodeCase {
	return {
		workflow: (ids) => ({
			parameters: synchronizationParameters('job', operation, ids.servicePrincipal, fields, {
				jobId: ids.job,
			}),
		}),
	};
}

function schemaCase(operation: string, fields: IDataObject = {}): NodeCase {
	return {
		workflow: (ids) => ({
			parameters: synchronizationParameters('schema', operation, ids.servicePrincipal, fields, {
				jobId: ids.job,
			}),
		}),
	};
}

/**
 * Provision On Demand of a documented example as a user enters it: the documented rule picked, the subject's type and
 * ID as the scenario names them, and a group's members one ID after another. The documented IDs are sent as they are.
 */
function onDemandCase(entered: IDataObject): NodeCase {
	return {
		template: 'documented',
		workflow: (ids) => ({
			parameters: synchronizationParameters(
				'job',
				'provisionOnDemand',
				ids.servicePrincipal,
				{ rule: locator(ids.rules[0], 'list'), ...entered },
				{ jobId: ids.job },
			),
		}),
	};
}

function provisioningLogs(fields: IDataObject): NodeCase['workflow'] {
	return () => ({
		parameters: {
			authentication: 'appOnly',
			resource: 'provisioningLog',
			operation: 'getMany',
			...fields,
			options: {},
		} as INodeParameters,
	});
}

/**
 * Bulk Upload with Map Automatically: each item is the employee of one documented operation, as an HR export gives it.
 * With `addMissingAttributes`, the custom attributes the employees carry are added to the job's attribute list first,
 * as the page's custom-extension example assumes an admin did.
 */
function bulkUploadCase(inputOptions: IDataObject = {}): NodeCase {
	return {
		template: 'API2AAD',
		workflow: (ids) => ({
			parameters: synchronizationParameters(
				'bulkUpload',
				'uploadUsers',
				ids.servicePrincipal,
				{ columns: { mappingMode: 'autoMapInputData', value: null }, inputOptions },
				{ jobId: ids.job },
			),
			items: [], // filled from the documented operations below
		}),
		bulkUpload: true,
	};
}

/** Graph's default access role, for an application that declares no app roles of its own */
const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';

/** Application Template › Instantiate of the documented template (a gallery app, or the non-gallery one) by ID. */
function instantiateCase(id: string): NodeCase {
	return {
		workflow: (ids) => ({
			parameters: {
				authentication: 'appOnly',
				resource: 'applicationTemplate',
				operation: 'instantiate',
				applicationTemplate: locator(ids.applicationTemplate),
				displayName: String(documentedRequest(id).displayName),
				replicationWaitSeconds: 0,
				options: {},
			},
		}),
	};
}

/**
 * App Role Assignment › Assign of a group to the enterprise application, with the role entered by ID: the emulator's
 * application declares no app roles, so it is Default Access where the page shows one of the documented app's roles.
 */
const assignCase: NodeCase = {
	workflow: (ids) => ({
		parameters: synchronizationParameters('appRoleAssignment', 'assign', ids.servicePrincipal, {
			principalId: ids.group,
			appRoleId: DEFAULT_ACCESS_ROLE,
		}),
	}),
	documentedBody: (_body, ids) => ({
		principalId: ids.group,
		resourceId: ids.servicePrincipal,
		appRoleId: DEFAULT_ACCESS_ROLE,
	}),
};

const SECRET_PAIRS = (body: IDataObject, substitute: Record<string, string>) =>
	(body.value as Array<{ key: string; value: string }>).map((pair) => ({
		key: pair.key,
		value: substitute[pair.key] ?? pair.value,
	}));

/** Documented example → how a user sends it with the node. */
const NODE_CASES: Record<string, NodeCase> = {
	'v1.0/synchronization-synchronization-acquireaccesstoken#1': {
		workflow: (ids) => ({
			parameters: {
				authentication: 'appOnly',
				resource: 'provisioningToken',
				operation: 'acquire',
				targetType: 'application',
				target: locator(ids.application),
				secrets: { secret: [{ key: 'SecretToken', value: 'scim-token-Fq2!nW8zLr5Xc1' }] },
				options: {},
			},
		}),
		// The page elides the pair's key and value (its entry shows only the @odata.type annotation)
		documentedBody: (body) => ({
			credentials: (body.credentials as IDataObject[]).map((pair) => ({
				...pair,
				key: 'SecretToken',
				value: 'scim-token-Fq2!nW8zLr5Xc1',
			})),
		}),
	},
	'v1.0/synchronization-serviceprincipal-put-synchronization#1': {
		workflow: (ids) => ({
			parameters: synchronizationParameters('secrets', 'save', ids.servicePrincipal, {
				secrets: {
					secret: SECRET_PAIRS(
						documentedRequest('v1.0/synchronization-serviceprincipal-put-synchronization#1'),
						{
							BaseAddress: SCIM_URL,
							SecretToken: 'scim-token-Vb7!kP3wQz9Hs4',
						},
					),
				},
			}),
		}),
		// The "Add synchronization secrets" page (synchronization-serviceprincipal-put-synchronization.md) puts
		// user@domain.com in BaseAddress; the node refuses it before sending, as BaseAddress is the tenant URL of the
		// SCIM endpoint by the meaning Microsoft gives the key (lib/synchronizationSecrets.ts), so the URL of the
		// emulator's SCIM app takes its place
		documentedBody: (body) => ({
			value: SECRET_PAIRS(body, {
				BaseAddress: SCIM_URL,
				SecretToken: 'scim-token-Vb7!kP3wQz9Hs4',
			}),
		}),
	},
	'v1.0/synchronization-synchronization-list-jobs#1': {
		workflow: (ids) => ({
			parameters: synchronizationParameters('job', 'list', ids.servicePrincipal),
		}),
	},
	'v1.0/synchronization-synchronization-list-templates#1': {
		workflow: (ids) => ({
			parameters: synchronizationParameters('template', 'list', ids.servicePrincipal),
		}),
	},
	'v1.0/synchronization-synchronizationtemplate-get#1': {
		workflow: (ids) => ({
			parameters: synchronizationParameters('template', 'get', ids.servicePrincipal, {
				template: locator(ids.template, 'list'),
			}),
		}),
	},
	'v1.0/synchronization-synchronization-post-jobs#1': {
		workflow: (ids) => ({
			parameters: synchronizationParameters('job', 'create', ids.servicePrincipal, {
				template: locator(ids.template, 'list'),
			}),
		}),
		// The documented template (BoxOutDelta) is one the emulator's application offers
		documentedBody: (body, ids) => ({ ...body, templateId: ids.template }),
	},
	'v1.0/synchronization-synchronizationjob-get#1': jobCase('get'),
	'v1.0/synchronization-synchronizationjob-delete#1': jobCase('delete'),
	'v1.0/synchronization-synchronizationjob-start#1': jobCase('start'),
	'v1.0/synchronization-synchronizationjob-pause#1': jobCase('pause'),
	...Object.fromEntries(
		['v1.0', 'beta'].map((version) => [
			`${version}/synchronization-synchronizationjob-restart#1`,
			jobCase('restart', { resetScope: ['Watermark', 'Escrows', 'QuarantineState'] }),
		]),
	),
	'v1.0/synchronization-synchronizationjob-provisionondemand#1': {
		workflow: (ids) => ({
			parameters: synchronizationParameters(
				'job',
				'provisionOnDemand',
				ids.servicePrincipal,
				{ rule: locator(SCIM_RULE_ID), objectTypeName: 'User', objectId: ids.user },
				{ jobId: ids.job },
			),
		}),
		documentedBody: (body, ids) => ({
			parameters: (body.parameters as IDataObject[]).map((parameter) => ({
				...parameter,
				ruleId: SCIM_RULE_ID,
				subjects: (parameter.subjects as IDataObject[]).map((subject) => ({
					...subject,
					objectId: ids.user,
				})),
			})),
		}),
	},
	'v1.0/synchronization-synchronizationjob-provisionondemand#2': onDemandCase({
		objectTypeName: 'user',
		objectId: 'CN=AdeleV,CN=Users,DC=corp,DC=chicago,DC=com',
	}),
	'v1.0/synchronization-synchronizationjob-provisionondemand#3': onDemandCase({
		objectTypeName: 'Group',
		objectId: '8213fd99-d6b6-417b-8e13-af6334856215',
		groupMembers: 'cbc86211-6ada-4803-b73f-8039cf56d8a2, 2bc86211-6ada-4803-b73f-8039cf56d8a2',
	}),
	...Object.fromEntries(
		['v1.0', 'beta'].map((version) => [
			`${version}/synchronization-synchronizationjob-validatecredentials#1`,
			{
				workflow: (ids: CaseObjects) => ({
					parameters: synchronizationParameters(
						'job',
						'validateCredentials',
						ids.servicePrincipal,
						{
							credentialSource: 'given',
							secrets: {
								secret: [
									{ key: 'UserName', value: 'user@domain.com' },
									{ key: 'Password', value: 'password-value' },
								],
							},
						},
						{ jobId: ids.job },
					),
				}),
				// The node states Graph's default explicitly: credentials given here are the ones to test
				documentedBody: (body: IDataObject) => ({ ...body, useSavedCredentials: false }),
			} satisfies NodeCase,
		]),
	),
	// Schema › Get reads the job's schema
	'v1.0/synchronization-synchronizationschema-get#1': {
		workflow: (ids) => ({
			parameters: synchronizationParameters(
				'schema',
				'get',
				ids.servicePrincipal,
				{},
				{ jobId: ids.job },
			),
		}),
	},
	// Schema › Update from JSON: the documented schema pasted whole, as a backup is restored
	'v1.0/synchronization-synchronizationschema-update#1': {
		...schemaCase('update', {
			updateFrom: 'json',
			schemaJson: JSON.stringify(
				documentedRequest('v1.0/synchronization-synchronizationschema-update#1'),
			),
		}),
		// A directory the job's schema has by name keeps its ID (a backup of another job holds that job's IDs), so
		// Graph reads it as the same directory; the page's body leaves IDs out
		documentedBody: (body, ids) => ({
			...body,
			directories: (body.directories as IDataObject[]).map((directory) => {
				const id = ids.directories[String(directory.name)];
				return id ? { id, ...directory } : directory;
			}),
		}),
	},
	'v1.0/synchronization-synchronizationschema-delete#1': schemaCase('reset'),
	'v1.0/synchronization-directorydefinition-discover#1': schemaCase('discoverDirectory', {
		directory: 'customappsso',
	}),
	...Object.fromEntries(
		[
			'v1.0/synchronization-synchronizationschema-filteroperators#1',
			'beta/synchronization-synchronizationschema-filteroperators#1',
			'beta/synchronization-synchronizationschema-filteroperators#2',
		].map((id) => [id, schemaCase('getFilterOperators')]),
	),
	...Object.fromEntries(
		[
			'v1.0/synchronization-synchronizationschema-functions#1',
			'beta/synchronization-synchronizationschema-functions#1',
			'beta/synchronization-synchronizationschema-functions#2',
		].map((id) => [id, schemaCase('getFunctions')]),
	),
	...Object.fromEntries(
		['v1.0/provisioningobjectsummary-list#1', 'v1.0/provisioningobjectsummary-list#2'].flatMap(
			(id) =>
				[id, id.replace('v1.0/', 'beta/')].map((exampleId) => [
					exampleId,
					{ workflow: provisioningLogs({ returnAll: true, filters: {} }) } satisfies NodeCase,
				]),
		),
	),
	...Object.fromEntries(
		['v1.0', 'beta'].flatMap((version) => [
			[`${version}/synchronization-synchronizationjob-post-bulkupload#1`, bulkUploadCase()],
			[
				`${version}/synchronization-synchronizationjob-post-bulkupload#2`,
				bulkUploadCase({ addMissingAttributes: true }),
			],
			[`${version}/synchronization-synchronizationjob-post-bulkupload#3`, bulkUploadCase()],
		]),
	),
	...Object.fromEntries(
		['v1.0', 'beta'].flatMap((version) => [
			[
				`${version}/applicationtemplate-instantiate#1`,
				instantiateCase(`${version}/applicationtemplate-instantiate#1`),
			],
			[`${version}/serviceprincipal-post-approleassignedto#1`, assignCase],
		]),
	),
};

function documentedRequest(id: string): IDataObject {
	const example = examples.find((candidate) => candidate.id === id)!;
	return readBody(example) as IDataObject;
}

function readBody(example: DocumentedExample): unknown {
	const { body, bodyParseError } = example.request;
	// v1.0 validateCredentials prints its body with unquoted keys; read as the page means it
	return bodyParseError && typeof body === 'string' ? readLenient(body) : body;
}

/**
 * A body as Graph reads it: OData type annotations are hints Graph does not need for these types, a property sent as
 * null is one not given, and restart's resetScope is a set of flags whose order carries no meaning.
 */
function asGraphReadsIt(body: unknown): unknown {
	if (Array.isArray(body)) return body.map(asGraphReadsIt);
	if (body === null || typeof body !== 'object') return body;
	return Object.fromEntries(
		Object.entries(body)
			.filter(([name, value]) => name !== '@odata.type' && value !== null)
			.map(([name, value]) => [
				name,
				name === 'resetScope' && typeof value === 'string'
					? value
							.split(',')
							.map((flag) => flag.trim())
							.sort()
					: asGraphReadsIt(value),
			]),
	);
}

beforeAll(async () => {
	tenant = await startTenant();
	// One admin's app registration with what every operation here needs, as README's setup lists it
	credential = clientWith(
		tenant,
		[
			'Synchronization.ReadWrite.All',
			'Application.ReadWrite.OwnedBy',
			'AuditLog.Read.All',
			'Directory.Read.All',
			'SynchronizationData-User.Upload',
			// Schema › Discover Directory (synchronization-directorydefinition-discover.md's permission)
			'Directory.ReadWrite.All',
			// App Role Assignment › Assign (serviceprincipal-post-approleassignedto.md, with Directory.Read.All)
			'AppRoleAssignment.ReadWrite.All',
		],
		'conformance',
	).credential;
});

afterAll(async () => {
	try {
		expectNoSecrets(results, {
			anywhere: [tenant.client.secret],
			inNodeOutput: ['scim-token-Fq2!nW8zLr5Xc1', 'scim-token-Vb7!kP3wQz9Hs4', 'password-value'],
		});
	} finally {
		await tenant.emulator.close();
	}
});

async function objectsFor(example: DocumentedExample, nodeCase: NodeCase): Promise<CaseObjects> {
	const app = tenant.emulator.addApplication({ displayName: `Node ${example.id}` });
	const sp = tenant.emulator.addServicePrincipal({
		displayName: app.displayName,
		appId: app.appId,
	});
	const template = nodeCase.template ?? 'scim';
	const rules =
		template === 'documented'
			? (readBody(example) as { parameters: Array<{ ruleId: string }> }).parameters.map(
					(parameter) => parameter.ruleId,
				)
			: [];
	if (template === 'documented')
		tenant.emulator.addSynchronizationTemplate(sp.id, {
			id: template,
			rules: rules.map((id, index) => ({
				id,
				name: `DOCUMENTED_RULE_${index + 1}`,
				sourceDirectoryName: 'Azure Active Directory',
				targetDirectoryName: 'customappsso',
			})),
		});
	const job = tenant.emulator.createSynchronizationJob(sp.id, template);
	const user = tenant.emulator.registerUser({ upn: `user.${sp.id}@contoso.example` }).id;
	const group = tenant.emulator.addGroup(`Group of ${example.id}`).id;
	const directories = await directoryIds(sp.id, job.id);
	return {
		servicePrincipal: sp.id,
		application: app.id,
		job: job.id,
		template,
		directory: directories.customappsso ?? '',
		provisioningLog: '',
		// The documented template IDs are Microsoft's gallery (or non-gallery) templates, which the emulator's gallery has
		applicationTemplate: /\/applicationTemplates\/([^/]+)\//.exec(example.request.url)?.[1] ?? '',
		user,
		group,
		rules,
		directories,
	};
}

/** The IDs Graph gives the directories of a job's schema, by name, read as an admin reads the schema */
async function directoryIds(
	servicePrincipal: string,
	job: string,
): Promise<Record<string, string>> {
	const token = tenant.emulator.createAccessToken({
		clientId: tenant.client.clientId,
		roles: ['Synchronization.Read.All'],
	});
	const response = await fetch(
		`${tenant.emulator.graphUrl}/v1.0/servicePrincipals/${servicePrincipal}/synchronization/jobs/${job}/schema`,
		{ headers: { authorization: `Bearer ${token}` } },
	);
	const schema = (await response.json()) as { directories: Array<{ id: string; name: string }> };
	return Object.fromEntries(schema.directories.map((directory) => [directory.name, directory.id]));
}

const tested = Object.keys(NODE_CASES);

describe.each(tested.map((id) => [id] as const))('%s', (id) => {
	it('a workflow sends the documented request', async () => {
		const example = examples.find((candidate) => candidate.id === id);
		expect(example).toBeDefined();
		const nodeCase = NODE_CASES[id];
		const ids = await objectsFor(example!, nodeCase);
		const workflow = nodeCase.workflow(ids);
		const documented = readBody(example!) as IDataObject | null;
		if (nodeCase.bulkUpload)
			workflow.items = (documented!.Operations as Array<{ data: IDataObject }>).map(
				(operation) => operation.data,
			);
		tenant.emulator.clearRequests();
		const result = await runNode({
			...workflow,
			parameters: { ...workflow.parameters, options: options(example!) } as INodeParameters,
			credential,
			// The node's current version, as a new workflow gets it
			typeVersion: 2,
			continueOnFail: true,
		});
		results.push(result);
		const path = `/${example!.version}${substitutedPath(example!, ids)}`.replace(/\/$/, '');
		// A trailing slash (jobs/, jobs/{id}/ on three pages) names the same resource
		const sent = graphCalls(tenant.emulator).filter(
			(call) => call.method === example!.request.method && call.path.replace(/\/$/, '') === path,
		);
		expect(sent.map((call) => `${call.method} ${call.path}`)).toEqual([
			`${example!.request.method} ${path}`,
		]);
		const expectedBody =
			documented === null || documented === undefined
				? null
				: (nodeCase.documentedBody?.(documented, ids) ?? documented);
		const sentBody = sent[0].body ? (JSON.parse(sent[0].body) as unknown) : null;
		// The documented users fit the job as the page sets it up (custom attributes added to its list)
		if (nodeCase.bulkUpload) expect(sent[0].status).toBe(202);
		expect(asGraphReadsIt(sentBody)).toEqual(asGraphReadsIt(expectedBody));
	});
});

describe('documented requests the node cannot send yet', () => {
	it('are listed with their reason, and every other example is sent by a workflow above', () => {
		console.log(
			`Documented requests the node cannot send yet (test/conformance/coverage.ts):\n${Object.entries(
				NOT_EXPRESSIBLE,
			)
				.map(([id, reason]) => `- ${id}: ${reason}`)
				.join('\n')}`,
		);
		const both = tested.filter((id) => id in NOT_EXPRESSIBLE);
		const neither = examples
			.map((example) => example.id)
			.filter((id) => !tested.includes(id) && !(id in NOT_EXPRESSIBLE));
		const unknown = [...tested, ...Object.keys(NOT_EXPRESSIBLE)].filter(
			(id) => !examples.some((example) => example.id === id),
		);
		expect({ both, neither, unknown }).toEqual({ both: [], neither: [], unknown: [] });
	});
});

/**
 * The workflows the benchmark runs. Each starts with a Webhook that answers when the last node has finished, fans
 * the posted array out into one item per employee/application with Split Out, and hands the items to the tool under
 * test: this package's node, n8n's HTTP Request node doing the same Graph call, or nothing (the baseline that tells
 * n8n's own cost of the fan-out apart from the tool's). The bulk-upload workflows send employees to an API-driven
 * inbound provisioning job: this node's Upload Users, or the HTTP Request node with one SCIM bulk request per employee.
 */
import { randomUUID } from 'node:crypto';

import { CREDENTIALS } from '../n8n/demo-tenant';
import type { WorkflowJson } from '../n8n/demo-tenant';

export const HTTP_CREDENTIAL = {
	id: 'benchOAuth2ClientCredentials',
	name: 'Graph (generic OAuth2, client credentials)',
	type: 'oAuth2Api',
} as const;

/** The HTTP Request node's cheapest way to authenticate: a header credential holding a Graph access token. */
export const HTTP_HEADER_CREDENTIAL = {
	id: 'benchHeaderAuth',
	name: 'Graph (header auth, bearer token)',
	type: 'httpHeaderAuth',
} as const;

/** The bulk-upload workflows sign in as an app registration holding SynchronizationData-User.Upload only. */
export const BULK_CREDENTIALS = {
	appOnly: { id: 'benchBulkAppOnly', name: 'Microsoft Graph HR upload (app-only)' },
	http: {
		id: 'benchBulkOAuth2ClientCredentials',
		name: 'Graph HR upload (generic OAuth2, client credentials)',
	},
} as const;

export const TOOL_NODE_NAME = 'Tool';
const SPLIT_NODE_NAME = 'Split Out';
const WEBHOOK_NODE_NAME = 'Webhook';

/** What one input item carries: the target and the SCIM secret to hand to the provisioning service. */
export interface BenchItem {
	targetId: string;
	baseAddress: string;
	secretToken: string;
}

/** The same, as a sheet or a vault would hand it to Input: Item Fields: fields named like Graph's secret keys. */
export interface BenchFieldsItem {
	targetId: string;
	BaseAddress: string;
	SecretToken: string;
}

/** One employee as an HR system exports it. */
export interface BenchEmployee {
	employeeId: string;
	firstName: string;
	lastName: string;
	displayName: string;
	workEmail: string;
	department: string;
	jobTitle: string;
	active: boolean;
}

/** The API-driven inbound provisioning job the bulk-upload workflows send to. */
export interface BulkTarget {
	servicePrincipalId: string;
	jobId: string;
}

const SCIM_ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Which SCIM attribute each field of the employee goes to: this node's Attributes, and the HTTP Request body below. */
const EMPLOYEE_ATTRIBUTES: Array<[attribute: string, field: keyof BenchEmployee]> = [
	['externalId', 'employeeId'],
	['userName', 'workEmail'],
	['active', 'active'],
	['displayName', 'displayName'],
	['name.givenName', 'firstName'],
	['name.familyName', 'lastName'],
	['title', 'jobTitle'],
	['emails[type eq "work"].value', 'workEmail'],
	[`${SCIM_ENTERPRISE_USER}:department`, 'department'],
];

/** How Upload Users is told which field goes to which SCIM attribute */
export type BulkInput = 'attributeRows' | 'mapEach' | 'mapAutomatically';

export const BULK_INPUTS: Record<BulkInput, { label: string; configuration: string }> = {
	attributeRows: {
		label: 'attribute rows',
		configuration: `node version 1, Attributes: ${EMPLOYEE_ATTRIBUTES.length} rows of {{ $json.field }}`,
	},
	mapEach: {
		label: 'Map Each Attribute',
		configuration: `node version 2, Map Each Attribute: ${EMPLOYEE_ATTRIBUTES.length} attributes of {{ $json.field }}, field types as the editor saves them`,
	},
	mapAutomatically: {
		label: 'Map Automatically',
		configuration: 'node version 2, Map Automatically: fields named as SCIM attributes',
	},
};

/** The employee as an HR export whose fields are named as SCIM attributes (the same mapping), for Map Automatically. */
export function scimNamedEmployee(employee: BenchEmployee): Record<string, unknown> {
	return Object.fromEntries(
		EMPLOYEE_ATTRIBUTES.map(([attribute, field]) => [attribute, employee[field]]),
	);
}

/** The SCIM BulkRequest with this one employee, as a user would write it in the HTTP Request node's JSON body. */
const ONE_EMPLOYEE_BULK_REQUEST = `={{ JSON.stringify({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
  Operations: [{
    method: "POST",
    bulkId: $json.employeeId,
    path: "/Users",
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "${SCIM_ENTERPRISE_USER}"],
      externalId: $json.employeeId,
      userName: $json.workEmail,
      active: $json.active,
      displayName: $json.displayName,
      name: { givenName: $json.firstName, familyName: $json.lastName },
      title: $json.jobTitle,
      emails: [{ type: "work", primary: true, value: $json.workEmail }],
      "${SCIM_ENTERPRISE_USER}": { department: $json.department }
    }
  }]
}) }}`;

export type ToolSpec =
	| { kind: 'baseline' }
	/** n8n's Edit Fields node evaluating the three expressions this node reads per item, and nothing else */
	| { kind: 'expressions' }
	/** Upload Users, the employees mapped one of its ways (BULK_INPUTS); `uploadOptions` its Upload Options */
	| {
			kind: 'bulkNode';
			bulk: BulkTarget;
			input: BulkInput;
			uploadOptions?: Record<string, unknown>;
	  }
	/** HTTP Request, one bulkUpload request per employee; batching omitted = its default (none) */
	| {
			kind: 'bulkHttp';
			graphUrl: string;
			bulk: BulkTarget;
			batching?: { batchSize: number; batchInterval: number };
	  }
	/** This node; `input` Item Fields reads each item's target and secrets from its fields, no expression */
	| { kind: 'node'; input?: 'parameters' | 'itemFields'; options?: Record<string, unknown> }
	| {
			kind: 'http';
			graphUrl: string;
			/** n8n's generic OAuth2 credential (client credentials), or a header credential with a bearer token */
			auth: 'oAuth2' | 'header';
			/** options.batching of the HTTP Request node; omitted = its default (no batching) */
			batching?: { batchSize: number; batchInterval: number };
			/** n8n's per-node error setting; omitted = stop the workflow */
			onError?: 'continueRegularOutput' | 'continueErrorOutput';
			/** n8n's per-node Retry On Fail */
			retryOnFail?: { maxTries: number; waitBetweenTries: number };
	  };

/** What every tool node has in common: its place in the workflow and its name */
function toolHeader(type: string, typeVersion: number) {
	return {
		id: 'a0000000-0000-4000-8000-000000000003',
		name: TOOL_NODE_NAME,
		type,
		typeVersion,
		position: [520, 0],
	};
}

/** The field list the editor saves with Map Each Attribute (from the job's attribute list for API): types included. */
function mappedAttributeSchema() {
	return EMPLOYEE_ATTRIBUTES.map(([attribute]) => ({
		id: attribute,
		displayName: attribute,
		required: attribute === 'externalId' || attribute === 'userName',
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: attribute === 'active' ? 'boolean' : 'string',
	}));
}

/** How each employee's fields become SCIM attributes, as the node stores it for `input`. */
function employeeMapping(input: BulkInput): { typeVersion: number; parameters: object } {
	const value = (field: keyof BenchEmployee) => `={{ $json.${field} }}`;
	switch (input) {
		case 'attributeRows':
			return {
				typeVersion: 1,
				parameters: {
					attributes: {
						attribute: EMPLOYEE_ATTRIBUTES.map(([attribute, field]) => ({
							attribute,
							value: value(field),
						})),
					},
				},
			};
		case 'mapEach':
			return {
				typeVersion: 2,
				parameters: {
					columns: {
						mappingMode: 'defineBelow',
						value: Object.fromEntries(
							EMPLOYEE_ATTRIBUTES.map(([attribute, field]) => [attribute, value(field)]),
						),
						matchingColumns: [],
						schema: mappedAttributeSchema(),
						attemptToConvertTypes: false,
						convertFieldsToString: false,
					},
				},
			};
		case 'mapAutomatically':
			return {
				typeVersion: 2,
				parameters: { columns: { mappingMode: 'autoMapInputData', value: null } },
			};
	}
}

/** This node's Upload Users to the bulk target. */
function uploadUsersNode(tool: Extract<ToolSpec, { kind: 'bulkNode' }>) {
	const mapping = employeeMapping(tool.input);
	return {
		...toolHeader('n8n-nodes-entra-provisioning.microsoftEntraProvisioning', mapping.typeVersion),
		parameters: {
			authentication: 'appOnly',
			resource: 'bulkUpload',
			operation: 'uploadUsers',
			target: { __rl: true, mode: 'id', value: tool.bulk.servicePrincipalId },
			job: { __rl: true, mode: 'id', value: tool.bulk.jobId },
			...mapping.parameters,
			...(tool.uploadOptions ? { uploadOptions: tool.uploadOptions } : {}),
			options: {},
		},
		credentials: { [CREDENTIALS.appOnly.type]: BULK_CREDENTIALS.appOnly },
	};
}

function toolNode(tool: ToolSpec): WorkflowJson['nodes'][number] & Record<string, unknown> {
	switch (tool.kind) {
		case 'baseline':
			return { ...toolHeader('n8n-nodes-base.noOp', 1), parameters: {} };
		case 'expressions':
			return {
				...toolHeader('n8n-nodes-base.set', 3.4),
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: (['targetId', 'baseAddress', 'secretToken'] as const).map(
							(field, index) => ({
								id: `a0000000-0000-4000-8000-00000000010${index}`,
								name: field,
								value: `={{ $json.${field} }}`,
								type: 'string',
							}),
						),
					},
					includeOtherFields: false,
					options: {},
				},
			};
		case 'node':
			return {
				...toolHeader('n8n-nodes-entra-provisioning.microsoftEntraProvisioning', 1),
				parameters: {
					authentication: 'appOnly',
					resource: 'provisioningToken',
					operation: 'acquire',
					targetType: 'servicePrincipal',
					...(tool.input === 'itemFields'
						? { inputMode: 'itemFields', targetIdField: 'targetId' }
						: {
								target: { __rl: true, mode: 'id', value: '={{ $json.targetId }}' },
								secrets: {
									secret: [
										{ key: 'BaseAddress', value: '={{ $json.baseAddress }}' },
										{ key: 'SecretToken', value: '={{ $json.secretToken }}' },
									],
								},
							}),
					options: tool.options ?? {},
				},
				credentials: {
					[CREDENTIALS.appOnly.type]: {
						id: CREDENTIALS.appOnly.id,
						name: CREDENTIALS.appOnly.name,
					},
				},
			};
		case 'bulkNode':
			return uploadUsersNode(tool);
		case 'bulkHttp':
			return {
				...toolHeader('n8n-nodes-base.httpRequest', 4.5),
				parameters: {
					method: 'POST',
					url: `${tool.graphUrl}/v1.0/servicePrincipals/${tool.bulk.servicePrincipalId}/synchronization/jobs/${tool.bulk.jobId}/bulkUpload`,
					authentication: 'genericCredentialType',
					genericAuthType: 'oAuth2Api',
					// Graph refuses a bulk request without this Content-Type (400 "Invalid Data Format")
					sendHeaders: true,
					headerParameters: {
						parameters: [{ name: 'Content-Type', value: 'application/scim+json' }],
					},
					sendBody: true,
					specifyBody: 'json',
					jsonBody: ONE_EMPLOYEE_BULK_REQUEST,
					options: tool.batching ? { batching: { batch: tool.batching } } : {},
				},
				credentials: { oAuth2Api: BULK_CREDENTIALS.http },
			};
		case 'http':
			return {
				...toolHeader('n8n-nodes-base.httpRequest', 4.5),
				parameters: {
					method: 'POST',
					url: `=${tool.graphUrl}/v1.0/servicePrincipals/{{ $json.targetId }}/synchronization/acquireAccessToken`,
					authentication: 'genericCredentialType',
					genericAuthType:
						tool.auth === 'header' ? HTTP_HEADER_CREDENTIAL.type : HTTP_CREDENTIAL.type,
					sendBody: true,
					specifyBody: 'json',
					jsonBody:
						'={{ JSON.stringify({ credentials: [ { key: "BaseAddress", value: $json.baseAddress }, { key: "SecretToken", value: $json.secretToken } ] }) }}',
					options: tool.batching ? { batching: { batch: tool.batching } } : {},
				},
				credentials:
					tool.auth === 'header'
						? {
								[HTTP_HEADER_CREDENTIAL.type]: {
									id: HTTP_HEADER_CREDENTIAL.id,
									name: HTTP_HEADER_CREDENTIAL.name,
								},
							}
						: { [HTTP_CREDENTIAL.type]: { id: HTTP_CREDENTIAL.id, name: HTTP_CREDENTIAL.name } },
				...(tool.onError ? { onError: tool.onError } : {}),
				...(tool.retryOnFail ? { retryOnFail: true, ...tool.retryOnFail } : {}),
			};
	}
}

/** Webhook (POST {items:[…]}) → Split Out (body.items) → the tool. */
export function benchWorkflow(
	id: string,
	name: string,
	webhookPath: string,
	tool: ToolSpec,
): WorkflowJson {
	return {
		id,
		name,
		nodes: [
			{
				id: 'a0000000-0000-4000-8000-000000000001',
				name: WEBHOOK_NODE_NAME,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: {
					httpMethod: 'POST',
					path: webhookPath,
					responseMode: 'lastNode',
					responseData: 'noData',
					options: {},
				},
			},
			{
				id: 'a0000000-0000-4000-8000-000000000002',
				name: SPLIT_NODE_NAME,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [260, 0],
				parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
			},
			toolNode(tool),
		],
		connections: {
			[WEBHOOK_NODE_NAME]: { main: [[{ node: SPLIT_NODE_NAME, type: 'main', index: 0 }]] },
			[SPLIT_NODE_NAME]: { main: [[{ node: TOOL_NODE_NAME, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

/** n8n's generic OAuth2 credential with the client-credentials grant, against the emulator's token endpoint. */
export function httpOAuth2Credential(
	emulator: { authorityUrl: string; graphUrl: string; tenantId: string },
	client: { clientId: string; clientSecret: string },
	identity: { id: string; name: string } = HTTP_CREDENTIAL,
) {
	return {
		id: identity.id,
		name: identity.name,
		type: HTTP_CREDENTIAL.type,
		data: {
			grantType: 'clientCredentials',
			accessTokenUrl: `${emulator.authorityUrl}/${emulator.tenantId}/oauth2/v2.0/token`,
			clientId: client.clientId,
			clientSecret: client.clientSecret,
			scope: `${emulator.graphUrl}/.default`,
			authQueryParameters: '',
			authentication: 'header',
		},
	};
}

/** n8n's header credential sending a Graph access token minted for the client, valid for the whole benchmark. */
export function httpHeaderCredential(accessToken: string) {
	return {
		id: HTTP_HEADER_CREDENTIAL.id,
		name: HTTP_HEADER_CREDENTIAL.name,
		type: HTTP_HEADER_CREDENTIAL.type,
		data: { name: 'Authorization', value: `Bearer ${accessToken}` },
	};
}

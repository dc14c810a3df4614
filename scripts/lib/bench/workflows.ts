/**
 * The workflows the benchmark runs. Each starts with a Webhook that answers when the last node has finished, fans
 * the posted array out into one item per employee/application with Split Out, and hands the items to the tool under
 * test: this package's node, n8n's HTTP Request node doing the same Graph call, or nothing (the baseline that tells
 * n8n's own cost of the fan-out apart from the tool's).
 */
import { randomUUID } from 'node:crypto';

import { CREDENTIALS } from '../demo-tenant';
import type { WorkflowJson } from '../demo-tenant';

export const HTTP_CREDENTIAL = { id: 'benchOAuth2ClientCredentials', name: 'Graph (generic OAuth2, client credentials)', type: 'oAuth2Api' } as const;

export const TOOL_NODE_NAME = 'Tool';
const SPLIT_NODE_NAME = 'Split Out';
const WEBHOOK_NODE_NAME = 'Webhook';

/** What one input item carries: the target and the SCIM secret to hand to the provisioning service. */
export interface BenchItem {
	targetId: string;
	baseAddress: string;
	secretToken: string;
}

export type ToolSpec =
	| { kind: 'baseline' }
	| { kind: 'node'; options?: Record<string, unknown> }
	| {
			kind: 'http';
			graphUrl: string;
			/** options.batching of the HTTP Request node; omitted = its default (no batching) */
			batching?: { batchSize: number; batchInterval: number };
			/** n8n's per-node error setting; omitted = stop the workflow */
			onError?: 'continueRegularOutput' | 'continueErrorOutput';
			/** n8n's per-node Retry On Fail */
			retryOnFail?: { maxTries: number; waitBetweenTries: number };
	  };

function toolNode(tool: ToolSpec): WorkflowJson['nodes'][number] & Record<string, unknown> {
	const position = [520, 0];
	switch (tool.kind) {
		case 'baseline':
			return { id: 'a0000000-0000-4000-8000-000000000003', name: TOOL_NODE_NAME, type: 'n8n-nodes-base.noOp', typeVersion: 1, position, parameters: {} };
		case 'node':
			return {
				id: 'a0000000-0000-4000-8000-000000000003',
				name: TOOL_NODE_NAME,
				type: 'n8n-nodes-entra-provisioning.microsoftEntraProvisioning',
				typeVersion: 1,
				position,
				parameters: {
					authentication: 'appOnly',
					resource: 'provisioningToken',
					operation: 'acquire',
					targetType: 'servicePrincipal',
					target: { __rl: true, mode: 'id', value: '={{ $json.targetId }}' },
					secrets: {
						secret: [
							{ key: 'BaseAddress', value: '={{ $json.baseAddress }}' },
							{ key: 'SecretToken', value: '={{ $json.secretToken }}' },
						],
					},
					options: tool.options ?? {},
				},
				credentials: { [CREDENTIALS.appOnly.type]: { id: CREDENTIALS.appOnly.id, name: CREDENTIALS.appOnly.name } },
			};
		case 'http':
			return {
				id: 'a0000000-0000-4000-8000-000000000003',
				name: TOOL_NODE_NAME,
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.5,
				position,
				parameters: {
					method: 'POST',
					url: `=${tool.graphUrl}/v1.0/servicePrincipals/{{ $json.targetId }}/synchronization/acquireAccessToken`,
					authentication: 'genericCredentialType',
					genericAuthType: 'oAuth2Api',
					sendBody: true,
					specifyBody: 'json',
					jsonBody:
						'={{ JSON.stringify({ credentials: [ { key: "BaseAddress", value: $json.baseAddress }, { key: "SecretToken", value: $json.secretToken } ] }) }}',
					options: tool.batching ? { batching: { batch: tool.batching } } : {},
				},
				credentials: { oAuth2Api: { id: HTTP_CREDENTIAL.id, name: HTTP_CREDENTIAL.name } },
				...(tool.onError ? { onError: tool.onError } : {}),
				...(tool.retryOnFail ? { retryOnFail: true, ...tool.retryOnFail } : {}),
			};
	}
}

/** Webhook (POST {items:[…]}) → Split Out (body.items) → the tool. */
export function benchWorkflow(id: string, name: string, webhookPath: string, tool: ToolSpec): WorkflowJson {
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
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'noData', options: {} },
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
export function httpOAuth2Credential(emulator: { authorityUrl: string; graphUrl: string; tenantId: string }, client: { clientId: string; clientSecret: string }) {
	return {
		id: HTTP_CREDENTIAL.id,
		name: HTTP_CREDENTIAL.name,
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

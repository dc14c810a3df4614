/**
 * Behind a corporate proxy: n8n runs with HTTPS_PROXY pointing at a real tinyproxy on 127.0.0.1, and every
 * connection the emulator accepts (Graph and the Entra sign-in endpoint) must be one of the proxy's CONNECT tunnels.
 * A request that went around the proxy would be a connection the proxy's log does not account for.
 *
 * NO_PROXY is empty (until the last case, which names the emulator's hosts in it): the emulator listens on 127.0.0.1
 * and localhost, which neither n8n nor @azure/identity leaves out of the proxy on its own, and which the other suites
 * list in NO_PROXY. Real Graph and Entra hosts are never loopback.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import {
	CREDENTIALS,
	DEMO_ADMIN_UPN,
	DEMO_OBJECTS,
	oAuth2Credential,
} from '../../dev/n8n/demo-tenant';
import {
	manualWorkflow,
	NODE_NAME,
	SSRF_PROTECTION_ALLOWING_LOOPBACK,
	startStack,
	type Stack,
} from '../../dev/n8n/e2e-stack';
import { startTinyproxy, type RunningProxy } from '../../dev/n8n/proxy';
import { PROJECT_ROOT } from '../../dev/n8n/runtime';
import { nodeOutput, type RunData } from '../../dev/n8n/executions';

const SCOPES = ['Synchronization.ReadWrite.All', 'Application.Read.All', 'offline_access'];
const BASE_ADDRESS = 'https://scim.contoso.example/scim/v2';

let proxy: RunningProxy;
let stack: Stack;

function workflow(id: string, authentication: 'appOnly' | 'oAuth2') {
	return manualWorkflow({
		id,
		authentication,
		credential: authentication === 'oAuth2' ? CREDENTIALS.oAuth2 : CREDENTIALS.appOnly,
		targetType: 'servicePrincipal',
		target: { mode: 'id', value: DEMO_OBJECTS.servicePrincipalId },
		secrets: [
			{ key: 'BaseAddress', value: BASE_ADDRESS },
			{ key: 'SecretToken', value: `scim-proxy-${randomBytes(8).toString('hex')}` },
		],
	});
}

beforeAll(async () => {
	proxy = await startTinyproxy(
		path.join(PROJECT_ROOT, '.test-output', 'e2e', `proxy-${Date.now().toString(36)}`),
	);
	try {
		stack = await startStack({
			name: 'proxy',
			examples: true,
			env: { ...SSRF_PROTECTION_ALLOWING_LOOPBACK, HTTPS_PROXY: proxy.url, NO_PROXY: '' },
			credentials: ({ emulator, tenant, client }) => {
				const tokens = emulator.issueUserTokens({
					upn: DEMO_ADMIN_UPN,
					clientId: client.clientId,
					scopes: SCOPES,
				});
				// an access token that has expired: the first Graph call gets 401 and n8n refreshes it with the refresh token
				const expired = emulator.createAccessToken({
					upn: DEMO_ADMIN_UPN,
					clientId: client.clientId,
					scopes: SCOPES,
					lifetimeSeconds: -600,
				});
				const credential = oAuth2Credential(tenant, client);
				return [
					{
						...credential,
						data: { ...credential.data, oauthTokenData: { ...tokens, access_token: expired } },
					},
				];
			},
			workflows: () => [
				workflow('e2eProxyAppOnly', 'appOnly'),
				workflow('e2eProxyOAuth2', 'oAuth2'),
			],
		});
	} catch (error) {
		await proxy.stop();
		throw error;
	}
});

afterAll(async () => {
	await stack?.stop();
	await proxy?.stop();
});

function listenerPort(url: string): string {
	return new URL(url).port;
}

/** CONNECT tunnels the proxy opened to this emulator listener (by port: the target is 127.0.0.1 or localhost). */
function tunnelsTo(url: string): number {
	const port = listenerPort(url);
	return proxy.tunnels().filter((tunnel) => tunnel.target.endsWith(`:${port}`)).length;
}

async function executeManual(id: string, env?: Record<string, string>): Promise<RunData> {
	const result = await stack.n8n.execute(id, { env });
	return (result.output as { data: RunData }).data;
}

test('app-only: the @azure/identity sign-in and the Graph call go through the proxy', async () => {
	const before = stack.emulator.stats();
	const data = await executeManual('e2eProxyAppOnly');
	expect(nodeOutput(data, NODE_NAME)).toMatchObject([{ success: true, graphStatus: 204 }]);
	const after = stack.emulator.stats();
	expect(after.byGrantType.client_credentials - (before.byGrantType.client_credentials ?? 0)).toBe(
		1,
	);
	expect(tunnelsTo(stack.emulator.authorityUrl)).toBeGreaterThanOrEqual(1);
	expect(tunnelsTo(stack.emulator.graphUrl)).toBeGreaterThanOrEqual(1);
});

test('delegated OAuth2: n8n’s token refresh and the Graph calls go through the proxy', async () => {
	const before = stack.emulator.stats();
	const data = await executeManual('e2eProxyOAuth2');
	expect(nodeOutput(data, NODE_NAME)).toMatchObject([{ success: true, graphStatus: 204 }]);
	const after = stack.emulator.stats();
	expect((after.byGrantType.refresh_token ?? 0) - (before.byGrantType.refresh_token ?? 0)).toBe(1);
});

test('the webhook example in the running n8n goes through the proxy', async () => {
	const response = await fetch(stack.webhookUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({
			targetType: 'servicePrincipal',
			targetId: DEMO_OBJECTS.servicePrincipalId,
			baseAddress: BASE_ADDRESS,
			secretToken: `scim-proxy-hook-${randomBytes(8).toString('hex')}`,
		}),
	});
	expect(response.status).toBe(200);
});

test('the credential Test button (POST /rest/credentials/test) goes through the proxy', async () => {
	const credential = await stack.rest.request<{
		id: string;
		name: string;
		type: string;
		data: Record<string, unknown>;
	}>('GET', `/credentials/${CREDENTIALS.appOnly.id}?includeData=true`);
	const result = await stack.rest.request<{ status: string; message: string }>(
		'POST',
		'/credentials/test',
		{
			credentials: {
				id: credential.id,
				name: credential.name,
				type: credential.type,
				data: credential.data,
			},
		},
	);
	expect(result.status).toBe('OK');
});

test('every connection the emulator accepted was a CONNECT tunnel of the proxy: nothing went around it', () => {
	const { connectionsByListener } = stack.emulator.stats();
	const graph = tunnelsTo(stack.emulator.graphUrl);
	const login = tunnelsTo(stack.emulator.authorityUrl);
	process.stdout.write(
		`proxy: ${graph} tunnels to Graph, ${login} to the sign-in endpoint; emulator: ${JSON.stringify(connectionsByListener)}\n`,
	);
	expect({ graph: connectionsByListener.graph, login: connectionsByListener.login }).toEqual({
		graph,
		login,
	});
	expect(graph).toBeGreaterThanOrEqual(4);
	expect(login).toBeGreaterThanOrEqual(2);
	expect(stack.n8n.blockedEgress()).toEqual([]);
});

test('NO_PROXY naming the emulator’s hosts: the sign-in and the Graph calls connect directly, and the proxy sees none', async () => {
	const tunnelsBefore = proxy.tunnels().length;
	const before = stack.emulator.stats().connectionsByListener;
	const data = await executeManual('e2eProxyAppOnly', { NO_PROXY: '127.0.0.1,localhost' });
	expect(nodeOutput(data, NODE_NAME)).toMatchObject([{ success: true, graphStatus: 204 }]);
	const after = stack.emulator.stats().connectionsByListener;
	expect(proxy.tunnels().length).toBe(tunnelsBefore);
	expect(after.graph - before.graph).toBeGreaterThanOrEqual(1);
	expect(after.login - before.login).toBeGreaterThanOrEqual(1);
});

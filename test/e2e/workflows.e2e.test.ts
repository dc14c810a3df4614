/**
 * The package in a real n8n 2.x against the Graph + Entra emulator: the webhook example, manual workflows through
 * `n8n execute`, both target types, client secret and client certificate sign-in, and the failures an admin sees.
 */
import { randomBytes } from 'node:crypto';

import type { GeneratedCertificate } from '../../dev/emulator';
import {
	appOnlyCredential,
	CREDENTIALS,
	DEMO_ADMIN_UPN,
	DEMO_OBJECTS,
	oAuth2Credential,
	PROVISIONING_PERMISSIONS,
} from '../../dev/n8n/demo-tenant';
import { manualWorkflow, NODE_NAME, startStack, type Stack } from '../../dev/n8n/e2e-stack';
import {
	databaseText,
	getExecution,
	leakedSecrets,
	listExecutions,
	nodeOutput,
	waitForNewExecution,
	type RunData,
	type StoredExecution,
} from '../../dev/n8n/executions';

const CERT_CREDENTIAL = { id: 'e2eAppOnlyCert', name: 'e2e app-only (certificate)' };
const FORBIDDEN_CREDENTIAL = { id: 'e2eNoPermission', name: 'e2e app-only (no Graph permission)' };
const WRONG_SECRET_CREDENTIAL = { id: 'e2eWrongSecret', name: 'e2e app-only (wrong secret)' };

/** A SCIM secret token unique to one case, so its way through n8n can be traced. */
function scimToken(label: string): string {
	return `scim-${label}-${randomBytes(12).toString('hex')}`;
}

const secrets = {
	servicePrincipal: scimToken('sp'),
	application: scimToken('app'),
	appId: scimToken('appid'),
	certificate: scimToken('cert'),
	forbidden: scimToken('forbidden'),
	wrongSecret: scimToken('wrong'),
	throttledAppOnly: scimToken('throttled-app-only'),
	throttledOAuth2: scimToken('throttled-oauth2'),
	missingAppOnly: scimToken('missing-app-only'),
	missingOAuth2: scimToken('missing-oauth2'),
};
/** A service principal object ID the tenant does not have */
const MISSING_TARGET = '00000000-0000-4000-8000-0000000000b4';
const wrongClientSecret = `wrong~${randomBytes(24).toString('base64url')}`;
const BASE_ADDRESS = 'https://scim.contoso.example/scim/v2';

let stack: Stack;
let certificate: GeneratedCertificate;
/** Every SCIM secret token that went through n8n in this file */
const secretsSent: string[] = [];
/** Every Graph access token n8n presented */
const bearerTokens = new Set<string>();
let certificateClientId = '';

function manual(
	id: string,
	credential: { id: string; name: string },
	targetType: 'application' | 'servicePrincipal',
	target: { mode: 'id' | 'appId'; value: string },
	token: string,
	authentication: 'appOnly' | 'oAuth2' = 'appOnly',
) {
	return manualWorkflow({
		id,
		authentication,
		credential,
		targetType,
		target,
		secrets: [
			{ key: 'BaseAddress', value: BASE_ADDRESS },
			{ key: 'SecretToken', value: token },
		],
	});
}

beforeAll(async () => {
	stack = await startStack({
		name: 'workflows',
		credentials: async ({ emulator, tenant, client }) => {
			certificate = await emulator.createClientCertificate({
				commonName: 'n8n e2e certificate sign-in',
			});
			certificateClientId = emulator.registerClientApp({
				displayName: 'n8n provisioning (certificate)',
				certificatePem: certificate.certificatePem,
				applicationPermissions: PROVISIONING_PERMISSIONS,
			}).clientId;
			const unprivileged = emulator.registerClientApp({
				displayName: 'n8n without Graph permissions',
				secret: `np~${randomBytes(18).toString('base64url')}`,
			});
			return [
				appOnlyCredential(
					tenant,
					{ clientId: certificateClientId, certificate: certificate.pem },
					CERT_CREDENTIAL,
				),
				appOnlyCredential(
					tenant,
					{ clientId: unprivileged.clientId, clientSecret: unprivileged.secret! },
					FORBIDDEN_CREDENTIAL,
				),
				appOnlyCredential(
					tenant,
					{ clientId: client.clientId, clientSecret: wrongClientSecret },
					WRONG_SECRET_CREDENTIAL,
				),
				// the delegated credential as Connect leaves it: the tokens of an admin's sign-in, stored (encrypted) by n8n
				{
					...oAuth2Credential(tenant, client),
					data: {
						...oAuth2Credential(tenant, client).data,
						oauthTokenData: emulator.issueUserTokens({
							upn: DEMO_ADMIN_UPN,
							clientId: client.clientId,
							scopes: ['Synchronization.ReadWrite.All', 'Application.Read.All', 'offline_access'],
						}),
					},
				},
			];
		},
		workflows: () => [
			manual(
				'e2eSpById',
				CREDENTIALS.appOnly,
				'servicePrincipal',
				{ mode: 'id', value: DEMO_OBJECTS.servicePrincipalId },
				secrets.servicePrincipal,
			),
			manual(
				'e2eAppById',
				CREDENTIALS.appOnly,
				'application',
				{ mode: 'id', value: DEMO_OBJECTS.applicationObjectId },
				secrets.application,
			),
			manual(
				'e2eSpByAppId',
				CREDENTIALS.appOnly,
				'servicePrincipal',
				{ mode: 'appId', value: DEMO_OBJECTS.appId },
				secrets.appId,
			),
			manual(
				'e2eCertificate',
				CERT_CREDENTIAL,
				'servicePrincipal',
				{ mode: 'id', value: DEMO_OBJECTS.servicePrincipalId },
				secrets.certificate,
			),
			manual(
				'e2eForbidden',
				FORBIDDEN_CREDENTIAL,
				'servicePrincipal',
				{ mode: 'id', value: DEMO_OBJECTS.servicePrincipalId },
				secrets.forbidden,
			),
			manual(
				'e2eWrongSecret',
				WRONG_SECRET_CREDENTIAL,
				'servicePrincipal',
				{ mode: 'id', value: DEMO_OBJECTS.servicePrincipalId },
				secrets.wrongSecret,
			),
			manual(
				'e2eThrottledAppOnly',
				CREDENTIALS.appOnly,
				'servicePrincipal',
				{ mode: 'id', value: DEMO_OBJECTS.servicePrincipalId },
				secrets.throttledAppOnly,
			),
			manual(
				'e2eThrottledOAuth2',
				CREDENTIALS.oAuth2,
				'servicePrincipal',
				{ mode: 'id', value: DEMO_OBJECTS.servicePrincipalId },
				secrets.throttledOAuth2,
				'oAuth2',
			),
			manual(
				'e2eMissingAppOnly',
				CREDENTIALS.appOnly,
				'servicePrincipal',
				{ mode: 'id', value: MISSING_TARGET },
				secrets.missingAppOnly,
			),
			manual(
				'e2eMissingOAuth2',
				CREDENTIALS.oAuth2,
				'servicePrincipal',
				{ mode: 'id', value: MISSING_TARGET },
				secrets.missingOAuth2,
				'oAuth2',
			),
		],
	});
});

afterAll(async () => {
	await stack?.stop();
});

/**
 * n8n answers its editor before it has registered the published webhooks; on a busy machine the first calls can come
 * too early. The workflow refuses a body without a target before any Graph call, so waiting costs nothing.
 */
beforeAll(async () => {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const response = await fetch(stack.webhookUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '{}',
		});
		if (response.status !== 404) return;
		if (Date.now() > deadline)
			throw new Error(`the webhook was not registered within 60 s\n${stack.n8n.logTail(40)}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
});

/** Fails with n8n's log tail when an expectation about n8n does not hold. */
function withLog<T>(check: () => T): T {
	try {
		return check();
	} catch (error) {
		if (error instanceof Error)
			error.message += `\n----- n8n log tail -----\n${stack.n8n.logTail(60)}`;
		throw error;
	}
}

/** Forgets the emulator's recorded requests, keeping the access tokens they carried. */
function clearRequests(): void {
	harvestTokens();
	stack.emulator.clearRequests();
}

function harvestTokens(): void {
	for (const request of stack.emulator.requests) {
		const header = String(request.headers.authorization ?? '');
		if (header.startsWith('Bearer ')) bearerTokens.add(header.slice(7));
	}
}

/**
 * An n8n error without `node`: n8n attaches a copy of the failing node (its parameters as typed, so a literal secret
 * value too, like the workflow snapshot of the execution). The node's own message, description, response and stack
 * are the rest.
 */
function ownFields(error: Record<string, unknown> | undefined): Record<string, unknown> | null {
	if (!error) return null;
	const rest = { ...error };
	delete rest.node;
	return rest;
}

function graphRequests() {
	return stack.emulator.requests.filter((request) => request.listener === 'graph');
}

function successItem(targetType: string, targetObjectId: string) {
	return {
		success: true,
		operation: 'acquireProvisioningToken',
		targetType,
		targetObjectId,
		secretKeys: ['BaseAddress', 'SecretToken'],
		apiVersion: 'v1.0',
		graphStatus: 204,
		requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
	};
}

function expectAcquireRequest(
	collection: 'servicePrincipals' | 'applications',
	objectId: string,
	token: string,
) {
	const acquire = graphRequests().filter((request) =>
		request.path.endsWith('/synchronization/acquireAccessToken'),
	);
	expect(acquire).toHaveLength(1);
	const [request] = acquire;
	expect(request.method).toBe('POST');
	expect(request.path).toBe(`/v1.0/${collection}/${objectId}/synchronization/acquireAccessToken`);
	expect(String(request.headers['content-type'])).toMatch(/^application\/json/);
	expect(String(request.headers.authorization)).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
	expect(JSON.parse(request.body)).toEqual({
		credentials: [
			{ key: 'BaseAddress', value: BASE_ADDRESS },
			{ key: 'SecretToken', value: token },
		],
	});
	expect(request.status).toBe(204);
	expect(stack.emulator.getSynchronizationSecrets(collection, objectId)).toEqual([
		{ key: 'BaseAddress', value: BASE_ADDRESS },
		{ key: 'SecretToken', value: token },
	]);
}

describe('the webhook example (examples/acquire-provisioning-token.workflow.json, published)', () => {
	test.each([
		['servicePrincipal', 'servicePrincipals', DEMO_OBJECTS.servicePrincipalId],
		['application', 'applications', DEMO_OBJECTS.applicationObjectId],
	] as const)(
		'POST for targetType %s: Graph gets the documented request and the webhook answers with the success item',
		async (targetType, collection, objectId) => {
			clearRequests();
			const token = scimToken(`hook-${targetType}`);
			const known = new Set(
				(await listExecutions(stack.rest, 'entraAcquireHook')).map((e) => e.id),
			);
			const response = await fetch(stack.webhookUrl, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({
					targetType,
					targetId: objectId,
					baseAddress: BASE_ADDRESS,
					secretToken: token,
				}),
			});
			const text = await response.text();
			withLog(() =>
				expect({ status: response.status, body: text }).toEqual({
					status: 200,
					body: expect.any(String),
				}),
			);
			expect(JSON.parse(text)).toEqual(successItem(targetType, objectId));
			expectAcquireRequest(collection, objectId, token);

			const execution = await waitForNewExecution(stack.rest, 'entraAcquireHook', known);
			expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
			expect(nodeOutput(execution.data, NODE_NAME)).toEqual([successItem(targetType, objectId)]);
			// the node's own output never carries the secret value
			expect(JSON.stringify(execution.data.resultData.runData[NODE_NAME])).not.toContain(token);
			secretsSent.push(token);
		},
	);

	test("a target that does not exist: the webhook answers 404 with the node's message", async () => {
		const known = new Set((await listExecutions(stack.rest, 'entraAcquireHook')).map((e) => e.id));
		const missing = '00000000-0000-4000-8000-0000000000a1';
		const token = scimToken('hook-missing');
		const response = await fetch(stack.webhookUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ targetId: missing, baseAddress: BASE_ADDRESS, secretToken: token }),
		});
		const text = await response.text();
		withLog(() => expect(response.status).toBe(404));
		const body = JSON.parse(text) as { error: string; description: string; httpCode: string };
		expect(body.error).toBe(`Microsoft Graph found no service principal with object ID ${missing}`);
		expect(body.description).toContain('Object ID');
		expect(body.httpCode).toBe('404');
		expect(text).not.toContain(token);
		const execution = await waitForNewExecution(stack.rest, 'entraAcquireHook', known);
		expect(nodeOutput(execution.data, NODE_NAME)).toEqual([
			{
				error: body.error,
				message: body.error,
				description: body.description,
				code: 'Request_ResourceNotFound',
				httpCode: '404',
				requestId: expect.any(String),
			},
		]);
		// answered, then failed: n8n counts it among failed executions and runs the error workflow
		expectFailedAfterAnswering(execution, `Answered the webhook call with an error: ${body.error}`);
		expect(JSON.stringify(execution.data.resultData.runData[NODE_NAME])).not.toContain(token);
		expect(JSON.stringify(execution.data.resultData.error)).not.toContain(token);
		secretsSent.push(token);
	});

	test('an empty body: 400 naming the body fields to send, no Graph call, and a failed execution', async () => {
		clearRequests();
		const known = new Set((await listExecutions(stack.rest, 'entraAcquireHook')).map((e) => e.id));
		const response = await fetch(stack.webhookUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '{}',
		});
		withLog(() => expect(response.status).toBe(400));
		const body = (await response.json()) as Record<string, unknown>;
		expect(body).toEqual({
			error: 'Missing or invalid in the request body: targetId, baseAddress, secretToken',
			description: expect.stringContaining('POST JSON with targetId'),
			refusedFields: ['targetId', 'baseAddress', 'secretToken'],
			httpCode: null,
		});
		// the answer is for the caller: each field it names is explained, and none of it is editor advice
		for (const field of ['targetId', 'baseAddress', 'secretToken', 'targetType'])
			expect(body.description).toContain(field);
		expect(JSON.stringify(body)).not.toMatch(/from the list|pick|parameter/i);
		expect(graphRequests()).toEqual([]);
		const execution = await waitForNewExecution(stack.rest, 'entraAcquireHook', known);
		expectFailedAfterAnswering(
			execution,
			'Refused the webhook call, missing or invalid in its body: targetId, baseAddress, secretToken',
		);
		expect(execution.data.resultData.runData[NODE_NAME]).toBeUndefined();
	});

	test('a targetId that is not a GUID and an unknown targetType: 400 naming those two fields, the token kept out', async () => {
		clearRequests();
		const known = new Set((await listExecutions(stack.rest, 'entraAcquireHook')).map((e) => e.id));
		const token = scimToken('hook-invalid');
		const response = await fetch(stack.webhookUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({
				targetType: 'group',
				targetId: 'not-a-guid',
				baseAddress: BASE_ADDRESS,
				secretToken: token,
			}),
		});
		const text = await response.text();
		withLog(() => expect(response.status).toBe(400));
		expect(JSON.parse(text)).toMatchObject({
			error: 'Missing or invalid in the request body: targetId, targetType',
			refusedFields: ['targetId', 'targetType'],
		});
		expect(text).not.toContain(token);
		expect(graphRequests()).toEqual([]);
		const execution = await waitForNewExecution(stack.rest, 'entraAcquireHook', known);
		expectFailedAfterAnswering(
			execution,
			'Refused the webhook call, missing or invalid in its body: targetId, targetType',
		);
		expect(JSON.stringify(execution.data.resultData.error)).not.toContain(token);
		secretsSent.push(token);
	});
});

/**
 * The execution as n8n stored it after the webhook example answered an error: failed, at the node that fails it
 * after the answer, with the message an error workflow gets.
 */
function expectFailedAfterAnswering(execution: StoredExecution, message: string): void {
	withLog(() => expect(execution).toMatchObject({ mode: 'webhook', status: 'error' }));
	expect(execution.data.resultData.lastNodeExecuted).toBe('Mark the execution failed');
	expect(execution.data.resultData.error?.message).toBe(message);
}

async function executeManual(id: string): Promise<RunData> {
	const result = await stack.n8n.execute(id);
	return (result.output as { data: RunData }).data;
}

describe('many executions at once, one credential', () => {
	test('50 concurrent webhook calls: each gets its own target back, one token fetch at most, nothing lost', async () => {
		clearRequests();
		const targets = Array.from({ length: 50 }, (_, index) =>
			stack.emulator.addServicePrincipal({ displayName: `Concurrent SCIM app ${index}` }),
		);
		const tokens = targets.map((_, index) => scimToken(`concurrent-${index}`));
		const tokenRequestsBefore = stack.emulator.stats().byGrantType.client_credentials ?? 0;

		const responses = await Promise.all(
			targets.map(async (target, index) => {
				const response = await fetch(stack.webhookUrl, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify({
						targetType: 'servicePrincipal',
						targetId: target.id,
						baseAddress: `${BASE_ADDRESS}/${index}`,
						secretToken: tokens[index],
					}),
				});
				return { status: response.status, body: await response.text() };
			}),
		);

		withLog(() =>
			expect(responses.map((response) => response.status)).toEqual(targets.map(() => 200)),
		);
		// no cross-talk: every execution answers with its own target, and Graph stored each target's own secrets
		expect(responses.map((response) => JSON.parse(response.body).targetObjectId)).toEqual(
			targets.map((target) => target.id),
		);
		targets.forEach((target, index) =>
			expect(stack.emulator.getSynchronizationSecrets('servicePrincipals', target.id)).toEqual([
				{ key: 'BaseAddress', value: `${BASE_ADDRESS}/${index}` },
				{ key: 'SecretToken', value: tokens[index] },
			]),
		);
		expect(
			graphRequests().filter((request) => request.path.endsWith('/acquireAccessToken')),
		).toHaveLength(50);
		expect(
			(stack.emulator.stats().byGrantType.client_credentials ?? 0) - tokenRequestsBefore,
		).toBeLessThanOrEqual(1);
		secretsSent.push(...tokens);
	});
});

describe('manual workflows through `n8n execute --id … --rawOutput`', () => {
	test.each([
		[
			'a service principal by object ID',
			'e2eSpById',
			'servicePrincipal',
			'servicePrincipals',
			DEMO_OBJECTS.servicePrincipalId,
			secrets.servicePrincipal,
		],
		[
			'an application by object ID',
			'e2eAppById',
			'application',
			'applications',
			DEMO_OBJECTS.applicationObjectId,
			secrets.application,
		],
		[
			'a service principal by app ID (looked up first)',
			'e2eSpByAppId',
			'servicePrincipal',
			'servicePrincipals',
			DEMO_OBJECTS.servicePrincipalId,
			secrets.appId,
		],
	] as const)(
		'client secret sign-in, %s',
		async (_label, workflowId, targetType, collection, objectId, token) => {
			clearRequests();
			const data = await executeManual(workflowId);
			const [item] = nodeOutput(data, NODE_NAME);
			expect(item).toMatchObject({
				...successItem(targetType, objectId),
				requestId: expect.any(String),
			});
			if (workflowId === 'e2eSpByAppId') expect(item.targetAppId).toBe(DEMO_OBJECTS.appId);
			expectAcquireRequest(collection, objectId, token);
			expect(JSON.stringify(data.resultData.runData[NODE_NAME])).not.toContain(token);
			secretsSent.push(token);
		},
	);

	test('client certificate sign-in: MSAL signs an assertion with the certificate and the node acquires the token', async () => {
		clearRequests();
		const data = await executeManual('e2eCertificate');
		expect(nodeOutput(data, NODE_NAME)).toEqual([
			successItem('servicePrincipal', DEMO_OBJECTS.servicePrincipalId),
		]);
		const tokenRequest = stack.emulator.requests.find(
			(request) => request.listener === 'login' && request.path.endsWith('/oauth2/v2.0/token'),
		);
		expect(tokenRequest).toBeDefined();
		const form = new URLSearchParams(tokenRequest!.body);
		expect(form.get('client_id')).toBe(certificateClientId);
		expect(form.get('client_assertion_type')).toBe(
			'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
		);
		expect(form.get('client_secret')).toBeNull();
		expectAcquireRequest('servicePrincipals', DEMO_OBJECTS.servicePrincipalId, secrets.certificate);
		secretsSent.push(secrets.certificate);
	});
});

describe('failures as a user sees them: a failed execution whose message names the fix', () => {
	async function failedExecution(workflowId: string) {
		const known = new Set((await listExecutions(stack.rest, workflowId)).map((e) => e.id));
		const result = await stack.n8n.execute(workflowId, { allowFailure: true });
		withLog(() => expect(result.ok).toBe(false));
		const printed = (result.output as { data: RunData } | undefined)?.data.resultData.error;
		const stored = await waitForNewExecution(stack.rest, workflowId, known);
		expect(stored.status).toBe('error');
		expect(stored.data.resultData.lastNodeExecuted).toBe(NODE_NAME);
		return { printed, stored, error: stored.data.resultData.error! };
	}

	test('403 from Graph (an app registration without Synchronization.ReadWrite.All)', async () => {
		clearRequests();
		const { printed, error } = await failedExecution('e2eForbidden');
		const acquire = graphRequests().find((request) => request.path.endsWith('/acquireAccessToken'));
		expect(acquire?.status).toBe(403);
		expect(error.message).toBe('The credential is not allowed to do this in Microsoft Graph');
		expect(error.description).toContain('Synchronization.ReadWrite.All');
		expect(printed?.message).toBe(error.message);
		expect(JSON.stringify(ownFields(error))).not.toContain(secrets.forbidden);
		process.stdout.write(
			`403 as the user sees it:\n  ${error.message}\n  ${String(error.description).replace(/\n/g, '\n  ')}\n`,
		);
		secretsSent.push(secrets.forbidden);
	});

	test('wrong client secret (AADSTS7000215)', async () => {
		clearRequests();
		const { printed, error } = await failedExecution('e2eWrongSecret');
		expect(graphRequests()).toHaveLength(0);
		expect(error.message).toBe('Microsoft Entra rejected the client secret');
		expect(String(error.description)).toMatch(/Client Secret/);
		expect(printed?.message).toBe(error.message);
		expect(JSON.stringify(error)).not.toContain(wrongClientSecret);
		expect(JSON.stringify(ownFields(error))).not.toContain(secrets.wrongSecret);
		process.stdout.write(
			`wrong secret as the user sees it:\n  ${error.message}\n  ${String(error.description).replace(/\n/g, '\n  ')}\n`,
		);
		secretsSent.push(secrets.wrongSecret);
	});
});

describe('throttling and Graph errors, with either credential (the same on every n8n line the suite runs)', () => {
	test.each([
		['app-only', 'e2eThrottledAppOnly', () => secrets.throttledAppOnly],
		['delegated OAuth2', 'e2eThrottledOAuth2', () => secrets.throttledOAuth2],
	] as const)('%s: a 429 is retried and the item succeeds', async (_label, workflowId, token) => {
		clearRequests();
		const fault = stack.emulator.injectFault({
			listener: 'graph',
			method: 'POST',
			path: `/v1.0/servicePrincipals/${DEMO_OBJECTS.servicePrincipalId}/synchronization/acquireAccessToken`,
			status: 429,
			headers: { 'Retry-After': '1' },
			count: 1,
		});
		const data = await executeManual(workflowId);
		expect(fault.hits).toBe(1);
		withLog(() =>
			expect(nodeOutput(data, NODE_NAME)).toEqual([
				successItem('servicePrincipal', DEMO_OBJECTS.servicePrincipalId),
			]),
		);
		const acquire = graphRequests().filter((request) =>
			request.path.endsWith('/synchronization/acquireAccessToken'),
		);
		expect(acquire.map((request) => request.status)).toEqual([429, 204]);
		expect(
			stack.emulator.getSynchronizationSecrets(
				'servicePrincipals',
				DEMO_OBJECTS.servicePrincipalId,
			),
		).toContainEqual({ key: 'SecretToken', value: token() });
		secretsSent.push(token());
	});

	test.each([
		['app-only', 'e2eMissingAppOnly', () => secrets.missingAppOnly],
		['delegated OAuth2', 'e2eMissingOAuth2', () => secrets.missingOAuth2],
	] as const)(
		'%s: a 404 fails with what Graph did not find, not with credential advice',
		async (_label, workflowId, token) => {
			clearRequests();
			const result = await stack.n8n.execute(workflowId, { allowFailure: true });
			withLog(() => expect(result.ok).toBe(false));
			const error = (result.output as { data: RunData } | undefined)?.data.resultData.error;
			withLog(() => expect(error?.message).toContain('found no service principal'));
			expect(error?.message).toContain(MISSING_TARGET);
			expect(String(error?.description)).toContain('HTTP status: 404');
			// the advice a failure without an answer gets (issue seen on 1.x: every Graph error ended up there)
			expect(String(error?.description)).not.toContain('Check the OAuth2 credential');
			expect(String(error?.description)).not.toContain('Check the credential.');
			expect(
				graphRequests()
					.filter((request) => request.path.endsWith('/synchronization/acquireAccessToken'))
					.map((request) => request.status),
			).toEqual([404]);
			secretsSent.push(token());
		},
	);
});

describe('what n8n keeps', () => {
	test('no credential secret, private key or access token in stored executions, the database or the log', async () => {
		harvestTokens();
		const privateKeyBody = certificate.privateKeyPem
			.split('\n')
			.filter((line) => line && !line.startsWith('-----'))
			.join('');
		const credentialSecrets: Record<string, string> = {
			'client secret': stack.client.clientSecret,
			'wrong client secret': wrongClientSecret,
			'private key (first line)': certificate.privateKeyPem.split('\n')[1],
			'private key': privateKeyBody,
			...Object.fromEntries(
				[...bearerTokens].map((token, index) => [`Graph access token #${index + 1}`, token]),
			),
		};
		// one token for the n8n server (cached) and one per `n8n execute` process that reached Graph
		expect(bearerTokens.size).toBeGreaterThanOrEqual(5);

		const executions = await listExecutions(stack.rest);
		expect(executions.length).toBeGreaterThanOrEqual(9);
		for (const summary of executions) {
			const execution = await getExecution(stack.rest, summary.id);
			expect({
				execution: summary.id,
				leaked: leakedSecrets(execution.text, credentialSecrets),
			}).toEqual({ execution: summary.id, leaked: [] });
			// the node's output and errors never carry the SCIM secret values it sent
			const runs = (execution.data.resultData.runData[NODE_NAME] ?? []).map((run) => ({
				...run,
				error: ownFields(run.error as Record<string, unknown> | undefined),
			}));
			const nodeRuns = JSON.stringify([runs, ownFields(execution.data.resultData.error)]);
			const scim = Object.fromEntries(
				secretsSent.map((token, index) => [`SCIM token #${index + 1}`, token]),
			);
			expect({ execution: summary.id, leaked: leakedSecrets(nodeRuns, scim) }).toEqual({
				execution: summary.id,
				leaked: [],
			});
		}
		expect(leakedSecrets(databaseText(stack.folder), credentialSecrets)).toEqual([]);
		// n8n's output: no credential secret anywhere; no SCIM token in the server's log (`n8n execute` itself prints a
		// failed run in full, the node's parameters included, so the CLI output is searched for credential secrets only)
		expect(leakedSecrets(stack.n8n.logTail(20_000), credentialSecrets)).toEqual([]);
		expect(
			leakedSecrets(
				stack.n8n.serverLog(),
				Object.fromEntries(secretsSent.map((t, i) => [`SCIM token #${i + 1}`, t])),
			),
		).toEqual([]);
	});

	test('n8n tried no connection outside 127.0.0.1', () => {
		expect(stack.n8n.blockedEgress()).toEqual([]);
	});
});

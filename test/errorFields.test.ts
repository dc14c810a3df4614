import type { IDataObject } from 'n8n-workflow';

import { runNode, type RunOptions, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	synchronizationParameters,
} from './support/synchronization';
import {
	acquireParameters,
	bearerTokens,
	graphCalls,
	startTenant,
	type TestTenant,
} from './support/tenant';

/*
 * What an IF node after the node reads: Graph's error code, the HTTP status and the request-id as fields of their own,
 * on an error item (Continue On Fail) and on the error the node throws, never only inside its prose.
 */

const SCIM_TOKEN = 'scim-token-BranchOn-7Kq2';
const SCIM_URL = 'https://scim.contoso-branch.example/scim/v2';
const secrets = [
	{ key: 'BaseAddress', value: 'https://scim.contoso.example/scim' },
	{ key: 'SecretToken', value: SCIM_TOKEN },
];
const MISSING_ID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let tenant: TestTenant;
const results: RunResult[] = [];
const tokensSeen = new Set<string>();

async function acquire(options: Partial<RunOptions> & { items?: IDataObject[] } = {}) {
	const result = await runNode({
		parameters: acquireParameters(
			{ type: 'servicePrincipal', value: '={{ $json.target }}' },
			secrets,
			{ options: { batching: false } },
		),
		credential: tenant.appOnlyCredential({}, 'error-fields'),
		items: options.items ?? [{ target: MISSING_ID }],
		...options,
	});
	results.push(result);
	return result;
}

/** The request-id the node's description names, which is the one Graph answered with. */
function requestIdInDescription(description: unknown): string | undefined {
	return /request-id: ([0-9a-f-]{36})/.exec(String(description))?.[1];
}

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => {
	tenant.emulator.clearRequests();
	tenant.emulator.clearFaults();
});

afterEach(() =>
	bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2])),
);

afterAll(async () => {
	try {
		expectNoSecrets(results, {
			anywhere: [tenant.client.secret, ...tokensSeen],
			inNodeOutput: [SCIM_TOKEN],
		});
	} finally {
		await tenant.emulator.close();
	}
});

describe('error items carry code, httpCode, requestId, message and description as fields', () => {
	it("a 404 with Continue On Fail: Graph's code and request-id, paired with its input; the other item goes on", async () => {
		const result = await acquire({
			continueOnFail: true,
			items: [{ target: MISSING_ID }, { target: tenant.servicePrincipal.id }],
		});
		expect(result.error).toBeUndefined();
		const [failed, succeeded] = result.items;
		expect(failed.pairedItem).toEqual({ item: 0 });
		expect(failed.json).toEqual({
			error: `Microsoft Graph found no service principal with object ID ${MISSING_ID}`,
			message: `Microsoft Graph found no service principal with object ID ${MISSING_ID}`,
			description: expect.stringContaining('Graph error code: Request_ResourceNotFound'),
			code: 'Request_ResourceNotFound',
			httpCode: '404',
			requestId: expect.stringMatching(GUID),
		});
		expect(failed.json.requestId).toBe(requestIdInDescription(failed.json.description));
		expect(succeeded.json).toMatchObject({ success: true });
		expect(succeeded.pairedItem).toEqual({ item: 1 });
	});

	it('a code Graph gives a 409 (UnableToResolveReferenceAttributeValue) reaches the item as it is', async () => {
		tenant.emulator.injectFault({
			listener: 'graph',
			path: `/v1.0/servicePrincipals/${tenant.servicePrincipal.id}/synchronization/acquireAccessToken`,
			status: 409,
			body: {
				error: {
					code: 'UnableToResolveReferenceAttributeValue',
					message: 'The manager reference could not be resolved.',
					innerError: {
						'request-id': '5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
						date: '2026-01-01T00:00:00',
					},
				},
			},
		});
		const result = await acquire({
			continueOnFail: true,
			items: [{ target: tenant.servicePrincipal.id }],
		});
		expect(result.items[0].json).toMatchObject({
			code: 'UnableToResolveReferenceAttributeValue',
			httpCode: '409',
			message: 'Microsoft Graph reported a conflict',
			requestId: expect.stringMatching(GUID),
		});
	});

	it('without Continue On Fail the thrown error has the same fields as properties of its own', async () => {
		const result = await acquire();
		expect(result.error).toMatchObject({
			message: `Microsoft Graph found no service principal with object ID ${MISSING_ID}`,
			description: expect.stringContaining('Graph error code: Request_ResourceNotFound'),
			code: 'Request_ResourceNotFound',
			httpCode: '404',
			requestId: expect.stringMatching(GUID),
		});
		expect((result.error as unknown as IDataObject).requestId).toBe(
			requestIdInDescription(result.error?.description),
		);
		// What n8n stores for the failed execution keeps them: an error workflow reads them there.
		expect(result.run.data.resultData.error).toMatchObject({
			code: 'Request_ResourceNotFound',
			httpCode: '404',
		});
	});

	it('a 403 names Authorization_RequestDenied', async () => {
		const client = tenant.emulator.registerClientApp({
			displayName: 'n8n without consent',
			secret: 'client-secret-NoConsent-5Gh!',
			applicationPermissions: ['Application.Read.All'],
		});
		const result = await acquire({
			credential: tenant.appOnlyCredential(
				{ clientId: client.clientId, clientSecret: client.secret ?? '' },
				'error-fields-no-consent',
			),
			items: [{ target: tenant.servicePrincipal.id }],
		});
		expect(result.error).toMatchObject({
			code: 'Authorization_RequestDenied',
			httpCode: '403',
			requestId: expect.stringMatching(GUID),
		});
	});

	it('On Error › Continue (using error output) sends the failed item to the error output, with the fields under error', async () => {
		const result = await acquire({
			errorOutput: true,
			items: [{ target: MISSING_ID }, { target: tenant.servicePrincipal.id }],
		});
		expect(result.error).toBeUndefined();
		const [main, errors] = result.outputs ?? [];
		expect(main.map((item) => item.json.success)).toEqual([true]);
		expect(errors).toHaveLength(1);
		// n8n routes by the json's keys (error and message on 1.x; also details on 2.x): the fields sit under error.
		expect(Object.keys(errors[0].json).sort()).toEqual(['error', 'message']);
		expect(errors[0].json.error).toEqual({
			message: `Microsoft Graph found no service principal with object ID ${MISSING_ID}`,
			description: expect.stringContaining('Graph error code: Request_ResourceNotFound'),
			code: 'Request_ResourceNotFound',
			httpCode: '404',
			requestId: expect.stringMatching(GUID),
		});
		expect(errors[0].pairedItem).toEqual({ item: 0 });
	});

	it("a refused sign-in: Entra's AADSTS code, the token endpoint's status and its trace ID", async () => {
		const wrongSecret = tenant.appOnlyCredential(
			{ clientSecret: 'not-the-secret-Yy8#' },
			'error-fields-wrong-secret',
		);
		const thrown = await acquire({ credential: wrongSecret });
		expect(thrown.error).toMatchObject({
			message: 'Microsoft Entra rejected the client secret',
			code: 'AADSTS7000215',
			httpCode: '401',
			requestId: expect.stringMatching(GUID),
		});
		const item = await acquire({ credential: wrongSecret, continueOnFail: true });
		expect(item.items[0].json).toMatchObject({
			error: 'Microsoft Entra rejected the client secret',
			code: 'AADSTS7000215',
			httpCode: '401',
			requestId: expect.stringMatching(GUID),
		});
	});

	it('input refused before any request: the fields are there, null', async () => {
		const result = await acquire({ continueOnFail: true, items: [{ target: 'not-a-guid' }] });
		expect(result.items[0].json).toEqual({
			error: expect.any(String),
			message: expect.any(String),
			description: expect.any(String),
			code: null,
			httpCode: null,
			requestId: null,
		});
	});
});

describe('Job › Validate Credentials › Output a Refusal Instead of Failing', () => {
	let sp: { id: string };
	let jobId: string;

	beforeAll(() => {
		sp = addServicePrincipal(tenant, 'Branching SCIM');
		jobId = tenant.emulator.createSynchronizationJob(sp.id, 'scim').id;
		tenant.emulator.acceptScimCredentials(SCIM_URL, SCIM_TOKEN);
	});

	async function validate(
		token: string,
		refusalAsOutput?: boolean,
		credential = tenant.appOnlyCredential(),
	) {
		const result = await runNode({
			parameters: synchronizationParameters(
				'job',
				'validateCredentials',
				sp.id,
				{
					credentialSource: 'given',
					secrets: {
						secret: [
							{ key: 'BaseAddress', value: SCIM_URL },
							{ key: 'SecretToken', value: token },
						],
					},
					...(refusalAsOutput === undefined ? {} : { refusalAsOutput }),
				},
				{ jobId },
			),
			credential,
		});
		results.push(result);
		return result;
	}

	it("outputs valid: false with Graph's code, message and request-id when the application refuses them", async () => {
		const result = await validate(`${SCIM_TOKEN}-expired`, true);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({
			valid: false,
			credentialsValid: false,
			jobId,
			code: 'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
			message: `You appear to have entered invalid credentials. We received an HTTP/401 Unauthorized response from ${SCIM_URL}.`,
			requestId: expect.stringMatching(GUID),
			graphStatus: 400,
		});
		// Refused once, not retried.
		expect(
			graphCalls(tenant.emulator).filter((call) => call.path.endsWith('/validateCredentials')),
		).toHaveLength(1);
	});

	it('outputs valid: true when they work', async () => {
		const result = await validate(SCIM_TOKEN, true);
		expect(result.items[0].json).toMatchObject({
			valid: true,
			credentialsValid: true,
			graphStatus: 204,
		});
		expect(result.items[0].json).not.toHaveProperty('code');
	});

	it('off by default: the refusal fails the item, with its fields', async () => {
		const result = await validate(`${SCIM_TOKEN}-expired`);
		expect(result.items).toEqual([]);
		expect(result.error).toMatchObject({
			httpCode: '400',
			code: 'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
		});
	});

	it('a missing permission still fails the item with the option on', async () => {
		const { credential } = clientWith(tenant, ['Application.Read.All'], 'validate-no-sync');
		const result = await validate(SCIM_TOKEN, true, credential);
		expect(result.items).toEqual([]);
		expect(result.error).toMatchObject({ httpCode: '403', code: 'Authorization_RequestDenied' });
	});
});

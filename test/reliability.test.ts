/**
 * Faults injected on 127.0.0.1, each run against a batch of items with Continue On Fail: every item must end
 * either succeeded or failed with an error that says what happened — none lost. The suite writes the table to
 * .test-output/reports/reliability.md; `npm run docs` copies it to docs/reliability.md.
 */
import https from 'node:https';
import net from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { writeReport } from '../dev/reports';
import { runNode, type CredentialInput, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	acquireParameters,
	bearerTokens,
	graphCalls,
	oauth2Credential,
	startTenant,
	type TestTenant,
} from './support/tenant';

const ITEMS = 10;
const RUNS = 2;
const SCIM_TOKEN = 'scim-token-Reliability-6Yt1';

interface Scenario {
	fault: string;
	/** Injects the fault; returns the credential to use when the fault is in it */
	arrange: (tenant: TestTenant) => Promise<CredentialInput | void> | CredentialInput | void;
	options?: IDataObject;
	byAppId?: boolean;
	/** How many of the RUNS × ITEMS items must succeed */
	succeeded: number;
	/** The message every failed item must carry */
	failure?: RegExp;
}

let tenant: TestTenant;
const results: RunResult[] = [];
const tokensSeen = new Set<string>();
const rows: string[][] = [];
let untrustedServer: https.Server | undefined;

const acquirePath = () =>
	`/v1.0/servicePrincipals/${tenant.servicePrincipal.id}/synchronization/acquireAccessToken`;
const graphTarget = () => ({ listener: 'graph' as const, path: acquirePath() });

async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

function delegated(tenantUnderTest: TestTenant, graphUrl: string): CredentialInput {
	const client = tenantUnderTest.emulator.registerClientApp({
		secret: 'reliability-delegated-s3cret',
		delegatedPermissions: ['Synchronization.ReadWrite.All'],
	});
	tenantUnderTest.emulator.registerUser({
		upn: `admin-${client.clientId.slice(0, 8)}@contoso.onmicrosoft.com`,
		directoryRoles: ['Application Administrator'],
	});
	const credential = oauth2Credential(
		tenantUnderTest,
		{ ...client, secret: 'reliability-delegated-s3cret' },
		`admin-${client.clientId.slice(0, 8)}@contoso.onmicrosoft.com`,
	);
	credential.data.customGraphUrl = graphUrl;
	return credential;
}

const everyItem = RUNS * ITEMS;

const scenarios: Scenario[] = [
	{
		fault: '429 storm (30% of calls), Retry-After in seconds',
		arrange: (t) =>
			void t.emulator.injectFault({
				...graphTarget(),
				status: 429,
				headers: { 'Retry-After': '1' },
				probability: 0.3,
			}),
		options: { retryLimit: 10 },
		succeeded: everyItem,
	},
	{
		fault: '429 storm (30%), Retry-After as an HTTP date',
		arrange: (t) =>
			void t.emulator.injectFault({
				...graphTarget(),
				status: 429,
				headers: { 'Retry-After': new Date(Date.now() + 1000).toUTCString() },
				probability: 0.3,
			}),
		options: { retryLimit: 10 },
		succeeded: everyItem,
	},
	{
		fault: '429 storm (30%) without Retry-After',
		arrange: (t) =>
			void t.emulator.injectFault({ ...graphTarget(), status: 429, probability: 0.3 }),
		options: { retryLimit: 10 },
		succeeded: everyItem,
	},
	{
		fault: '503 with Retry-After (30%)',
		arrange: (t) =>
			void t.emulator.injectFault({
				...graphTarget(),
				status: 503,
				headers: { 'Retry-After': '1' },
				probability: 0.3,
			}),
		options: { retryLimit: 10 },
		succeeded: everyItem,
	},
	{
		fault: '504, three times',
		arrange: (t) =>
			void t.emulator.injectFault({
				...graphTarget(),
				status: 504,
				headers: { 'Retry-After': '0' },
				count: 3,
			}),
		succeeded: everyItem,
	},
	{
		fault: '500, three times (not retried)',
		arrange: (t) => void t.emulator.injectFault({ ...graphTarget(), status: 500, count: 3 }),
		succeeded: everyItem - 3,
		failure: /^Microsoft Graph had a temporary problem \(HTTP 500\)$/,
	},
	{
		fault: '502 with an HTML page from a proxy, three times',
		arrange: (t) =>
			void t.emulator.injectFault({
				...graphTarget(),
				status: 502,
				headers: { 'Content-Type': 'text/html' },
				body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
				count: 3,
			}),
		succeeded: everyItem - 3,
		failure: /^Microsoft Graph had a temporary problem \(HTTP 502\)$/,
	},
	{
		fault: 'connection reset before the answer, three times',
		arrange: (t) =>
			void t.emulator.injectFault({ ...graphTarget(), reset: 'immediately', count: 3 }),
		succeeded: everyItem,
	},
	{
		fault: 'connection reset mid-response, three times',
		arrange: (t) =>
			void t.emulator.injectFault({ ...graphTarget(), reset: 'mid-response', count: 3 }),
		succeeded: everyItem,
	},
	{
		fault: 'answer slower than the timeout, twice',
		arrange: (t) => void t.emulator.injectFault({ ...graphTarget(), delayMs: 2500, count: 2 }),
		options: { timeout: 1000 },
		succeeded: everyItem,
	},
	{
		fault: 'truncated JSON error body (400), three times',
		arrange: (t) =>
			void t.emulator.injectFault({
				...graphTarget(),
				status: 400,
				body: '{"error":{"code":"Reque',
				count: 3,
			}),
		succeeded: everyItem - 3,
		failure: /^Microsoft Graph rejected the request as invalid$/,
	},
	// One call in flight, and the next two items prepared meanwhile: all three wait for the same lookup.
	{
		fault: 'non-JSON answer to the app ID lookup that three items share, once',
		arrange: (t) =>
			void t.emulator.injectFault({
				listener: 'graph',
				path: /\(appId=/,
				status: 200,
				headers: { 'Content-Type': 'text/plain' },
				body: 'OK',
				count: 1,
			}),
		byAppId: true,
		options: { concurrency: 1 },
		succeeded: everyItem - 3,
		failure: /^Microsoft Graph answered the app ID lookup without an object ID$/,
	},
	{
		fault: 'token endpoint: wrong client secret (AADSTS7000215)',
		arrange: (t) => t.appOnlyCredential({ clientSecret: 'wrong-reliability-secret' }),
		succeeded: 0,
		failure: /^Microsoft Entra rejected the client secret$/,
	},
	{
		fault: 'token endpoint: unknown application (AADSTS700016)',
		arrange: (t) => t.appOnlyCredential({ clientId: '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b' }),
		succeeded: 0,
		failure: /does not know this Application \(Client\) ID/,
	},
	{
		fault: 'token endpoint: unknown tenant (AADSTS90002)',
		arrange: (t) => t.appOnlyCredential({ tenantId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9' }),
		succeeded: 0,
		failure: /could not find the sign-in endpoints of the tenant/,
	},
	{
		fault: 'expired certificate',
		arrange: async (t) => {
			const expired = await t.emulator.createClientCertificate({
				notBefore: new Date(Date.now() - 864e5 * 30),
				notAfter: new Date(Date.now() - 864e5),
			});
			return t.appOnlyCredential({ authMethod: 'clientCertificate', certificate: expired.pem });
		},
		succeeded: 0,
		failure: /^The certificate in the credential expired on /,
	},
	{
		fault: "certificate with another certificate's key",
		arrange: async (t) => {
			const [one, two] = [
				await t.emulator.createClientCertificate(),
				await t.emulator.createClientCertificate(),
			];
			return t.appOnlyCredential({
				authMethod: 'clientCertificate',
				certificate: `${one.certificatePem}\n${two.privateKeyPem}`,
			});
		},
		succeeded: 0,
		failure: /does not belong to its certificate/,
	},
	{
		fault: 'managed identity endpoint absent',
		arrange: async (t) => {
			process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${await closedPort()}/msi/token`;
			process.env.IDENTITY_HEADER = 'reliability-header';
			return t.appOnlyCredential({
				authMethod: 'managedIdentity',
				managedIdentityType: 'userAssigned',
				managedIdentityClientId: '6c5b4a39-2817-4f6e-9d5c-4b3a29180f7e',
			});
		},
		succeeded: 0,
		failure: /Managed Identity is not available on this n8n host/,
	},
	{
		fault: 'connection refused (closed port on 127.0.0.1)',
		arrange: async (t) => delegated(t, `http://127.0.0.1:${await closedPort()}`),
		succeeded: 0,
		failure: /^Could not reach Microsoft Graph$/,
	},
	{
		fault: 'TLS certificate that does not match (untrusted, other name)',
		arrange: async (t) => {
			const certificate = await t.emulator.createClientCertificate({
				commonName: 'graph.other.example',
			});
			untrustedServer = https.createServer(
				{ cert: certificate.certificatePem, key: certificate.privateKeyPem },
				(_request, response) => response.writeHead(204).end(),
			);
			await new Promise<void>((resolve) => untrustedServer?.listen(0, '127.0.0.1', resolve));
			return delegated(
				t,
				`https://127.0.0.1:${(untrustedServer.address() as net.AddressInfo).port}`,
			);
		},
		succeeded: 0,
		failure: /^Could not reach Microsoft Graph$/,
	},
];

beforeAll(async () => {
	tenant = await startTenant({ randomSeed: 20261122 });
});

afterEach(async () => {
	bearerTokens(tenant.emulator).forEach((token) => tokensSeen.add(token.split('.')[2]));
	tenant.emulator.clearFaults();
	tenant.emulator.clearRequests();
	delete process.env.IDENTITY_ENDPOINT;
	delete process.env.IDENTITY_HEADER;
	await new Promise((resolve) =>
		untrustedServer ? untrustedServer.close(resolve) : resolve(undefined),
	);
	untrustedServer = undefined;
});

afterAll(async () => {
	expectNoSecrets(results, {
		anywhere: [tenant.client.secret, 'reliability-delegated-s3cret', ...tokensSeen],
		inNodeOutput: [SCIM_TOKEN],
	});
	await tenant.emulator.close();
	const header = [
		'Fault',
		'Runs',
		'Items sent',
		'Succeeded',
		'Failed with a clear error',
		'Lost',
		'Retries',
		'What a failed item says',
	];
	const table = [header, header.map(() => '---'), ...rows]
		.map((row) => `| ${row.join(' | ')} |`)
		.join('\n');
	writeReport(
		'reliability',
		`# Reliability under faults\n\nGenerated by \`test/reliability.test.ts\` (part of \`npm test\`, into \`.test-output/reports/\`; \`npm run docs\` copies it here): each fault is injected by the Graph and Entra emulator on 127.0.0.1 into ${RUNS} runs of ${ITEMS} items of *Acquire Provisioning Token* with Continue On Fail. An item is *lost* when it ends neither succeeded nor with an error that names the problem; the suite fails unless that is 0 for every fault. *Retries* counts the Graph calls the node repeated (each carries a \`Retry-Attempt\` header). The calls of a run travel in JSON batches (*Combine Calls into Batches*, on by default): Graph answers each call in a batch on its own, so a throttled or failed call is retried or reported alone, while a connection that breaks or times out takes the whole batch with it and every call it carried is retried.\n\n${table}\n`,
	);
});

describe('nothing is lost when Graph, the network or sign-in misbehaves', () => {
	it.each(scenarios.map((scenario) => [scenario.fault, scenario] as const))(
		'%s',
		async (_fault, scenario) => {
			const credential =
				(await scenario.arrange(tenant)) ?? tenant.appOnlyCredential({}, 'reliability-credential');
			let succeeded = 0;
			let failedClearly = 0;
			const messages = new Set<string>();
			for (let run = 0; run < RUNS; run++) {
				const result = await runNode({
					parameters: acquireParameters(
						{
							type: 'servicePrincipal',
							mode: scenario.byAppId ? 'appId' : 'id',
							value: scenario.byAppId ? tenant.servicePrincipal.appId : tenant.servicePrincipal.id,
						},
						[
							{ key: 'BaseAddress', value: '={{ $json.url }}' },
							{ key: 'SecretToken', value: SCIM_TOKEN },
						],
						{
							authentication: credential.type.includes('OAuth2') ? 'oAuth2' : 'appOnly',
							options: scenario.options,
						},
					),
					credential,
					items: Array.from({ length: ITEMS }, (_, index) => ({
						url: `https://scim.contoso.example/scim/${run}/${index}`,
					})),
					continueOnFail: true,
				});
				results.push(result);
				expect(result.error).toBeUndefined();
				expect(result.items.map((item) => item.pairedItem)).toEqual(
					Array.from({ length: ITEMS }, (_, item) => ({ item })),
				);
				for (const item of result.items) {
					if (item.json.success === true) succeeded++;
					else if (
						typeof item.json.error === 'string' &&
						scenario.failure?.test(item.json.error) &&
						typeof item.json.description === 'string'
					) {
						failedClearly++;
						messages.add(item.json.error.replace(/\d{4}-\d\d-\d\d/, 'YYYY-MM-DD'));
					}
				}
			}
			// The node marks every repeated call with Graph's Retry-Attempt header.
			const retries = graphCalls(tenant.emulator).filter(
				(call) => call.headers['retry-attempt'] !== undefined,
			).length;
			const lost = everyItem - succeeded - failedClearly;
			rows.push([
				scenario.fault,
				String(RUNS),
				String(everyItem),
				String(succeeded),
				String(failedClearly),
				String(lost),
				String(retries),
				[...messages].join('; ') || '—',
			]);
			expect({ succeeded, lost }).toEqual({ succeeded: scenario.succeeded, lost: 0 });
		},
	);
});

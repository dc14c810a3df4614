/**
 * Records what n8n's own httpRequestWithAuthentication throws on each release line, for the unit tests of
 * nodes/MicrosoftEntraProvisioning/transport/failureShapes.ts: `npx tsx dev/capture-failure-shapes.ts [1|2]`.
 *
 * For each line (n8n 2.41.1 on Node 24, n8n 1.123.81 on Node 22) a child process runs on that line's Node with that
 * line's n8n-core and n8n-workflow, and this package installed as a community package (so the credential resolves
 * n8n's own n8n-workflow). It sends real requests to the emulator on 127.0.0.1 with both credentials: a 429 with
 * Retry-After, a 404, a connection reset, a wrong client secret, an OAuth2 credential never connected. What it
 * catches is written structurally (own properties and the cause chain; no stack, request, config or node) to
 * test/fixtures/failure-shapes/<line>.json, with every secret the run used replaced by a placeholder.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { startEmulator } from './emulator';
import { installCommunityPackage } from './n8n/community-package';
import { DEMO_ADMIN_UPN, DEMO_OBJECTS, seedDemoTenant } from './n8n/demo-tenant';
import {
	ensureN8nRuntime,
	N8N_LINES,
	PROJECT_ROOT,
	type N8nLine,
	type N8nRuntime,
} from './n8n/runtime';

const FIXTURE_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'failure-shapes');
const APP_ONLY = 'microsoftGraphProvisioningAppOnlyApi';
const OAUTH2 = 'microsoftGraphProvisioningOAuth2Api';
const MISSING_ID = '00000000-0000-4000-8000-00000000f404';

/** One request the child sends, with the credential it uses. */
interface Scenario {
	name: string;
	credentialType: typeof APP_ONLY | typeof OAUTH2;
	credential: Record<string, unknown>;
	url: string;
	/** Fault the parent arms on the emulator before the child sends this scenario */
	fault?: 'throttle' | 'reset';
}

interface ChildInput {
	runtimeDir: string;
	line: N8nLine;
	packageDir: string;
	scenarios: Scenario[];
	/** The parent arms the fault for the scenario named on the child's stdout, then answers on its stdin. */
}

export type CapturedShape =
	null | boolean | number | string | CapturedShape[] | { [key: string]: CapturedShape };

/** Keys never written: the request n8n sent (it holds the bearer token), the node, the stack. */
const OMITTED_KEYS = new Set([
	'stack',
	'config',
	'request',
	'node',
	'socket',
	'_currentRequest',
	'agent',
	'httpsAgent',
	'httpAgent',
]);

/** The error as data: its class, own properties and cause chain, to a bounded depth. */
function describeShape(value: unknown, depth = 0): CapturedShape {
	if (value === null || value === undefined) return null;
	if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
		return value;
	if (typeof value !== 'object' || depth > 6) return `[${typeof value}]`;
	if (Array.isArray(value))
		return value.slice(0, 10).map((entry) => describeShape(entry, depth + 1));
	const described: Record<string, CapturedShape> = {};
	if (value instanceof Error) described.__class = value.constructor.name;
	for (const key of Object.getOwnPropertyNames(value)) {
		if (OMITTED_KEYS.has(key)) continue;
		const entry = (value as Record<string, unknown>)[key];
		if (typeof entry === 'function') continue;
		described[key] = describeShape(entry, depth + 1);
	}
	return described;
}

async function runChild(input: ChildInput): Promise<void> {
	const requireN8n = createRequire(
		path.join(input.runtimeDir, 'node_modules', 'n8n', 'package.json'),
	);
	const helpersModule =
		input.line === '1'
			? 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions'
			: 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helpers/factory';
	const { getRequestHelperFunctions } = requireN8n(helpersModule) as {
		getRequestHelperFunctions: (
			workflow: object,
			node: object,
			additionalData: object,
		) => Record<string, (...args: unknown[]) => Promise<unknown>>;
	};
	const appOnlyModule = createRequire(__filename)(
		path.join(
			input.packageDir,
			'dist',
			'credentials',
			'MicrosoftGraphProvisioningAppOnlyApi.credentials.js',
		),
	) as Record<
		string,
		new () => { authenticate(credentials: object, options: object): Promise<object> }
	>;
	const appOnly = new appOnlyModule.MicrosoftGraphProvisioningAppOnlyApi();
	const node = {
		id: 'capture',
		name: 'Capture',
		type: 'capture',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: {
			[APP_ONLY]: { id: 'capture-app-only', name: 'app-only' },
			[OAUTH2]: { id: 'capture-oauth2', name: 'OAuth2' },
		},
	};
	const results: Record<string, CapturedShape> = {};
	const lines = process.stdin.setEncoding('utf8');
	const next = async () =>
		await new Promise<void>((resolve) => lines.once('data', () => resolve()));
	for (const scenario of input.scenarios) {
		const additionalData = {
			credentialsHelper: {
				// n8n's CredentialsHelper answers these from the credential type: OAuth2 extends oAuth2Api, app-only has an authenticate()
				getParentTypes: (type: string) => (type === OAUTH2 ? ['oAuth2Api'] : []),
				preAuthentication: async () => undefined,
				runPreAuthentication: async () => undefined,
				authenticate: async (credentials: object, _type: string, options: object) =>
					await appOnly.authenticate(credentials, options),
				updateCredentialsOauthTokenData: async () => undefined,
			},
		};
		const helpers = getRequestHelperFunctions({}, node, additionalData);
		const context = {
			helpers,
			getNode: () => node,
			getCredentials: async () => scenario.credential,
			logger: { debug() {}, info() {}, warn() {}, error() {} },
		};
		process.stdout.write(`ARM ${scenario.name}\n`);
		await next();
		try {
			await helpers.httpRequestWithAuthentication.call(
				context,
				scenario.credentialType,
				{ method: 'GET', url: scenario.url, json: true, returnFullResponse: true, timeout: 10_000 },
				scenario.credentialType === APP_ONLY
					? {
							credentialsDecrypted: {
								id: 'c',
								name: 'c',
								type: APP_ONLY,
								data: scenario.credential,
							},
						}
					: undefined,
			);
			results[scenario.name] = { __resolved: true };
		} catch (error) {
			results[scenario.name] = describeShape(error);
		}
	}
	process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
}

async function captureLine(runtime: N8nRuntime): Promise<Record<string, CapturedShape>> {
	const emulator = await startEmulator();
	const folder = path.join(PROJECT_ROOT, '.test-output', 'failure-shapes', `line-${runtime.line}`);
	try {
		const client = seedDemoTenant(emulator);
		const caFile = emulator.writeCaFile(folder);
		const packageDir = installCommunityPackage(folder, runtime);
		const tokens = emulator.issueUserTokens({
			upn: DEMO_ADMIN_UPN,
			clientId: client.clientId,
			scopes: ['Synchronization.ReadWrite.All', 'Application.Read.All', 'offline_access'],
		});
		const appOnlyData = {
			cloud: 'custom',
			customGraphUrl: emulator.graphUrl,
			customAuthorityUrl: emulator.authorityUrl,
			tenantId: emulator.tenantId,
			clientId: client.clientId,
			authMethod: 'clientSecret',
			clientSecret: client.clientSecret,
		};
		const oAuth2Data = {
			cloud: 'custom',
			customGraphUrl: emulator.graphUrl,
			customAuthorityUrl: emulator.authorityUrl,
			tenantId: emulator.tenantId,
			clientId: client.clientId,
			clientSecret: client.clientSecret,
			authUrl: `${emulator.authorityUrl}/${emulator.tenantId}/oauth2/v2.0/authorize`,
			accessTokenUrl: `${emulator.authorityUrl}/${emulator.tenantId}/oauth2/v2.0/token`,
			scope: tokens.scope,
			authentication: 'body',
			grantType: 'authorizationCode',
			oauthTokenData: tokens,
		};
		const known = `${emulator.graphUrl}/v1.0/servicePrincipals/${DEMO_OBJECTS.servicePrincipalId}`;
		const missing = `${emulator.graphUrl}/v1.0/servicePrincipals/${MISSING_ID}`;
		const scenarios: Scenario[] = [];
		for (const [label, credentialType, credential] of [
			['appOnly', APP_ONLY, appOnlyData],
			['oAuth2', OAUTH2, oAuth2Data],
		] as const) {
			scenarios.push(
				{
					name: `${label}.throttled429`,
					credentialType,
					credential,
					url: known,
					fault: 'throttle',
				},
				{ name: `${label}.notFound404`, credentialType, credential, url: missing },
				{
					name: `${label}.connectionReset`,
					credentialType,
					credential,
					url: known,
					fault: 'reset',
				},
			);
		}
		const wrongSecret = 'wrong~capture-client-secret-value';
		scenarios.push(
			{
				name: 'appOnly.wrongClientSecret',
				credentialType: APP_ONLY,
				credential: { ...appOnlyData, clientId: client.clientId, clientSecret: wrongSecret },
				url: known,
			},
			{
				name: 'oAuth2.notConnected',
				credentialType: OAUTH2,
				credential: { ...oAuth2Data, oauthTokenData: undefined },
				url: known,
			},
		);

		const child = spawn(runtime.nodeBin, [require.resolve('tsx/cli'), __filename, '--child'], {
			cwd: PROJECT_ROOT,
			env: {
				...process.env,
				NODE_EXTRA_CA_CERTS: caFile,
				NO_PROXY: '127.0.0.1,localhost',
				CAPTURE_INPUT: JSON.stringify({
					runtimeDir: runtime.dir,
					line: runtime.line,
					packageDir,
					scenarios,
				} satisfies ChildInput),
			},
			stdio: ['pipe', 'pipe', 'inherit'],
		});
		let buffer = '';
		const result = await new Promise<Record<string, CapturedShape>>((resolve, reject) => {
			child.once('error', reject);
			child.once('exit', (code) =>
				reject(
					new Error(
						`capture child for n8n ${runtime.n8nVersion} exited with ${code} before its result`,
					),
				),
			);
			child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
				buffer += chunk;
				let newline: number;
				while ((newline = buffer.indexOf('\n')) >= 0) {
					const line = buffer.slice(0, newline);
					buffer = buffer.slice(newline + 1);
					if (line.startsWith('ARM ')) {
						const scenario = scenarios.find((candidate) => candidate.name === line.slice(4));
						emulator.clearFaults();
						if (scenario?.fault === 'throttle')
							emulator.injectFault({
								listener: 'graph',
								path: '/v1.0/',
								status: 429,
								headers: { 'Retry-After': '7' },
								count: 1,
							});
						if (scenario?.fault === 'reset')
							emulator.injectFault({
								listener: 'graph',
								path: '/v1.0/',
								reset: 'immediately',
								count: 1,
							});
						child.stdin!.write('go\n');
					} else if (line.startsWith('RESULT ')) {
						resolve(JSON.parse(line.slice(7)) as Record<string, CapturedShape>);
					}
				}
			});
		});
		child.stdin!.end();
		const secrets: Record<string, string> = {
			'<client secret>': client.clientSecret,
			'<wrong client secret>': wrongSecret,
			'<access token>': tokens.access_token,
			'<refresh token>': tokens.refresh_token,
		};
		let text = JSON.stringify(result);
		for (const [placeholder, secret] of Object.entries(secrets))
			text = text.split(secret).join(placeholder);
		text = text.replace(/Bearer [\w.-]+/g, 'Bearer <access token>');
		// Addresses and ids of this run: the fixtures must not change with the emulator's random ports and tenant
		text = text
			.split(emulator.graphUrl)
			.join('https://graph.emulator')
			.split(emulator.authorityUrl)
			.join('https://login.emulator');
		text = text
			.split(emulator.tenantId)
			.join('<tenant id>')
			.split(client.clientId)
			.join('<client id>');
		return JSON.parse(text) as Record<string, CapturedShape>;
	} finally {
		await emulator.close();
	}
}

async function main(): Promise<void> {
	mkdirSync(FIXTURE_DIR, { recursive: true });
	const only = process.argv.slice(2).find((argument) => argument === '1' || argument === '2') as
		N8nLine | undefined;
	for (const line of only ? [only] : N8N_LINES) {
		const runtime = await ensureN8nRuntime(line);
		const shapes = await captureLine(runtime);
		const file = path.join(FIXTURE_DIR, `n8n-${runtime.n8nVersion}.json`);
		writeFileSync(
			file,
			`${JSON.stringify({ n8n: runtime.n8nVersion, node: runtime.nodeVersion, shapes }, null, '\t')}\n`,
		);
		process.stderr.write(
			`[capture] n8n ${runtime.n8nVersion}: ${Object.keys(shapes).length} shapes → ${path.relative(PROJECT_ROOT, file)}\n`,
		);
	}
}

if (process.argv.includes('--child')) {
	runChild(JSON.parse(process.env.CAPTURE_INPUT ?? '{}') as ChildInput).then(
		() => process.exit(0),
		(error: Error) => {
			process.stderr.write(`${error.stack ?? error.message}\n`);
			process.exit(1);
		},
	);
} else if (require.main === module) {
	main().catch((error: Error) => {
		process.stderr.write(`${error.stack ?? error.message}\n`);
		process.exit(1);
	});
}

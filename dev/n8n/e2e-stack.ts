/**
 * The emulator plus a real n8n with this package, set up for the end-to-end suite and the screenshot script:
 * the emulator runs in the calling process (so tests can read what it received), n8n in a fresh user folder under
 * .test-output/e2e/, loopback-only, with the given credentials and workflows imported and the webhook ones published.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import { startEmulator, type Emulator } from '../emulator';
import {
	appOnlyCredential,
	CREDENTIALS,
	emulatorTenant,
	exampleWorkflow,
	isWebhookWorkflow,
	seedDemoTenant,
	WEBHOOK_PATH,
	type ImportedCredential,
	type SignInClient,
	type TenantTarget,
	type WorkflowJson,
	withTargetPicked,
} from './demo-tenant';
import { N8n, type N8nRestClient } from './n8n';
import { ensureN8nRuntime, PROJECT_ROOT, selectedLine } from './runtime';

/**
 * n8n 2.41 ships its SSRF protection switched off. The suite switches it on and allows only the loopback interface
 * the emulator listens on, so it also shows the package working on an n8n hardened that way (node requests, the
 * credential test and the OAuth2 code exchange all pass through that filter).
 */
export const SSRF_PROTECTION_ALLOWING_LOOPBACK = {
	N8N_SSRF_PROTECTION_ENABLED: 'true',
	N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8,::1/128',
	N8N_SSRF_ALLOWED_HOSTNAMES: 'localhost',
};

export const E2E_OWNER = {
	email: 'e2e-owner@example.com',
	password: 'E2e-Owner-Passw0rd',
	firstName: 'E2E',
	lastName: 'Owner',
};

export interface StackContext {
	emulator: Emulator;
	tenant: TenantTarget;
	/** The app registration with Synchronization.ReadWrite.All and Application.Read.All and a client secret */
	client: SignInClient;
	/** The demo app's API-driven inbound provisioning job */
	inboundJobId: string;
}

export interface StackOptions {
	/** Folder name under .test-output/e2e/ */
	name: string;
	/** Credentials besides the examples' app-only one (which is always imported) */
	credentials?: (context: StackContext) => ImportedCredential[] | Promise<ImportedCredential[]>;
	/** Workflows besides the examples */
	workflows?: (context: StackContext) => WorkflowJson[];
	/** Include the example workflows (default true) */
	examples?: boolean;
	/** Copy n8n's output to stdout */
	echo?: boolean;
	/** Extra environment for n8n (default: SSRF_PROTECTION_ALLOWING_LOOPBACK) */
	env?: Record<string, string>;
}

/** The examples' app-only credential and the caller's own, as a stack imports them. */
export async function stackCredentials(
	options: Pick<StackOptions, 'credentials'>,
	context: StackContext,
): Promise<ImportedCredential[]> {
	return [
		appOnlyCredential(context.tenant, context.client, CREDENTIALS.appOnly),
		...((await options.credentials?.(context)) ?? []),
	];
}

/** The example workflows (unless left out) and the caller's own, as a stack imports them. */
export function stackWorkflows(
	options: Pick<StackOptions, 'examples' | 'workflows'>,
	context: StackContext,
): WorkflowJson[] {
	return [
		...(options.examples === false
			? []
			: [
					exampleWorkflow('acquire-provisioning-token.workflow.json'),
					withTargetPicked(exampleWorkflow('acquire-provisioning-token-manual.workflow.json')),
				]),
		...(options.workflows?.(context) ?? []),
	];
}

export interface Stack extends StackContext {
	n8n: N8n;
	/** REST client logged in as the owner */
	rest: N8nRestClient;
	folder: string;
	caFile: string;
	webhookUrl: string;
	stop(): Promise<void>;
}

const OUTPUT_DIR = path.join(PROJECT_ROOT, '.test-output', 'e2e');

/**
 * Each run leaves its user folder (database, n8n.log) for a look after a failure; older ones go, keeping the newest
 * few per name and anything younger than 15 minutes (another run may be using it).
 */
export function pruneOldRuns(name: string, keep = 3, outputDir = OUTPUT_DIR): void {
	let entries: Array<{ dir: string; mtime: number }>;
	try {
		entries = readdirSync(outputDir)
			.filter((entry) => entry.startsWith(`${name}-`))
			.map((entry) => ({
				dir: path.join(outputDir, entry),
				mtime: statSync(path.join(outputDir, entry)).mtimeMs,
			}))
			.sort((a, b) => b.mtime - a.mtime);
	} catch {
		return;
	}
	for (const { dir, mtime } of entries.slice(keep)) {
		if (Date.now() - mtime > 15 * 60_000) rmSync(dir, { recursive: true, force: true });
	}
}

export async function startStack(options: StackOptions): Promise<Stack> {
	// the release line N8N_E2E_LINE names (default: the pinned 2.41.1)
	const runtime = await ensureN8nRuntime(selectedLine());
	pruneOldRuns(options.name);
	const folder = path.join(
		OUTPUT_DIR,
		`${options.name}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
	);
	const emulator = await startEmulator();
	let n8n: N8n | undefined;
	try {
		const { inboundJobId, ...client } = seedDemoTenant(emulator);
		const tenant = emulatorTenant(emulator);
		const context: StackContext = { emulator, tenant, client, inboundJobId };
		const caFile = emulator.writeCaFile(folder);
		n8n = new N8n({
			runtime,
			userFolder: folder,
			encryptionKey: randomBytes(24).toString('base64url'),
			owner: E2E_OWNER,
			caFile,
			loopbackOnly: true,
			env: options.env ?? SSRF_PROTECTION_ALLOWING_LOOPBACK,
			echo: options.echo ? process.stdout : undefined,
		});
		n8n.prepare();
		await n8n.importCredentials(await stackCredentials(options, context));
		const workflows = stackWorkflows(options, context);
		if (workflows.length) await n8n.importWorkflows(workflows);
		for (const workflow of workflows.filter(isWebhookWorkflow))
			await n8n.publishWorkflow(workflow.id);
		await n8n.start();
		const rest = await n8n.login();
		const started = n8n;
		return {
			...context,
			n8n: started,
			rest,
			folder,
			caFile,
			webhookUrl: `${started.baseUrl}/webhook/${WEBHOOK_PATH}`,
			stop: async () => {
				await started.stop();
				await emulator.close();
			},
		};
	} catch (error) {
		await n8n?.stop().catch(() => undefined);
		await emulator.close().catch(() => undefined);
		throw error;
	}
}

export interface ManualWorkflowOptions {
	id: string;
	name?: string;
	authentication?: 'appOnly' | 'oAuth2';
	credential: { id: string; name: string };
	targetType: 'application' | 'servicePrincipal';
	target: { mode: 'id' | 'appId' | 'list'; value: string };
	secrets: Array<{ key: string; value: string }>;
	options?: Record<string, unknown>;
}

export const NODE_NAME = 'Microsoft Entra Provisioning';

/** The manual example with another target, credential and secrets. */
export function manualWorkflow(options: ManualWorkflowOptions): WorkflowJson {
	const workflow = JSON.parse(
		JSON.stringify(exampleWorkflow('acquire-provisioning-token-manual.workflow.json')),
	) as WorkflowJson;
	workflow.id = options.id;
	workflow.name = options.name ?? `e2e ${options.id}`;
	const node = workflow.nodes.find((candidate) => candidate.name === NODE_NAME);
	if (!node) throw new Error(`the manual example has no "${NODE_NAME}" node`);
	const authentication = options.authentication ?? 'appOnly';
	node.parameters = {
		...node.parameters,
		authentication,
		targetType: options.targetType,
		target: { __rl: true, mode: options.target.mode, value: options.target.value },
		secrets: { secret: options.secrets.map(({ key, value }) => ({ key, value })) },
		options: options.options ?? {},
	};
	const credentialType =
		authentication === 'oAuth2' ? CREDENTIALS.oAuth2.type : CREDENTIALS.appOnly.type;
	node.credentials = {
		[credentialType]: { id: options.credential.id, name: options.credential.name },
	};
	return workflow;
}

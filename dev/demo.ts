/**
 * `npm start`: this package inside a real n8n 2.x, against the local Graph + Entra emulator (or a real tenant).
 *
 * Installs the pinned n8n the first time (.n8n-runtime/), starts the emulator with a demo tenant, loads the built
 * package as a community package into the user folder .demo/<mode>/, imports a credential and the example
 * workflows, publishes the webhook ones, starts n8n on 127.0.0.1 with an owner account, and prints the editor URL,
 * the login and a curl line for each webhook flow (acquire a token, onboard an app, upload an HR export). Ctrl-C stops everything it started. A second run reuses the
 * install, the user folder and (when still free) the same ports, and skips the imports when nothing changed.
 *
 * Environment:
 *   ENTRA_DEMO_TENANT=real      use a real tenant instead of the emulator, signing in with
 *     AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH: a PEM with the
 *     certificate and its private key); optional ENTRA_DEMO_CLOUD (global | usGovL4 | usGovL5 | china),
 *     ENTRA_DEMO_TARGET_ID / ENTRA_DEMO_TARGET_TYPE (the object the examples and the curl line use).
 *   ENTRA_DEMO_PORT             n8n's port (default: the previous one if free, else any free port)
 *   --verbose                   print n8n's log as it runs
 *   --queue                     n8n in queue mode instead: PostgreSQL and Redis (from the system's packages, see
 *     .ci/setup.sh queue) as its own processes, a main process, two workers and a webhook processor, each with the
 *     package in its own user folder under .demo/queue/ (started fresh every time); against the emulator only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { startEmulator, type Emulator } from './emulator';
import {
	appOnlyCredential,
	DEMO_ADMIN_UPN,
	DEMO_OBJECTS,
	DEMO_TARGET,
	emulatorTenant,
	exampleWorkflow,
	exampleWorkflows,
	isWebhookWorkflow,
	oAuth2Credential,
	seedDemoTenant,
	WEBHOOK_PATH,
	type ImportedCredential,
	type PickedTarget,
	type TenantTarget,
	type WorkflowJson,
	withTargetPicked,
} from './n8n/demo-tenant';
import { readProjectPackage } from './n8n/community-package';
import { N8n } from './n8n/n8n';
import { portIsFree } from './n8n/ports';
import { startQueueStack, type QueueStack } from './n8n/queue-stack';
import { ensureN8nRuntime, PROJECT_ROOT } from './n8n/runtime';

interface DemoState {
	encryptionKey: string;
	owner: { email: string; password: string; firstName: string; lastName: string };
	n8nPort?: number;
	importedHash?: string;
	emulator?: {
		tenantId: string;
		clientId: string;
		clientSecret: string;
		ports: { graph: number; login: number; managedIdentity: number };
	};
}

const started = Date.now();
const verbose = process.argv.includes('--verbose');
const queueMode = process.argv.includes('--queue');
const mode =
	(process.env.ENTRA_DEMO_TENANT ?? 'emulator').toLowerCase() === 'real' ? 'real' : 'emulator';
const userFolder = path.join(PROJECT_ROOT, '.demo', mode);
const stateFile = path.join(userFolder, 'demo-state.json');

function say(message: string): void {
	process.stdout.write(
		`[demo ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}\n`,
	);
}

function loadState(): DemoState {
	if (existsSync(stateFile)) return JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
	return {
		encryptionKey: randomBytes(24).toString('base64url'),
		owner: {
			email: 'admin@example.com',
			// n8n wants 8+ characters with a digit and an upper-case letter
			password: `Demo-${randomBytes(9).toString('base64url')}-7Q`,
			firstName: 'Demo',
			lastName: 'Admin',
		},
	};
}

function saveState(state: DemoState): void {
	mkdirSync(userFolder, { recursive: true });
	writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function required(name: string): string {
	const value = process.env[name]?.trim();
	if (!value) throw new Error(`ENTRA_DEMO_TENANT=real needs ${name}`);
	return value;
}

/** The real tenant's credential, from the usual AZURE_* variables. */
function realTenantCredential(): { tenant: TenantTarget; credential: ImportedCredential } {
	const cloud = (process.env.ENTRA_DEMO_CLOUD ?? 'global') as
		'global' | 'usGovL4' | 'usGovL5' | 'china';
	if (!['global', 'usGovL4', 'usGovL5', 'china'].includes(cloud)) {
		throw new Error('ENTRA_DEMO_CLOUD must be one of global, usGovL4, usGovL5, china');
	}
	const tenant: TenantTarget = { cloud, tenantId: required('AZURE_TENANT_ID') };
	const clientId = required('AZURE_CLIENT_ID');
	const certificatePath = process.env.AZURE_CLIENT_CERTIFICATE_PATH?.trim();
	const credential = certificatePath
		? appOnlyCredential(tenant, {
				clientId,
				certificate: readFileSync(certificatePath, 'utf8'),
				certificatePassword: process.env.AZURE_CLIENT_CERTIFICATE_PASSWORD ?? '',
			})
		: appOnlyCredential(tenant, { clientId, clientSecret: required('AZURE_CLIENT_SECRET') });
	return { tenant, credential };
}

async function reusablePort(previous: number | undefined): Promise<number> {
	if (previous && (await portIsFree(previous))) return previous;
	return 0;
}

async function startDemoEmulator(
	state: DemoState,
): Promise<{ emulator: Emulator; inboundJobId: string }> {
	const previous = state.emulator;
	const ports = {
		graph: await reusablePort(previous?.ports.graph),
		login: await reusablePort(previous?.ports.login),
		managedIdentity: await reusablePort(previous?.ports.managedIdentity),
	};
	const emulator = await startEmulator({ tenantId: previous?.tenantId, ports });
	const client = seedDemoTenant(
		emulator,
		previous ? { clientId: previous.clientId, clientSecret: previous.clientSecret } : {},
	);
	state.emulator = {
		tenantId: emulator.tenantId,
		clientId: client.clientId,
		clientSecret: client.clientSecret,
		ports: {
			graph: Number(new URL(emulator.graphUrl).port),
			login: Number(new URL(emulator.authorityUrl).port),
			managedIdentity: Number(new URL(emulator.managedIdentityEndpoint).port),
		},
	};
	return { emulator, inboundJobId: client.inboundJobId };
}

/** Prints each Graph call the emulator answers (paths and secret key names only, never values). */
function followEmulator(emulator: Emulator): () => void {
	let seen = emulator.requests.length;
	const timer = setInterval(() => {
		const requests = emulator.requests;
		for (; seen < requests.length; seen++) {
			const request = requests[seen];
			if (request.listener !== 'graph') continue;
			let keys = '';
			if (request.path.endsWith('/acquireAccessToken')) {
				try {
					const body = JSON.parse(request.body) as { credentials?: Array<{ key: string }> };
					keys = ` (secrets: ${(body.credentials ?? []).map((pair) => pair.key).join(', ')})`;
				} catch {
					keys = ' (unreadable body)';
				}
			}
			say(`emulator: ${request.method} ${request.path}${keys} -> ${request.status || 'pending'}`);
		}
	}, 250);
	timer.unref();
	return () => clearInterval(timer);
}

function shellQuote(text: string): string {
	return `'${text.replace(/'/g, "'\\''")}'`;
}

async function main(): Promise<void> {
	const pkg = readProjectPackage();
	const runtime = await ensureN8nRuntime();
	say(
		`n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion} (${path.relative(PROJECT_ROOT, runtime.dir)})`,
	);

	const state = loadState();
	let emulator: Emulator | undefined;
	let stopFollowing = () => {};
	let n8n: N8n | undefined;
	let stopping = false;

	const shutdown = async (code: number) => {
		if (stopping) return;
		stopping = true;
		stopFollowing();
		say(`stopping n8n${emulator ? ' and the emulator' : ''} …`);
		await n8n?.stop().catch(() => undefined);
		await emulator?.close().catch(() => undefined);
		say('stopped');
		process.exit(code);
	};
	// Ctrl-C reaches this process twice (from the terminal and relayed by tsx): only a later one forces the exit
	let firstSignalAt = 0;
	const onSignal = () => {
		if (stopping && Date.now() - firstSignalAt > 1500) {
			n8n?.killNow();
			process.exit(130);
		}
		if (!stopping) firstSignalAt = Date.now();
		void shutdown(0);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('exit', () => n8n?.killNow());

	try {
		let tenant: TenantTarget;
		const credentials: ImportedCredential[] = [];
		let caFile: string | undefined;
		let inboundJob: PickedTarget | undefined;
		if (mode === 'emulator') {
			const started = await startDemoEmulator(state);
			emulator = started.emulator;
			inboundJob = { id: started.inboundJobId, displayName: 'API2AAD' };
			tenant = emulatorTenant(emulator);
			caFile = emulator.writeCaFile(userFolder);
			const signIn = {
				clientId: state.emulator!.clientId,
				clientSecret: state.emulator!.clientSecret,
			};
			credentials.push(appOnlyCredential(tenant, signIn), oAuth2Credential(tenant, signIn));
			say(
				`emulator: Graph ${emulator.graphUrl}, login ${emulator.authorityUrl}, tenant ${emulator.tenantId}`,
			);
		} else {
			const real = realTenantCredential();
			tenant = real.tenant;
			credentials.push(real.credential);
			say(`real tenant ${tenant.tenantId} in the ${tenant.cloud} cloud`);
		}

		const targetId =
			mode === 'real'
				? process.env.ENTRA_DEMO_TARGET_ID?.trim() ||
					'<object ID of your application or service principal>'
				: DEMO_OBJECTS.servicePrincipalId;
		const targetType =
			mode === 'real'
				? process.env.ENTRA_DEMO_TARGET_TYPE?.trim() || 'servicePrincipal'
				: 'servicePrincipal';
		const workflows: WorkflowJson[] = exampleWorkflows().map(({ workflow }) => {
			if (mode !== 'real') return withTargetPicked(workflow, DEMO_TARGET, inboundJob);
			// Without a target named, the examples' targets stay open: pick them in the editor.
			if (!process.env.ENTRA_DEMO_TARGET_ID) return workflow;
			const copy = withTargetPicked(workflow, { id: targetId, displayName: targetId });
			for (const node of copy.nodes) {
				if (
					typeof node.parameters.targetType === 'string' &&
					!node.parameters.targetType.startsWith('=')
				)
					node.parameters.targetType = targetType;
			}
			return copy;
		});

		n8n = new N8n({
			runtime,
			userFolder,
			encryptionKey: state.encryptionKey,
			owner: state.owner,
			caFile,
			loopbackOnly: mode === 'emulator',
			echo: verbose ? process.stdout : undefined,
		});
		n8n.prepare();
		say(
			`${pkg.name} ${pkg.version} installed as a community package in ${path.relative(PROJECT_ROOT, userFolder)}/.n8n/nodes`,
		);

		const importHash = createHash('sha256')
			.update(JSON.stringify({ credentials, workflows, n8n: runtime.n8nVersion }))
			.digest('hex');
		const database = path.join(userFolder, '.n8n', 'database.sqlite');
		if (state.importedHash !== importHash || !existsSync(database)) {
			say(
				`importing ${credentials.length} credential(s) and ${workflows.length} example workflow(s) …`,
			);
			await n8n.importCredentials(credentials);
			await n8n.importWorkflows(workflows);
			for (const workflow of workflows.filter(isWebhookWorkflow)) {
				await n8n.publishWorkflow(workflow.id);
			}
			state.importedHash = importHash;
		} else {
			say('credentials and workflows unchanged since the last run');
		}
		saveState(state);

		const requestedPort = Number(process.env.ENTRA_DEMO_PORT) || undefined;
		const port = requestedPort ?? ((await reusablePort(state.n8nPort)) || undefined);
		say('starting n8n …');
		await n8n.start({ port });
		state.n8nPort = n8n.port;
		saveState(state);
		if (emulator) stopFollowing = followEmulator(emulator);

		const body = JSON.stringify({
			targetType,
			targetId,
			baseAddress: 'https://scim.example.com/scim',
			secretToken: mode === 'real' ? '<the SCIM secret token>' : 'demo-scim-token',
		});
		const webhookUrl = `${n8n.baseUrl}/webhook/${WEBHOOK_PATH}`;
		const onboarding = exampleWorkflow('onboard-gallery-app.workflow.json');
		const onboardingPath = onboarding.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')
			?.parameters.path;
		const onboardingBody = JSON.stringify({
			appName: 'Contoso Payroll',
			groupId: mode === 'real' ? '<object ID of the group to assign>' : DEMO_OBJECTS.groupId,
			tenantUrl: 'https://scim.example.com/scim',
			secretToken: mode === 'real' ? '<the SCIM secret token>' : 'demo-scim-token',
			deleteThreshold: 500,
		});
		const csvUpload = exampleWorkflow('hr-csv-upload.workflow.json');
		const csvUploadUrl = `${n8n.baseUrl}/webhook/${String(
			csvUpload.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')?.parameters.path,
		)}`;
		const sampleCsv = `file=@${path.relative(process.cwd(), path.join(PROJECT_ROOT, 'examples', 'hr-export.sample.csv'))}`;
		const lines = [
			'',
			`  n8n ${runtime.n8nVersion} is running with ${pkg.name} ${pkg.version}, ${mode === 'emulator' ? 'against the local Graph + Entra emulator' : `against tenant ${tenant.tenantId}`}.`,
			'',
			`  Editor     ${n8n.baseUrl}/`,
			`  Log in as  ${state.owner.email}  /  ${state.owner.password}`,
			`  Workflows  ${workflows.map((w) => `"${w.name}"${isWebhookWorkflow(w) ? ' (published)' : ''}`).join(', ')}`,
			`  Credential ${credentials.map((c) => `"${c.name}"`).join(', ')}`,
			'',
			'  Trigger the webhook flow:',
			`    curl -sS -X POST ${shellQuote(webhookUrl)} -H 'Content-Type: application/json' -d ${shellQuote(body)}; echo`,
			'',
			`  Onboard a SaaS app ("${onboarding.name}"; each call adds a new app):`,
			`    curl -sS -X POST ${shellQuote(`${n8n.baseUrl}/webhook/${String(onboardingPath)}`)} -H 'Content-Type: application/json' -d ${shellQuote(onboardingBody)}; echo`,
			'',
			`  Upload an HR export ("${csvUpload.name}"): first the preview, then only what changed:`,
			`    curl -sS -F ${shellQuote(sampleCsv)} ${shellQuote(`${csvUploadUrl}?preview=true`)}; echo`,
			`    curl -sS -F ${shellQuote(sampleCsv)} ${shellQuote(csvUploadUrl)}; echo`,
			'',
			...(mode === 'emulator'
				? [
						`  The delegated credential's Connect button signs in ${DEMO_ADMIN_UPN} at the emulator (which forgets`,
						'  its sign-ins when it stops: after a restart, press Connect again).',
					]
				: ['  Replace the placeholders in the curl lines with your target, group and SCIM token.']),
			`  n8n log: ${path.relative(PROJECT_ROOT, n8n.logFile)}   (npm start -- --verbose prints it here)`,
			`  Ctrl-C stops n8n${emulator ? ' and the emulator' : ''}.`,
			'',
		];
		process.stdout.write(`${lines.join('\n')}\n`);
		say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

		// n8n exiting on its own ends the demo, with its log tail
		for (;;) {
			await new Promise((resolve) => setTimeout(resolve, 1000));
			if (!n8n.running && !stopping) {
				process.stderr.write(`n8n stopped unexpectedly.\n${n8n.logTail()}\n`);
				await shutdown(1);
			}
		}
	} catch (error) {
		process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
		await shutdown(1);
	}
}

/** `npm start -- --queue`: the queue-mode topology, with each execution's worker printed as it starts. */
async function queueDemo(): Promise<void> {
	const pkg = readProjectPackage();
	const runtime = await ensureN8nRuntime();
	say(
		`n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion} (${path.relative(PROJECT_ROOT, runtime.dir)}), queue mode`,
	);
	const folder = path.join(PROJECT_ROOT, '.demo', 'queue');
	rmSync(folder, { recursive: true, force: true });
	const owner = loadState().owner;
	let stack: QueueStack | undefined;
	let stopping = false;
	const shutdown = async (code: number) => {
		if (stopping) return;
		stopping = true;
		say('stopping n8n (main, workers, webhook processor), Redis, PostgreSQL and the emulator …');
		await stack?.stop().catch(() => undefined);
		say('stopped');
		process.exit(code);
	};
	// Ctrl-C: the stack ends all its processes at once (also while they are still starting) and exits
	try {
		say(
			'starting PostgreSQL, Redis, the emulator, then n8n main, two workers and a webhook processor …',
		);
		stack = await startQueueStack({
			name: 'demo',
			folder,
			owner,
			echo: verbose ? process.stdout : undefined,
		});
		const running = stack;
		const body = JSON.stringify({
			targetType: 'servicePrincipal',
			targetId: DEMO_OBJECTS.servicePrincipalId,
			baseAddress: 'https://scim.example.com/scim',
			secretToken: 'demo-scim-token',
		});
		const lines = [
			'',
			`  n8n ${runtime.n8nVersion} in queue mode with ${pkg.name} ${pkg.version}, against the local Graph + Entra emulator.`,
			'',
			`  Editor (main)      ${running.main.baseUrl}/`,
			`  Log in as          ${owner.email}  /  ${owner.password}`,
			`  Webhook processor  ${running.webhook.baseUrl}/   (production webhooks go here, not to main)`,
			`  Workers            ${running.workers.map((worker, index) => `worker-${index + 1} (health ${worker.baseUrl}/healthz)`).join(', ')}`,
			`  PostgreSQL         127.0.0.1:${running.postgres.port}   Redis 127.0.0.1:${running.redis.port}`,
			'',
			'  Trigger the webhook flow a few times and watch the executions land on both workers:',
			`    curl -sS -X POST ${shellQuote(running.webhookUrl(WEBHOOK_PATH))} -H 'Content-Type: application/json' -d ${shellQuote(body)}; echo`,
			'',
			`  Logs: ${path.relative(PROJECT_ROOT, folder)}/{main,worker-1,worker-2,webhook}/n8n.log`,
			'  Ctrl-C stops everything.',
			'',
		];
		process.stdout.write(`${lines.join('\n')}\n`);
		say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		const seen = running.workers.map(() => 0);
		for (;;) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			for (const [index, worker] of running.workers.entries()) {
				const executions = [...worker.serverLog().matchAll(/Worker started execution (\d+)/g)].map(
					(match) => match[1],
				);
				for (const id of executions.slice(seen[index]))
					say(`worker-${index + 1} runs execution ${id}`);
				seen[index] = executions.length;
			}
			const gone = [running.main, ...running.workers, running.webhook].find((n8n) => !n8n.running);
			if (gone && !stopping) {
				process.stderr.write(
					`an n8n process stopped unexpectedly (${gone.logFile}).\n${gone.logTail()}\n`,
				);
				await shutdown(1);
			}
		}
	} catch (error) {
		process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
		await shutdown(1);
	}
}

(queueMode ? queueDemo() : main()).catch((error: unknown) => {
	process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});

/**
 * n8n in queue mode on one machine, for the end-to-end suite and `npm start -- --queue`: PostgreSQL and Redis as
 * this run's own processes (services.ts), the emulator in the calling process, and n8n as a main process, workers
 * and a webhook processor, each with its own user folder holding this package (as every process of a real queue
 * setup needs it) and all sharing one encryption key, database and queue. Loopback only, like the regular stack.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { startEmulator, type Emulator } from '../emulator';
import {
	emulatorTenant,
	isWebhookWorkflow,
	seedDemoTenant,
	type ImportedCredential,
	type WorkflowJson,
} from './demo-tenant';
import {
	E2E_OWNER,
	pruneOldRuns,
	SSRF_PROTECTION_ALLOWING_LOOPBACK,
	stackCredentials,
	stackWorkflows,
	type StackContext,
} from './e2e-stack';
import { N8n, type N8nOwner, type N8nRestClient } from './n8n';
import { Postgres, Redis } from './services';
import { ensureN8nRuntime, PROJECT_ROOT } from './runtime';

export interface QueueStackOptions {
	/** Folder name under .test-output/queue/ (a fresh folder per run), or the folder itself with `folder` */
	name: string;
	folder?: string;
	workers?: number;
	/** Executions a worker runs at once (n8n worker --concurrency) */
	workerConcurrency?: number;
	credentials?: (context: StackContext) => ImportedCredential[] | Promise<ImportedCredential[]>;
	workflows?: (context: StackContext) => WorkflowJson[];
	/** Include the example workflows (default true) */
	examples?: boolean;
	/** Extra environment for every n8n process */
	env?: Record<string, string>;
	owner?: N8nOwner;
	echo?: NodeJS.WritableStream;
	/** Ports of the emulator's listeners (the demo keeps them across runs) */
	emulatorPorts?: { graph?: number; login?: number; managedIdentity?: number };
	/** Let the main process answer production webhooks too (default false: only the webhook processor does) */
	mainAnswersWebhooks?: boolean;
	/**
	 * End every process at once on SIGINT/SIGTERM and exit (default true): they run detached (PostgreSQL as a daemon),
	 * so an interrupted run (Ctrl-C in a test run or the demo) would otherwise leave them behind.
	 */
	killOnSignal?: boolean;
}

export interface QueueStack extends StackContext {
	postgres: Postgres;
	redis: Redis;
	main: N8n;
	workers: N8n[];
	webhook: N8n;
	/** REST client of the main process, logged in as the owner */
	rest: N8nRestClient;
	folder: string;
	caFile: string;
	/** Production URL of a webhook path, on the webhook processor */
	webhookUrl(webhookPath: string): string;
	startWorker(index: number): Promise<void>;
	/** Stops main and starts it again on the same port (SIGTERM, as a deployment does) */
	restartMain(): Promise<void>;
	stop(): Promise<void>;
}

const OUTPUT_DIR = path.join(PROJECT_ROOT, '.test-output', 'queue');

export async function startQueueStack(options: QueueStackOptions): Promise<QueueStack> {
	const runtime = await ensureN8nRuntime();
	if (!options.folder) pruneOldRuns(options.name, 2, OUTPUT_DIR);
	const folder =
		options.folder ??
		path.join(
			OUTPUT_DIR,
			`${options.name}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
		);
	const started: { postgres?: Postgres; redis?: Redis; emulator?: Emulator; n8n: N8n[] } = {
		n8n: [],
	};
	const killAll = () => {
		for (const process of started.n8n) process.killNow();
		started.redis?.killNow();
		started.postgres?.killNow();
	};
	const killAndExit = (signal: NodeJS.Signals) => {
		killAll();
		process.exit(signal === 'SIGINT' ? 130 : 143);
	};
	process.once('exit', killAll);
	if (options.killOnSignal !== false) {
		process.once('SIGINT', killAndExit);
		process.once('SIGTERM', killAndExit);
	}
	const stopAll = async () => {
		await Promise.all(started.n8n.map((n8n) => n8n.stop().catch(() => undefined)));
		await started.redis?.stop().catch(() => undefined);
		await started.postgres?.stop().catch(() => undefined);
		await started.emulator?.close().catch(() => undefined);
		process.removeListener('exit', killAll);
		process.removeListener('SIGINT', killAndExit);
		process.removeListener('SIGTERM', killAndExit);
	};
	try {
		started.postgres = await Postgres.start(path.join(folder, 'postgres'));
		started.redis = await Redis.start(path.join(folder, 'redis'));
		const emulator = await startEmulator({ ports: options.emulatorPorts });
		started.emulator = emulator;
		const { inboundJobId, ...client } = seedDemoTenant(emulator);
		const tenant = emulatorTenant(emulator);
		const context: StackContext = { emulator, tenant, client, inboundJobId };
		const caFile = emulator.writeCaFile(folder);
		const env = {
			...SSRF_PROTECTION_ALLOWING_LOOPBACK,
			...started.postgres.n8nEnvironment(),
			...started.redis.n8nEnvironment(),
			EXECUTIONS_MODE: 'queue',
			...options.env,
		};
		const encryptionKey = randomBytes(24).toString('base64url');
		const n8nProcess = (role: string, extra: Record<string, string> = {}) => {
			const n8n = new N8n({
				runtime,
				userFolder: path.join(folder, role),
				encryptionKey,
				owner: options.owner ?? E2E_OWNER,
				caFile,
				loopbackOnly: true,
				env: { ...env, ...extra },
				echo: options.echo,
			});
			n8n.prepare();
			started.n8n.push(n8n);
			return n8n;
		};
		const main = n8nProcess(
			'main',
			options.mainAnswersWebhooks ? {} : { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' },
		);
		const workers = Array.from({ length: options.workers ?? 2 }, (_, index) =>
			n8nProcess(`worker-${index + 1}`),
		);
		const webhook = n8nProcess('webhook');

		await main.importCredentials(await stackCredentials(options, context));
		const workflows = stackWorkflows(options, context);
		if (workflows.length) await main.importWorkflows(workflows);
		for (const workflow of workflows.filter(
			(candidate) => isWebhookWorkflow(candidate) || candidate.active === true,
		)) {
			await main.publishWorkflow(workflow.id);
		}
		await main.start();
		const concurrency = options.workerConcurrency ?? 10;
		const startWorker = (index: number) =>
			workers[index].start({ command: 'worker', args: [`--concurrency=${concurrency}`] });
		// one after the other: two cores, and each start-up is mostly CPU
		for (let index = 0; index < workers.length; index++) await startWorker(index);
		await webhook.start({ command: 'webhook' });
		const rest = await main.login();
		return {
			...context,
			postgres: started.postgres,
			redis: started.redis,
			main,
			workers,
			webhook,
			rest,
			folder,
			caFile,
			webhookUrl: (webhookPath) => `${webhook.baseUrl}/webhook/${webhookPath}`,
			startWorker,
			restartMain: async () => {
				const port = main.port;
				await main.stop();
				await main.start({ port });
			},
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

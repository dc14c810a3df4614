/**
 * Before any end-to-end test, each thing the suite needs: Chromium (the editor and OAuth2 Connect tests), tinyproxy
 * (the proxy test, on both release lines) and the n8n runtime of the release line N8N_E2E_LINE names (default 2: the
 * pinned 2.41.1). What Debian packages provide is installed through `.ci/setup.sh` when this user may install
 * packages (root, or sudo without a password); otherwise the suite stops at once with the command to run. The runtime
 * is installed by npm on the first run and reused afterwards, so no test timeout covers an install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { CHROMIUM_PATH } from '../../dev/n8n/browser';
import { readProjectPackage } from '../../dev/n8n/community-package';
import { TINYPROXY_PATH } from '../../dev/n8n/proxy';
import { ensureN8nRuntime, PROJECT_ROOT, selectedLine } from '../../dev/n8n/runtime';

interface SystemNeed {
	name: string;
	path: string;
	/** the part of .ci/setup.sh that installs it */
	setupPart: string;
	usedBy: string;
}

const SYSTEM_NEEDS: SystemNeed[] = [
	{
		name: 'Chromium',
		path: CHROMIUM_PATH,
		setupPart: 'e2e',
		usedBy: 'the editor and OAuth2 Connect tests',
	},
	{
		name: 'tinyproxy',
		path: TINYPROXY_PATH,
		setupPart: 'platforms',
		usedBy: 'the proxy test',
	},
];

/** root, or sudo that does not ask for a password (a prompt would hang the suite) */
function mayInstallPackages(): boolean {
	if (process.getuid?.() === 0) return true;
	return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

function missingNeeds(): SystemNeed[] {
	return SYSTEM_NEEDS.filter((need) => !existsSync(need.path));
}

function describeNeeds(needs: SystemNeed[]): string {
	return needs.map((need) => `${need.name} (${need.path}, for ${need.usedBy})`).join(' and ');
}

/** Installs missing system packages through .ci/setup.sh, or stops with the command that does. */
function ensureSystemNeeds(): void {
	const missing = missingNeeds();
	if (missing.length === 0) return;
	const parts = missing.map((need) => need.setupPart);
	const command = `sudo bash .ci/setup.sh ${parts.join(' ')}`;
	if (!mayInstallPackages())
		throw new Error(
			`The end-to-end suite needs ${describeNeeds(missing)}. Install it from Debian's packages with: ${command}`,
		);
	process.stderr.write(
		`[e2e] ${describeNeeds(missing)} missing; running .ci/setup.sh ${parts.join(' ')}\n`,
	);
	const result = spawnSync('bash', [path.join(PROJECT_ROOT, '.ci', 'setup.sh'), ...parts], {
		stdio: 'inherit',
		env: { ...process.env, SETUP_SKIP_RUNTIME: '1' },
	});
	const stillMissing = missingNeeds();
	if (result.status !== 0 || stillMissing.length > 0)
		throw new Error(
			`.ci/setup.sh ${parts.join(' ')} did not install ${describeNeeds(stillMissing.length ? stillMissing : missing)} (exit ${result.status}). Install it with: ${command}`,
		);
}

export default async function globalSetup(): Promise<void> {
	process.stderr.write('\n');
	ensureSystemNeeds();
	const runtime = await ensureN8nRuntime(selectedLine());
	const manifest = readProjectPackage().n8n as { nodes: string[]; credentials: string[] };
	for (const file of [...manifest.nodes, ...manifest.credentials]) {
		if (!existsSync(path.join(PROJECT_ROOT, file)))
			throw new Error(`${file} is missing: run npm run build first (npm run test:e2e does)`);
	}
	process.stderr.write(
		`[e2e] n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion}, ${CHROMIUM_PATH}, ${TINYPROXY_PATH}\n`,
	);
}

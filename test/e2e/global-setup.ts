/**
 * Before any end-to-end test: Chromium (installed from Debian packages by `.ci/setup.sh e2e` when missing) and the
 * n8n runtime of the release line N8N_E2E_LINE names (default 2: the pinned 2.41.1; installed on the first run,
 * reused afterwards), so no test timeout covers an install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { CHROMIUM_PATH } from '../../dev/n8n/browser';
import { readProjectPackage } from '../../dev/n8n/community-package';
import { ensureN8nRuntime, PROJECT_ROOT, selectedLine } from '../../dev/n8n/runtime';

export default async function globalSetup(): Promise<void> {
	process.stderr.write('\n');
	if (!existsSync(CHROMIUM_PATH)) {
		process.stderr.write(
			`[e2e] ${CHROMIUM_PATH} is missing; running .ci/setup.sh e2e to install it\n`,
		);
		const result = spawnSync('bash', [path.join(PROJECT_ROOT, '.ci', 'setup.sh'), 'e2e'], {
			stdio: 'inherit',
			env: { ...process.env, SETUP_SKIP_RUNTIME: '1' },
		});
		if (result.status !== 0 || !existsSync(CHROMIUM_PATH)) {
			throw new Error(
				`Chromium could not be installed (exit ${result.status}); run: apt-get update && apt-get install -y chromium`,
			);
		}
	}
	const runtime = await ensureN8nRuntime(selectedLine());
	const manifest = readProjectPackage().n8n as { nodes: string[]; credentials: string[] };
	for (const file of [...manifest.nodes, ...manifest.credentials]) {
		if (!existsSync(path.join(PROJECT_ROOT, file)))
			throw new Error(`${file} is missing: run npm run build first (npm run test:e2e does)`);
	}
	process.stderr.write(
		`[e2e] n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion}, ${CHROMIUM_PATH}\n`,
	);
}

/**
 * Before the queue-mode suite: PostgreSQL and Redis (installed from Debian packages by `.ci/setup.sh queue` when
 * missing) and the pinned n8n runtime, so no test timeout covers an install.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { postgresBinDir, redisServerBin } from '../../dev/n8n/services';
import { ensureN8nRuntime, PROJECT_ROOT } from '../../dev/n8n/runtime';

function servicesInstalled(): boolean {
	try {
		postgresBinDir();
		redisServerBin();
		return true;
	} catch {
		return false;
	}
}

export default async function globalSetup(): Promise<void> {
	process.stderr.write('\n');
	if (!servicesInstalled()) {
		process.stderr.write(
			'[queue] PostgreSQL or Redis is missing; running .ci/setup.sh queue to install them\n',
		);
		const result = spawnSync('bash', [path.join(PROJECT_ROOT, '.ci', 'setup.sh'), 'queue'], {
			stdio: 'inherit',
		});
		if (result.status !== 0)
			throw new Error(
				`PostgreSQL and Redis could not be installed (exit ${result.status}); run: apt-get install -y postgresql redis-server`,
			);
	}
	const runtime = await ensureN8nRuntime();
	process.stderr.write(
		`[queue] n8n ${runtime.n8nVersion} on Node ${runtime.nodeVersion}, PostgreSQL from ${postgresBinDir()}, ${redisServerBin()}\n`,
	);
}

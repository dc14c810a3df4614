/**
 * `npm run test:e2e` installs or names what it needs before any test starts: a missing Chromium or tinyproxy is
 * installed through .ci/setup.sh when this user may install packages, and otherwise the suite stops at once with
 * the command to run (test/e2e/global-setup.ts). Nothing is installed here: the package installer and the n8n
 * runtime are stand-ins.
 */
import type { spawnSync as SpawnSync } from 'node:child_process';

jest.mock('node:child_process', () => ({
	...jest.requireActual('node:child_process'),
	spawnSync: jest.fn(),
}));
jest.mock('../dev/n8n/runtime', () => ({
	...jest.requireActual('../dev/n8n/runtime'),
	ensureN8nRuntime: jest.fn(),
}));

const MISSING = '/nonexistent/usr/bin/tinyproxy';

async function load() {
	const { spawnSync } = (await import('node:child_process')) as unknown as {
		spawnSync: jest.MockedFunction<typeof SpawnSync>;
	};
	const { ensureN8nRuntime } = (await import('../dev/n8n/runtime')) as unknown as {
		ensureN8nRuntime: jest.Mock;
	};
	ensureN8nRuntime.mockResolvedValue({ n8nVersion: '2.41.1', nodeVersion: '24.21.0' });
	const { default: globalSetup } = await import('./e2e/global-setup');
	return { globalSetup, spawnSync, ensureN8nRuntime };
}

function setupScriptCalls(spawnSync: jest.MockedFunction<typeof SpawnSync>) {
	return spawnSync.mock.calls.filter(([command]) => command === 'bash');
}

describe('end-to-end global setup', () => {
	const saved = { chromium: process.env.CHROMIUM_PATH, tinyproxy: process.env.TINYPROXY_PATH };

	beforeEach(() => {
		jest.resetModules();
		jest.spyOn(process.stderr, 'write').mockReturnValue(true);
		// present: any file that exists stands in for Chromium
		process.env.CHROMIUM_PATH = process.execPath;
		process.env.TINYPROXY_PATH = MISSING;
	});

	afterEach(() => {
		jest.restoreAllMocks();
		for (const [variable, value] of [
			['CHROMIUM_PATH', saved.chromium],
			['TINYPROXY_PATH', saved.tinyproxy],
		] as const) {
			if (value === undefined) delete process.env[variable];
			else process.env[variable] = value;
		}
	});

	it('stops at once with the command to run when tinyproxy is missing and packages cannot be installed', async () => {
		jest.spyOn(process, 'getuid').mockReturnValue(1000);
		const { globalSetup, spawnSync, ensureN8nRuntime } = await load();
		spawnSync.mockReturnValue({ status: 1 } as ReturnType<typeof SpawnSync>);

		await expect(globalSetup()).rejects.toThrow(
			`The end-to-end suite needs tinyproxy (${MISSING}, for the proxy test). Install it from Debian's packages with: sudo bash .ci/setup.sh platforms`,
		);
		expect(spawnSync).toHaveBeenCalledWith('sudo', ['-n', 'true'], expect.anything());
		expect(setupScriptCalls(spawnSync)).toEqual([]);
		expect(ensureN8nRuntime).not.toHaveBeenCalled();
	});

	it('installs what is missing through .ci/setup.sh, and stops with the command when it is still missing', async () => {
		jest.spyOn(process, 'getuid').mockReturnValue(0);
		const { globalSetup, spawnSync, ensureN8nRuntime } = await load();
		spawnSync.mockReturnValue({ status: 0 } as ReturnType<typeof SpawnSync>);

		await expect(globalSetup()).rejects.toThrow(
			`.ci/setup.sh platforms did not install tinyproxy (${MISSING}, for the proxy test) (exit 0). Install it with: sudo bash .ci/setup.sh platforms`,
		);
		const calls = setupScriptCalls(spawnSync);
		expect(calls).toHaveLength(1);
		expect(calls[0][1]).toEqual([expect.stringMatching(/\.ci\/setup\.sh$/), 'platforms']);
		expect(calls[0][2]).toMatchObject({
			env: expect.objectContaining({ SETUP_SKIP_RUNTIME: '1' }),
		});
		expect(ensureN8nRuntime).not.toHaveBeenCalled();
	});

	it('goes on to the n8n runtime when everything is installed', async () => {
		process.env.TINYPROXY_PATH = process.execPath;
		const { globalSetup, spawnSync, ensureN8nRuntime } = await load();

		await expect(globalSetup()).resolves.toBeUndefined();
		expect(spawnSync).not.toHaveBeenCalled();
		expect(ensureN8nRuntime).toHaveBeenCalledWith('2');
	});
});

/**
 * End-to-end suite: a real n8n 2.x (the pinned runtime in .n8n-runtime/) with this package, the Graph + Entra
 * emulator in the jest process, headless Chromium for the editor. `npm run test:e2e` (builds first, runs in band).
 * @type {import('jest').Config}
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	rootDir: __dirname,
	testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
	// queue mode needs PostgreSQL and Redis: npm run test:queue (jest.queue.config.js)
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/queue.e2e.test.ts'],
	// the suites' n8n user folders and the installed runtimes (copies of dev/n8n/runtimes/*) hold package.json files
	// of their own, which jest would take for modules of this project
	modulePathIgnorePatterns: [
		'<rootDir>/.test-output/',
		'<rootDir>/.demo/',
		'<rootDir>/.n8n-runtime/',
		'<rootDir>/.n8n-runtime-1.x/',
	],
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	maxWorkers: 1,
	// n8n start-up and the CLI commands take seconds each; the first run may still install n8n (global setup)
	testTimeout: 180_000,
	slowTestThreshold: 60,
	verbose: true,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
	},
};

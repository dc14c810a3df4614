/**
 * Queue-mode suite: the pinned n8n as main + two workers + a webhook processor with PostgreSQL and Redis from the
 * system's packages (.ci/setup.sh queue installs them). `npm run test:queue` (builds first, runs in band).
 * @type {import('jest').Config}
 */
const e2e = require('./jest.e2e.config');

module.exports = {
	...e2e,
	testMatch: ['<rootDir>/test/e2e/queue.e2e.test.ts'],
	testPathIgnorePatterns: ['/node_modules/'],
	globalSetup: '<rootDir>/test/e2e/queue-setup.ts',
	// four n8n processes start one after the other, and the crash case waits for n8n's recovery
	testTimeout: 300_000,
};

/**
 * The unit layer: each operation run from source with the transport mocked (test/unit/). Compiled file by file
 * without type information (tsconfig.json sets isolatedModules, which ts-jest reads as transpile-only), so it starts
 * in seconds; `npm run typecheck` type-checks these files with the rest. No build, no emulator, no n8n engine.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/unit'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
	},
};

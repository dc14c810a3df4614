import type { IRun } from 'n8n-workflow';

import { logger, type RunResult } from './harness/engine';
import { expectNoSecrets } from './support/secrets';

/** The leak scan must itself be able to fail: each place a secret can hide is tried once. */
describe('the secret scan', () => {
	const secret = 'leaked-secret-value-123';
	const clean: RunResult = {
		items: [{ json: { ok: true } }],
		run: { data: { resultData: { runData: {} } } } as unknown as IRun,
	};

	afterEach(() => logger.lines.splice(0));

	it.each([
		['an output item', { ...clean, items: [{ json: { value: secret } }] }],
		['an error message', { ...clean, error: Object.assign(new Error(`bad ${secret}`), {}) }],
		[
			'an error description',
			{ ...clean, error: Object.assign(new Error('bad'), { description: secret }) },
		],
		['an error cause', { ...clean, error: new Error('bad', { cause: new Error(secret) }) }],
		[
			'stored run data',
			{
				...clean,
				run: {
					data: {
						resultData: { runData: { node: [{ data: { main: [[{ json: { secret } }]] } }] } },
					},
				} as unknown as IRun,
			},
		],
	])('finds a secret in %s', (_where, result) => {
		expect(() =>
			expectNoSecrets([result as RunResult], { anywhere: [], inNodeOutput: [secret] }),
		).toThrow(/leaked/);
	});

	it('finds a secret in a log line, also inside an error in its metadata', () => {
		logger.debug('request failed', {
			error: new Error('x', { cause: { header: `Bearer ${secret}` } }),
		});
		expect(() => expectNoSecrets([clean], { anywhere: [], inNodeOutput: [secret] })).toThrow(
			/leaked/,
		);
	});

	it('finds credential material anywhere in the stored execution, even in the workflow node', () => {
		const stored = {
			...clean,
			run: {
				data: { executionData: { nodeExecutionStack: [{ node: { parameters: { secret } } }] } },
			} as unknown as IRun,
		};
		expect(() => expectNoSecrets([stored], { anywhere: [secret], inNodeOutput: [] })).toThrow(
			/leaked/,
		);
		expect(() => expectNoSecrets([stored], { anywhere: [], inNodeOutput: [secret] })).not.toThrow();
	});

	it('passes a clean run', () => {
		expect(() =>
			expectNoSecrets([clean], { anywhere: [secret], inNodeOutput: [secret] }),
		).not.toThrow();
	});
});

import { inspect } from 'node:util';

import { logger, type RunResult } from '../harness/engine';

/**
 * Everything a run leaves behind that a person or another system could read: the output items, the error with
 * its description, causes and stack, n8n's stored execution data, and every log line.
 */
export function everythingEmitted(results: RunResult[]): string {
	const parts: string[] = [];
	for (const result of results) {
		parts.push(JSON.stringify(result.items));
		parts.push(JSON.stringify(result.run));
		// An error as n8n shows and persists it: message, description, stack, its JSON and every cause.
		// (Not its `node` field: that is the workflow's own parameters, which n8n stores with the workflow.)
		let error: unknown = result.error;
		for (let depth = 0; error && depth < 10; depth++) {
			const current = error as Error & { description?: unknown; cause?: unknown };
			parts.push(String(current.message), String(current.description), String(current.stack), JSON.stringify(current));
			error = current.cause;
		}
	}
	for (const line of logger.lines) parts.push(`${line.message} ${inspect(line.metadata, { depth: 10 })}`);
	return parts.join('\n');
}

/** Fails with the first secret found, and where, without printing the secret itself. */
export function expectNoSecrets(results: RunResult[], secrets: string[]): void {
	const haystack = everythingEmitted(results);
	for (const secret of secrets) {
		if (secret.length < 8) throw new Error('Secrets used in leak tests must be distinctive (8+ characters)');
		const at = haystack.indexOf(secret);
		if (at !== -1) {
			const context = haystack.slice(Math.max(0, at - 120), at).replace(secret, '***');
			throw new Error(`A secret value leaked into the run's output, after: …${context}`);
		}
	}
}

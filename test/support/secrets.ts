import { logger, type RunResult } from '../harness/engine';

export interface SecretsToFind {
	/**
	 * Credential material and tokens (client secrets, private keys, passwords, access tokens): must appear nowhere,
	 * not even in n8n's stored execution data.
	 */
	anywhere: string[];
	/**
	 * Values the workflow hands the node (e.g. a SCIM token from a vault node). n8n itself keeps a node's
	 * parameters and, for a failed node, its input in the stored execution; what the node *produces* — output
	 * items, errors, log lines — must not contain them.
	 */
	inNodeOutput: string[];
}

/** n8n attaches the failing node (its parameters, as typed in the workflow) to a stored error; that is the workflow, not output. */
function withoutWorkflowNodes(key: string, value: unknown): unknown {
	return key === 'node' && value && typeof value === 'object' && 'parameters' in value
		? '[workflow node]'
		: value;
}

/** An error as n8n shows and persists it: message, description, stack, its JSON and every cause. */
function errorText(error: unknown): string[] {
	const parts: string[] = [];
	for (let depth = 0; error && depth < 10; depth++) {
		const current = error as Error & { description?: unknown; cause?: unknown };
		parts.push(
			String(current.message),
			String(current.description),
			String(current.stack),
			JSON.stringify(current, withoutWorkflowNodes),
		);
		error = current.cause;
	}
	return parts;
}

/** A log line's metadata in full (errors with their own fields, message, stack and causes), minus workflow nodes. */
function metadataText(value: unknown, seen = new WeakSet<object>()): string {
	if (value === null || typeof value !== 'object') return String(value);
	if (seen.has(value)) return '[circular]';
	seen.add(value);
	const fields = Object.entries(value).map(([key, field]) =>
		withoutWorkflowNodes(key, field) === field
			? `${key}: ${metadataText(field, seen)}`
			: `${key}: [workflow node]`,
	);
	if (value instanceof Error)
		fields.push(value.message, String(value.stack), metadataText(value.cause, seen));
	return `{${fields.join(', ')}}`;
}

function logText(): string {
	return logger.lines.map((line) => `${line.message} ${metadataText(line.metadata)}`).join('\n');
}

/** What the node produced: its items, its error, every log line, and the results n8n recorded for it. */
export function producedByNode(results: RunResult[]): string {
	return [
		...results.flatMap((result) => [
			JSON.stringify(result.items),
			JSON.stringify(result.run.data.resultData, withoutWorkflowNodes),
			...errorText(result.error),
		]),
		logText(),
	].join('\n');
}

/** Everything: the above plus the whole stored execution (IRun) and n8n's view of the errors. */
export function everythingStored(results: RunResult[]): string {
	return [producedByNode(results), ...results.map((result) => JSON.stringify(result.run))].join(
		'\n',
	);
}

function find(haystack: string, secret: string, where: string): void {
	if (secret.length < 8)
		throw new Error('Secrets used in leak tests must be distinctive (8+ characters)');
	const at = haystack.indexOf(secret);
	if (at !== -1) {
		const context = haystack.slice(Math.max(0, at - 160), at);
		throw new Error(`A secret value leaked into ${where}, after: …${context}`);
	}
}

/** Fails with the first secret found and where, without printing the secret itself. */
export function expectNoSecrets(results: RunResult[], secrets: SecretsToFind): void {
	const stored = everythingStored(results);
	for (const secret of secrets.anywhere)
		find(stored, secret, 'the execution, its errors or the logs');
	const produced = producedByNode(results);
	for (const secret of secrets.inNodeOutput)
		find(produced, secret, "the node's output, errors or logs");
}

/**
 * Reading what n8n stored: executions through the REST API (as the editor's execution list shows them), the raw
 * SQLite files, and n8n's log; and searching them for secret values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import type { N8nRestClient } from './n8n';
import { runtimeDir } from './runtime';

/** n8n stores run data with `flatted`; use n8n's own copy to read it back. */
const flatted = createRequire(path.join(runtimeDir(), 'node_modules', 'n8n', 'package.json'))(
	'flatted',
) as {
	parse(text: string): unknown;
};

export interface RunData {
	resultData: {
		runData: Record<
			string,
			Array<{
				executionStatus?: string;
				data?: { main: Array<Array<{ json: Record<string, unknown> }>> };
				error?: unknown;
			}>
		>;
		error?: { message?: string; description?: string; [key: string]: unknown };
		lastNodeExecuted?: string;
	};
}

export interface StoredExecution {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	/** The full REST answer as text (run data and workflow snapshot included) */
	text: string;
	data: RunData;
}

export async function listExecutions(
	rest: N8nRestClient,
	workflowId?: string,
): Promise<Array<{ id: string; workflowId: string; status: string; mode: string }>> {
	const filter = encodeURIComponent(JSON.stringify(workflowId ? { workflowId } : {}));
	const page = await rest.request<{
		results: Array<{ id: string; workflowId: string; status: string; mode: string }>;
	}>('GET', `/executions?filter=${filter}&limit=100`);
	return page.results;
}

export async function getExecution(rest: N8nRestClient, id: string): Promise<StoredExecution> {
	const { status, text, json } = await rest.raw('GET', `/executions/${id}`);
	if (status !== 200)
		throw new Error(`GET /rest/executions/${id}: HTTP ${status} ${text.slice(0, 500)}`);
	const record = (
		json as { data: { id: string; workflowId: string; mode: string; status: string; data: string } }
	).data;
	return {
		id: record.id,
		workflowId: record.workflowId,
		mode: record.mode,
		status: record.status,
		text,
		data: flatted.parse(record.data) as RunData,
	};
}

/** Polls until the workflow has an execution beyond `known` that finished. */
export async function waitForNewExecution(
	rest: N8nRestClient,
	workflowId: string,
	known: Set<string>,
	timeoutMs = 30_000,
): Promise<StoredExecution> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const fresh = (await listExecutions(rest, workflowId)).filter(
			(e) => !known.has(e.id) && e.status !== 'running' && e.status !== 'new',
		);
		if (fresh.length) return await getExecution(rest, fresh[0].id);
		if (Date.now() > deadline)
			throw new Error(`no finished execution of ${workflowId} within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The output items of one node in stored or printed run data. */
export function nodeOutput(data: RunData, nodeName: string): Array<Record<string, unknown>> {
	const runs = data.resultData.runData[nodeName];
	if (!runs?.length)
		throw new Error(
			`node "${nodeName}" did not run; nodes that ran: ${Object.keys(data.resultData.runData).join(', ')}`,
		);
	return (runs[0].data?.main[0] ?? []).map((item) => item.json);
}

/** Everything n8n keeps on disk in its database (main file, write-ahead log), as text. */
export function databaseText(userFolder: string): string {
	return ['database.sqlite', 'database.sqlite-wal', 'database.sqlite-journal']
		.map((file) => path.join(userFolder, '.n8n', file))
		.filter((file) => existsSync(file))
		.map((file) => readFileSync(file).toString('latin1'))
		.join('\n');
}

/** Which of the named secrets occur in the text (by name; values are never printed). */
export function leakedSecrets(text: string, secrets: Record<string, string>): string[] {
	return Object.entries(secrets)
		.filter(([, value]) => value.length >= 8 && text.includes(value))
		.map(([name]) => name);
}

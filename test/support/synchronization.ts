import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RegisteredClient } from '../emulator';
import { logger, type RunResult } from '../harness/engine';
import { expectNoSecrets } from './secrets';
import type { TestTenant } from './tenant';

/** A resource locator value as the editor stores it. */
export function locator(value: string, mode: 'id' | 'list' | 'appId' = 'id'): INodeParameters {
	return { __rl: true, mode, value };
}

/**
 * Node parameters for an operation on a service principal's synchronization: the service principal by object ID
 * unless `target` says otherwise, the job when given, and the operation's own fields.
 */
export function synchronizationParameters(
	resource: string,
	operation: string,
	servicePrincipalId: string,
	fields: IDataObject = {},
	extra: { jobId?: string; target?: INodeParameters; authentication?: 'appOnly' | 'oAuth2'; options?: IDataObject } = {},
): INodeParameters {
	return {
		authentication: extra.authentication ?? 'appOnly',
		resource,
		operation,
		target: extra.target ?? locator(servicePrincipalId),
		...(extra.jobId !== undefined ? { job: locator(extra.jobId) } : {}),
		...(fields as INodeParameters),
		options: (extra.options ?? {}) as INodeParameters,
	};
}

/** A fresh enterprise application with its own jobs, so tests do not see each other's state. */
export function addServicePrincipal(tenant: TestTenant, displayName: string) {
	return tenant.emulator.addServicePrincipal({ displayName });
}

/** Another client app of the tenant with exactly these Graph application permissions, and its app-only credential. */
export function clientWith(tenant: TestTenant, permissions: string[], name: string) {
	const client = tenant.emulator.registerClientApp({
		displayName: name,
		secret: `secret-${name.replace(/\W/g, '')}-Zq8!pW3x`,
		applicationPermissions: permissions,
	}) as RegisteredClient & { secret: string };
	return { client, credential: tenant.appOnlyCredential({ clientId: client.clientId, clientSecret: client.secret }, `credential-${client.clientId}`) };
}

type RunError = NonNullable<RunResult['error']>;

/** A copy of the error as n8n shows it, without `node`: the node's definition is the workflow's own parameters. */
function withoutNodeDefinition(error: unknown): RunError | undefined {
	// Duck-typed: errors from n8n's modules may come from another realm than this file's Error.
	if (error === null || typeof error !== 'object' || typeof (error as Error).message !== 'string') return undefined;
	const failure = error as RunError & { cause?: unknown };
	const copy = new Error(failure.message) as RunError & { cause?: unknown };
	copy.stack = failure.stack;
	copy.description = failure.description;
	copy.httpCode = failure.httpCode;
	copy.context = failure.context;
	copy.cause = withoutNodeDefinition(failure.cause);
	return copy;
}

/**
 * expectNoSecrets, applying its own exception everywhere: a failed execution keeps the node's definition, and with it
 * the workflow's parameters (secrets typed into them included), in the error, on the execution stack and in n8n-core's
 * "finished with error" log line. That is the workflow as n8n stores it, not something the node emitted; all else —
 * items, error messages and descriptions, every other part of the run and every other log line — is scanned.
 */
export function expectNoSecretsFromTheNode(results: RunResult[], secrets: string[]): void {
	const isNodeDefinition = (key: string, value: unknown) => key === 'node' && value !== null && typeof value === 'object' && 'parameters' in value;
	const scanned = results.map((result) => ({
		...result,
		run: JSON.parse(JSON.stringify(result.run), (key: string, value: unknown) => (isNodeDefinition(key, value) ? '[node definition]' : value)) as RunResult['run'],
		error: withoutNodeDefinition(result.error),
	}));
	for (const line of logger.lines) {
		const metadata = line.metadata as { error?: unknown } | undefined;
		if (metadata?.error !== null && typeof metadata?.error === 'object' && 'node' in metadata.error) line.metadata = { ...metadata, error: withoutNodeDefinition(metadata.error) };
	}
	expectNoSecrets(scanned, secrets);
}

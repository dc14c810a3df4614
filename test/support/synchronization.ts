import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RegisteredClient } from '../../dev/emulator';
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
	extra: {
		jobId?: string;
		target?: INodeParameters;
		authentication?: 'appOnly' | 'oAuth2';
		options?: IDataObject;
	} = {},
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
	return {
		client,
		credential: tenant.appOnlyCredential(
			{ clientId: client.clientId, clientSecret: client.secret },
			`credential-${client.clientId}`,
		),
	};
}

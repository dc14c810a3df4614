import tls from 'node:tls';

import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import {
	startEmulator,
	type Emulator,
	type EmulatorOptions,
	type RegisteredClient,
} from '../../dev/emulator';
import { BATCH_PATH } from '../../dev/emulator/batch';
import { APP_ONLY, OAUTH2, type CredentialInput } from '../harness/engine';

/** An emulated tenant with one SCIM app (registration + enterprise app) and a client allowed to provision it. */
export interface TestTenant {
	emulator: Emulator;
	app: { id: string; appId: string; displayName: string };
	servicePrincipal: { id: string; appId: string; displayName: string };
	client: RegisteredClient & { secret: string };
	/** The app-only credential (client secret) of `client`, on the Custom cloud pointed at the emulator */
	appOnlyCredential(overrides?: ICredentialDataDecryptedObject, id?: string): CredentialInput;
	/** Custom cloud fields pointing at the emulator */
	cloud: ICredentialDataDecryptedObject;
}

let trustedCas: string[] = [];

/** Lets this process's TLS clients (n8n-core's HTTP client and MSAL) trust the emulator's test CA. */
function trust(caCertPem: string) {
	trustedCas = [...trustedCas, caCertPem];
	tls.setDefaultCACertificates([...tls.getCACertificates('bundled'), ...trustedCas]);
}

export async function startTenant(options: EmulatorOptions = {}): Promise<TestTenant> {
	const emulator = await startEmulator(options);
	trust(emulator.caCertPem);
	const app = emulator.addApplication({ displayName: 'Contoso HR SCIM App' });
	const servicePrincipal = emulator.addServicePrincipal({
		displayName: 'Contoso HR SCIM App',
		appId: app.appId,
	});
	const client = emulator.registerClientApp({
		displayName: 'n8n provisioning',
		secret: 'client-secret-Q7w!x9Zr2#Lm5Tp8',
		applicationPermissions: ['Synchronization.ReadWrite.All', 'Application.Read.All'],
	}) as RegisteredClient & { secret: string };
	const cloud = {
		cloud: 'custom',
		customGraphUrl: emulator.graphUrl,
		customAuthorityUrl: emulator.authorityUrl,
	};
	return {
		emulator,
		app,
		servicePrincipal,
		client,
		cloud,
		appOnlyCredential: (overrides = {}, id) => ({
			type: APP_ONLY,
			id,
			data: {
				...cloud,
				authMethod: 'clientSecret',
				tenantId: emulator.tenantId,
				clientId: client.clientId,
				clientSecret: client.secret,
				...overrides,
			},
		}),
	};
}

/** A delegated credential already connected (as n8n stores it after Connect) for the given user. */
export function oauth2Credential(
	tenant: TestTenant,
	client: RegisteredClient & { secret: string },
	upn: string,
	scopes = ['Synchronization.ReadWrite.All', 'Application.Read.All', 'offline_access'],
	id?: string,
): CredentialInput {
	const tokens = tenant.emulator.issueUserTokens({ upn, clientId: client.clientId, scopes });
	return {
		type: OAUTH2,
		id,
		data: {
			...tenant.cloud,
			tenantId: tenant.emulator.tenantId,
			clientId: client.clientId,
			clientSecret: client.secret,
			oauthTokenData: tokens as unknown as IDataObject,
		},
	};
}

/** Node parameters for Acquire Provisioning Token. */
export function acquireParameters(
	target: {
		type: 'application' | 'servicePrincipal';
		mode?: 'id' | 'appId' | 'list';
		value: string;
	},
	secrets: Array<{ key: string; value: unknown; customKey?: string }>,
	extra: { authentication?: 'appOnly' | 'oAuth2'; options?: IDataObject } = {},
): INodeParameters {
	return {
		authentication: extra.authentication ?? 'appOnly',
		resource: 'provisioningToken',
		operation: 'acquire',
		targetType: target.type,
		target: { __rl: true, mode: target.mode ?? 'id', value: target.value },
		secrets: { secret: secrets as unknown as INodeParameters[] },
		options: (extra.options ?? {}) as INodeParameters,
	};
}

/** Every bearer token the emulator saw on Graph calls: tokens are secrets too. */
export function bearerTokens(emulator: Emulator): string[] {
	return [
		...new Set(
			emulator.requests
				.map((request) => String(request.headers.authorization ?? ''))
				.filter((header) => header.startsWith('Bearer '))
				.map((header) => header.slice('Bearer '.length)),
		),
	];
}

/** A JSON batch envelope (POST /{version}/$batch), recorded besides the calls it carried */
export const isBatchEnvelope = (path: string) => BATCH_PATH.test(path);

/** The Graph calls (not sign-ins) the emulator received, whether sent alone or inside a JSON batch. */
export function graphCalls(emulator: Emulator) {
	return emulator.requests.filter(
		(request) => request.listener === 'graph' && !isBatchEnvelope(request.path),
	);
}

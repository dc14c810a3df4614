/**
 * Azure App Service's managed identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER), protocol
 * 2019-08-01, as @azure/msal-node's AppService source calls it:
 *   GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource>[&client_id=…|&object_id=…|&mi_res_id=…]
 *   header X-IDENTITY-HEADER: {IDENTITY_HEADER}
 * Success: 200 {access_token, expires_on (epoch seconds as a string), resource, token_type, client_id}.
 * Errors: {statusCode, message, correlationId}, the shape App Service uses.
 */
import { randomUUID } from 'node:crypto';
import type { Directory, ManagedIdentity } from './directory';
import { graphAudience } from './login';
import type { EmulatorStats, Exchange, Reply } from './exchange';
import type { TokenService } from './tokens';

export const MANAGED_IDENTITY_PATH = '/msi/token';

export interface ManagedIdentityEnvironment {
	directory: Directory;
	tokens: TokenService;
	stats: EmulatorStats;
	graphUrl: () => string;
	/** The secret App Service puts in IDENTITY_HEADER. */
	identityHeader: string;
}

function reply(status: number, body: unknown): Reply {
	return {
		status,
		headers: { 'Content-Type': 'application/json; charset=utf-8' },
		body: JSON.stringify(body),
	};
}

export function managedIdentityError(status: number, message: string): Reply {
	return reply(status, { statusCode: status, message, correlationId: randomUUID() });
}

export function createManagedIdentityHandler(
	env: ManagedIdentityEnvironment,
): (ex: Exchange) => Reply {
	return (ex) => {
		if (ex.url.pathname.toLowerCase() !== MANAGED_IDENTITY_PATH)
			return managedIdentityError(404, 'Not Found');
		if (ex.method !== 'GET') return managedIdentityError(405, 'Method Not Allowed');
		env.stats.tokenRequests++;
		env.stats.byGrantType.managed_identity = (env.stats.byGrantType.managed_identity ?? 0) + 1;
		const q = ex.url.searchParams;
		const header = ex.headers['x-identity-header'];
		if (header !== env.identityHeader) {
			return managedIdentityError(
				401,
				'Unauthorized. The X-IDENTITY-HEADER header is missing or does not match.',
			);
		}
		const apiVersion = q.get('api-version');
		if (apiVersion !== '2019-08-01') {
			return managedIdentityError(
				400,
				`The api-version '${apiVersion ?? ''}' is not supported. Supported version: 2019-08-01.`,
			);
		}
		const resource = q.get('resource');
		if (!resource) return managedIdentityError(400, "The 'resource' query parameter is required.");

		const identity = pick(env.directory.managedIdentities, q);
		if (!identity) return managedIdentityError(400, 'Unable to load the proper Managed Identity.');
		const audience = graphAudience(env, resource.replace(/\/\.default$/, ''));
		if (!audience) {
			return managedIdentityError(
				400,
				`AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${env.directory.tenantDomain.split('.')[0]}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
			);
		}
		const token = env.tokens.managedIdentityToken(identity, audience);
		env.stats.tokensIssued++;
		return reply(200, {
			access_token: token.accessToken,
			expires_on: String(token.claims.exp),
			resource,
			token_type: 'Bearer',
			client_id: identity.clientId,
		});
	};
}

function pick(identities: ManagedIdentity[], q: URLSearchParams): ManagedIdentity | undefined {
	const eq = (a: string, b: string | null) => b !== null && a.toLowerCase() === b.toLowerCase();
	if (q.has('client_id'))
		return identities.find((m) => m.userAssigned && eq(m.clientId, q.get('client_id')));
	if (q.has('object_id'))
		return identities.find((m) => m.userAssigned && eq(m.principalId, q.get('object_id')));
	if (q.has('principal_id'))
		return identities.find((m) => m.userAssigned && eq(m.principalId, q.get('principal_id')));
	if (q.has('mi_res_id'))
		return identities.find((m) => m.userAssigned && eq(m.resourceId, q.get('mi_res_id')));
	return identities.find((m) => !m.userAssigned);
}

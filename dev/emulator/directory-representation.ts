/**
 * How Graph serializes an application or a service principal: the one representation that List, Get and the
 * instantiate reply (gallery-routes.ts) share, so an instantiated object answers with the same properties everywhere.
 */
import { createHash } from 'node:crypto';

import { type DirectoryObjectKind, graphDate } from './directory';
import type { GraphEnvironment } from './graph';
import type { DirectoryObject } from './route-helpers';

function keyId(seed: string): string {
	const h = createHash('sha256').update(seed).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Public credential metadata of a registered client app (never the secret itself). */
function credentials(
	env: GraphEnvironment,
	appId: string,
): { keyCredentials: unknown[]; passwordCredentials: unknown[] } {
	const client = env.directory.getClient(appId);
	if (!client) return { keyCredentials: [], passwordCredentials: [] };
	return {
		keyCredentials: client.certificates.map((c) => ({
			customKeyIdentifier: c.thumbprintSha1,
			displayName: 'CN=certificate',
			endDateTime: graphDate(c.notAfter),
			key: null,
			keyId: keyId(c.thumbprintSha256),
			startDateTime: graphDate(c.notBefore),
			type: 'AsymmetricX509Cert',
			usage: 'Verify',
		})),
		passwordCredentials: client.secret
			? [
					{
						customKeyIdentifier: null,
						displayName: 'client secret',
						endDateTime: graphDate(
							client.secretExpiresAt ?? new Date(Date.now() + 730 * 24 * 3600 * 1000),
						),
						hint: client.secret.slice(0, 3),
						keyId: keyId(client.secret),
						secretText: null,
						startDateTime: graphDate(new Date(Date.now() - 24 * 3600 * 1000)),
					},
				]
			: [],
	};
}

export function representation(
	env: GraphEnvironment,
	kind: DirectoryObjectKind,
	obj: DirectoryObject,
): Record<string, unknown> {
	const common = {
		addIns: [],
		appRoles: obj.appRoles ?? [],
		info: {
			logoUrl: null,
			marketingUrl: null,
			privacyStatementUrl: null,
			supportUrl: null,
			termsOfServiceUrl: null,
		},
		tokenEncryptionKeyId: null,
		verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
	};
	if (kind === 'applications') {
		return {
			id: obj.id,
			deletedDateTime: null,
			appId: obj.appId,
			applicationTemplateId: obj.applicationTemplateId ?? null,
			createdDateTime: obj.createdDateTime,
			description: null,
			displayName: obj.displayName,
			identifierUris: [],
			notes: null,
			publisherDomain: env.directory.tenantDomain,
			signInAudience: 'AzureADMyOrg',
			tags: [],
			uniqueName: null,
			...credentials(env, obj.appId),
			requiredResourceAccess: [],
			web: {
				homePageUrl: null,
				logoutUrl: null,
				redirectUris: env.directory.getClient(obj.appId)?.redirectUris ?? [],
			},
			publicClient: { redirectUris: [] },
			...common,
			api: {
				acceptMappedClaims: null,
				knownClientApplications: [],
				oauth2PermissionScopes: oauth2PermissionScopes(obj),
				preAuthorizedApplications: [],
				requestedAccessTokenVersion: null,
			},
			defaultRedirectUri: null,
			groupMembershipClaims: null,
			isFallbackPublicClient: false,
			optionalClaims: null,
			parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
		};
	}
	return {
		id: obj.id,
		deletedDateTime: null,
		accountEnabled: true,
		appDisplayName: obj.displayName,
		appDescription: null,
		appId: obj.appId,
		applicationTemplateId: obj.applicationTemplateId ?? null,
		alternativeNames: [],
		appOwnerOrganizationId: env.directory.tenantId,
		appRoleAssignmentRequired: obj.applicationTemplateId !== undefined,
		description: null,
		displayName: obj.displayName,
		homepage: null,
		notes: null,
		preferredSingleSignOnMode: null,
		replyUrls: [],
		servicePrincipalNames: [obj.appId],
		servicePrincipalType: 'Application',
		signInAudience: 'AzureADMyOrg',
		tags: [],
		...credentials(env, obj.appId),
		...common,
		loginUrl: null,
		logoutUrl: null,
		notificationEmailAddresses: [],
		oauth2PermissionScopes: oauth2PermissionScopes(obj),
		preferredTokenSigningKeyThumbprint: null,
		samlSingleSignOnSettings: null,
	};
}

/** An instance of a template exposes user_impersonation, as the documented instance does; other objects none. */
function oauth2PermissionScopes(obj: DirectoryObject): Array<Record<string, unknown>> {
	if (obj.applicationTemplateId === undefined) return [];
	const id = createHash('sha256').update(`${obj.appId}/user_impersonation`).digest('hex');
	return [
		{
			adminConsentDescription: `Allow the application to access ${obj.displayName} on behalf of the signed-in user.`,
			adminConsentDisplayName: `Access ${obj.displayName}`,
			id: `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-a${id.slice(17, 20)}-${id.slice(20, 32)}`,
			isEnabled: true,
			type: 'User',
			userConsentDescription: `Allow the application to access ${obj.displayName} on your behalf.`,
			userConsentDisplayName: `Access ${obj.displayName}`,
			value: 'user_impersonation',
		},
	];
}

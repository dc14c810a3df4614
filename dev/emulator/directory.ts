/**
 * The emulated tenant's state, shared by the Graph, login and managed identity listeners:
 * directory objects (applications, service principals), sign-in registrations (client apps,
 * users, managed identities) and the grants issued by the token endpoint.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { ProvisioningLogs } from './provisioning-logs';
import {
	newSynchronizationState,
	SynchronizationState,
	SynchronizationTenant,
} from './synchronization';
import { certificateThumbprints } from './tls';

/** Directory role template ids (stable across all tenants). */
export const DirectoryRoles: Readonly<Record<string, string>> = {
	'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
	'Application Administrator': '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
	'Cloud Application Administrator': '158c047a-c907-4556-b7ef-446551a6b5f7',
	'Hybrid Identity Administrator': '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2',
	'Global Reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
	'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
	'Reports Reader': '4a5d8f65-41da-4de4-8968-e035b65339cf',
	'Security Reader': '5d6b6bb7-de71-4623-b4af-96380a352509',
};

/** Every member's `wids` claim carries this "User" template id besides its admin roles. */
export const MEMBER_USER_ROLE = 'b79fbf4d-3ef9-4689-8143-76b194e85509';

export type DirectoryObjectKind = 'applications' | 'servicePrincipals';

export type { SynchronizationSecretPair } from './synchronization';

/** What the emulator keeps of an app registration or an enterprise application: the same fields for both. */
interface DirectoryObject {
	id: string;
	appId: string;
	displayName: string;
	createdDateTime: string;
	/** Object ids or appIds of service principals owning it (for *.OwnedBy permissions). */
	owners: string[];
	synchronization: SynchronizationState;
	/** The gallery or non-gallery template it was instantiated from, if any */
	applicationTemplateId?: string;
	appRoles?: AppRole[];
	/** Until then (epoch ms) Graph answers 404 for it: directory replication after instantiate */
	visibleFrom?: number;
	/** appRoleAssignedTo of a service principal: who is assigned to the app */
	appRoleAssignments?: AppRoleAssignment[];
}

/** microsoft.graph.appRole, the parts the emulator serves. */
export interface AppRole {
	id: string;
	allowedMemberTypes: string[];
	displayName: string;
	description: string;
	isEnabled: boolean;
	value: string | null;
	origin: string;
}

/** microsoft.graph.appRoleAssignment as Graph serializes it. */
export interface AppRoleAssignment {
	id: string;
	deletedDateTime: null;
	appRoleId: string;
	createdDateTime: string;
	principalDisplayName: string;
	principalId: string;
	principalType: 'User' | 'Group';
	resourceDisplayName: string;
	resourceId: string;
}

export interface Group {
	id: string;
	displayName: string;
}

export type ApplicationObject = DirectoryObject;
export type ServicePrincipalObject = DirectoryObject;

export interface ClientCertificate {
	pem: string;
	thumbprintSha1: string;
	thumbprintSha256: string;
	notBefore: Date;
	notAfter: Date;
	publicKey: X509Certificate['publicKey'];
}

export interface FederatedCredential {
	issuer: string;
	subject: string;
	audience: string;
}

export interface ClientApp {
	clientId: string;
	displayName: string;
	applicationObjectId: string;
	servicePrincipalId: string;
	secret?: string;
	secretExpiresAt?: Date;
	certificates: ClientCertificate[];
	federatedCredentials: FederatedCredential[];
	applicationPermissions: string[];
	/** Delegated permissions consented for `/.default` requests. */
	delegatedPermissions: string[];
	/** Empty: any redirect URI is accepted. */
	redirectUris: string[];
}

export interface User {
	id: string;
	upn: string;
	displayName: string;
	password?: string;
	/** Role template ids. */
	directoryRoles: string[];
}

export interface ManagedIdentity {
	/** False for the (single) system-assigned identity. */
	userAssigned: boolean;
	clientId: string;
	principalId: string;
	resourceId: string;
	displayName: string;
	applicationPermissions: string[];
}

export interface AuthorizationCode {
	clientId: string;
	userId: string;
	redirectUri: string;
	scopes: string[];
	codeChallenge?: string;
	codeChallengeMethod?: string;
	nonce?: string;
	expiresAt: number;
	redeemed: boolean;
}

export interface RefreshTokenGrant {
	clientId: string;
	userId: string;
	scopes: string[];
}

export interface AddApplicationInput {
	displayName: string;
	id?: string;
	appId?: string;
	owners?: string[];
}

export interface RegisterClientAppInput {
	clientId?: string;
	displayName?: string;
	secret?: string;
	/** Makes the secret expired (AADSTS7000222) once this date passes. */
	secretExpiresAt?: Date;
	/** One PEM certificate (public part) or several. */
	certificatePem?: string | string[];
	federatedCredential?: { issuer: string; subject: string; audience?: string };
	/** App roles granted on Graph, e.g. ['Synchronization.ReadWrite.All']. */
	applicationPermissions?: string[];
	delegatedPermissions?: string[];
	redirectUris?: string[];
}

export interface RegisterUserInput {
	upn: string;
	displayName?: string;
	password?: string;
	/** Role names ('Application Administrator') or template ids. */
	directoryRoles?: string[];
}

export interface SetManagedIdentityInput {
	/** Omit for the system-assigned identity. */
	clientId?: string;
	principalId?: string;
	resourceId?: string;
	displayName?: string;
	applicationPermissions: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
	return GUID.test(value);
}

function newDirectoryObject(input: AddApplicationInput): DirectoryObject {
	return {
		id: normalizeId(input.id),
		appId: normalizeId(input.appId),
		displayName: input.displayName,
		createdDateTime: graphDate(new Date()),
		owners: input.owners ?? [],
		synchronization: newSynchronizationState(),
	};
}

export class Directory {
	readonly applications = new Map<string, ApplicationObject>();
	readonly servicePrincipals = new Map<string, ServicePrincipalObject>();
	readonly clients = new Map<string, ClientApp>();
	readonly users = new Map<string, User>();
	readonly groups = new Map<string, Group>();
	/** How long objects created by instantiate answer 404, as Entra's directory replication makes them do */
	replicationDelayMs = 0;
	readonly managedIdentities: ManagedIdentity[] = [];
	readonly authorizationCodes = new Map<string, AuthorizationCode>();
	readonly refreshTokens = new Map<string, RefreshTokenGrant>();
	/** Provisioning limits and SCIM endpoints shared by every service principal of the tenant. */
	readonly synchronization = new SynchronizationTenant();
	/** GET /auditLogs/provisioning, filled by bulk uploads */
	readonly provisioningLogs = new ProvisioningLogs();

	constructor(
		readonly tenantId: string,
		readonly tenantDomain: string,
	) {}

	addApplication(input: AddApplicationInput): ApplicationObject {
		const app = newDirectoryObject(input);
		this.assertFreeId(app.id);
		if (this.findApplicationByAppId(app.appId)) {
			throw new Error(`an application with appId ${app.appId} already exists`);
		}
		this.applications.set(app.id.toLowerCase(), app);
		return app;
	}

	addServicePrincipal(input: AddApplicationInput): ServicePrincipalObject {
		const sp = newDirectoryObject(input);
		this.assertFreeId(sp.id);
		if (this.findServicePrincipalByAppId(sp.appId)) {
			throw new Error(`a service principal with appId ${sp.appId} already exists`);
		}
		this.servicePrincipals.set(sp.id.toLowerCase(), sp);
		return sp;
	}

	getObject(
		kind: DirectoryObjectKind,
		id: string,
	): ApplicationObject | ServicePrincipalObject | undefined {
		return (kind === 'applications' ? this.applications : this.servicePrincipals).get(
			id.toLowerCase(),
		);
	}

	findApplicationByAppId(appId: string): ApplicationObject | undefined {
		return [...this.applications.values()].find(
			(a) => a.appId.toLowerCase() === appId.toLowerCase(),
		);
	}

	findServicePrincipalByAppId(appId: string): ServicePrincipalObject | undefined {
		return [...this.servicePrincipals.values()].find(
			(s) => s.appId.toLowerCase() === appId.toLowerCase(),
		);
	}

	/** A client app is an application object plus its service principal, with sign-in credentials. */
	registerClientApp(input: RegisterClientAppInput): ClientApp {
		const clientId = normalizeId(input.clientId);
		if (this.clients.has(clientId.toLowerCase())) {
			throw new Error(`client ${clientId} is already registered`);
		}
		const displayName = input.displayName ?? `Client ${clientId.slice(0, 8)}`;
		const app =
			this.findApplicationByAppId(clientId) ??
			this.addApplication({ displayName, appId: clientId });
		const sp =
			this.findServicePrincipalByAppId(clientId) ??
			this.addServicePrincipal({ displayName, appId: clientId });
		const pems =
			input.certificatePem === undefined
				? []
				: Array.isArray(input.certificatePem)
					? input.certificatePem
					: [input.certificatePem];
		const client: ClientApp = {
			clientId,
			displayName,
			applicationObjectId: app.id,
			servicePrincipalId: sp.id,
			secret: input.secret,
			secretExpiresAt: input.secretExpiresAt,
			certificates: pems.map(parseClientCertificate),
			federatedCredentials: input.federatedCredential
				? [
						{
							issuer: input.federatedCredential.issuer,
							subject: input.federatedCredential.subject,
							audience: input.federatedCredential.audience ?? 'api://AzureADTokenExchange',
						},
					]
				: [],
			applicationPermissions: [...(input.applicationPermissions ?? [])],
			delegatedPermissions: [...(input.delegatedPermissions ?? [])],
			redirectUris: [...(input.redirectUris ?? [])],
		};
		this.clients.set(clientId.toLowerCase(), client);
		return client;
	}

	getClient(clientId: string): ClientApp | undefined {
		return this.clients.get(clientId.toLowerCase());
	}

	registerUser(input: RegisterUserInput): User {
		const user: User = {
			id: randomUUID(),
			upn: input.upn,
			displayName: input.displayName ?? input.upn.split('@')[0],
			password: input.password,
			directoryRoles: (input.directoryRoles ?? []).map(roleTemplateId),
		};
		this.users.set(input.upn.toLowerCase(), user);
		return user;
	}

	findUser(upnOrId: string): User | undefined {
		return (
			this.users.get(upnOrId.toLowerCase()) ??
			[...this.users.values()].find((u) => u.id === upnOrId)
		);
	}

	setManagedIdentity(input: SetManagedIdentityInput): ManagedIdentity {
		const userAssigned = input.clientId !== undefined;
		const clientId = normalizeId(input.clientId);
		const name =
			input.displayName ?? (userAssigned ? `uami-${clientId.slice(0, 8)}` : 'n8n-app-service');
		const identity: ManagedIdentity = {
			userAssigned,
			clientId,
			principalId: normalizeId(input.principalId),
			resourceId:
				input.resourceId ??
				(userAssigned
					? `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`
					: `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/providers/Microsoft.Web/sites/${name}`),
			displayName: name,
			applicationPermissions: [...input.applicationPermissions],
		};
		const existing = this.managedIdentities.findIndex((m) =>
			userAssigned
				? m.userAssigned && m.clientId.toLowerCase() === clientId.toLowerCase()
				: !m.userAssigned,
		);
		if (existing >= 0) {
			this.managedIdentities[existing] = identity;
		} else {
			this.managedIdentities.push(identity);
		}
		return identity;
	}

	private assertFreeId(id: string): void {
		if (this.applications.has(id.toLowerCase()) || this.servicePrincipals.has(id.toLowerCase())) {
			throw new Error(`object id ${id} is already used`);
		}
	}
}

export function roleTemplateId(nameOrId: string): string {
	if (isGuid(nameOrId)) {
		return nameOrId.toLowerCase();
	}
	const id = DirectoryRoles[nameOrId];
	if (!id) {
		throw new Error(
			`unknown directory role '${nameOrId}' (known: ${Object.keys(DirectoryRoles).join(', ')}; or pass a template id)`,
		);
	}
	return id;
}

/** Graph's DateTimeOffset format: ISO 8601 UTC, whole seconds. */
export function graphDate(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function normalizeId(id: string | undefined): string {
	if (id === undefined) {
		return randomUUID();
	}
	if (!isGuid(id)) {
		throw new Error(`'${id}' is not a GUID`);
	}
	return id.toLowerCase();
}

function parseClientCertificate(pem: string): ClientCertificate {
	const cert = new X509Certificate(pem);
	const thumbprints = certificateThumbprints(pem);
	return {
		pem,
		thumbprintSha1: thumbprints.sha1,
		thumbprintSha256: thumbprints.sha256,
		notBefore: new Date(cert.validFrom),
		notAfter: new Date(cert.validTo),
		publicKey: cert.publicKey,
	};
}

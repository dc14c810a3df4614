/**
 * The tenant the demo and the end-to-end suite work with: fixed object IDs (the suites refer to them; the examples
 * leave the app to pick), an app registration n8n signs in as, an admin for the delegated flow, and the n8n
 * credentials that point at it.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { DEFAULT_DELEGATED_SCOPES } from '../../lib/permissions';
import type { Emulator } from '../emulator';
import { PROJECT_ROOT } from './runtime';

export const DEMO_OBJECTS = {
	applicationObjectId: '87a32077-1bb0-4e3b-8d77-ed2b5583c9ed',
	appId: '2a45420f-0585-47ae-b2ef-032911cf2f8c',
	servicePrincipalId: '7cb2dd08-3143-4e8b-ad77-047251122b76',
	displayName: 'Contoso HR SCIM App',
	/** The group the onboarding example assigns to a new app (its webhook body's groupId) */
	groupId: '4f1d2c3b-9a8e-4b7d-8c6f-5e4d3c2b1a09',
} as const;

export const DEMO_ADMIN_UPN = 'admin@contoso.onmicrosoft.com';

/** The credential IDs the example workflows refer to. */
export const CREDENTIALS = {
	appOnly: {
		id: 'entraDemoAppOnly',
		name: 'Microsoft Graph Provisioning (app-only)',
		type: 'microsoftGraphProvisioningAppOnlyApi',
	},
	oAuth2: {
		id: 'entraDemoOAuth2',
		name: 'Microsoft Graph Provisioning (delegated)',
		type: 'microsoftGraphProvisioningOAuth2Api',
	},
} as const;

export const WEBHOOK_PATH = 'entra-provisioning/acquire-token';

export const PROVISIONING_PERMISSIONS = ['Synchronization.ReadWrite.All', 'Application.Read.All'];
/** What the HR-onboarding and alerting templates need besides: bulk upload and the provisioning logs. */
export const HR_PERMISSIONS = [
	'SynchronizationData-User.Upload',
	'AuditLog.Read.All',
	'Directory.Read.All',
];

/**
 * What the onboarding example needs besides: instantiate (as the new app's owner, which then lets it configure the
 * app's provisioning) and assigning a group to the new app.
 */
export const ONBOARDING_PERMISSIONS = [
	'Application.ReadWrite.OwnedBy',
	'AppRoleAssignment.ReadWrite.All',
];

/** The SCIM endpoint the rotation template validates its new secret against, and the secret it accepts. */
export const DEMO_SCIM = {
	baseAddress: 'https://scim.contoso.example/scim/v2',
	secretToken: 'demo-rotated-scim-token',
} as const;

/** How long the emulated provisioning service takes to process an upload: long enough to see the Wait loop. */
export const DEMO_PROVISIONING_DELAY_MS = 3_000;

export interface ImportedCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface SignInClient {
	clientId: string;
	clientSecret: string;
}

/** What seedDemoTenant made that the suites and the demo refer to besides the sign-in. */
export interface DemoTenantSeed extends SignInClient {
	/** The demo app's API-driven inbound provisioning job, which the HR templates leave to pick From List */
	inboundJobId: string;
}

/** Adds the demo application and service principal, the n8n app registration and an admin user. */
export function seedDemoTenant(
	emulator: Emulator,
	client: Partial<SignInClient> = {},
): DemoTenantSeed {
	emulator.addApplication({
		id: DEMO_OBJECTS.applicationObjectId,
		appId: DEMO_OBJECTS.appId,
		displayName: DEMO_OBJECTS.displayName,
	});
	emulator.addServicePrincipal({
		id: DEMO_OBJECTS.servicePrincipalId,
		appId: DEMO_OBJECTS.appId,
		displayName: DEMO_OBJECTS.displayName,
	});
	const secret = client.clientSecret ?? `demo~${randomBytes(24).toString('base64url')}`;
	const registered = emulator.registerClientApp({
		clientId: client.clientId,
		displayName: 'n8n provisioning',
		secret,
		applicationPermissions: [
			...PROVISIONING_PERMISSIONS,
			...HR_PERMISSIONS,
			...ONBOARDING_PERMISSIONS,
		],
		delegatedPermissions: PROVISIONING_PERMISSIONS,
	});
	emulator.registerUser({
		upn: DEMO_ADMIN_UPN,
		displayName: 'Contoso Admin',
		directoryRoles: ['Application Administrator'],
	});
	// The templates find their jobs by template: an API-driven inbound job for HR uploads, a SCIM job for rotation.
	const inbound = emulator.createSynchronizationJob(DEMO_OBJECTS.servicePrincipalId, 'API2AAD');
	emulator.createSynchronizationJob(DEMO_OBJECTS.servicePrincipalId, 'scim');
	emulator.acceptScimCredentials(DEMO_SCIM.baseAddress, DEMO_SCIM.secretToken);
	emulator.addGroup('Provisioning pilot users', DEMO_OBJECTS.groupId);
	emulator.setProvisioningDelay(DEMO_PROVISIONING_DELAY_MS);
	return { clientId: registered.clientId, clientSecret: secret, inboundJobId: inbound.id };
}

/** Where a credential points: the emulator (a Custom cloud on 127.0.0.1) or one of Microsoft's clouds. */
export type TenantTarget = { tenantId: string } & (
	| { cloud: 'custom'; graphUrl: string; authorityUrl: string }
	| { cloud: 'global' | 'usGovL4' | 'usGovL5' | 'china' }
);

export function emulatorTenant(
	emulator: Pick<Emulator, 'tenantId' | 'graphUrl' | 'authorityUrl'>,
): TenantTarget {
	return {
		cloud: 'custom',
		tenantId: emulator.tenantId,
		graphUrl: emulator.graphUrl,
		authorityUrl: emulator.authorityUrl,
	};
}

function cloudFields(tenant: TenantTarget): Record<string, unknown> {
	return tenant.cloud === 'custom'
		? { cloud: 'custom', customGraphUrl: tenant.graphUrl, customAuthorityUrl: tenant.authorityUrl }
		: { cloud: tenant.cloud };
}

export function appOnlyCredential(
	tenant: TenantTarget,
	signIn: { clientId: string } & (
		| { clientSecret: string }
		| { certificate: string; certificatePassword?: string; sendX5c?: boolean }
	),
	identity: { id: string; name: string } = CREDENTIALS.appOnly,
): ImportedCredential {
	const method =
		'clientSecret' in signIn
			? { authMethod: 'clientSecret', clientSecret: signIn.clientSecret }
			: {
					authMethod: 'clientCertificate',
					certificate: signIn.certificate,
					certificatePassword: signIn.certificatePassword ?? '',
					sendX5c: signIn.sendX5c ?? false,
				};
	return {
		...identity,
		type: CREDENTIALS.appOnly.type,
		data: {
			...cloudFields(tenant),
			tenantId: tenant.tenantId,
			clientId: signIn.clientId,
			...method,
		},
	};
}

export function oAuth2Credential(
	tenant: TenantTarget,
	signIn: SignInClient,
	identity: { id: string; name: string } = CREDENTIALS.oAuth2,
): ImportedCredential {
	return {
		...identity,
		type: CREDENTIALS.oAuth2.type,
		data: {
			...cloudFields(tenant),
			tenantId: tenant.tenantId,
			clientId: signIn.clientId,
			clientSecret: signIn.clientSecret,
			// the credential's own default: every operation's delegated permissions
			delegatedScopes: DEFAULT_DELEGATED_SCOPES.join(' '),
		},
	};
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		parameters: Record<string, unknown>;
		credentials?: Record<string, { id: string; name: string }>;
		[key: string]: unknown;
	}>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

/** examples/*.workflow.json, parsed. */
export function exampleWorkflows(): Array<{ file: string; workflow: WorkflowJson }> {
	const dir = path.join(PROJECT_ROOT, 'examples');
	return readdirSync(dir)
		.filter((file) => file.endsWith('.workflow.json'))
		.sort()
		.map((file) => ({
			file,
			workflow: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as WorkflowJson,
		}));
}

export function exampleWorkflow(file: string): WorkflowJson {
	const found = exampleWorkflows().find((example) => example.file === file);
	if (!found) throw new Error(`examples/${file} not found`);
	return found.workflow;
}

/** A target as the editor stores it once picked From List: the object ID and the name the list showed. */
export interface PickedTarget {
	id: string;
	displayName: string;
}

export const DEMO_TARGET: PickedTarget = {
	id: DEMO_OBJECTS.servicePrincipalId,
	displayName: DEMO_OBJECTS.displayName,
};

/**
 * The workflow with every Target (or Service Principal) left to pick From List set to the given one, and with a job
 * given, every Job left to pick too (the HR templates pick the API-driven inbound job), as a user picks them in the
 * editor after importing an example. The examples leave that choice open: their demo IDs mean nothing in another
 * tenant.
 */
export function withTargetPicked(
	workflow: WorkflowJson,
	target: PickedTarget = DEMO_TARGET,
	job?: PickedTarget,
): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	const picks: Array<[string, PickedTarget | undefined]> = [
		['target', target],
		['job', job],
	];
	for (const node of copy.nodes) {
		for (const [parameter, picked] of picks) {
			const locator = node.parameters[parameter] as { mode?: string; value?: unknown } | undefined;
			if (!picked || locator?.mode !== 'list' || locator.value !== '') continue;
			node.parameters[parameter] = {
				__rl: true,
				mode: 'list',
				value: picked.id,
				cachedResultName: picked.displayName,
			};
		}
	}
	return copy;
}

/** Whether a workflow starts with a Webhook node (published so its production URL answers). */
export function isWebhookWorkflow(workflow: WorkflowJson): boolean {
	return workflow.nodes.some((node) => node.type === 'n8n-nodes-base.webhook');
}

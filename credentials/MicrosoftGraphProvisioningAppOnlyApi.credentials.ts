import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { APP_ONLY_METHODS, getAppOnlyAccessToken, SignInError } from '../lib/appOnlySignIn';
import { cloudOptions, CUSTOM_CLOUD, resolveCloud } from '../lib/clouds';
import { cloudProperties, graphCredentialTest } from '../lib/cloudProperties';

const showFor = (...methods: Array<keyof typeof APP_ONLY_METHODS>) => ({
	show: { authMethod: methods },
});

/**
 * App-only sign-in to Microsoft Graph through @azure/identity. The token lives only in this process's memory:
 * it is fetched once per credential per lifetime, shared by every item and execution, and refreshed before it
 * expires or after Graph refused a call with 403 (the consent may be newer than the token); it is never written to
 * the credential or to execution data.
 */
export class MicrosoftGraphProvisioningAppOnlyApi implements ICredentialType {
	name = 'microsoftGraphProvisioningAppOnlyApi';

	displayName = 'Microsoft Graph Provisioning App-Only API';

	icon: Icon = {
		light: 'file:microsoftEntraProvisioning.svg',
		dark: 'file:microsoftEntraProvisioning.dark.svg',
	};

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-entra-provisioning#app-only-credential';

	properties: INodeProperties[] = [
		...cloudProperties(cloudOptions),
		{
			displayName: 'Sign-In Method',
			name: 'authMethod',
			type: 'options',
			options: Object.entries(APP_ONLY_METHODS).map(([value, { displayName, description }]) => ({
				name: displayName,
				value,
				description,
			})),
			default: 'clientSecret',
		},
		{
			displayName: 'Directory (Tenant) ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47 or contoso.onmicrosoft.com',
			description: "On the app registration's Overview page in the Microsoft Entra admin center",
			displayOptions: showFor('clientSecret', 'clientCertificate'),
		},
		{
			displayName: 'Application (Client) ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d',
			description: "On the app registration's Overview page — not the object ID",
			displayOptions: showFor('clientSecret', 'clientCertificate'),
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"The secret's Value (not its Secret ID) from App registrations › Certificates & secrets",
			displayOptions: showFor('clientSecret'),
		},
		{
			displayName: 'Certificate (PEM)',
			name: 'certificate',
			type: 'string',
			typeOptions: { password: true, rows: 6 },
			default: '',
			required: true,
			placeholder: '-----BEGIN CERTIFICATE-----\n…\n-----BEGIN PRIVATE KEY-----\n…',
			description:
				'The certificate and its private key in PEM form. Its public part must be uploaded to the app registration (Certificates & secrets › Certificates).',
			displayOptions: showFor('clientCertificate'),
		},
		{
			displayName: 'Certificate Password',
			name: 'certificatePassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only when the private key is encrypted',
			displayOptions: showFor('clientCertificate'),
		},
		{
			displayName: 'Send Certificate Chain (X5c)',
			name: 'sendX5c',
			type: 'boolean',
			default: false,
			description:
				'Whether to send the certificate chain with each sign-in, for apps set up with subject name and issuer (SNI) authentication',
			displayOptions: showFor('clientCertificate'),
		},
		{
			displayName: 'Managed Identity',
			name: 'managedIdentityType',
			type: 'options',
			options: [
				{
					name: 'System-Assigned',
					value: 'systemAssigned',
					description: 'The identity of the Azure resource n8n runs on',
				},
				{
					name: 'User-Assigned',
					value: 'userAssigned',
					description: 'An identity assigned to that resource, chosen by client ID',
				},
			],
			default: 'systemAssigned',
			displayOptions: showFor('managedIdentity'),
		},
		{
			displayName: 'Managed Identity Client ID',
			name: 'managedIdentityClientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 5c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9',
			description: 'The client ID of the user-assigned managed identity',
			displayOptions: {
				show: { authMethod: ['managedIdentity'], managedIdentityType: ['userAssigned'] },
			},
		},
		{
			displayName:
				'Managed Identity works only when n8n runs on Azure with an identity assigned. Grant the identity its Graph application permissions with PowerShell or the Graph API (managed identities have no API permissions page).',
			name: 'managedIdentityNotice',
			type: 'notice',
			default: '',
			displayOptions: showFor('managedIdentity'),
		},
		{
			displayName: 'Directory (Tenant) ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			placeholder: 'Empty: AZURE_TENANT_ID of the n8n host',
			description: 'Leave empty to use the AZURE_TENANT_ID that the workload identity webhook sets',
			displayOptions: showFor('workloadIdentity'),
		},
		{
			displayName: 'Application (Client) ID',
			name: 'clientId',
			type: 'string',
			default: '',
			placeholder: 'Empty: AZURE_CLIENT_ID of the n8n host',
			description: 'Leave empty to use the AZURE_CLIENT_ID that the workload identity webhook sets',
			displayOptions: showFor('workloadIdentity'),
		},
		{
			displayName: 'Federated Token File',
			name: 'federatedAssertionFile',
			type: 'string',
			default: '',
			placeholder: 'Empty: AZURE_FEDERATED_TOKEN_FILE of the n8n host',
			description:
				'Path of the projected service account token, e.g. /var/run/secrets/azure/tokens/azure-identity-token',
			displayOptions: showFor('workloadIdentity'),
		},
	];

	/** Adds the bearer token, and only for the credential's own Graph host. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { graphUrl } = resolveCloud(credentials);
		const target = new URL(requestOptions.url, requestOptions.baseURL ?? graphUrl);
		if (target.origin !== new URL(graphUrl).origin) {
			throw new SignInError(
				`Refusing to send the Microsoft Graph token to ${target.origin}`,
				`This credential's token is only for ${graphUrl}. Check the credential's cloud${credentials.cloud === CUSTOM_CLOUD ? ' and Graph URL' : ''}.`,
			);
		}
		const token = await getAppOnlyAccessToken(credentials);
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${token}` },
		};
	}

	test: ICredentialTestRequest = graphCredentialTest(false);
}

import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { cloudProperties, graphCredentialTest } from '../lib/cloudProperties';
import { cloudOptions, cloudUrlExpression } from '../lib/clouds';
import { DEFAULT_DELEGATED_SCOPES } from '../lib/permissions';

/** Scopes that are not Graph permissions and so are sent as they are. */
const PROTOCOL_SCOPES = ['offline_access', 'openid', 'profile', 'email'];

const authority = cloudUrlExpression('authorityUrl', '$self');
const graph = cloudUrlExpression('graphUrl', '$self');
const tenant = '(String($self.tenantId || "").trim() || "organizations")';

/**
 * Delegated sign-in of an admin (authorization code flow). Graph permissions are qualified with the cloud's Graph
 * resource, because a bare scope name always means the global Graph and would yield a token other clouds refuse.
 */
export class MicrosoftGraphProvisioningOAuth2Api implements ICredentialType {
	name = 'microsoftGraphProvisioningOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Microsoft Graph Provisioning OAuth2 API';

	icon: Icon = {
		light: 'file:microsoftEntraProvisioning.svg',
		dark: 'file:microsoftEntraProvisioning.dark.svg',
	};

	documentationUrl =
		'https://www.npmjs.com/package/n8n-nodes-entra-provisioning#delegated-oauth2-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		...cloudProperties(cloudOptions),
		{
			displayName: 'Directory (Tenant) ID',
			name: 'tenantId',
			type: 'string',
			default: 'organizations',
			description:
				'Your tenant ID or domain, or "organizations" to let any work or school account sign in. Personal Microsoft accounts cannot manage provisioning.',
		},
		{
			displayName: 'Scopes',
			name: 'delegatedScopes',
			type: 'string',
			default: DEFAULT_DELEGATED_SCOPES.join(' '),
			description:
				"Space-separated delegated permissions; the default covers every operation. Synchronization.ReadWrite.All runs provisioning; Application.Read.All lists and looks up targets; SynchronizationData-User.Upload is for Bulk Upload; AuditLog.Read.All and Directory.Read.All (both) read provisioning logs, upload outcomes and the trigger's failures; offline_access keeps the connection alive. Drop what the workflow does not use, then Reconnect.",
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: `={{ ${authority} + "/" + ${tenant} + "/oauth2/v2.0/authorize" }}`,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `={{ ${authority} + "/" + ${tenant} + "/oauth2/v2.0/token" }}`,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: `={{ String($self.delegatedScopes || "").split(/\\s+/).filter(s => s).map(s => ${JSON.stringify(PROTOCOL_SCOPES)}.includes(s) || s.includes("://") ? s : ${graph} + "/" + s).join(" ") }}`,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'response_mode=query',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	test: ICredentialTestRequest = graphCredentialTest(true);
}

/*
 * The secret keys live in lib/, beside the clouds and permissions, because more than the node reads them: the key
 * dropdown, the checks of an item's secrets, the README's generated table (npm run docs) and the tests. lib/ is
 * the bottom every one of them may import without reaching into the node.
 */

/**
 * Graph's `synchronizationSecret` enumeration (v1.0), in Graph's order and spelling. The node's key dropdown,
 * input validation, the README and the tests all read this list. `None` is left out: it names no setting.
 */
export const SYNCHRONIZATION_SECRET_KEYS = [
	'UserName',
	'Password',
	'SecretToken',
	'AppKey',
	'BaseAddress',
	'ClientIdentifier',
	'ClientSecret',
	'SingleSignOnType',
	'Sandbox',
	'Url',
	'Domain',
	'ConsumerKey',
	'ConsumerSecret',
	'TokenKey',
	'TokenExpiration',
	'Oauth2AccessToken',
	'Oauth2AccessTokenCreationTime',
	'Oauth2RefreshToken',
	'SyncAll',
	'InstanceName',
	'Oauth2ClientId',
	'Oauth2ClientSecret',
	'CompanyId',
	'UpdateKeyOnSoftDelete',
	'SynchronizationSchedule',
	'SystemOfRecord',
	'SandboxName',
	'EnforceDomain',
	'SyncNotificationSettings',
	'SkipOutOfScopeDeletions',
	'Oauth2AuthorizationCode',
	'Oauth2RedirectUri',
	'ApplicationTemplateIdentifier',
	'Oauth2TokenExchangeUri',
	'Oauth2AuthorizationUri',
	'AuthenticationType',
	'Server',
	'PerformInboundEntitlementGrants',
	'HardDeletesEnabled',
	'SyncAgentCompatibilityKey',
	'SyncAgentADContainer',
	'ValidateDomain',
	'TestReferences',
	'ConnectionString',
] as const;

export type SynchronizationSecretKey = (typeof SYNCHRONIZATION_SECRET_KEYS)[number];

/** What Microsoft documents for the keys admins use most; shown as option descriptions. */
export const SECRET_KEY_HINTS: Partial<Record<SynchronizationSecretKey, string>> = {
	BaseAddress: "Tenant URL: the base URL of the application's SCIM endpoint",
	SecretToken: 'The token that authorizes the provisioning service to call the application',
	SyncAll: 'Provision all users and groups ("true") or only those assigned to the app ("false")',
	SkipOutOfScopeDeletions: 'Do not disable accounts that go out of scope ("true"/"false")',
	SyncNotificationSettings:
		'JSON: {"Enabled":true,"Recipients":"admin@contoso.com","DeleteThresholdEnabled":true,"DeleteThresholdValue":500}',
	UserName: "The user name the application's API accepts",
	Password: "The password the application's API accepts",
};

export function isSynchronizationSecretKey(key: string): key is SynchronizationSecretKey {
	return (SYNCHRONIZATION_SECRET_KEYS as readonly string[]).includes(key);
}

/** The key dropdown's choice for a key typed by hand: one Graph added after this list was written. */
export const CUSTOM_SECRET_KEY = '__custom';

/** Where the target and the secrets of an item come from: the node's parameters, or the item's own fields. */
export const SECRETS_INPUT_MODES = ['parameters', 'itemFields'] as const;

export type SecretsInputMode = (typeof SECRETS_INPUT_MODES)[number];

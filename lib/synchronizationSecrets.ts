/*
 * The secret keys live in lib/, beside the clouds and permissions, because more than the node reads them: the key
 * dropdown, the checks of an item's secrets, the generated table of docs/operations.md (npm run docs) and the
 * tests. lib/ is the bottom every one of them may import without reaching into the node.
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

/**
 * What a key's value is, which decides how the editor shows it and how it is checked before sending:
 * - `url`: an address; shown as typed (not masked), must be https (http only on loopback, for a local test app);
 * - `secret`: a password, token, key or connection string; masked in the editor and by Graph when read back;
 * - `setting`: a plain setting (a name, "true"/"false", JSON, a date); masked in the editor like every value that
 *   is not a URL, since one editor field serves all of them.
 */
export type SecretValueKind = 'url' | 'secret' | 'setting';

export interface SynchronizationSecretDescription {
	kind: SecretValueKind;
	/** What the value is */
	meaning: string;
	/** Which applications' provisioning uses it */
	usedBy: string;
}

/*
 * Microsoft documents the meaning of five keys on Graph's pages (BaseAddress, SecretToken, SyncAll,
 * SkipOutOfScopeDeletions, SyncNotificationSettings). The others are named by what the admin center's provisioning
 * forms and Microsoft's app tutorials ask for under them; where neither says more than the name, the text says so
 * rather than guess.
 */
const ALL_APPS = 'every application with a provisioning job';
const OAUTH1_APPS =
	'gallery applications whose API signs in with OAuth 1.0 (a consumer key and a token)';
const OAUTH2_APPS =
	"applications the provisioning service signs in to with OAuth 2.0: gallery apps authorized with the admin center's Authorize button, and non-gallery SCIM apps set to an OAuth 2.0 grant";
const HR_INBOUND = 'HR-driven (inbound) provisioning: Workday and SAP SuccessFactors';
const AGENT_APPS =
	'provisioning through the on-premises provisioning agent: Microsoft Entra Cloud Sync, and HR or API-driven inbound provisioning to Active Directory';
const UNDOCUMENTED =
	'applications whose provisioning guide asks for it (Graph names the key without saying what it means)';

/** Every key of SYNCHRONIZATION_SECRET_KEYS: what its value is and who uses it. */
export const SYNCHRONIZATION_SECRETS: Record<
	SynchronizationSecretKey,
	SynchronizationSecretDescription
> = {
	UserName: {
		kind: 'setting',
		meaning:
			"The user name of the account the provisioning service signs in to the application's API with",
		usedBy:
			'gallery applications with a user-name sign-in (e.g. ServiceNow, Workday, SAP SuccessFactors)',
	},
	Password: {
		kind: 'secret',
		meaning: 'The password of that account',
		usedBy: 'the applications that take UserName',
	},
	SecretToken: {
		kind: 'secret',
		meaning:
			'Secret Token: the bearer token the provisioning service sends to the application on every call',
		usedBy: 'SCIM applications, gallery and non-gallery',
	},
	AppKey: {
		kind: 'secret',
		meaning: 'An API key the application issued for the provisioning service',
		usedBy: 'gallery applications whose API takes an application key',
	},
	BaseAddress: {
		kind: 'url',
		meaning: "Tenant URL: the base URL of the application's SCIM endpoint or API",
		usedBy: 'SCIM applications, and gallery apps whose form asks for a Tenant URL (e.g. Workday)',
	},
	ClientIdentifier: {
		kind: 'setting',
		meaning: 'The client ID the application issued for the provisioning service',
		usedBy: 'gallery applications that sign in with a client ID and secret of their own',
	},
	ClientSecret: {
		kind: 'secret',
		meaning: 'The client secret that goes with ClientIdentifier',
		usedBy: 'the applications that take ClientIdentifier',
	},
	SingleSignOnType: {
		kind: 'setting',
		meaning: 'Which single sign-on type the application is set up with',
		usedBy: UNDOCUMENTED,
	},
	Sandbox: {
		kind: 'setting',
		meaning: '"true" to provision into the application\'s sandbox instead of production',
		usedBy: 'gallery applications with a sandbox (e.g. Salesforce Sandbox)',
	},
	Url: {
		kind: 'url',
		meaning:
			"The URL of the application's instance, for applications whose form names it URL rather than Tenant URL",
		usedBy: 'gallery applications whose form asks for a URL',
	},
	Domain: {
		kind: 'setting',
		meaning: "The application's domain or subdomain of the organization",
		usedBy: 'gallery applications addressed by a domain or subdomain (e.g. Zendesk)',
	},
	ConsumerKey: {
		kind: 'setting',
		meaning: 'The OAuth 1.0 consumer key the application issued',
		usedBy: OAUTH1_APPS,
	},
	ConsumerSecret: {
		kind: 'secret',
		meaning: 'The OAuth 1.0 consumer secret that goes with ConsumerKey',
		usedBy: OAUTH1_APPS,
	},
	TokenKey: {
		kind: 'secret',
		meaning: 'The OAuth 1.0 token the application issued',
		usedBy: OAUTH1_APPS,
	},
	TokenExpiration: {
		kind: 'setting',
		meaning: 'When the saved token expires',
		usedBy:
			'applications with an expiring token; the admin center shows it as the notification date',
	},
	Oauth2AccessToken: {
		kind: 'secret',
		meaning: 'The OAuth 2.0 access token the provisioning service calls the application with',
		usedBy: OAUTH2_APPS,
	},
	Oauth2AccessTokenCreationTime: {
		kind: 'setting',
		meaning: 'When that access token was issued',
		usedBy: OAUTH2_APPS,
	},
	Oauth2RefreshToken: {
		kind: 'secret',
		meaning: 'The OAuth 2.0 refresh token the provisioning service renews the access token with',
		usedBy: OAUTH2_APPS,
	},
	SyncAll: {
		kind: 'setting',
		meaning:
			'Scope: provision all users and groups ("true") or only those assigned to the app ("false")',
		usedBy: ALL_APPS,
	},
	InstanceName: {
		kind: 'setting',
		meaning: "The name of the application's instance",
		usedBy: 'gallery applications with named instances (e.g. ServiceNow)',
	},
	Oauth2ClientId: {
		kind: 'setting',
		meaning:
			'The client ID of the OAuth 2.0 client the application registered for the provisioning service',
		usedBy: OAUTH2_APPS,
	},
	Oauth2ClientSecret: {
		kind: 'secret',
		meaning: 'The client secret that goes with Oauth2ClientId',
		usedBy: OAUTH2_APPS,
	},
	CompanyId: {
		kind: 'setting',
		meaning: "The organization's company ID in the application",
		usedBy: 'SAP SuccessFactors and other gallery apps that ask for a company ID',
	},
	UpdateKeyOnSoftDelete: {
		kind: 'setting',
		meaning:
			'Whether the matching key of an account is changed when the account is soft-deleted ("true"/"false")',
		usedBy: UNDOCUMENTED,
	},
	SynchronizationSchedule: {
		kind: 'setting',
		meaning: 'The schedule the job runs on, as the admin center saves it',
		usedBy: UNDOCUMENTED,
	},
	SystemOfRecord: {
		kind: 'setting',
		meaning: 'Which system is authoritative for the identities',
		usedBy: HR_INBOUND,
	},
	SandboxName: {
		kind: 'setting',
		meaning: 'The name of the sandbox Sandbox points at',
		usedBy: 'gallery applications with named sandboxes',
	},
	EnforceDomain: {
		kind: 'setting',
		meaning: 'Provision only accounts whose domain is Domain ("true"/"false")',
		usedBy: 'the applications that take Domain',
	},
	SyncNotificationSettings: {
		kind: 'setting',
		meaning:
			'Notification e-mail and accidental-deletion threshold, as JSON text: {"Enabled":true,"Recipients":"admin@contoso.com","DeleteThresholdEnabled":true,"DeleteThresholdValue":500}',
		usedBy: ALL_APPS,
	},
	SkipOutOfScopeDeletions: {
		kind: 'setting',
		meaning: 'Do not disable or delete accounts that go out of scope ("true"/"false")',
		usedBy: ALL_APPS,
	},
	Oauth2AuthorizationCode: {
		kind: 'secret',
		meaning:
			"The authorization code of the application's OAuth 2.0 consent, exchanged for the tokens",
		usedBy: OAUTH2_APPS,
	},
	Oauth2RedirectUri: {
		kind: 'url',
		meaning: 'The redirect URI of that OAuth 2.0 consent',
		usedBy: OAUTH2_APPS,
	},
	ApplicationTemplateIdentifier: {
		kind: 'setting',
		meaning: 'The ID of the gallery application template the application was created from',
		usedBy: 'gallery applications',
	},
	Oauth2TokenExchangeUri: {
		kind: 'url',
		meaning: "Token URL: the application's OAuth 2.0 token endpoint",
		usedBy: OAUTH2_APPS,
	},
	Oauth2AuthorizationUri: {
		kind: 'url',
		meaning: "Authorization URL: the application's OAuth 2.0 authorization endpoint",
		usedBy: OAUTH2_APPS,
	},
	AuthenticationType: {
		kind: 'setting',
		meaning:
			'How the provisioning service signs in to the application (e.g. a bearer token or an OAuth 2.0 grant)',
		usedBy: 'non-gallery SCIM applications, and gallery apps that offer more than one sign-in',
	},
	Server: {
		kind: 'setting',
		meaning: 'The host name of the server the provisioning service connects to',
		usedBy: 'applications reached on a server of their own (e.g. LDAP directories)',
	},
	PerformInboundEntitlementGrants: {
		kind: 'setting',
		meaning: 'Whether inbound provisioning also grants the entitlements it reads ("true"/"false")',
		usedBy: HR_INBOUND,
	},
	HardDeletesEnabled: {
		kind: 'setting',
		meaning: 'Delete accounts in the application instead of disabling them ("true"/"false")',
		usedBy: 'applications that support deleting accounts',
	},
	SyncAgentCompatibilityKey: {
		kind: 'setting',
		meaning: 'The compatibility key of the on-premises provisioning agent',
		usedBy: AGENT_APPS,
	},
	SyncAgentADContainer: {
		kind: 'setting',
		meaning: 'The Active Directory container (OU) in which the agent creates accounts',
		usedBy: AGENT_APPS,
	},
	ValidateDomain: {
		kind: 'setting',
		meaning: 'Whether the domain is checked when the connection is tested ("true"/"false")',
		usedBy: UNDOCUMENTED,
	},
	TestReferences: {
		kind: 'setting',
		meaning: 'Whether references (e.g. a manager) are checked when the connection is tested',
		usedBy: UNDOCUMENTED,
	},
	ConnectionString: {
		kind: 'secret',
		meaning: 'The connection string of the target database, which may hold its password',
		usedBy: 'on-premises applications reached through a database connection',
	},
};

/**
 * The keys whose value is a URL: shown as typed in the editor and checked as a URL before sending. Microsoft's
 * "Add synchronization secrets" page (synchronization-serviceprincipal-put-synchronization) puts "user@domain.com"
 * in BaseAddress in its example, against the meaning it gives the key elsewhere (the tenant URL of the SCIM
 * endpoint); the node follows the meaning, so that example's BaseAddress is refused before sending.
 */
export const URL_SECRET_KEYS = SYNCHRONIZATION_SECRET_KEYS.filter(
	(key) => SYNCHRONIZATION_SECRETS[key].kind === 'url',
);

/** One line for the key dropdown and README: what the value is, and who uses it. */
export function secretKeyDescription(key: SynchronizationSecretKey): string {
	const { meaning, usedBy } = SYNCHRONIZATION_SECRETS[key];
	return `${meaning}. Used by: ${usedBy}.`;
}

/*
 * Sizes Graph cannot usefully take, refused before sending. Graph documents no length for a synchronization
 * secret; what it documents is that a write request is limited to 4 MB, and in some cases less ("Use the Microsoft
 * Graph API", learn.microsoft.com/graph/use-the-api). Within that:
 * - a URL is used by the provisioning service as a request target. RFC 9110 section 4.1 recommends that senders
 *   and recipients support URIs of at least 8,000 octets; nothing asks them to take longer ones, so a longer URL
 *   is not an address the service can count on reaching;
 * - every other value is sent by the provisioning service in an HTTP header (SecretToken as "Authorization:
 *   Bearer …") or is a short setting. 16 KB is the default limit of one header line in Microsoft's HTTP.sys
 *   (MaxFieldLength) and of all headers in Node.js (--max-http-header-size), so a longer token cannot reach most
 *   applications.
 * 44 keys at these limits stay under Graph's 4 MB, so no combination of accepted values makes a request Graph
 * refuses for its size.
 */
export const SECRET_VALUE_MAX_BYTES: Record<'url' | 'other', number> = {
	url: 8_000,
	other: 16_384,
};

/** The most bytes (UTF-8) a value of the key may have. */
export function secretValueMaxBytes(key: string): number {
	return isSynchronizationSecretKey(key) && SYNCHRONIZATION_SECRETS[key].kind === 'url'
		? SECRET_VALUE_MAX_BYTES.url
		: SECRET_VALUE_MAX_BYTES.other;
}

/** Host names that reach this machine only: the one place a URL secret may use plain http (a local test app). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * What is wrong with a URL key's value (`problem`, to follow the key's name) and what to do (`fix`), or undefined
 * when it is an address the provisioning service can use. Neither repeats the value: a URL may carry a token.
 */
export function urlSecretProblem(value: string): { problem: string; fix: string } | undefined {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return {
			problem: 'is not a URL',
			fix: 'Enter the whole address, starting with https://, e.g. https://scim.example.com/scim/v2.',
		};
	}
	if (url.protocol === 'https:') return undefined;
	if (url.protocol === 'http:') {
		if (LOOPBACK_HOSTS.has(url.hostname) || /^127\./.test(url.hostname)) return undefined;
		return {
			problem: 'uses http, not https',
			fix: "The provisioning service sends the application's token to this address, so it must be encrypted: enter the https address. Plain http is accepted only for a loopback address such as 127.0.0.1, in a local test setup.",
		};
	}
	return {
		problem: `starts with ${url.protocol}// instead of https://`,
		fix: "Enter the application's https address, e.g. https://scim.example.com/scim/v2.",
	};
}

export function isSynchronizationSecretKey(key: string): key is SynchronizationSecretKey {
	return (SYNCHRONIZATION_SECRET_KEYS as readonly string[]).includes(key);
}

/** The key dropdown's choice for a key typed by hand: one Graph added after this list was written. */
export const CUSTOM_SECRET_KEY = '__custom';

/** Where the target and the secrets of an item come from: the node's parameters, or the item's own fields. */
export const SECRETS_INPUT_MODES = ['parameters', 'itemFields'] as const;

export type SecretsInputMode = (typeof SECRETS_INPUT_MODES)[number];

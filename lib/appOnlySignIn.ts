import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';

import {
	AggregateAuthenticationError,
	AuthenticationError,
	ClientCertificateCredential,
	ClientSecretCredential,
	CredentialUnavailableError,
	ManagedIdentityCredential,
	WorkloadIdentityCredential,
	type AccessToken,
	type TokenCredential,
} from '@azure/identity';

import { ExecutionBaseError } from 'n8n-workflow';

import { CloudConfigurationError, CUSTOM_CLOUD, resolveCloud, type CloudEndpoints } from './clouds';

/** How the app-only credential signs in. The credential's options and the docs are built from this table. */
export const APP_ONLY_METHODS = {
	clientSecret: {
		displayName: 'Client Secret',
		description: 'An app registration and one of its client secrets',
	},
	clientCertificate: {
		displayName: 'Client Certificate',
		description: 'An app registration and a certificate uploaded to it (PEM with its private key)',
	},
	managedIdentity: {
		displayName: 'Managed Identity',
		description:
			'The Azure managed identity of the host n8n runs on (App Service, Container Apps, VM, AKS)',
	},
	workloadIdentity: {
		displayName: 'Workload Identity (Federated Token File)',
		description: 'Kubernetes workload identity: a federated token file exchanged for a Graph token',
	},
} as const;

export type AppOnlyMethod = keyof typeof APP_ONLY_METHODS;

/** Refresh this long before expiry so a workflow never sends a token that dies in flight. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * After a 403 the kept token is dropped and one fresh token fetched (roles granted since it was issued come only
 * with a new one), then no more for this long: a permission that is really missing costs one extra sign-in a
 * minute, not one per item.
 */
export const RENEWAL_AFTER_REFUSAL_INTERVAL_MS = 60 * 1000;

/** Distinct credentials kept warm per process; beyond this the least recently used is dropped. */
const MAX_CACHED_CREDENTIALS = 200;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i;

/** Where a SignInError keeps its own account in its n8n error context (see SignInError). */
const SIGN_IN_CONTEXT = 'entraSignIn';

/**
 * A sign-in failure, phrased for the admin who owns the credential: what went wrong and which field to fix.
 * It never carries secret material: messages are built from our own text and Entra's error codes.
 *
 * It is an n8n error so that its account survives n8n's wrapping: the credential signs in inside n8n's
 * httpRequestWithAuthentication, which wraps every failure in a NodeApiError. n8n 2.x keeps the SignInError as the
 * cause; n8n 1.x drops the cause but copies the context of an n8n error, so the context repeats what it says.
 */
export class SignInError extends ExecutionBaseError {
	/**
	 * The token endpoint's HTTP status, when Entra answered. Not named httpCode: n8n's NodeApiError would take a
	 * wrapped error's httpCode for its own and replace the message with its generic one for that status.
	 */
	readonly entraStatus?: string;

	/** Entra's trace ID of the refused sign-in (its answer's trace_id), what Microsoft support asks for */
	readonly traceId?: string;

	constructor(
		message: string,
		readonly description: string,
		readonly entraCode?: string,
		answer: { entraStatus?: string; traceId?: string } = {},
	) {
		super(message);
		this.name = 'SignInError';
		this.entraStatus = answer.entraStatus;
		this.traceId = answer.traceId;
		this.context = {
			[SIGN_IN_CONTEXT]: {
				message,
				description,
				...(entraCode ? { entraCode } : {}),
				...(answer.entraStatus ? { entraStatus: answer.entraStatus } : {}),
				...(answer.traceId ? { traceId: answer.traceId } : {}),
			},
		};
	}
}

/** The SignInError an n8n error context describes (n8n 1.x's NodeApiError keeps only that), or undefined. */
export function readSignInContext(context: unknown): SignInError | undefined {
	if (typeof context !== 'object' || context === null) return undefined;
	const account = (context as Record<string, unknown>)[SIGN_IN_CONTEXT];
	if (typeof account !== 'object' || account === null) return undefined;
	const { message, description, entraCode, entraStatus, traceId } = account as Record<
		string,
		unknown
	>;
	if (typeof message !== 'string' || typeof description !== 'string') return undefined;
	const optional = (value: unknown) => (typeof value === 'string' ? value : undefined);
	return new SignInError(message, description, optional(entraCode), {
		entraStatus: optional(entraStatus),
		traceId: optional(traceId),
	});
}

export interface AppOnlySettings {
	method: AppOnlyMethod;
	endpoints: CloudEndpoints;
	custom: boolean;
	tenantId?: string;
	clientId?: string;
	clientSecret?: string;
	certificate?: string;
	certificatePassword?: string;
	sendCertificateChain: boolean;
	managedIdentityClientId?: string;
	federatedTokenFile?: string;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

function requireField(value: string, label: string, hint: string): string {
	if (!value) {
		throw new SignInError(`The credential's "${label}" is empty`, hint);
	}
	return value;
}

function checkTenantId(tenantId: string): string {
	requireField(
		tenantId,
		'Directory (Tenant) ID',
		"Copy the Directory (tenant) ID from the app registration's Overview page in the Microsoft Entra admin center.",
	);
	if (!GUID.test(tenantId) && !TENANT_DOMAIN.test(tenantId)) {
		throw new SignInError(
			'The credential\'s "Directory (Tenant) ID" is not a tenant ID',
			"Enter the tenant as a GUID (Directory (tenant) ID on the app registration's Overview page) or as a verified domain such as contoso.onmicrosoft.com.",
		);
	}
	return tenantId;
}

function checkClientId(clientId: string, label = 'Application (Client) ID'): string {
	requireField(
		clientId,
		label,
		"Copy the Application (client) ID from the app registration's Overview page in the Microsoft Entra admin center.",
	);
	if (!GUID.test(clientId)) {
		throw new SignInError(
			`The credential's "${label}" is not a GUID`,
			"The Application (client) ID is a GUID like 00000000-0000-0000-0000-000000000000, shown on the app registration's Overview page. Do not use the app's name or its object ID.",
		);
	}
	return clientId;
}

/**
 * Checks a PEM bundle locally, so an unusable certificate is reported with the field to fix instead of as an
 * opaque sign-in failure.
 */
function checkCertificate(pem: string, password: string | undefined): void {
	requireField(
		pem,
		'Certificate (PEM)',
		'Paste the certificate and its private key in PEM form: a "-----BEGIN CERTIFICATE-----" block followed by a "-----BEGIN PRIVATE KEY-----" (or ENCRYPTED PRIVATE KEY / RSA PRIVATE KEY) block.',
	);
	const certMatch = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
	const keyMatch =
		/-----BEGIN ((?:ENCRYPTED |RSA |EC )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/.exec(pem);
	if (!certMatch || !keyMatch) {
		throw new SignInError(
			`The credential's "Certificate (PEM)" has no ${certMatch ? 'private key' : 'certificate'} block`,
			'The field needs both the certificate ("-----BEGIN CERTIFICATE-----") and its private key ("-----BEGIN PRIVATE KEY-----"). To convert a .pfx: openssl pkcs12 -in cert.pfx -out cert.pem -nodes',
		);
	}
	let certificate: X509Certificate;
	try {
		certificate = new X509Certificate(certMatch[0]);
	} catch {
		throw new SignInError(
			'The credential\'s "Certificate (PEM)" holds a certificate block that cannot be read',
			'Paste the certificate again, including its BEGIN/END lines, without extra characters.',
		);
	}
	let privateKey;
	try {
		privateKey = createPrivateKey({ key: keyMatch[0], passphrase: password || undefined });
	} catch {
		throw new SignInError(
			keyMatch[1].startsWith('ENCRYPTED')
				? 'The credential\'s "Certificate Password" does not open the private key'
				: 'The credential\'s "Certificate (PEM)" holds a private key that cannot be read',
			keyMatch[1].startsWith('ENCRYPTED')
				? 'Enter the password that protects the private key, or paste an unencrypted key.'
				: 'Paste the private key again, including its BEGIN/END lines.',
		);
	}
	if (!certificate.checkPrivateKey(privateKey)) {
		throw new SignInError(
			'The private key in "Certificate (PEM)" does not belong to its certificate',
			'Paste the certificate together with its own private key (they must come from the same .pfx or key pair).',
		);
	}
	const validTo = new Date(certificate.validTo);
	if (validTo.getTime() < Date.now()) {
		throw new SignInError(
			`The certificate in the credential expired on ${validTo.toISOString().slice(0, 10)}`,
			'Create a new certificate, upload its public part to the app registration (Certificates & secrets › Certificates) and paste the new PEM into the credential.',
		);
	}
}

/** Reads and checks the app-only credential's fields. Throws before any network call when one is unusable. */
export function readAppOnlySettings(credentials: Record<string, unknown>): AppOnlySettings {
	let endpoints: CloudEndpoints;
	try {
		endpoints = resolveCloud(credentials);
	} catch (error) {
		if (error instanceof CloudConfigurationError) {
			throw new SignInError(error.message, 'Open the credential and correct the cloud settings.');
		}
		throw error;
	}
	const method = text(credentials.authMethod) || 'clientSecret';
	const settings: AppOnlySettings = {
		method: method as AppOnlyMethod,
		endpoints,
		custom: credentials.cloud === CUSTOM_CLOUD,
		sendCertificateChain: credentials.sendX5c === true,
	};
	switch (method) {
		case 'clientSecret':
			settings.tenantId = checkTenantId(text(credentials.tenantId));
			settings.clientId = checkClientId(text(credentials.clientId));
			settings.clientSecret = requireField(
				text(credentials.clientSecret),
				'Client Secret',
				"Paste the secret's Value (not its Secret ID) from the app registration's Certificates & secrets page.",
			);
			break;
		case 'clientCertificate':
			settings.tenantId = checkTenantId(text(credentials.tenantId));
			settings.clientId = checkClientId(text(credentials.clientId));
			settings.certificate = text(credentials.certificate);
			settings.certificatePassword = text(credentials.certificatePassword) || undefined;
			checkCertificate(settings.certificate, settings.certificatePassword);
			break;
		case 'managedIdentity':
			if (credentials.managedIdentityType === 'userAssigned') {
				settings.managedIdentityClientId = checkClientId(
					text(credentials.managedIdentityClientId),
					'Managed Identity Client ID',
				);
			}
			break;
		case 'workloadIdentity':
			// Empty fields fall back to the AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE variables
			// that the AKS workload identity webhook injects; @azure/identity reads them.
			settings.tenantId = text(credentials.tenantId)
				? checkTenantId(text(credentials.tenantId))
				: undefined;
			settings.clientId = text(credentials.clientId)
				? checkClientId(text(credentials.clientId))
				: undefined;
			settings.federatedTokenFile = text(credentials.federatedAssertionFile) || undefined;
			break;
		default:
			throw new SignInError(
				`The credential names an unknown sign-in method "${method}"`,
				'Open the credential and choose a sign-in method from the list.',
			);
	}
	return settings;
}

function createTokenCredential(settings: AppOnlySettings): TokenCredential {
	const common = {
		authorityHost: settings.endpoints.authorityUrl,
		// Instance discovery asks the public cloud about an authority; a custom authority (a gateway, a sovereign
		// endpoint, the local emulator) must not be looked up there.
		disableInstanceDiscovery: settings.custom,
	};
	switch (settings.method) {
		case 'clientSecret':
			return new ClientSecretCredential(
				settings.tenantId!,
				settings.clientId!,
				settings.clientSecret!,
				common,
			);
		case 'clientCertificate':
			return new ClientCertificateCredential(
				settings.tenantId!,
				settings.clientId!,
				{ certificate: settings.certificate!, certificatePassword: settings.certificatePassword },
				{ ...common, sendCertificateChain: settings.sendCertificateChain },
			);
		case 'managedIdentity':
			return settings.managedIdentityClientId
				? new ManagedIdentityCredential({ clientId: settings.managedIdentityClientId })
				: new ManagedIdentityCredential();
		case 'workloadIdentity':
			return new WorkloadIdentityCredential({
				...common,
				tenantId: settings.tenantId,
				clientId: settings.clientId,
				tokenFilePath: settings.federatedTokenFile,
			});
	}
}

/**
 * One warm token per distinct credential per process. @azure/identity keeps an MSAL cache inside each credential
 * object, but concurrent cold calls would each go to the token endpoint; this adds single-flight fetching and
 * serves a still-valid token if a refresh inside the margin fails.
 */
class TokenProvider {
	private token?: AccessToken;

	/** When the kept token arrived */
	private fetchedAt?: number;

	/** When a token fetched after a refusal arrived (renewAfterRefusal) */
	private renewedAt?: number;

	private pending?: Promise<AccessToken>;

	/** The fetch after a refusal under way, which every refused call of the moment waits for */
	private renewal?: Promise<AccessToken>;

	private credential: TokenCredential;

	constructor(private readonly settings: AppOnlySettings) {
		this.credential = createTokenCredential(settings);
	}

	async getToken(): Promise<string> {
		const now = Date.now();
		if (this.token && this.token.expiresOnTimestamp - now > TOKEN_REFRESH_MARGIN_MS) {
			return this.token.token;
		}
		this.pending ??= this.fetch().finally(() => {
			this.pending = undefined;
		});
		try {
			return (await this.pending).token;
		} catch (error) {
			if (this.token && this.token.expiresOnTimestamp > Date.now() + 30_000)
				return this.token.token;
			throw error;
		}
	}

	/**
	 * Graph refused (403) a call sent at `sentAt` with this credential's token. Drops the kept token and fetches a
	 * fresh one when the call's token may predate a consent: it was fetched before the call was sent, and no token
	 * was fetched after a refusal in the last minute. Calls refused at the same moment share one fetch. True when
	 * the call should go again: a fresh token is there that it did not carry.
	 */
	async renewAfterRefusal(sentAt: number): Promise<boolean> {
		if (!this.renewal) {
			if (this.fetchedAt === undefined) return false;
			// Fetched while the call was under way: for this very call (it carried the newest consent), or after
			// another call's refusal (the call may have carried the token before it).
			if (this.fetchedAt >= sentAt) return this.renewedAt === this.fetchedAt;
			if (
				this.renewedAt !== undefined &&
				Date.now() - this.renewedAt < RENEWAL_AFTER_REFUSAL_INTERVAL_MS
			)
				return false;
			this.renewal = this.fetch()
				.then((token) => {
					this.renewedAt = this.fetchedAt;
					return token;
				})
				.finally(() => {
					this.renewal = undefined;
				});
		}
		try {
			await this.renewal;
			return true;
		} catch {
			return false;
		}
	}

	private async fetch(): Promise<AccessToken> {
		// A refresh starts from a new credential object: its MSAL cache would otherwise hand back the token that
		// is about to expire.
		if (this.token) this.credential = createTokenCredential(this.settings);
		let token: AccessToken | null;
		try {
			token = await this.credential.getToken(this.settings.endpoints.defaultScope);
		} catch (error) {
			throw describeSignInFailure(error, this.settings);
		}
		if (!token) {
			throw new SignInError(
				'Microsoft Entra returned no access token',
				'Try again; if it persists, check the sign-in logs of the app registration in the Microsoft Entra admin center.',
			);
		}
		this.token = token;
		this.fetchedAt = Date.now();
		return token;
	}
}

const providers = new Map<string, TokenProvider>();

/** A fingerprint of every field that changes who signs in; secrets enter only through a one-way hash. */
function settingsKey(settings: AppOnlySettings): string {
	return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}

/** The bearer token for an app-only credential, from the process-wide cache when it is warm. */
export async function getAppOnlyAccessToken(credentials: Record<string, unknown>): Promise<string> {
	const settings = readAppOnlySettings(credentials);
	const key = settingsKey(settings);
	let provider = providers.get(key);
	if (provider) {
		providers.delete(key);
	} else {
		provider = new TokenProvider(settings);
		if (providers.size >= MAX_CACHED_CREDENTIALS) {
			providers.delete(providers.keys().next().value as string);
		}
	}
	providers.set(key, provider);
	return await provider.getToken();
}

/**
 * After Graph refused (403) a call sent at `sentAt` with this app-only credential: fetches one fresh token when the
 * kept one may predate an admin's consent (see TokenProvider.renewAfterRefusal). True when the call should go again.
 */
export async function renewAppOnlyTokenAfterRefusal(
	credentials: Record<string, unknown>,
	sentAt: number,
): Promise<boolean> {
	let settings: AppOnlySettings;
	try {
		settings = readAppOnlySettings(credentials);
	} catch {
		return false;
	}
	return (await providers.get(settingsKey(settings))?.renewAfterRefusal(sentAt)) ?? false;
}

/** Drops every cached token (tests use it to start cold; a credential edit gets a new key anyway). */
export function clearAppOnlyTokenCache(): void {
	providers.clear();
}

interface EntraAdvice {
	message: string;
	description: string;
}

/** What an admin should do for the AADSTS codes a client-credentials sign-in can return. */
const ENTRA_ERROR_ADVICE: Record<string, EntraAdvice> = {
	'7000215': {
		message: 'Microsoft Entra rejected the client secret',
		description:
			'The "Client Secret" field does not hold a valid secret of this app. Paste the secret\'s Value (not its Secret ID) from App registrations › Certificates & secrets, or create a new secret.',
	},
	'7000222': {
		message: 'The client secret has expired',
		description:
			'Create a new client secret under App registrations › Certificates & secrets and paste its Value into the credential.',
	},
	'700016': {
		message: 'Microsoft Entra does not know this Application (Client) ID in the tenant',
		description:
			'Check that "Application (Client) ID" is the app registration\'s client ID (not its object ID) and that "Directory (Tenant) ID" is the tenant where the app is registered, and that the cloud matches.',
	},
	'90002': {
		message: 'Microsoft Entra does not know this tenant',
		description:
			'Check "Directory (Tenant) ID" (a GUID or a verified domain) and that the credential\'s cloud is the one the tenant lives in.',
	},
	'900023': {
		message: 'The tenant ID is not valid',
		description: "Enter the Directory (tenant) ID GUID from the app registration's Overview page.",
	},
	'700027': {
		message: 'Microsoft Entra rejected the certificate',
		description:
			'The certificate is not registered on this app. Upload its public part (.cer/.pem) under App registrations › Certificates & secrets › Certificates, or paste the certificate that is registered.',
	},
	'700024': {
		message: 'Microsoft Entra rejected the sign-in assertion as outside its valid time range',
		description:
			"The certificate or federated token has expired, or the n8n host's clock is wrong. Renew the certificate or token and check the host's time.",
	},
	'70021': {
		message: 'No federated credential on the app matches the workload identity token',
		description:
			'Add a federated credential to the app registration whose issuer and subject match the Kubernetes service account (Certificates & secrets › Federated credentials).',
	},
	'700211': {
		message: "The federated token's issuer is not registered on the app",
		description:
			"Add a federated credential whose issuer is the cluster's OIDC issuer URL to the app registration.",
	},
	'500011': {
		message: 'Microsoft Graph is not available for this tenant in the chosen cloud',
		description:
			"The credential's cloud does not match the tenant (for example a US Government tenant used with Global). Pick the tenant's cloud in the credential.",
	},
	'7000112': {
		message: 'The application is disabled',
		description:
			"Enable the app's service principal (Enterprise applications › Properties › Enabled for users to sign in).",
	},
	'7000229': {
		message: 'The application has no service principal in this tenant',
		description: 'Grant admin consent for the app in this tenant so it gets a service principal.',
	},
};

function entraCodeOf(error: unknown): string | undefined {
	if (error instanceof AuthenticationError) {
		const fromCodes = error.errorResponse?.errorCodes?.[0];
		if (fromCodes !== undefined) return String(fromCodes);
		const fromText = /AADSTS(\d+)/.exec(error.errorResponse?.errorDescription ?? error.message);
		if (fromText) return fromText[1];
	}
	const fromMessage = /AADSTS(\d+)/.exec(error instanceof Error ? error.message : String(error));
	return fromMessage?.[1];
}

/**
 * The token endpoint's status and trace ID, from @azure/identity's AuthenticationError or the MSAL ServerError it
 * keeps as the cause of an AuthenticationRequiredError (its `status`; the trace ID only inside Entra's description).
 */
function entraAnswerOf(error: unknown): { entraStatus?: string; traceId?: string } {
	const answer: { entraStatus?: string; traceId?: string } = {};
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const link = current as Record<string, unknown> & { errorResponse?: { traceId?: unknown } };
		const status = link.statusCode ?? link.status;
		if (!answer.entraStatus && typeof status === 'number') answer.entraStatus = String(status);
		const traceId =
			typeof link.errorResponse?.traceId === 'string'
				? link.errorResponse.traceId
				: /Trace ID: ([0-9a-f-]{36})/i.exec(String(link.message))?.[1];
		if (!answer.traceId && traceId) answer.traceId = traceId;
		current = link.cause;
	}
	return answer;
}

const METHOD_UNAVAILABLE_ADVICE: Record<AppOnlyMethod, string> = {
	clientSecret: "Check that the n8n host can reach the login authority of the credential's cloud.",
	clientCertificate:
		"Check the certificate and that the n8n host can reach the login authority of the credential's cloud.",
	managedIdentity:
		'Managed Identity works only when n8n runs on an Azure host that has a managed identity assigned (App Service, Container Apps, a VM, AKS). Assign one to the host, or use Client Secret or Client Certificate instead. For a user-assigned identity, check its client ID.',
	workloadIdentity:
		'Workload identity needs the federated token file (AZURE_FEDERATED_TOKEN_FILE, or the credential\'s "Federated Token File") and the tenant and client IDs (fields or AZURE_TENANT_ID / AZURE_CLIENT_ID) — check the pod is labelled for workload identity.',
};

/** Turns whatever @azure/identity threw into a SignInError that says which field to fix. */
export function describeSignInFailure(error: unknown, settings: AppOnlySettings): SignInError {
	if (error instanceof SignInError) return error;
	const code = entraCodeOf(error);
	const answer = entraAnswerOf(error);
	if (code && ENTRA_ERROR_ADVICE[code]) {
		const advice = ENTRA_ERROR_ADVICE[code];
		return new SignInError(
			advice.message,
			`${advice.description} (Entra error AADSTS${code})`,
			`AADSTS${code}`,
			answer,
		);
	}
	const method = APP_ONLY_METHODS[settings.method].displayName;
	const detail = error instanceof Error ? error.message : String(error);
	if (/endpoints_resolution_error/.test(detail)) {
		return new SignInError(
			'Microsoft Entra could not find the sign-in endpoints of the tenant',
			`Check "Directory (Tenant) ID" (a GUID or a verified domain) and that the credential's cloud is the tenant's cloud${settings.custom ? ' and its Login Authority URL is right' : ''}; also that the n8n host can reach ${settings.endpoints.authorityUrl}.`,
		);
	}
	if (
		error instanceof CredentialUnavailableError ||
		error instanceof AggregateAuthenticationError
	) {
		return new SignInError(
			`Sign-in with ${method} is not available on this n8n host`,
			METHOD_UNAVAILABLE_ADVICE[settings.method],
		);
	}
	if (code) {
		return new SignInError(
			`Microsoft Entra refused the sign-in (AADSTS${code})`,
			`Look up AADSTS${code} in Microsoft's sign-in error reference, then correct the credential. ${METHOD_UNAVAILABLE_ADVICE[settings.method]}`,
			`AADSTS${code}`,
			answer,
		);
	}
	return new SignInError(
		`Could not sign in to Microsoft Entra with ${method}`,
		`${METHOD_UNAVAILABLE_ADVICE[settings.method]} Login authority: ${settings.endpoints.authorityUrl}.`,
	);
}

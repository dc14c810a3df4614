/**
 * Client authentication at the token endpoint, as Entra ID checks it: a client secret (in the
 * body or HTTP Basic), a certificate-signed client assertion (x5t / x5t#S256, RS256 or PS256,
 * optional x5c), or a federated assertion from a trusted external issuer (workload identity).
 */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import type { ClientApp } from './directory';
import { decodeJwt, DecodedJwt, JwtFormatError, verifyJwtSignature } from './jwt';
import { assertionAudiences, Ctx, entraError } from './login-common';
import type { Reply } from './exchange';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CERT_DOCS =
	'Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .';
const WIF_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';

/** Clock skew tolerated on client assertions, as Entra does. */
const ASSERTION_SKEW_SECONDS = 300;

/** appidacr of the issued token: 0 public client, 1 secret, 2 certificate or assertion. */
export type ClientAuth = { appidacr: '0' | '1' | '2' };

export function parseBasicAuth(header: string): { id: string; secret: string } | undefined {
	const m = /^Basic\s+(.+)$/i.exec(header);
	if (!m) return undefined;
	const decoded = Buffer.from(m[1], 'base64').toString('utf8');
	const i = decoded.indexOf(':');
	if (i < 0) return undefined;
	const form = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
	try {
		return { id: form(decoded.slice(0, i)), secret: form(decoded.slice(i + 1)) };
	} catch {
		return { id: decoded.slice(0, i), secret: decoded.slice(i + 1) };
	}
}

function isPublicClient(client: ClientApp): boolean {
	return (
		!client.secret && client.certificates.length === 0 && client.federatedCredentials.length === 0
	);
}

/** Authenticates the client by secret or assertion; public clients may send neither in user flows. */
export function authenticateClient(
	ctx: Ctx,
	client: ClientApp,
	params: URLSearchParams,
	basicSecret: string | undefined,
	allowPublic: boolean,
): ClientAuth | Reply {
	const assertion = params.get('client_assertion');
	const secret = params.get('client_secret') ?? basicSecret;
	if (assertion !== null) return verifyClientAssertion(ctx, client, params, assertion);
	if (secret !== undefined && secret !== null) {
		if (!client.secret || !safeEqual(secret, client.secret)) {
			return entraError(
				ctx,
				401,
				'invalid_client',
				7000215,
				`Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
			);
		}
		if (client.secretExpiresAt && client.secretExpiresAt.getTime() <= Date.now()) {
			return entraError(
				ctx,
				401,
				'invalid_client',
				7000222,
				`The provided client secret keys for app '${client.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
			);
		}
		return { appidacr: '1' };
	}
	if (allowPublic && isPublicClient(client)) return { appidacr: '0' };
	return entraError(
		ctx,
		401,
		'invalid_client',
		7000218,
		"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
	);
}

export function safeEqual(a: string, b: string): boolean {
	const ha = createHash('sha256').update(a).digest();
	const hb = createHash('sha256').update(b).digest();
	return timingSafeEqual(ha, hb) && a === b;
}

function verifyClientAssertion(
	ctx: Ctx,
	client: ClientApp,
	params: URLSearchParams,
	assertion: string,
): ClientAuth | Reply {
	const type = params.get('client_assertion_type');
	if (type !== JWT_BEARER) {
		return entraError(
			ctx,
			400,
			'invalid_request',
			90014,
			"The required field 'client_assertion_type' is missing from the credential. Ensure that you have all the necessary parameters for the login request.",
		);
	}
	let jwt: DecodedJwt;
	try {
		jwt = decodeJwt(assertion);
	} catch (error) {
		if (!(error instanceof JwtFormatError)) throw error;
		return entraError(ctx, 400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
	}
	const h = jwt.header;
	if (typeof h['x5t#S256'] === 'string' || typeof h.x5t === 'string') {
		return verifyCertificateAssertion(ctx, client, jwt);
	}
	return verifyFederatedAssertion(ctx, client, jwt);
}

function timeRangeError(ctx: Ctx, jwt: DecodedJwt): Reply | undefined {
	const now = Math.floor(Date.now() / 1000);
	const { exp, nbf } = jwt.payload;
	const iso = (s: unknown) =>
		typeof s === 'number'
			? new Date(s * 1000).toISOString().replace(/Z$/, '0000Z')
			: '1970-01-01T00:00:00.0000000Z';
	if (
		typeof exp !== 'number' ||
		exp + ASSERTION_SKEW_SECONDS < now ||
		(typeof nbf === 'number' && nbf - ASSERTION_SKEW_SECONDS > now)
	) {
		return entraError(
			ctx,
			401,
			'invalid_client',
			700024,
			`Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${iso(nbf)}, expiry time of assertion ${iso(exp)}. ${CERT_DOCS}`,
		);
	}
	return undefined;
}

function verifyCertificateAssertion(
	ctx: Ctx,
	client: ClientApp,
	jwt: DecodedJwt,
): ClientAuth | Reply {
	const { iss, sub, aud } = jwt.payload;
	if (iss !== client.clientId || sub !== client.clientId) {
		return entraError(
			ctx,
			401,
			'invalid_client',
			700021,
			`Client assertion application identifier doesn't match 'client_id' parameter. ${CERT_DOCS}`,
		);
	}
	const sha256 = typeof jwt.header['x5t#S256'] === 'string';
	const thumbprint = Buffer.from(
		String(sha256 ? jwt.header['x5t#S256'] : jwt.header.x5t),
		'base64url',
	)
		.toString('hex')
		.toUpperCase();
	const cert = client.certificates.find(
		(c) => (sha256 ? c.thumbprintSha256 : c.thumbprintSha1) === thumbprint,
	);
	const invalidSignature = (reason: string) =>
		entraError(
			ctx,
			401,
			'invalid_client',
			700027,
			`Client assertion contains an invalid signature. [Reason - ${reason}, Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${client.clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${client.clientId}']`,
		);
	if (!cert) return invalidSignature('The key was not found.');
	const now = Date.now();
	if (cert.notAfter.getTime() < now || cert.notBefore.getTime() > now) {
		return invalidSignature(
			`The key used is expired., Found key 'Start=${cert.notBefore.toISOString()}, End=${cert.notAfter.toISOString()}'`,
		);
	}
	const x5c = jwt.header.x5c;
	if (x5c !== undefined) {
		const leaf =
			Array.isArray(x5c) && typeof x5c[0] === 'string' ? safeCertificate(x5c[0]) : undefined;
		const leafThumbprint = leaf
			? createHash(sha256 ? 'sha256' : 'sha1')
					.update(leaf.raw)
					.digest('hex')
					.toUpperCase()
			: '';
		if (leafThumbprint !== thumbprint)
			return invalidSignature('The certificate chain (x5c) does not match the key identifier.');
	}
	if (
		(jwt.header.alg !== 'RS256' && jwt.header.alg !== 'PS256') ||
		!verifyJwtSignature(jwt, cert.publicKey)
	) {
		return invalidSignature(
			'The provided signature value did not match the expected signature value.',
		);
	}
	if (typeof aud !== 'string' || !assertionAudiences(ctx).includes(aud)) {
		return entraError(
			ctx,
			401,
			'invalid_client',
			50012,
			`Client assertion audience claim does not match Realm issuer. ${CERT_DOCS}`,
		);
	}
	return timeRangeError(ctx, jwt) ?? { appidacr: '2' };
}

function safeCertificate(base64Der: string): X509Certificate | undefined {
	try {
		return new X509Certificate(Buffer.from(base64Der, 'base64'));
	} catch {
		return undefined;
	}
}

function verifyFederatedAssertion(
	ctx: Ctx,
	client: ClientApp,
	jwt: DecodedJwt,
): ClientAuth | Reply {
	const iss = String(jwt.payload.iss ?? '');
	const sub = String(jwt.payload.sub ?? '');
	const audClaim = jwt.payload.aud;
	const auds = Array.isArray(audClaim) ? audClaim.map(String) : [String(audClaim ?? '')];
	const noRecord = () =>
		entraError(
			ctx,
			400,
			'invalid_request',
			70021,
			`No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${auds.join(',')}'. ${WIF_DOCS}`,
		);
	if (client.federatedCredentials.length === 0) return noRecord();
	const byIssuer = client.federatedCredentials.filter((f) => f.issuer === iss);
	if (byIssuer.length === 0) {
		return entraError(
			ctx,
			401,
			'invalid_client',
			700211,
			`No matching federated identity record found for presented assertion issuer '${iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WIF_DOCS}`,
		);
	}
	// Entra fetches the issuer's signing keys; the only issuer reachable here is the emulator's own.
	const issuerKey = iss === ctx.env.federatedIssuer.url ? ctx.env.federatedIssuer.key : undefined;
	if (
		!issuerKey ||
		jwt.header.kid !== issuerKey.kid ||
		!verifyJwtSignature(jwt, issuerKey.publicKey)
	) {
		return entraError(
			ctx,
			401,
			'invalid_client',
			700027,
			`Client assertion failed signature validation. ${CERT_DOCS}`,
		);
	}
	const byAudience = byIssuer.filter((f) => auds.includes(f.audience));
	if (byAudience.length === 0) {
		return entraError(
			ctx,
			401,
			'invalid_client',
			700212,
			`No matching federated identity record found for presented assertion audience '${auds.join(',')}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WIF_DOCS}`,
		);
	}
	if (!byAudience.some((f) => f.subject === sub)) return noRecord();
	return timeRangeError(ctx, jwt) ?? { appidacr: '2' };
}

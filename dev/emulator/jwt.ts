/**
 * Compact JWS (JWT) signing and verification with Node's crypto only.
 *
 * The emulator signs the access tokens it issues (RS256, like Entra ID) and verifies the
 * client assertions it receives (RS256 or PS256 from MSAL, RS256 from federated issuers).
 */
import {
	createHash,
	createPublicKey,
	generateKeyPairSync,
	randomUUID,
	sign,
	verify,
	constants,
	KeyObject,
} from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'PS256' | 'ES256';

export type JwtHeader = Record<string, unknown> & { alg?: string; typ?: string; kid?: string };
export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
	header: JwtHeader;
	payload: JwtPayload;
	/** `base64url(header).base64url(payload)`: the bytes the signature covers. */
	signingInput: string;
	signature: Buffer;
}

export class JwtFormatError extends Error {}

export function base64url(input: Buffer | string): string {
	return Buffer.from(input).toString('base64url');
}

export function signJwt(header: JwtHeader, payload: JwtPayload, privateKey: KeyObject): string {
	const alg = header.alg as JwtAlgorithm;
	const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
	const signature = sign('sha256', Buffer.from(signingInput), signOptions(alg, privateKey));
	return `${signingInput}.${base64url(signature)}`;
}

/** Splits and parses a compact JWT without checking its signature. Throws JwtFormatError. */
export function decodeJwt(token: string): DecodedJwt {
	const parts = token.split('.');
	if (parts.length !== 3) {
		throw new JwtFormatError(`expected 3 dot-separated parts, got ${parts.length}`);
	}
	const [h, p, s] = parts;
	const header = parseJsonPart(h, 'header');
	const payload = parseJsonPart(p, 'payload');
	if (!/^[A-Za-z0-9_-]*$/.test(s)) {
		throw new JwtFormatError('signature is not base64url');
	}
	return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/** True when the signature verifies with the given public key under the header's alg. */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
	const alg = jwt.header.alg;
	if (alg !== 'RS256' && alg !== 'PS256' && alg !== 'ES256') {
		return false;
	}
	if ((alg === 'ES256') !== (publicKey.asymmetricKeyType === 'ec')) {
		return false;
	}
	try {
		return verify(
			'sha256',
			Buffer.from(jwt.signingInput),
			verifyOptions(alg, publicKey),
			jwt.signature,
		);
	} catch {
		return false;
	}
}

/** An RSA key pair with a key id, published in a JWKS. */
export class SigningKey {
	readonly kid: string;
	readonly privateKey: KeyObject;
	readonly publicKey: KeyObject;

	constructor() {
		const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
		this.privateKey = pair.privateKey;
		this.publicKey = pair.publicKey;
		// Entra's kid looks like a base64url SHA-1 thumbprint; any stable opaque string works.
		this.kid = base64url(createHash('sha1').update(randomUUID()).digest());
	}

	sign(payload: JwtPayload, extraHeader: JwtHeader = {}): string {
		return signJwt(
			{ typ: 'JWT', alg: 'RS256', kid: this.kid, ...extraHeader },
			payload,
			this.privateKey,
		);
	}

	jwk(): Record<string, unknown> {
		const jwk = createPublicKey(this.publicKey).export({ format: 'jwk' });
		return { kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e };
	}
}

function parseJsonPart(part: string, name: string): Record<string, unknown> {
	if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) {
		throw new JwtFormatError(`${name} is not base64url`);
	}
	let value: unknown;
	try {
		value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
	} catch {
		throw new JwtFormatError(`${name} is not JSON`);
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new JwtFormatError(`${name} is not a JSON object`);
	}
	return value as Record<string, unknown>;
}

function signOptions(alg: JwtAlgorithm, key: KeyObject) {
	switch (alg) {
		case 'RS256':
			return { key };
		case 'PS256':
			return {
				key,
				padding: constants.RSA_PKCS1_PSS_PADDING,
				saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
			};
		case 'ES256':
			return { key, dsaEncoding: 'ieee-p1363' as const };
		default:
			throw new Error(`unsupported alg ${String(alg)}`);
	}
}

function verifyOptions(alg: JwtAlgorithm, key: KeyObject) {
	if (alg === 'PS256') {
		// jsonwebtoken (used by MSAL) signs PS256 with salt = digest length; accept any salt length as RFC 7518 verifiers do.
		return {
			key,
			padding: constants.RSA_PKCS1_PSS_PADDING,
			saltLength: constants.RSA_PSS_SALTLEN_AUTO,
		};
	}
	return signOptions(alg, key);
}

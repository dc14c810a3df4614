/**
 * Certificates generated in memory at start: a test CA, the TLS server certificate of both
 * HTTPS listeners, and client certificates for certificate sign-in tests.
 */
// @peculiar/x509 resolves its internals through tsyringe, which needs a Reflect polyfill.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, webcrypto, X509Certificate } from 'node:crypto';

const subtle = webcrypto.subtle;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const RSA_2048 = {
	name: 'RSASSA-PKCS1-v1_5',
	modulusLength: 2048,
	publicExponent: new Uint8Array([1, 0, 1]),
	hash: 'SHA-256',
};
const DAY_MS = 24 * 3600 * 1000;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = webcrypto.CryptoKeyPair;

export interface TlsMaterial {
	caCertPem: string;
	serverCertPem: string;
	serverKeyPem: string;
}

/** A test CA (EC P-256, 10 years) and a server certificate for localhost, 127.0.0.1 and ::1 signed by it. */
export async function createTlsMaterial(): Promise<TlsMaterial> {
	const now = Date.now();
	const caKeys = (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as KeyPair;
	const caName = 'CN=Entra Provisioning Emulator Test CA, O=n8n-nodes-entra-provisioning tests';
	const ca = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: randomSerial(),
		name: caName,
		notBefore: new Date(now - DAY_MS),
		notAfter: new Date(now + 3650 * DAY_MS),
		signingAlgorithm: EC_P256,
		keys: caKeys,
		extensions: [
			new x509.BasicConstraintsExtension(true, 0, true),
			new x509.KeyUsagesExtension(
				x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
				true,
			),
			await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
		],
	});

	const serverKeys = (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as KeyPair;
	const server = await x509.X509CertificateGenerator.create({
		serialNumber: randomSerial(),
		subject: 'CN=localhost',
		issuer: ca.subject,
		notBefore: new Date(now - DAY_MS),
		notAfter: new Date(now + 365 * DAY_MS),
		signingAlgorithm: EC_P256,
		publicKey: serverKeys.publicKey,
		signingKey: caKeys.privateKey,
		extensions: [
			new x509.BasicConstraintsExtension(false, undefined, true),
			new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
			new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
			new x509.SubjectAlternativeNameExtension([
				{ type: 'dns', value: 'localhost' },
				{ type: 'ip', value: '127.0.0.1' },
				{ type: 'ip', value: '::1' },
			]),
			await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
			await x509.AuthorityKeyIdentifierExtension.create(ca),
		],
	});

	return {
		caCertPem: ca.toString('pem'),
		serverCertPem: server.toString('pem'),
		serverKeyPem: await privateKeyPem(serverKeys.privateKey),
	};
}

export interface ClientCertificateOptions {
	commonName?: string;
	notBefore?: Date;
	notAfter?: Date;
}

export interface GeneratedCertificate {
	certificatePem: string;
	privateKeyPem: string;
	/** Certificate followed by the private key: the PEM form ClientCertificateCredential reads. */
	pem: string;
	/** Upper-case hex SHA-1 of the DER certificate (Entra's "thumbprint"). */
	thumbprintSha1: string;
	thumbprintSha256: string;
	notBefore: Date;
	notAfter: Date;
}

/** A self-signed RSA 2048 certificate, as `New-SelfSignedCertificate` or openssl would make for app sign-in. */
export async function createClientCertificate(
	options: ClientCertificateOptions = {},
): Promise<GeneratedCertificate> {
	const now = Date.now();
	const notBefore = options.notBefore ?? new Date(now - 3600 * 1000);
	const notAfter = options.notAfter ?? new Date(now + 365 * DAY_MS);
	const keys = (await subtle.generateKey(RSA_2048, true, ['sign', 'verify'])) as KeyPair;
	const cert = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: randomSerial(),
		name: `CN=${options.commonName ?? 'n8n Entra provisioning test client'}`,
		notBefore,
		notAfter,
		signingAlgorithm: RSA_2048,
		keys,
		extensions: [
			new x509.BasicConstraintsExtension(false, undefined, true),
			new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
			new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
		],
	});
	const certificatePem = cert.toString('pem');
	const keyPem = await privateKeyPem(keys.privateKey);
	const thumbprints = certificateThumbprints(certificatePem);
	return {
		certificatePem,
		privateKeyPem: keyPem,
		pem: `${certificatePem.trim()}\n${keyPem.trim()}\n`,
		thumbprintSha1: thumbprints.sha1,
		thumbprintSha256: thumbprints.sha256,
		notBefore,
		notAfter,
	};
}

/** Upper-case hex SHA-1 and SHA-256 digests of a PEM certificate's DER bytes. */
export function certificateThumbprints(certificatePem: string): { sha1: string; sha256: string } {
	const der = new X509Certificate(certificatePem).raw;
	return {
		sha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
		sha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
	};
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
	const der = Buffer.from(await subtle.exportKey('pkcs8', key));
	const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
	return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function randomSerial(): string {
	// Positive 16-byte serial (leading nibble kept below 8 so DER needs no sign byte).
	const bytes = webcrypto.getRandomValues(new Uint8Array(16));
	bytes[0] &= 0x7f;
	bytes[0] |= 0x10;
	return Buffer.from(bytes).toString('hex');
}

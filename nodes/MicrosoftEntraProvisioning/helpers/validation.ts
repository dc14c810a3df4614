import type { IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_RETRY_LIMIT, DEFAULT_TIMEOUT_MS, MAX_RETRY_LIMIT } from '../descriptions/requestOptions';
import { CUSTOM_SECRET_KEY } from '../descriptions/secrets';
import { GUID_PATTERN, TARGET_TYPES, type TargetType } from '../descriptions/target';
import type { RequestSettings } from '../transport';
import { API_VERSIONS, type ApiVersion } from '../transport/apiVersions';
import { itemParameter } from './parameters';
import { SYNCHRONIZATION_SECRET_KEYS, isSynchronizationSecretKey } from './synchronizationSecrets';

const GUID = new RegExp(GUID_PATTERN);
const SECRET_KEY_SHAPE = /^[A-Za-z][A-Za-z0-9]{0,127}$/;

export interface TargetReference {
	type: TargetType;
	/** How the admin named it: an object ID (list or by ID) or an app ID to look up */
	by: 'objectId' | 'appId';
	id: string;
}

export interface SecretPair {
	key: string;
	value: string;
}

function fail(ctx: IExecuteFunctions, itemIndex: number, message: string, description: string): never {
	throw new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
}

export function readRequestSettings(ctx: IExecuteFunctions, itemIndex: number, idempotent: boolean): RequestSettings {
	const options = itemParameter(ctx, 'options', itemIndex, {}) as {
		apiVersion?: unknown;
		timeout?: unknown;
		retryLimit?: unknown;
	};
	const apiVersion = (options.apiVersion ?? 'v1.0') as ApiVersion;
	if (!API_VERSIONS.includes(apiVersion)) {
		fail(ctx, itemIndex, `"${String(options.apiVersion)}" is not a Graph API version`, `Choose one of: ${API_VERSIONS.join(', ')}.`);
	}
	const timeoutMs = Number(options.timeout ?? DEFAULT_TIMEOUT_MS);
	if (!Number.isFinite(timeoutMs) || timeoutMs < 1000) {
		fail(ctx, itemIndex, 'The Timeout option must be at least 1000 ms', 'Set Options › Timeout to a number of milliseconds, e.g. 30000.');
	}
	const retryLimit = Number(options.retryLimit ?? DEFAULT_RETRY_LIMIT);
	if (!Number.isInteger(retryLimit) || retryLimit < 0 || retryLimit > MAX_RETRY_LIMIT) {
		fail(ctx, itemIndex, `The Retry Limit option must be a whole number from 0 to ${MAX_RETRY_LIMIT}`, 'Set Options › Retry Limit, e.g. 3.');
	}
	return { apiVersion, timeoutMs, retryLimit, idempotent };
}

export interface InputProblem {
	message: string;
	description: string;
}

/**
 * Checks a Target-style resource locator: its value must be a GUID, an object ID or (mode "By App ID") an app ID.
 * `name` is how the parameter is shown: "Target", or the fixed type where the operation has no Target Type.
 */
export function checkTargetLocator(locator: unknown, type: TargetType, name = 'Target'): TargetReference | InputProblem {
	const isLocator = typeof locator === 'object' && locator !== null;
	const mode = isLocator ? (locator as INodeParameterResourceLocator).mode : 'id';
	const raw = isLocator ? (locator as INodeParameterResourceLocator).value : locator;
	const label = TARGET_TYPES[type].displayName.toLowerCase();
	if (raw === undefined || raw === null || String(raw).trim() === '') {
		return {
			message: name === 'Target' ? `No ${label} is selected as Target` : `No ${label} is selected`,
			description: `Pick the ${name === 'Target' ? 'target' : label} from the list, or enter its Object ID or App ID. If an expression supplies it, check that it yields a GUID for this item.`,
		};
	}
	const id = String(raw).trim();
	const by = mode === 'appId' ? 'appId' : 'objectId';
	if (!GUID.test(id)) {
		return {
			message: `The ${name} ${by === 'appId' ? 'app ID' : 'object ID'} is not a GUID`,
			description: `Graph identifies a ${label} by a GUID like 00000000-0000-0000-0000-000000000000. Copy it from the ${label}'s Overview page in the Microsoft Entra admin center.`,
		};
	}
	return { type, by, id: id.toLowerCase() };
}

/** The item's Target; `fixedType` for operations that always act on one type (and show no Target Type). */
export function readTarget(ctx: IExecuteFunctions, itemIndex: number, fixedType?: TargetType): TargetReference {
	const type = fixedType ?? (itemParameter(ctx, 'targetType', itemIndex) as TargetType);
	if (!Object.prototype.hasOwnProperty.call(TARGET_TYPES, type)) {
		fail(ctx, itemIndex, `"${String(type)}" is not a target type`, 'Choose Application or Service Principal as Target Type.');
	}
	const checked = checkTargetLocator(
		itemParameter(ctx, 'target', itemIndex),
		type,
		fixedType ? TARGET_TYPES[fixedType].displayName : 'Target',
	);
	if ('message' in checked) fail(ctx, itemIndex, checked.message, checked.description);
	return checked;
}

function secretValueText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return String(value);
	return undefined;
}

/** The secrets collection, checked: known or well-formed keys, no duplicates, a text value for each. */
export function readSecrets(ctx: IExecuteFunctions, itemIndex: number): SecretPair[] {
	const entries = itemParameter(ctx, 'secrets.secret', itemIndex, []) as Array<{
		key?: unknown;
		customKey?: unknown;
		value?: unknown;
	}>;
	if (!Array.isArray(entries) || entries.length === 0) {
		fail(
			ctx,
			itemIndex,
			'Add at least one secret',
			'Under Secrets, add the key/value pairs the application needs — usually BaseAddress (its SCIM endpoint URL) and SecretToken.',
		);
	}
	const seen = new Set<string>();
	return entries.map((entry, position) => {
		const rawKey = entry.key === CUSTOM_SECRET_KEY ? entry.customKey : entry.key;
		const key = typeof rawKey === 'string' ? rawKey.trim() : '';
		const where = `Secret ${position + 1}`;
		if (!SECRET_KEY_SHAPE.test(key)) {
			fail(
				ctx,
				itemIndex,
				`${where} has ${key ? 'an invalid' : 'no'} key`,
				'A key is one word of letters and digits in PascalCase, e.g. SecretToken. Pick it from the list, or type it under Custom Key.',
			);
		}
		if (!isSynchronizationSecretKey(key)) {
			const sameWord = SYNCHRONIZATION_SECRET_KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
			if (sameWord) {
				fail(ctx, itemIndex, `${where}: Graph spells the key "${sameWord}", not "${key}"`, 'Pick the key from the list; Graph compares keys exactly.');
			}
			if (entry.key !== CUSTOM_SECRET_KEY) {
				fail(ctx, itemIndex, `${where}: "${key}" is not a Graph secret key`, 'Pick the key from the list, or choose Custom Key for one that Graph added recently.');
			}
		}
		if (seen.has(key.toLowerCase())) {
			fail(ctx, itemIndex, `The secret key "${key}" is given twice`, 'Give each key once; Graph keeps one value per key.');
		}
		seen.add(key.toLowerCase());
		const value = secretValueText(entry.value);
		if (value === undefined || value === '') {
			fail(
				ctx,
				itemIndex,
				`The secret "${key}" has no usable value`,
				value === ''
					? 'Enter a value, or remove the pair.'
					: 'The value must be text (a number or true/false is sent as text). If an expression supplies it, make it yield text for this item.',
			);
		}
		return { key, value };
	});
}

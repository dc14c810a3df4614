import type {
	IDataObject,
	IExecuteFunctions,
	INodeParameterResourceLocator,
	ResourceMapperField,
} from 'n8n-workflow';
import { isResourceMapperValue, NodeOperationError, validateFieldType } from 'n8n-workflow';

import {
	GUID_PATTERN,
	TARGET_TYPES,
	isSynchronizationId,
	type TargetType,
} from '../../../lib/graphIdentifiers';
import {
	CUSTOM_SECRET_KEY,
	SECRETS_INPUT_MODES,
	SYNCHRONIZATION_SECRET_KEYS,
	SYNCHRONIZATION_SECRETS,
	isSynchronizationSecretKey,
	secretValueMaxBytes,
	urlSecretProblem,
	type SecretsInputMode,
} from '../../../lib/synchronizationSecrets';
import type { RequestSettings } from '../transport';
import { API_VERSIONS, type ApiVersion } from '../transport/apiVersions';
import {
	DEFAULT_RETRY_LIMIT,
	DEFAULT_TIMEOUT_MS,
	MAX_RETRY_LIMIT,
} from '../transport/requestLimits';

import { evaluateTogether, type SettleValue } from './itemExpressions';

/*
 * The one module that reads an item's parameters and checks them before any request: each reader returns a value
 * the operations can use as it is, or throws the NodeOperationError that tells the admin what to change.
 */

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

/** Values of parameters without an expression, per execution: the same for every item. */
const fixedValues = new WeakMap<IExecuteFunctions, Map<string, unknown>>();

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (typeof value === 'object' && value !== null)
		return Object.values(value).some(holdsExpression);
	return false;
}

function fixedValue(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback: unknown,
): unknown {
	let values = fixedValues.get(ctx);
	if (!values) {
		values = new Map();
		fixedValues.set(ctx, values);
	}
	if (!values.has(name)) values.set(name, ctx.getNodeParameter(name, itemIndex, fallback));
	return values.get(name);
}

/**
 * How n8n checks the values of a resource mapper (`<parameter>.value`) against the field list the editor saved
 * with them (n8n-core's validateValueAgainstSchema): each value of a field with a type through validateFieldType,
 * the first field of an ID counting. Not strictly and without parsing text, as for a resource mapper that shows no
 * type conversion options, as this node's do. Undefined for any other parameter.
 */
function resourceMapperCheck(ctx: IExecuteFunctions, name: string): SettleValue | undefined {
	// n8n's getNode() copies the node, parameters and all: once per execution, not per item
	let checks = resourceMapperChecks.get(ctx);
	if (!checks) {
		checks = new Map();
		resourceMapperChecks.set(ctx, checks);
	}
	if (!checks.has(name)) checks.set(name, newResourceMapperCheck(ctx, name));
	return checks.get(name);
}

/** Per execution, per parameter: its resource mapper check, or undefined when it is no resource mapper's values */
const resourceMapperChecks = new WeakMap<IExecuteFunctions, Map<string, SettleValue | undefined>>();

function newResourceMapperCheck(ctx: IExecuteFunctions, name: string): SettleValue | undefined {
	const [parameter, part, ...deeper] = name.split('.');
	if (part !== 'value' || deeper.length > 0) return undefined;
	const stored = ctx.getNode().parameters[parameter];
	if (!isResourceMapperValue(stored)) return undefined;
	const fields = new Map<string, ResourceMapperField>();
	for (const field of stored.schema ?? []) if (!fields.has(field.id)) fields.set(field.id, field);
	return (value) => {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
		const checked: IDataObject = {};
		for (const [key, entry] of Object.entries(value as IDataObject)) {
			const field = fields.get(key);
			if (!field?.type) {
				checked[key] = entry;
				continue;
			}
			const result = validateFieldType(key, entry, field.type, {
				valueOptions: field.options,
				strict: false,
				parseStrings: false,
			});
			if (!result.valid) return undefined;
			checked[key] = result.newValue as IDataObject[string];
		}
		return { value: checked };
	};
}

/**
 * An item's parameter value, as getNodeParameter gives it. n8n evaluates and validates a parameter afresh for every
 * item; one that holds no expression comes out the same for all of them, so it is read once per execution. The
 * value is shared between items: read it, never change it. A resource mapper's values with expressions (Map Each
 * Attribute, usually one `{{ $json.column }}` per attribute) are read together (helpers/itemExpressions.ts) and
 * checked as n8n checks them.
 */
export function itemParameter(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback?: unknown,
): unknown {
	const raw: unknown = ctx.getNodeParameter(name, itemIndex, fallback, { rawExpressions: true });
	if (!holdsExpression(raw)) return fixedValue(ctx, name, itemIndex, fallback);
	const check = resourceMapperCheck(ctx, name);
	if (!check) return ctx.getNodeParameter(name, itemIndex, fallback);
	return evaluateTogether(ctx, itemIndex, [name], [raw], check)[0];
}

export interface ParameterRequest {
	name: string;
	/** Given when the parameter may be absent (hidden by its display options) */
	fallback?: unknown;
}

/**
 * Parameters an operation reads together for each item, as itemParameter gives them, with all their expressions
 * evaluated in one go (helpers/itemExpressions.ts): the cost of an item is mostly n8n's cost per evaluation. Only
 * for parameters n8n checks no type of (no validateType, no resource mapper), whose values it passes on as they
 * evaluate.
 */
export function itemParameters(
	ctx: IExecuteFunctions,
	itemIndex: number,
	requests: readonly ParameterRequest[],
): unknown[] {
	const values: unknown[] = new Array(requests.length);
	const evaluated: number[] = [];
	const raws: unknown[] = [];
	requests.forEach(({ name, fallback }, position) => {
		const raw: unknown = ctx.getNodeParameter(name, itemIndex, fallback, { rawExpressions: true });
		if (holdsExpression(raw)) {
			evaluated.push(position);
			raws.push(raw);
		} else {
			values[position] = fixedValue(ctx, name, itemIndex, fallback);
		}
	});
	if (evaluated.length > 0) {
		const names = evaluated.map((position) => requests[position].name);
		evaluateTogether(ctx, itemIndex, names, raws).forEach((value, at) => {
			values[evaluated[at]] = value;
		});
	}
	return values;
}

/** Fails the item with what is wrong and what to do; with Continue On Fail it becomes the item's error item. */
export function invalidInput(
	ctx: IExecuteFunctions,
	itemIndex: number,
	message: string,
	description: string,
): never {
	throw new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
}

export function readRequestSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
	idempotent: boolean,
): RequestSettings {
	const options = itemParameter(ctx, 'options', itemIndex, {}) as {
		apiVersion?: unknown;
		timeout?: unknown;
		retryLimit?: unknown;
	};
	const apiVersion = (options.apiVersion ?? 'v1.0') as ApiVersion;
	if (!API_VERSIONS.includes(apiVersion)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${String(options.apiVersion)}" is not a Graph API version`,
			`Choose one of: ${API_VERSIONS.join(', ')}.`,
		);
	}
	const timeoutMs = Number(options.timeout ?? DEFAULT_TIMEOUT_MS);
	if (!Number.isFinite(timeoutMs) || timeoutMs < 1000) {
		invalidInput(
			ctx,
			itemIndex,
			'The Timeout option must be at least 1000 ms',
			'Set Options › Timeout to a number of milliseconds, e.g. 30000.',
		);
	}
	const retryLimit = Number(options.retryLimit ?? DEFAULT_RETRY_LIMIT);
	if (!Number.isInteger(retryLimit) || retryLimit < 0 || retryLimit > MAX_RETRY_LIMIT) {
		invalidInput(
			ctx,
			itemIndex,
			`The Retry Limit option must be a whole number from 0 to ${MAX_RETRY_LIMIT}`,
			'Set Options › Retry Limit, e.g. 3.',
		);
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
export function checkTargetLocator(
	locator: unknown,
	type: TargetType,
	name = 'Target',
): TargetReference | InputProblem {
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

const TARGET_TYPE: ParameterRequest = { name: 'targetType' };
const TARGET: ParameterRequest = { name: 'target' };
const SECRETS: ParameterRequest = { name: 'secrets.secret', fallback: [] };

function checkedTargetType(ctx: IExecuteFunctions, itemIndex: number, type: unknown): TargetType {
	if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(TARGET_TYPES, type)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${String(type)}" is not a target type`,
			'Choose Application or Service Principal as Target Type.',
		);
	}
	return type as TargetType;
}

function readTargetType(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fixedType?: TargetType,
): TargetType {
	return (
		fixedType ?? checkedTargetType(ctx, itemIndex, itemParameter(ctx, 'targetType', itemIndex))
	);
}

function checkedTarget(
	ctx: IExecuteFunctions,
	itemIndex: number,
	type: TargetType,
	locator: unknown,
	fixedType?: TargetType,
): TargetReference {
	const checked = checkTargetLocator(
		locator,
		type,
		fixedType ? TARGET_TYPES[fixedType].displayName : 'Target',
	);
	if ('message' in checked) invalidInput(ctx, itemIndex, checked.message, checked.description);
	return checked;
}

/** The item's Target; `fixedType` for operations that always act on one type (and show no Target Type). */
export function readTarget(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fixedType?: TargetType,
): TargetReference {
	const type = readTargetType(ctx, itemIndex, fixedType);
	return checkedTarget(ctx, itemIndex, type, itemParameter(ctx, 'target', itemIndex), fixedType);
}

function secretValueText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return String(value);
	return undefined;
}

function isUrlKey(key: string): boolean {
	return isSynchronizationSecretKey(key) && SYNCHRONIZATION_SECRETS[key].kind === 'url';
}

/**
 * A secret's value checked against what Graph and the application can take: a URL key must hold an https URL
 * (lib/synchronizationSecrets.ts says why), and no value may be longer than its key's limit. `label` names the
 * secret the way the admin entered it; the message never repeats the value.
 */
function checkSecretValue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	key: string,
	value: string,
	label: string,
): void {
	const limit = secretValueMaxBytes(key);
	const size = Buffer.byteLength(value, 'utf8');
	if (size > limit) {
		invalidInput(
			ctx,
			itemIndex,
			`${label} is too long: ${size.toLocaleString('en-US')} bytes, at most ${limit.toLocaleString('en-US')} fit`,
			isUrlKey(key)
				? 'A URL this long is no address an application can be reached at. Check that the field or expression gives the Tenant URL alone, e.g. https://scim.example.com/scim/v2.'
				: 'The provisioning service sends such values in an HTTP header, which applications refuse at this size. Check that the field or expression gives the token alone, not a whole file or response.',
		);
	}
	if (isUrlKey(key)) {
		const url = urlSecretProblem(value);
		if (url !== undefined) invalidInput(ctx, itemIndex, `${label} ${url.problem}`, url.fix);
	}
}

/** The secrets collection, checked: known or well-formed keys, no duplicates, a text value for each. */
export function readSecrets(ctx: IExecuteFunctions, itemIndex: number): SecretPair[] {
	return checkedSecrets(ctx, itemIndex, itemParameters(ctx, itemIndex, [SECRETS])[0]);
}

function checkedSecrets(ctx: IExecuteFunctions, itemIndex: number, value: unknown): SecretPair[] {
	const entries = value as Array<{
		key?: unknown;
		customKey?: unknown;
		url?: unknown;
		value?: unknown;
	}>;
	if (!Array.isArray(entries) || entries.length === 0) {
		invalidInput(
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
			invalidInput(
				ctx,
				itemIndex,
				`${where} has ${key ? 'an invalid' : 'no'} key`,
				'A key is one word of letters and digits in PascalCase, e.g. SecretToken. Pick it from the list, or type it under Custom Key.',
			);
		}
		if (!isSynchronizationSecretKey(key)) {
			const sameWord = SYNCHRONIZATION_SECRET_KEYS.find(
				(known) => known.toLowerCase() === key.toLowerCase(),
			);
			if (sameWord) {
				invalidInput(
					ctx,
					itemIndex,
					`${where}: Graph spells the key "${sameWord}", not "${key}"`,
					'Pick the key from the list; Graph compares keys exactly.',
				);
			}
			if (entry.key !== CUSTOM_SECRET_KEY) {
				invalidInput(
					ctx,
					itemIndex,
					`${where}: "${key}" is not a Graph secret key`,
					'Pick the key from the list, or choose Custom Key for one that Graph added recently.',
				);
			}
		}
		if (seen.has(key.toLowerCase())) {
			invalidInput(
				ctx,
				itemIndex,
				`The secret key "${key}" is given twice`,
				'Give each key once; Graph keeps one value per key.',
			);
		}
		seen.add(key.toLowerCase());
		const value = secretValueText(chosenValue(ctx, itemIndex, key, entry));
		if (value === undefined || value === '') {
			invalidInput(
				ctx,
				itemIndex,
				`The secret "${key}" has no usable value`,
				value === ''
					? `Enter ${isUrlKey(key) ? 'the address under URL' : 'a value'}, or remove the pair.`
					: 'The value must be text (a number or true/false is sent as text). If an expression supplies it, make it yield text for this item.',
			);
		}
		checkSecretValue(ctx, itemIndex, key, value, `The secret "${key}"`);
		return { key, value };
	});
}

/**
 * A pair's value: for a URL key the URL field, or the Value field of a workflow saved before there was a URL field;
 * given in both, the admin must say which.
 */
function chosenValue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	key: string,
	entry: { url?: unknown; value?: unknown },
): unknown {
	const given = (field: unknown) => field !== undefined && field !== null && field !== '';
	if (!isUrlKey(key) || !given(entry.url)) return entry.value;
	if (given(entry.value)) {
		invalidInput(
			ctx,
			itemIndex,
			`The secret "${key}" has both a URL and a Value`,
			'Enter the address under URL and leave Value empty.',
		);
	}
	return entry.url;
}

/** Secret keys by their lower-case spelling, to tell a field that misspells a key's case from an unrelated one. */
const SECRET_KEY_BY_LOWER_CASE = new Map<string, string>(
	SYNCHRONIZATION_SECRET_KEYS.map((key) => [key.toLowerCase(), key]),
);

/** At most this many field names are listed in an error about an item's fields. */
const LISTED_FIELDS = 12;

function fieldList(json: object): string {
	const names = Object.keys(json);
	if (names.length === 0) return 'The item has no fields.';
	const shown = names.slice(0, LISTED_FIELDS).map((name) => `"${name}"`);
	return `The item's fields: ${shown.join(', ')}${names.length > LISTED_FIELDS ? `, and ${names.length - LISTED_FIELDS} more` : ''}.`;
}

/**
 * The target and secrets of an item from its own JSON (Input: Item Fields): the object ID from the field named in
 * Target ID Field, and a secret for every field named exactly like a Graph secret key, in the item's field order.
 * Empty fields (null or "") are left out, as a sheet's empty cell; other fields are ignored. A field that differs
 * from a key only in letter case fails, since Graph would not recognise it. Messages name the item and the field,
 * never a value.
 */
function readItemFields(
	ctx: IExecuteFunctions,
	itemIndex: number,
	type: TargetType,
): { target: TargetReference; secrets: SecretPair[] } {
	const fieldParameter = itemParameter(ctx, 'targetIdField', itemIndex, '');
	const targetField = typeof fieldParameter === 'string' ? fieldParameter.trim() : '';
	const label = TARGET_TYPES[type].displayName.toLowerCase();
	if (targetField === '') {
		invalidInput(
			ctx,
			itemIndex,
			'No target ID field is named',
			`Enter the name of the item field that holds the ${label}'s object ID, e.g. targetId.`,
		);
	}
	const json: Record<string, unknown> = ctx.getInputData()[itemIndex]?.json ?? {};
	const where = `item ${itemIndex}`;
	const rawId = json[targetField];
	if (rawId === undefined || rawId === null || String(rawId).trim() === '') {
		invalidInput(
			ctx,
			itemIndex,
			`Item ${itemIndex} has no value in the field "${targetField}"`,
			`With Input set to Item Fields the node reads the ${label}'s object ID from that field. Set the field in an earlier node (e.g. Edit Fields), or name the field that holds it. ${fieldList(json)}`,
		);
	}
	const id = String(rawId).trim();
	if (typeof rawId !== 'string' || !GUID.test(id)) {
		invalidInput(
			ctx,
			itemIndex,
			`The field "${targetField}" of ${where} is not an object ID`,
			`It must hold the ${label}'s object ID, a GUID like 00000000-0000-0000-0000-000000000000, from its Overview page in the Microsoft Entra admin center.`,
		);
	}
	const secrets: SecretPair[] = [];
	for (const [field, rawValue] of Object.entries(json)) {
		if (field === targetField) continue;
		if (!isSynchronizationSecretKey(field)) {
			const sameWord = SECRET_KEY_BY_LOWER_CASE.get(field.toLowerCase());
			if (sameWord) {
				invalidInput(
					ctx,
					itemIndex,
					`The field "${field}" of ${where}: Graph spells the secret key "${sameWord}"`,
					`Rename the field to ${sameWord} in an earlier node (e.g. Edit Fields); Graph compares keys exactly.`,
				);
			}
			continue;
		}
		if (rawValue === null || rawValue === '') continue;
		const value = secretValueText(rawValue);
		if (value === undefined) {
			invalidInput(
				ctx,
				itemIndex,
				`The field "${field}" of ${where} is not text`,
				'A secret value must be text (a number or true/false is sent as text), not a list or an object.',
			);
		}
		checkSecretValue(ctx, itemIndex, field, value, `The field "${field}" of ${where}`);
		secrets.push({ key: field, value });
	}
	if (secrets.length === 0) {
		invalidInput(
			ctx,
			itemIndex,
			`Item ${itemIndex} has no secret field with a value`,
			`With Input set to Item Fields the node sends each field named exactly like a Graph secret key, usually BaseAddress and SecretToken. ${fieldList(json)}`,
		);
	}
	return { target: { type, by: 'objectId', id: id.toLowerCase() }, secrets };
}

/**
 * The item's target and secrets, from the node's parameters (Target, Secrets) or, with Input set to Item Fields,
 * from the item's own fields. `fixedType` for operations that always act on one type (and show no Target Type).
 */
export function readTargetAndSecrets(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fixedType?: TargetType,
): { target: TargetReference; secrets: SecretPair[] } {
	const mode = itemParameter(ctx, 'inputMode', itemIndex, 'parameters') as SecretsInputMode;
	if (!SECRETS_INPUT_MODES.includes(mode)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${String(mode)}" is not an input`,
			'Choose Parameters or Item Fields as Input.',
		);
	}
	if (mode === 'parameters') {
		// Read together: an item whose target and secrets are expressions costs one evaluation, not three
		const values = itemParameters(
			ctx,
			itemIndex,
			fixedType ? [TARGET, SECRETS] : [TARGET_TYPE, TARGET, SECRETS],
		);
		const [locator, secrets] = values.slice(-2);
		const type = fixedType ?? checkedTargetType(ctx, itemIndex, values[0]);
		return {
			target: checkedTarget(ctx, itemIndex, type, locator, fixedType),
			secrets: checkedSecrets(ctx, itemIndex, secrets),
		};
	}
	return readItemFields(ctx, itemIndex, readTargetType(ctx, itemIndex, fixedType));
}

const LOCATOR_LABELS = {
	job: {
		label: 'Job',
		example: 'scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.<tenant ID>',
		where: 'Pick the job from the list, or copy its ID from Job › List.',
	},
	template: {
		label: 'Template',
		example: 'scim',
		where: 'Pick the template from the list, or copy its ID from Template › List.',
	},
	rule: {
		label: 'Rule',
		example: '33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2',
		where: 'Pick the rule from the list, or copy its ID from Schema › Get.',
	},
} as const;

/** A job, template or rule ID from its resource locator, checked before any request. */
export function readSynchronizationId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter: keyof typeof LOCATOR_LABELS,
): string {
	const { label, example, where } = LOCATOR_LABELS[parameter];
	const locator = itemParameter(ctx, parameter, itemIndex) as
		INodeParameterResourceLocator | string;
	const raw = typeof locator === 'object' && locator !== null ? locator.value : locator;
	if (typeof raw !== 'string' || raw.trim() === '') {
		invalidInput(
			ctx,
			itemIndex,
			`No ${label} is selected`,
			`${where} If an expression supplies it, check that it yields an ID for this item.`,
		);
	}
	const id = raw.trim();
	if (!isSynchronizationId(id)) {
		invalidInput(
			ctx,
			itemIndex,
			`"${id}" is not a ${label.toLowerCase()} ID`,
			`A ${label.toLowerCase()} ID is made of letters, digits, dots, dashes, underscores and #, at most 256, e.g. ${example}. ${where}`,
		);
	}
	return id;
}

/** A moment from a dateTime filter; n8n hands them over as ISO text (or a Luxon DateTime from an expression). */
export function readMoment(
	ctx: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	label: string,
): Date | undefined {
	const raw = value === undefined || value === null ? '' : String(value).trim();
	if (raw === '') return undefined;
	const date = new Date(raw);
	if (Number.isNaN(date.getTime())) {
		invalidInput(
			ctx,
			itemIndex,
			`${label} is not a date and time`,
			`Enter it as an ISO 8601 date and time, e.g. 2026-01-31T08:00:00Z, or pick it in the date picker.`,
		);
	}
	return date;
}

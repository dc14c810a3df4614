/**
 * What Graph does before a handler runs: find the directory object a key names (with *.OwnedBy ownership), and
 * read a JSON body the way OData does (media type, empty payload, unknown parameters, typed secret pairs).
 */
import {
	ApplicationObject,
	DirectoryObjectKind,
	isGuid,
	ServicePrincipalObject,
	SynchronizationSecretPair,
} from './directory';
import type { GraphContext, KeyRef } from './graph';
import type { Reply } from './exchange';
import { SYNCHRONIZATION_SECRET_KEYS } from './synchronization';

export type DirectoryObject = ApplicationObject | ServicePrincipalObject;

const TYPE_NAMES: Record<DirectoryObjectKind, string> = {
	applications: 'application',
	servicePrincipals: 'servicePrincipal',
};

const PAIR_TYPE = 'microsoft.graph.synchronizationSecretKeyStringValuePair';

export function isOwnedBy(obj: DirectoryObject, ctx: GraphContext): boolean {
	const caller = [ctx.caller.objectId.toLowerCase(), ctx.caller.appId.toLowerCase()];
	return obj.owners.some((o) => caller.includes(o.toLowerCase()));
}

/** The object a key designates, or the error reply Graph gives. */
export function resolve(
	ctx: GraphContext,
	kind: DirectoryObjectKind,
	key: KeyRef,
): DirectoryObject | Reply {
	const notFound = (what: string) =>
		ctx.error(
			404,
			'Request_ResourceNotFound',
			`Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
		);
	let obj: DirectoryObject | undefined;
	if (key.kind === 'id') {
		if (!isGuid(key.value)) {
			return ctx.error(400, 'Request_BadRequest', `Invalid object identifier '${key.value}'.`);
		}
		obj = ctx.env.directory.getObject(kind, key.value);
		if (!obj) return notFound(key.value);
	} else {
		if (key.property.toLowerCase() !== 'appid') {
			return ctx.error(
				400,
				'BadRequest',
				`The key property '${key.property}' is not an alternate key of 'microsoft.graph.${TYPE_NAMES[kind]}'.`,
			);
		}
		obj =
			kind === 'applications'
				? ctx.env.directory.findApplicationByAppId(key.value)
				: ctx.env.directory.findServicePrincipalByAppId(key.value);
		if (!obj) return notFound(key.value);
	}
	// An object instantiated moments ago is not yet replicated to the replica answering this call.
	if (obj.visibleFrom !== undefined && Date.now() < obj.visibleFrom) return notFound(key.value);
	if (ctx.caller.ownedByOnly && !isOwnedBy(obj, ctx)) {
		return ctx.error(
			403,
			'Authorization_RequestDenied',
			'Insufficient privileges to complete the operation.',
		);
	}
	return obj;
}

export function isReply<T extends object>(value: T | Reply): value is Reply {
	return 'status' in value;
}

type Parsed = { ok: true; body: Record<string, unknown> } | { ok: false; reply: Reply };

/** A JSON object body sent with one of the accepted media types, as Graph reads it. */
export function parseJsonObject(
	ctx: GraphContext,
	mediaTypes: RegExp = /^application\/json\b/i,
): Parsed {
	const fail = (status: number, code: string, message: string) => ({
		ok: false as const,
		reply: ctx.error(status, code, message),
	});
	const contentType = String(ctx.headers['content-type'] ?? '');
	if (ctx.body.trim() === '') {
		return fail(400, 'BadRequest', 'Empty Payload. JSON content expected.');
	}
	if (!mediaTypes.test(contentType)) {
		return fail(
			415,
			'UnsupportedMediaType',
			`The content type '${contentType || '(none)'}' is not supported.`,
		);
	}
	let body: unknown;
	try {
		body = JSON.parse(ctx.body);
	} catch {
		return fail(400, 'BadRequest', 'Invalid JSON. A token was not recognized in the JSON content.');
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return fail(
			400,
			'BadRequest',
			`An unexpected '${Array.isArray(body) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartObject' node was expected.`,
		);
	}
	return { ok: true, body: body as Record<string, unknown> };
}

/** An OData action body: a JSON object whose members are the action's parameters. */
export function parseActionBody(ctx: GraphContext, action: string, parameters: string[]): Parsed {
	const parsed = parseJsonObject(ctx);
	if (!parsed.ok) return parsed;
	const unknown = Object.keys(parsed.body).find(
		(name) => !name.includes('@') && !parameters.includes(name),
	);
	if (unknown !== undefined) {
		return {
			ok: false,
			reply: ctx.error(
				400,
				'BadRequest',
				`The parameter '${unknown}' in the request payload is not a valid parameter for the operation '${action}'.`,
			),
		};
	}
	return parsed;
}

/** Collection(microsoft.graph.synchronizationSecretKeyStringValuePair), validated as OData would. */
export function parseSecretPairs(
	ctx: GraphContext,
	value: unknown,
): SynchronizationSecretPair[] | Reply {
	if (!Array.isArray(value)) {
		return ctx.error(
			400,
			'BadRequest',
			`An unexpected '${typeof value === 'object' ? 'StartObject' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartArray' node was expected.`,
		);
	}
	const pairs: SynchronizationSecretPair[] = [];
	for (const item of value) {
		if (item === null || typeof item !== 'object' || Array.isArray(item)) {
			return ctx.error(
				400,
				'BadRequest',
				`An unexpected '${Array.isArray(item) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading from the JSON reader. A 'StartObject' node was expected.`,
			);
		}
		const pair = item as Record<string, unknown>;
		for (const name of Object.keys(pair)) {
			if (name === '@odata.type') {
				const type = String(pair[name]).replace(/^#/, '');
				if (type !== PAIR_TYPE) {
					return ctx.error(
						400,
						'BadRequest',
						`A type named '${String(pair[name])}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`,
					);
				}
			} else if (name !== 'key' && name !== 'value' && !name.includes('@')) {
				return ctx.error(
					400,
					'BadRequest',
					`The property '${name}' does not exist on type '${PAIR_TYPE}'. Make sure to only use property names that are defined by the type.`,
				);
			}
		}
		if (pair.key === undefined || pair.key === null) {
			return ctx.error(
				400,
				'BadRequest',
				"A null value was found for the property named 'key', which has the expected type 'microsoft.graph.synchronizationSecret[Nullable=False]'. The expected type 'microsoft.graph.synchronizationSecret[Nullable=False]' does not allow null values.",
			);
		}
		if (typeof pair.key !== 'string' || !SYNCHRONIZATION_SECRET_KEYS.includes(pair.key)) {
			return ctx.error(400, 'BadRequest', `Requested value '${String(pair.key)}' was not found.`);
		}
		if (pair.value !== undefined && pair.value !== null && typeof pair.value !== 'string') {
			return ctx.error(
				400,
				'BadRequest',
				`Cannot convert the literal '${JSON.stringify(pair.value)}' to the expected type 'Edm.String'.`,
			);
		}
		pairs.push({ key: pair.key, value: (pair.value as string | null | undefined) ?? null });
	}
	return pairs;
}

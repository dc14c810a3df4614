import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { REQUIRED_SCIM_ATTRIBUTES, SCIM_USER_ATTRIBUTES } from '../../../lib/scimUserAttributes';
import { invalidInput, itemParameter, itemParameters } from './itemParameters';
import {
	resolveAttribute,
	scimUser,
	scimValue,
	type ResolvedAttribute,
	type ScimScalar,
} from './scimUser';

/** n8n's resource mapper modes, as it stores them in the parameter. */
const MAP_AUTOMATICALLY = 'autoMapInputData';

const ATTRIBUTE_NAME_EXAMPLES = `externalId, userName, active, name.givenName, department or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department, and a custom attribute's full name such as urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate`;

/** One employee read from one input item, as a SCIM user. */
export interface Employee {
	itemIndex: number;
	externalId: string;
	/** None for a leaver sent with externalId and active false only */
	userName: string | null;
	data: IDataObject;
}

const ATTRIBUTE_ROWS = { name: 'attributes.attribute', fallback: [] };

/** The employee of one item as a SCIM user; throws a NodeOperationError naming what is wrong. */
function readAttributeRows(ctx: IExecuteFunctions, itemIndex: number): Employee {
	// Every row's expression in one evaluation: an employee maps ten or so attributes
	const [entries] = itemParameters(ctx, itemIndex, [ATTRIBUTE_ROWS]) as [
		Array<{ attribute?: unknown; value?: unknown }>,
	];
	const mapped = new Set<string>();
	const values: Array<{ path: string; value: ScimScalar }> = [];
	for (const { attribute, value } of entries) {
		const path = String(attribute);
		if (!Object.prototype.hasOwnProperty.call(SCIM_USER_ATTRIBUTES, path)) {
			invalidInput(
				ctx,
				itemIndex,
				`"${path}" is not a SCIM user attribute the node knows`,
				'Pick the attribute from the list under Attributes.',
			);
		}
		if (mapped.has(path)) {
			invalidInput(
				ctx,
				itemIndex,
				`The attribute ${path} is mapped twice`,
				'Map each SCIM attribute once under Attributes.',
			);
		}
		mapped.add(path);
		const scim = scimValue({ path, kind: SCIM_USER_ATTRIBUTES[path].kind }, value);
		if ('problem' in scim) {
			invalidInput(
				ctx,
				itemIndex,
				`This employee's ${scim.problem}`,
				'Fix the value in the input item, or the expression that maps it.',
			);
		}
		if (scim.value !== undefined) values.push({ path, value: scim.value });
	}
	for (const required of REQUIRED_SCIM_ATTRIBUTES) {
		if (!values.some(({ path }) => path === required)) {
			invalidInput(
				ctx,
				itemIndex,
				`This employee has no ${required}`,
				mapped.has(required)
					? `The value mapped to ${required} is empty for this item. Every employee needs ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')}.`
					: `Map ${required} under Attributes: the provisioning job cannot process a user without ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')}.`,
			);
		}
	}
	const text = (path: string) => String(values.find((entry) => entry.path === path)?.value);
	const data = scimUser(
		values.map(({ path, value }) => ({
			attribute: resolveAttribute(path) as ResolvedAttribute,
			value,
		})),
	);
	return { itemIndex, externalId: text('externalId'), userName: text('userName'), data };
}

/** Values below a plain object: `name.givenName`, and below a schema URN key `urn:…:User:department`. */
function itemFields(json: IDataObject): Array<[name: string, value: unknown]> {
	const fields: Array<[string, unknown]> = [];
	const isPlainObject = (value: unknown): value is IDataObject =>
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		Object.getPrototypeOf(value) === Object.prototype;
	const visit = (name: string, value: unknown, separator: string) => {
		if (!isPlainObject(value)) {
			fields.push([name, value]);
			return;
		}
		for (const [key, child] of Object.entries(value))
			visit(`${name}${separator}${key}`, child, '.');
	};
	for (const [key, value] of Object.entries(json)) {
		// A SCIM-shaped item lists its schemas; the node lists them from the attributes it sends.
		if (key === 'schemas') continue;
		if (isPlainObject(value)) {
			for (const [childKey, child] of Object.entries(value))
				visit(`${key}${key.toLowerCase().startsWith('urn:') ? ':' : '.'}${childKey}`, child, '.');
		} else {
			fields.push([key, value]);
		}
	}
	return fields;
}

/**
 * The employee of one item, mapped with the resource mapper: by field names (Map Automatically) or by the values set
 * for the attributes of the job's list (Map Each Attribute). A leaver (active false) may come without userName, as
 * Microsoft's example of disabling an account sends only externalId and active.
 */
function readMappedEmployee(ctx: IExecuteFunctions, itemIndex: number): Employee {
	const automatic =
		itemParameter(ctx, 'columns.mappingMode', itemIndex, 'defineBelow') === MAP_AUTOMATICALLY;
	const named = automatic
		? itemFields(ctx.getInputData()[itemIndex]?.json ?? {})
		: Object.entries(
				(itemParameter(ctx, 'columns.value', itemIndex, {}) as IDataObject | null) ?? {},
			);
	const fix = automatic
		? 'Fix the field in the input item.'
		: 'Fix the value in the input item, or the expression that maps it.';
	const nameOf = new Map<string, string>();
	const values: Array<{ attribute: ResolvedAttribute; value: ScimScalar }> = [];
	for (const [name, raw] of named) {
		const attribute = resolveAttribute(name, !automatic);
		if (!attribute) {
			invalidInput(
				ctx,
				itemIndex,
				automatic
					? `The item's field "${name}" is not a SCIM attribute`
					: `"${name}" is not a SCIM attribute the node can send`,
				automatic
					? `Map Automatically sends every field of the item, so each must be named as a SCIM attribute: ${ATTRIBUTE_NAME_EXAMPLES}. Rename or remove the field first (e.g. with an Edit Fields node), or choose Map Each Attribute.`
					: "Pick the attribute from the list under Attributes (refresh it after changing the job's attribute list for API).",
			);
		}
		const earlier = nameOf.get(attribute.path);
		if (earlier !== undefined) {
			invalidInput(
				ctx,
				itemIndex,
				earlier === name
					? `The attribute ${attribute.path} is mapped twice`
					: `The item has both "${earlier}" and "${name}" for the attribute ${attribute.path}`,
				'Give each SCIM attribute one value.',
			);
		}
		nameOf.set(attribute.path, name);
		const scim = scimValue(attribute, raw);
		if ('problem' in scim) invalidInput(ctx, itemIndex, `This employee's ${scim.problem}`, fix);
		if (scim.value !== undefined) values.push({ attribute, value: scim.value });
	}
	const valueOf = (path: string) => values.find(({ attribute }) => attribute.path === path)?.value;
	const leaver = valueOf('active') === false;
	for (const required of REQUIRED_SCIM_ATTRIBUTES) {
		if (valueOf(required) !== undefined || (leaver && required !== 'externalId')) continue;
		const need = `Every employee needs ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')}; only a leaver (active false) may come with externalId alone.`;
		invalidInput(
			ctx,
			itemIndex,
			`This employee has no ${required}`,
			nameOf.has(required)
				? `The value for ${required} is empty for this item. ${need}`
				: automatic
					? `Give the item a field named ${required}. ${need}`
					: `Map ${required} under Attributes. ${need}`,
		);
	}
	const userName = valueOf('userName');
	return {
		itemIndex,
		externalId: String(valueOf('externalId')),
		userName: userName === undefined ? null : String(userName),
		data: scimUser(values),
	};
}

/**
 * The employee of one Bulk Upload item: version 1 maps with a list of attribute → value rows, version 2 with n8n's
 * resource mapper. Throws a NodeOperationError naming what is wrong.
 */
export function readEmployee(ctx: IExecuteFunctions, itemIndex: number): Employee {
	return ctx.getNode().typeVersion >= 2
		? readMappedEmployee(ctx, itemIndex)
		: readAttributeRows(ctx, itemIndex);
}

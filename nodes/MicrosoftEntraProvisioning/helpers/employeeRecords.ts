import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { HR_COLUMNS, WORKER_STATUS_ACTIVE, hrKey, type HrColumn } from '../../../lib/hrColumns';
import {
	REQUIRED_SCIM_ATTRIBUTES,
	SCIM_USER_ATTRIBUTES,
	UNKNOWN_FIELD_HANDLING,
	WITHOUT_ACTIVE_HANDLING,
	type UnknownFieldHandling,
	type WithoutActiveHandling,
} from '../../../lib/scimUserAttributes';
import { invalidInput, itemParameter, itemParameters } from './itemParameters';
import {
	ATTRIBUTE_NAME,
	customExtensionAttribute,
	isCustomExtensionAttribute,
	isMultiValuedAttribute,
	quotedText,
	resolveAttribute,
	scimEntries,
	scimUser,
	scimValue,
	type MultiValuedAttribute,
	type ResolvedAttribute,
	type ScimScalar,
	type ValueProblem,
} from './scimUser';

/** n8n's resource mapper modes, as it stores them in the parameter. */
const MAP_AUTOMATICALLY = 'autoMapInputData';

const ATTRIBUTE_NAME_EXAMPLES = `externalId, userName, active, name.givenName, department or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department, and a custom attribute's full name such as urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate`;

const ACTIVE = resolveAttribute('active') as ResolvedAttribute;

/** One employee read from one input item, as a SCIM user. */
export interface Employee {
	itemIndex: number;
	externalId: string;
	/** None for a leaver sent with externalId and active false only */
	userName: string | null;
	data: IDataObject;
	/**
	 * How the item was read, for its output item: `columnsMapped` (field → attribute, for HR columns and fields sent
	 * under the custom extension), `fieldsIgnored`, `activeSetByDefault`
	 */
	report?: IDataObject;
}

/** Input Options, as read and checked. */
export interface InputOptions {
	unknownFields: UnknownFieldHandling;
	/** The custom extension's schema URN, when unknownFields is customExtension */
	customExtensionSchema: string;
	addMissingAttributes: boolean;
	matchHrColumns: boolean;
	employeeWithoutActive: WithoutActiveHandling;
}

/** The options read from one collection value: a collection without expressions is the same object for every item. */
const optionsRead = new WeakMap<object, InputOptions>();

/** The item's Input Options, checked before any request. */
export function readInputOptions(ctx: IExecuteFunctions, itemIndex: number): InputOptions {
	const raw = (itemParameter(ctx, 'inputOptions', itemIndex, {}) as IDataObject | null) ?? {};
	const known = optionsRead.get(raw);
	if (known) return known;
	const unknownFields = (raw.unknownFields ?? 'refuse') as UnknownFieldHandling;
	if (!UNKNOWN_FIELD_HANDLING.includes(unknownFields))
		invalidInput(
			ctx,
			itemIndex,
			`"${String(raw.unknownFields)}" is not a choice for Other Fields`,
			`Choose one of: ${UNKNOWN_FIELD_HANDLING.join(', ')}.`,
		);
	const employeeWithoutActive = (raw.employeeWithoutActive ?? 'setActive') as WithoutActiveHandling;
	if (!WITHOUT_ACTIVE_HANDLING.includes(employeeWithoutActive))
		invalidInput(
			ctx,
			itemIndex,
			`"${String(raw.employeeWithoutActive)}" is not a choice for Employee Without Active`,
			`Choose one of: ${WITHOUT_ACTIVE_HANDLING.join(', ')}.`,
		);
	const customExtensionSchema = String(raw.customExtensionSchema ?? '').trim();
	if (
		unknownFields === 'customExtension' &&
		!isCustomExtensionAttribute(`${customExtensionSchema}:a`)
	)
		invalidInput(
			ctx,
			itemIndex,
			customExtensionSchema === ''
				? 'Other Fields is Send Under a Custom Extension, but no Custom Extension Schema is given'
				: `The Custom Extension Schema ${quotedText(customExtensionSchema)} is not a custom extension's schema URN`,
			"Enter the URN of your own extension, e.g. urn:ietf:params:scim:schemas:extension:contoso:1.0:User (not SCIM core's or enterprise's), as the job's attribute list for API names it.",
		);
	const options: InputOptions = {
		unknownFields,
		customExtensionSchema,
		addMissingAttributes: raw.addMissingAttributes === true,
		matchHrColumns: raw.matchHrColumns === true,
		employeeWithoutActive,
	};
	optionsRead.set(raw, options);
	return options;
}

/**
 * `active` when the employee has none: true, which the report says, or a refusal. The provisioning job disables an
 * account that an update leaves without `active` (seen on Microsoft's own inbound samples), so it is never left out.
 */
function activeByDefault(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: InputOptions,
	report: IDataObject,
	automatic: boolean,
): true {
	if (options.employeeWithoutActive === 'refuse')
		invalidInput(
			ctx,
			itemIndex,
			'This employee has no active',
			`${automatic ? 'Give the item an active field' : 'Map active'} (true for a joiner or mover, false for a leaver), or set Input Options › Employee Without Active to Send Active True.`,
		);
	report.activeSetByDefault = true;
	return true;
}

/** The fix for a value too long or unreadable, naming the item and the column it came from. */
function refuseValue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	column: string,
	problem: ValueProblem,
	shapeFix: string,
): never {
	if (problem.cause === 'shape')
		invalidInput(ctx, itemIndex, `This employee's ${problem.problem}`, shapeFix);
	invalidInput(
		ctx,
		itemIndex,
		`Item ${itemIndex + 1}, column ${quotedText(column)}: ${problem.problem}`,
		problem.cause === 'encoding'
			? "The file was not read in its own encoding: pick the file's encoding in Extract From File's options (e.g. windows-1252 or latin1), or save the file as UTF-8 in the HR system. The other employees are not affected."
			: 'Shorten the value in the HR system or with an Edit Fields node before this one, or leave the column out.',
	);
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
		if ('problem' in scim)
			refuseValue(
				ctx,
				itemIndex,
				path,
				scim,
				'Fix the value in the input item, or the expression that maps it.',
			);
		if (scim.value !== undefined) values.push({ path, value: scim.value });
	}
	const report: IDataObject = {};
	if (!values.some(({ path }) => path === 'active'))
		values.push({
			path: 'active',
			value: activeByDefault(ctx, itemIndex, readInputOptions(ctx, itemIndex), report, false),
		});
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
	return {
		itemIndex,
		externalId: text('externalId'),
		userName: text('userName'),
		data,
		...(report.activeSetByDefault ? { report } : {}),
	};
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

/** Each HR column name of lib/hrColumns.ts, as hrKey compares it. */
const HR_COLUMN_BY_KEY = new Map<string, HrColumn>(
	HR_COLUMNS.flatMap((column) =>
		column.columns.map((name): [string, HrColumn] => [hrKey(name), column]),
	),
);

const WORKER_STATUS_BY_KEY = new Map<string, boolean>(
	Object.entries(WORKER_STATUS_ACTIVE).map(([status, active]) => [hrKey(status), active]),
);

/** A worker status column's value as `active`, or why it is none the node knows. */
function workerStatusActive(raw: unknown): { value: boolean | undefined } | ValueProblem {
	if (raw === undefined || raw === null || raw === '') return { value: undefined };
	if (typeof raw === 'boolean') return { value: raw };
	const text = String(raw);
	const active =
		WORKER_STATUS_BY_KEY.get(hrKey(text)) ??
		{ true: true, false: false }[text.trim().toLowerCase()];
	if (active !== undefined) return { value: active };
	return {
		problem: `worker status ${quotedText(text)} is none the node reads as active or not`,
		cause: 'shape',
	};
}

const WORKER_STATUS_FIX = `Worker statuses read as active: ${Object.keys(WORKER_STATUS_ACTIVE)
	.filter((status) => WORKER_STATUS_ACTIVE[status])
	.join(', ')}; as inactive: ${Object.keys(WORKER_STATUS_ACTIVE)
	.filter((status) => !WORKER_STATUS_ACTIVE[status])
	.join(
		', ',
	)}. For another value, map active with an expression (Map Each Attribute), or set it with an Edit Fields node.`;

/** An item with no value at all: what an empty line of a CSV file becomes in Extract From File. */
function isEmptyItem(fields: Array<[string, unknown]>): boolean {
	return fields.every(([, value]) => value === undefined || value === null || value === '');
}

/**
 * The employee of one item, mapped with the resource mapper: by field names (Map Automatically) or by the values set
 * for the attributes of the job's list (Map Each Attribute). A leaver (active false) may come without userName, as
 * Microsoft's example of disabling an account sends only externalId and active. Map Automatically also reads SCIM
 * users as SCIM writes them (emails, phoneNumbers and addresses lists, the name and enterprise objects) and, as
 * Input Options say, HR column names and fields that are no SCIM attribute.
 */
function readMappedEmployee(ctx: IExecuteFunctions, itemIndex: number): Employee {
	const options = readInputOptions(ctx, itemIndex);
	const automatic =
		itemParameter(ctx, 'columns.mappingMode', itemIndex, 'defineBelow') === MAP_AUTOMATICALLY;
	const named = automatic
		? itemFields(ctx.getInputData()[itemIndex]?.json ?? {})
		: Object.entries(
				(itemParameter(ctx, 'columns.value', itemIndex, {}) as IDataObject | null) ?? {},
			);
	if (automatic && isEmptyItem(named))
		invalidInput(
			ctx,
			itemIndex,
			`Item ${itemIndex + 1} is empty`,
			'An empty line of a file becomes an empty item: remove empty lines from the file, or put a Filter node before this one that keeps the items whose externalId is not empty.',
		);
	const report: IDataObject = {};
	const mapped: FieldReport = { columnsMapped: {}, fieldsIgnored: [] };
	const { values, lists, nameOf } = readMappedFields(ctx, itemIndex, named, {
		automatic,
		options,
		report: mapped,
	});
	const valueOf = (path: string) => values.find(({ attribute }) => attribute.path === path)?.value;
	if (valueOf('active') === undefined)
		values.push({
			attribute: ACTIVE,
			value: activeByDefault(ctx, itemIndex, options, report, automatic),
		});
	checkRequired(ctx, itemIndex, valueOf, { automatic, options, named: nameOf });
	if (Object.keys(mapped.columnsMapped).length > 0) report.columnsMapped = mapped.columnsMapped;
	if (mapped.fieldsIgnored.length > 0) report.fieldsIgnored = mapped.fieldsIgnored;
	const userName = valueOf('userName');
	return {
		itemIndex,
		externalId: String(valueOf('externalId')),
		userName: userName === undefined ? null : String(userName),
		data: scimUser(values, lists),
		...(Object.keys(report).length > 0 ? { report } : {}),
	};
}

/**
 * The named fields of one item as SCIM values and lists, each attribute given once; `nameOf` says which field gave
 * each attribute, for the messages about what is missing.
 */
function readMappedFields(
	ctx: IExecuteFunctions,
	itemIndex: number,
	named: Array<[string, unknown]>,
	reading: { automatic: boolean; options: InputOptions; report: FieldReport },
): {
	values: Array<{ attribute: ResolvedAttribute; value: ScimScalar }>;
	lists: Partial<Record<MultiValuedAttribute, IDataObject[]>>;
	nameOf: Map<string, string>;
} {
	const nameOf = new Map<string, string>();
	const values: Array<{ attribute: ResolvedAttribute; value: ScimScalar }> = [];
	const lists: Partial<Record<MultiValuedAttribute, IDataObject[]>> = {};
	const { automatic } = reading;
	const fix = automatic
		? 'Fix the field in the input item.'
		: 'Fix the value in the input item, or the expression that maps it.';
	for (const [name, raw] of named) {
		if (automatic && name.includes('\uFFFD'))
			invalidInput(
				ctx,
				itemIndex,
				`Item ${itemIndex + 1}: the column name ${quotedText(name)} has characters that could not be read (shown as \uFFFD)`,
				"The file was not read in its own encoding: pick the file's encoding in Extract From File's options (e.g. windows-1252 or latin1), or save the file as UTF-8 in the HR system.",
			);
		if (automatic && isMultiValuedAttribute(name)) {
			readListField(ctx, itemIndex, [name, raw], { fix, named: nameOf, lists });
			continue;
		}
		const resolved = fieldAttribute(ctx, itemIndex, name, reading);
		if (!resolved) continue;
		const { attribute, hrColumn } = resolved;
		const listed = attribute.placement.place === 'work' ? attribute.placement.attribute : undefined;
		const earlier =
			nameOf.get(attribute.path) ?? (listed === undefined ? undefined : nameOf.get(listed));
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
		if (listed !== undefined) nameOf.set(listed, name);
		const scim =
			hrColumn?.values === 'workerStatus' ? workerStatusActive(raw) : scimValue(attribute, raw);
		if ('problem' in scim)
			refuseValue(
				ctx,
				itemIndex,
				name,
				scim,
				hrColumn?.values === 'workerStatus' ? WORKER_STATUS_FIX : fix,
			);
		if (scim.value !== undefined) values.push({ attribute, value: scim.value });
	}
	return { values, lists, nameOf };
}

/** A SCIM list (emails, phoneNumbers, addresses) given as SCIM writes it, read into `lists` */
function readListField(
	ctx: IExecuteFunctions,
	itemIndex: number,
	[name, raw]: [MultiValuedAttribute, unknown],
	list: {
		fix: string;
		named: Map<string, string>;
		lists: Partial<Record<MultiValuedAttribute, IDataObject[]>>;
	},
): void {
	const entries = scimEntries(name, raw);
	if ('problem' in entries) refuseValue(ctx, itemIndex, name, entries, list.fix);
	const workEntry = list.named.get(name);
	if (workEntry !== undefined)
		invalidInput(
			ctx,
			itemIndex,
			`The item has both "${workEntry}" and "${name}" for the attribute ${name}`,
			'Give each SCIM attribute one value.',
		);
	if (entries.value !== undefined) list.lists[name] = entries.value;
	list.named.set(name, name);
}

/** What Map Automatically tells about the fields it read: HR columns and custom fields it mapped, fields it ignored */
interface FieldReport {
	columnsMapped: IDataObject;
	fieldsIgnored: string[];
}

/**
 * The SCIM attribute a field (Map Automatically) or a mapped value (Map Each Attribute) is sent as, with the HR
 * column it was read as; undefined for a field Other Fields ignores. A field that is no attribute fails the item.
 */
function fieldAttribute(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	reading: { automatic: boolean; options: InputOptions; report: FieldReport },
): { attribute: ResolvedAttribute; hrColumn?: HrColumn } | undefined {
	const { automatic, options } = reading;
	let attribute = resolveAttribute(name, !automatic);
	const hrColumn =
		automatic && !attribute && options.matchHrColumns
			? HR_COLUMN_BY_KEY.get(hrKey(name))
			: undefined;
	if (hrColumn) {
		attribute =
			'attribute' in hrColumn.target
				? resolveAttribute(hrColumn.target.attribute)
				: options.unknownFields === 'customExtension'
					? customExtensionAttribute(options.customExtensionSchema, hrColumn.target.custom)
					: undefined;
		if (attribute) reading.report.columnsMapped[name] = attribute.path;
	}
	if (!attribute && automatic && options.unknownFields === 'ignore') {
		reading.report.fieldsIgnored.push(name);
		return undefined;
	}
	if (!attribute && automatic && options.unknownFields === 'customExtension') {
		if (!ATTRIBUTE_NAME.test(name))
			invalidInput(
				ctx,
				itemIndex,
				`Item ${itemIndex + 1}: the field ${quotedText(name)} cannot be sent as an attribute of ${options.customExtensionSchema}`,
				`A SCIM attribute name is a letter, then letters, digits, _ or -. Rename the field (e.g. with an Edit Fields node, or in the HR system's export), turn on Match HR Columns if it is a common HR column, or set Other Fields to Ignore Them.`,
			);
		attribute = customExtensionAttribute(options.customExtensionSchema, name);
		reading.report.columnsMapped[name] = attribute.path;
	}
	if (!attribute) {
		invalidInput(
			ctx,
			itemIndex,
			automatic
				? `The item's field ${quotedText(name)} is not a SCIM attribute`
				: `${quotedText(name)} is not a SCIM attribute the node can send`,
			automatic
				? `Map Automatically sends every field of the item, so each must be named as a SCIM attribute: ${ATTRIBUTE_NAME_EXAMPLES}. Rename or remove the field first (e.g. with an Edit Fields node), choose Map Each Attribute, or set Input Options › Other Fields to ignore such fields or send them under your custom extension (Match HR Columns reads common HR column names).`
				: "Pick the attribute from the list under Attributes (refresh it after changing the job's attribute list for API).",
		);
	}
	return { attribute, hrColumn };
}

/** externalId and userName given; only a leaver (active false) may come with externalId alone */
function checkRequired(
	ctx: IExecuteFunctions,
	itemIndex: number,
	valueOf: (path: string) => ScimScalar | undefined,
	reading: { automatic: boolean; options: InputOptions; named: Map<string, string> },
): void {
	const { automatic, options } = reading;
	const leaver = valueOf('active') === false;
	for (const required of REQUIRED_SCIM_ATTRIBUTES) {
		if (valueOf(required) !== undefined || (leaver && required !== 'externalId')) continue;
		const need = `Every employee needs ${REQUIRED_SCIM_ATTRIBUTES.join(' and ')}; only a leaver (active false) may come with externalId alone.`;
		invalidInput(
			ctx,
			itemIndex,
			`This employee has no ${required}`,
			reading.named.has(required)
				? `The value for ${required} is empty for this item. ${need}`
				: automatic
					? `Give the item a field named ${required}${options.matchHrColumns ? '' : ' (or turn on Input Options › Match HR Columns for a column such as Worker ID)'}. ${need}`
					: `Map ${required} under Attributes. ${need}`,
		);
	}
}

/**
 * How this node reads the employee of one Bulk Upload item: version 1 maps with a list of attribute → value rows,
 * version 2 with n8n's resource mapper. The reader throws a NodeOperationError naming what is wrong. Chosen once per
 * execution: n8n's getNode() copies the whole node, which 10,000 employees would pay 10,000 times.
 */
export function employeeReader(ctx: IExecuteFunctions): (itemIndex: number) => Employee {
	const read = ctx.getNode().typeVersion >= 2 ? readMappedEmployee : readAttributeRows;
	return (itemIndex) => read(ctx, itemIndex);
}

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/*
 * n8n evaluates each expression of a parameter on its own, and each evaluation builds the item's data proxy afresh;
 * in n8n 2.x's default engine it also crosses into the expression isolate and back. That fixed cost, not what the
 * expression says, is most of what an item costs: an Acquire item whose target and two secrets are expressions took
 * three evaluations. So the whole expressions ("={{ … }}") of the parameters an operation reads together go to n8n's
 * own evaluator as one array expression per item: the same evaluator, sandbox, item and data, one evaluation.
 * An expression that only reads a field of the item (`{{ $json.employeeId }}`, the usual mapping of an HR column)
 * is read from the item without the evaluator at all: for 10,000 employees of ten mapped columns each, that one
 * evaluation per item was still most of the time before the first upload left.
 * Whatever this cannot give exactly as getNodeParameter would is read through getNodeParameter.
 */

/** `$parameter["&name"]` reads the sibling parameters n8n hands to each expression, which a joined one has not */
const SIBLING_REFERENCE = /\$parameter\s*\[\s*["'`]&/;

/** The code of an expression that is one `{{ … }}` block and nothing else; n8n reads anything more as text. */
function wholeExpressionCode(value: string): string | undefined {
	if (!value.startsWith('={{') || !value.endsWith('}}')) return undefined;
	const code = value.slice(3, -2);
	if (code.trim() === '' || code.includes('{{') || code.includes('}}')) return undefined;
	// `={{{…}}}` leaves n8n to decide which braces open the block
	if (code.startsWith('{') || code.endsWith('}')) return undefined;
	if (SIBLING_REFERENCE.test(code)) return undefined;
	return code;
}

/** `$json.a`, `$json.a.b`, `$json["First name"]`: a name, or a quoted text without quotes or escapes inside */
const FIELD_READ = /^\s*\$json((?:\.[A-Za-z_$][\w$]*|\[(?:"[^"\\]*"|'[^'\\]*')\])+)\s*$/;
const FIELD_STEP = /\.([A-Za-z_$][\w$]*)|\[(?:"([^"\\]*)"|'([^'\\]*)')\]/g;

/** The field names an expression's code reads from `$json`, when reading them is all it does. */
function fieldPath(code: string): string[] | undefined {
	const match = FIELD_READ.exec(code);
	if (!match) return undefined;
	return [...match[1].matchAll(FIELD_STEP)].map((step) => step[1] ?? step[2] ?? step[3]);
}

/**
 * The item's field at `path`, when it is one n8n's `$json` gives as it is: text, a number or true/false, an own
 * field of plain objects all the way. Anything else (a missing field, null, an object, a name from the prototype)
 * is left to n8n's evaluator.
 */
function readField(json: IDataObject | undefined, path: string[]): { value: unknown } | undefined {
	let value: unknown = json;
	for (const name of path) {
		if (
			typeof value !== 'object' ||
			value === null ||
			Array.isArray(value) ||
			!Object.prototype.hasOwnProperty.call(value, name)
		)
			return undefined;
		value = (value as IDataObject)[name];
	}
	return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
		? { value }
		: undefined;
}

/** A copy of a parameter's value with each expression replaced, visited in getParameterValue's order. */
function replaceExpressions(value: unknown, replace: (expression: string) => unknown): unknown {
	if (typeof value === 'string') return value.startsWith('=') ? replace(value) : value;
	if (Array.isArray(value)) return value.map((entry) => replaceExpressions(entry, replace));
	if (typeof value === 'object' && value !== null) {
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value))
			copy[key] = replaceExpressions(entry, replace);
		return copy;
	}
	return value;
}

/**
 * What getNodeParameter passes on unchanged: text, numbers, true/false and null. Anything else is left to it:
 * objects, since it rewrites dates inside them, and undefined, which an engine may carry out of an array otherwise.
 */
function isPlainValue(value: unknown): boolean {
	return (
		value === null ||
		typeof value === 'string' ||
		typeof value === 'number' ||
		typeof value === 'boolean'
	);
}

function sameValue(a: unknown, b: unknown): boolean {
	if (Object.is(a, b)) return true;
	if (Array.isArray(a) || Array.isArray(b)) {
		return (
			Array.isArray(a) &&
			Array.isArray(b) &&
			a.length === b.length &&
			a.every((entry, index) => sameValue(entry, b[index]))
		);
	}
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	const aKeys = Object.keys(a);
	const bRecord = b as Record<string, unknown>;
	return (
		aKeys.length === Object.keys(b).length &&
		aKeys.every(
			(key) =>
				Object.prototype.hasOwnProperty.call(b, key) &&
				sameValue((a as Record<string, unknown>)[key], bRecord[key]),
		)
	);
}

/** One whole expression of the joined parameters: a field of the item, or the position of its code in the array */
type JoinedPart = { field: string[] } | { code: number };

interface JoinedExpressions {
	/** Positions, among the parameters read together, of those whose every expression is a whole one */
	joined: number[];
	/** Their expressions, in the order replaceExpressions visits them */
	parts: JoinedPart[];
	/** The code of those that are not field reads as one array expression; none when all are */
	expression?: string;
	count: number;
	/**
	 * The first item read both ways settles whether the joined values are the ones getNodeParameter gives; if not,
	 * the execution reads every item through getNodeParameter.
	 */
	verdict: 'unchecked' | 'same' | 'different';
}

/** Per execution, per set of parameters read together: their joined expression, or none when nothing joins. */
const joinedByExecution = new WeakMap<IExecuteFunctions, Map<string, JoinedExpressions | null>>();

function joinExpressions(raws: readonly unknown[]): JoinedExpressions | null {
	const joined: number[] = [];
	const codes: string[] = [];
	const parts: JoinedPart[] = [];
	raws.forEach((raw, position) => {
		const own: string[] = [];
		let whole = true;
		replaceExpressions(raw, (expression) => {
			const code = wholeExpressionCode(expression);
			if (code === undefined) whole = false;
			else own.push(code);
			return undefined;
		});
		if (!whole) return;
		joined.push(position);
		for (const code of own) {
			const field = fieldPath(code);
			parts.push(field ? { field } : { code: codes.push(code) - 1 });
		}
	});
	// One evaluation gains nothing from joining; a field read saves it
	if (codes.length < 2 && codes.length === parts.length) return null;
	// Each on lines of its own, so that a `//` comment ends with its expression
	const elements = codes.map((code) => `(\n${code}\n)`).join(',\n');
	return {
		joined,
		parts,
		expression: codes.length > 0 ? `{{ [\n${elements}\n] }}` : undefined,
		count: codes.length,
		verdict: 'unchecked',
	};
}

function joinedFor(
	ctx: IExecuteFunctions,
	names: readonly string[],
	raws: readonly unknown[],
): JoinedExpressions | null {
	let known = joinedByExecution.get(ctx);
	if (!known) {
		known = new Map();
		joinedByExecution.set(ctx, known);
	}
	const key = names.join('\n');
	let found = known.get(key);
	if (found === undefined) {
		found = joinExpressions(raws);
		known.set(key, found);
	}
	return found;
}

/** The joined parameters' values for this item, or undefined when they must be read one by one. */
function evaluateJoined(
	ctx: IExecuteFunctions,
	itemIndex: number,
	raws: readonly unknown[],
	plan: JoinedExpressions,
): Map<number, unknown> | undefined {
	const json = ctx.getInputData()[itemIndex]?.json;
	const values: unknown[] = [];
	for (const part of plan.parts) {
		if (!('field' in part)) continue;
		const field = readField(json, part.field);
		if (!field) return undefined;
		values.push(field.value);
	}
	let results: unknown = [];
	if (plan.expression !== undefined) {
		try {
			results = ctx.evaluateExpression(plan.expression, itemIndex);
		} catch {
			// Reading the parameters one by one raises n8n's own error, naming the parameter that failed
			return undefined;
		}
	}
	// n8n's legacy engine answers an expression that failed with no value (null, or undefined on 1.x), not an error
	if (!Array.isArray(results)) return undefined;
	if (results.length !== plan.count || !results.every(isPlainValue)) {
		// Expressions that yield objects, or code that splits the array, will for every item: stop paying twice
		plan.verdict = 'different';
		return undefined;
	}
	let nextField = 0;
	const valueOf = (part: JoinedPart) =>
		'field' in part ? values[nextField++] : (results as unknown[])[part.code];
	let next = 0;
	const byPosition = new Map<number, unknown>();
	for (const position of plan.joined) {
		byPosition.set(
			position,
			replaceExpressions(raws[position], () => valueOf(plan.parts[next++])),
		);
	}
	return byPosition;
}

/**
 * What n8n does to a parameter's evaluated value before handing it over, done to a joined one: its checks and
 * conversions (a resource mapper's field types). Undefined when n8n would refuse the value, which reading the
 * parameter through getNodeParameter then raises as n8n's own error.
 */
export type SettleValue = (value: unknown) => { value: unknown } | undefined;

/**
 * The values of parameters that hold expressions, for one item, as getNodeParameter gives them, with the whole
 * expressions among them evaluated together. `raws` are the parameters' values as the node stores them. For
 * parameters n8n checks no type of (no validateType), whose values it passes on as evaluated, or whose check
 * `settle` does as n8n does it.
 */
export function evaluateTogether(
	ctx: IExecuteFunctions,
	itemIndex: number,
	names: readonly string[],
	raws: readonly unknown[],
	settle: SettleValue = (value) => ({ value }),
): unknown[] {
	const ownReading = () => names.map((name) => ctx.getNodeParameter(name, itemIndex));
	const plan = joinedFor(ctx, names, raws);
	if (!plan || plan.verdict === 'different') return ownReading();
	const joined = evaluateJoined(ctx, itemIndex, raws, plan);
	if (!joined) return ownReading();
	for (const [position, value] of joined) {
		const settled = settle(value);
		if (!settled) return ownReading();
		joined.set(position, settled.value);
	}
	if (plan.verdict === 'unchecked') {
		// Different until shown the same: n8n's own reading may throw where the joined one did not
		plan.verdict = 'different';
		const own = ownReading();
		if (plan.joined.every((position) => sameValue(joined.get(position), own[position])))
			plan.verdict = 'same';
		return own;
	}
	return names.map((name, position) =>
		joined.has(position) ? joined.get(position) : ctx.getNodeParameter(name, itemIndex),
	);
}

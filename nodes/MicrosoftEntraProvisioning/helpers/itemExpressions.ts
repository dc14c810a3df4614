import type { IExecuteFunctions } from 'n8n-workflow';

/*
 * n8n evaluates each expression of a parameter on its own, and each evaluation builds the item's data proxy afresh;
 * in n8n 2.x's default engine it also crosses into the expression isolate and back. That fixed cost, not what the
 * expression says, is most of what an item costs: an Acquire item whose target and two secrets are expressions took
 * three evaluations. So the whole expressions ("={{ … }}") of the parameters an operation reads together go to n8n's
 * own evaluator as one array expression per item: the same evaluator, sandbox, item and data, one evaluation.
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

interface JoinedExpressions {
	/** Positions, among the parameters read together, of those whose every expression is a whole one */
	joined: number[];
	/** Their expressions' code as one array expression, in the order replaceExpressions visits them */
	expression: string;
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
		codes.push(...own);
	});
	// One expression gains nothing from joining
	if (codes.length < 2) return null;
	// Each on lines of its own, so that a `//` comment ends with its expression
	const elements = codes.map((code) => `(\n${code}\n)`).join(',\n');
	return {
		joined,
		expression: `{{ [\n${elements}\n] }}`,
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
	let results: unknown;
	try {
		results = ctx.evaluateExpression(plan.expression, itemIndex);
	} catch {
		// Reading the parameters one by one raises n8n's own error, naming the parameter that failed
		return undefined;
	}
	// n8n's legacy engine answers an expression that failed with no value (null, or undefined on 1.x), not an error
	if (!Array.isArray(results)) return undefined;
	if (results.length !== plan.count || !results.every(isPlainValue)) {
		// Expressions that yield objects, or code that splits the array, will for every item: stop paying twice
		plan.verdict = 'different';
		return undefined;
	}
	let next = 0;
	const values = new Map<number, unknown>();
	for (const position of plan.joined) {
		values.set(
			position,
			replaceExpressions(raws[position], () => results[next++]),
		);
	}
	return values;
}

/**
 * The values of parameters that hold expressions, for one item, as getNodeParameter gives them, with the whole
 * expressions among them evaluated together. `raws` are the parameters' values as the node stores them. For
 * parameters n8n checks no type of (no validateType, no resource mapper), whose values it passes on as evaluated.
 */
export function evaluateTogether(
	ctx: IExecuteFunctions,
	itemIndex: number,
	names: readonly string[],
	raws: readonly unknown[],
): unknown[] {
	const ownReading = () => names.map((name) => ctx.getNodeParameter(name, itemIndex));
	const plan = joinedFor(ctx, names, raws);
	if (!plan || plan.verdict === 'different') return ownReading();
	const joined = evaluateJoined(ctx, itemIndex, raws, plan);
	if (!joined) return ownReading();
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

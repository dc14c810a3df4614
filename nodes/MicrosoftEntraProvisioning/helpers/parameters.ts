import type { IExecuteFunctions } from 'n8n-workflow';

/** Values of parameters without an expression, per execution: the same for every item. */
const fixedValues = new WeakMap<IExecuteFunctions, Map<string, unknown>>();

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsExpression);
	return false;
}

/**
 * An item's parameter value, as getNodeParameter gives it. n8n evaluates and validates a parameter afresh for every
 * item; one that holds no expression comes out the same for all of them, so it is read once per execution. The
 * value is shared between items: read it, never change it.
 */
export function itemParameter(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback?: unknown): unknown {
	const raw: unknown = ctx.getNodeParameter(name, itemIndex, fallback, { rawExpressions: true });
	if (holdsExpression(raw)) return ctx.getNodeParameter(name, itemIndex, fallback);
	let values = fixedValues.get(ctx);
	if (!values) {
		values = new Map();
		fixedValues.set(ctx, values);
	}
	if (!values.has(name)) values.set(name, ctx.getNodeParameter(name, itemIndex, fallback));
	return values.get(name);
}

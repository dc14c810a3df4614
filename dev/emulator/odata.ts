/**
 * The subset of OData query options Graph supports on directory object collections that the
 * node uses: $select, $top (1..999), $filter with eq / startswith joined by and / or,
 * $orderby=displayName, $count, and server-driven paging with $skiptoken.
 * Directory string comparisons are case-insensitive, as in Entra ID.
 */

export class ODataError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

export type Filter =
	| { op: 'eq'; property: string; value: string }
	| { op: 'startswith'; property: string; value: string }
	| { op: 'and' | 'or'; left: Filter; right: Filter };

export interface EntityShape {
	/** OData type name, e.g. 'application' (used in messages). */
	typeName: string;
	/** Resource name in "Unsupported … of resource 'Application'" messages. */
	resourceName: string;
	/** All property names, canonical casing. */
	properties: string[];
	/** Properties supporting eq / startswith in $filter. */
	filterable: string[];
	orderable: string[];
}

export interface ListQuery {
	select?: string[];
	top: number;
	filter?: Filter;
	orderBy?: { property: string; descending: boolean };
	count: boolean;
	offset: number;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;
const KNOWN_OPTIONS = new Set([
	'$select',
	'$top',
	'$filter',
	'$orderby',
	'$count',
	'$skiptoken',
	'$skip',
	'$expand',
	'$search',
	'$format',
]);

export function parseListQuery(
	params: URLSearchParams,
	shape: EntityShape,
	advancedQuery: boolean,
): ListQuery {
	for (const name of params.keys()) {
		if (name.startsWith('$') && !KNOWN_OPTIONS.has(name.toLowerCase())) {
			throw new ODataError(400, 'BadRequest', `The query parameter '${name}' is not supported.`);
		}
	}
	const get = (name: string) => {
		for (const [k, v] of params) if (k.toLowerCase() === name) return v;
		return undefined;
	};
	if (get('$skip') !== undefined) {
		throw new ODataError(400, 'Request_BadRequest', "'$skip' is not supported by the service.");
	}
	if (get('$expand') !== undefined || get('$search') !== undefined) {
		throw new ODataError(400, 'Request_UnsupportedQuery', 'Unsupported query.');
	}
	const query: ListQuery = { top: DEFAULT_PAGE, count: false, offset: 0 };

	const select = get('$select');
	if (select !== undefined) query.select = parseSelect(select, shape);

	const top = get('$top');
	if (top !== undefined) {
		if (!/^\d+$/.test(top.trim())) {
			throw new ODataError(
				400,
				'BadRequest',
				`Invalid value '${top}' for $top query option found. The $top query option requires a non-negative integer value.`,
			);
		}
		const n = Number(top);
		if (n < 1 || n > MAX_PAGE) {
			throw new ODataError(
				400,
				'Request_UnsupportedQuery',
				`Invalid page size specified: '${n}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
			);
		}
		query.top = n;
	}

	const filter = get('$filter');
	if (filter !== undefined) query.filter = new FilterParser(filter, shape).parse();

	const count = get('$count');
	if (count !== undefined) {
		if (count !== 'true' && count !== 'false') {
			throw new ODataError(400, 'BadRequest', `'${count}' is not a valid count option.`);
		}
		query.count = count === 'true';
		if (query.count && !advancedQuery) {
			throw new ODataError(400, 'Request_BadRequest', '$count is not currently supported.');
		}
	}

	const orderBy = get('$orderby');
	if (orderBy !== undefined) {
		const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(orderBy);
		const property = m
			? shape.orderable.find((p) => p.toLowerCase() === m[1].toLowerCase())
			: undefined;
		if (!m || !property) {
			throw new ODataError(
				400,
				'Request_UnsupportedQuery',
				`Order by '${orderBy.trim()}' not supported.`,
			);
		}
		// Graph sorts filtered directory results only as an advanced query (ConsistencyLevel: eventual + $count=true).
		if (query.filter && !(advancedQuery && query.count)) {
			throw new ODataError(
				400,
				'Request_UnsupportedQuery',
				'Sorting not supported for current query.',
			);
		}
		query.orderBy = { property, descending: (m[2] ?? '').toLowerCase() === 'desc' };
	}

	const skipToken = get('$skiptoken');
	if (skipToken !== undefined) query.offset = decodeSkipToken(skipToken);
	return query;
}

export function applyFilter(filter: Filter, item: Record<string, unknown>): boolean {
	switch (filter.op) {
		case 'and':
			return applyFilter(filter.left, item) && applyFilter(filter.right, item);
		case 'or':
			return applyFilter(filter.left, item) || applyFilter(filter.right, item);
		case 'eq':
			return String(item[filter.property] ?? '').toLowerCase() === filter.value.toLowerCase();
		case 'startswith':
			return String(item[filter.property] ?? '')
				.toLowerCase()
				.startsWith(filter.value.toLowerCase());
	}
}

export function selectProperties(
	item: Record<string, unknown>,
	select: string[] | undefined,
): Record<string, unknown> {
	if (!select) return item;
	const out: Record<string, unknown> = {};
	for (const p of select) out[p] = item[p] ?? null;
	return out;
}

/** Opaque to clients; encodes the offset of the next page. */
export function encodeSkipToken(offset: number): string {
	return `RFNwdAIAAQAAA${Buffer.from(JSON.stringify({ o: offset })).toString('base64url')}`;
}

function decodeSkipToken(token: string): number {
	try {
		if (token.startsWith('RFNwdAIAAQAAA')) {
			const value = JSON.parse(Buffer.from(token.slice(13), 'base64url').toString('utf8')) as {
				o?: unknown;
			};
			if (typeof value.o === 'number' && Number.isInteger(value.o) && value.o >= 0) return value.o;
		}
	} catch {
		// fall through
	}
	throw new ODataError(400, 'Request_BadRequest', 'Invalid paging token.');
}

/** Query string in Graph's readable style ($ , ' ( ) left unescaped). */
export function formatQuery(params: URLSearchParams): string {
	const parts: string[] = [];
	for (const [k, v] of params) {
		parts.push(`${encode(k)}=${encode(v)}`);
	}
	return parts.join('&');
}

function encode(s: string): string {
	return encodeURIComponent(s).replace(/%24/g, '$').replace(/%2C/gi, ',');
}

/** $select of a single-entity GET (other options are ignored there, as Graph does). */
export function parseSelectOption(
	params: URLSearchParams,
	shape: EntityShape,
): string[] | undefined {
	for (const [k, v] of params) if (k.toLowerCase() === '$select') return parseSelect(v, shape);
	return undefined;
}

function parseSelect(value: string, shape: EntityShape): string[] {
	const names = value.split(',').map((s) => s.trim());
	return names.map((name) => {
		const property = shape.properties.find((p) => p.toLowerCase() === name.toLowerCase());
		if (!property) {
			throw new ODataError(
				400,
				'BadRequest',
				`Could not find a property named '${name}' on type 'microsoft.graph.${shape.typeName}'.`,
			);
		}
		return property;
	});
}

type Token = { kind: 'ident' | 'string' | 'punct'; text: string; pos: number };

class FilterParser {
	private tokens: Token[];
	private i = 0;

	constructor(
		private readonly source: string,
		private readonly shape: EntityShape,
	) {
		this.tokens = this.tokenize();
	}

	parse(): Filter {
		const expr = this.parseOr();
		if (this.i < this.tokens.length) this.syntax(this.tokens[this.i].pos);
		return expr;
	}

	private parseOr(): Filter {
		let left = this.parseAnd();
		while (this.peekKeyword('or')) {
			this.i++;
			left = { op: 'or', left, right: this.parseAnd() };
		}
		return left;
	}

	private parseAnd(): Filter {
		let left = this.parsePrimary();
		while (this.peekKeyword('and')) {
			this.i++;
			left = { op: 'and', left, right: this.parsePrimary() };
		}
		return left;
	}

	private parsePrimary(): Filter {
		const t = this.next();
		if (t.kind === 'punct' && t.text === '(') {
			const inner = this.parseOr();
			this.expect(')');
			return inner;
		}
		if (t.kind !== 'ident') this.syntax(t.pos);
		if (t.text.toLowerCase() === 'startswith' && this.tokens[this.i]?.text === '(') {
			this.expect('(');
			const property = this.property(this.next());
			this.expect(',');
			const value = this.next();
			if (value.kind !== 'string') this.syntax(value.pos);
			this.expect(')');
			return { op: 'startswith', property, value: value.text };
		}
		const property = this.property(t);
		const op = this.next();
		if (op.kind !== 'ident') this.syntax(op.pos);
		if (op.text.toLowerCase() !== 'eq') {
			throw new ODataError(
				400,
				'Request_UnsupportedQuery',
				`Unsupported or invalid query filter clause specified for property '${property}' of resource '${this.shape.resourceName}'.`,
			);
		}
		const value = this.next();
		if (value.kind !== 'string') this.syntax(value.pos);
		return { op: 'eq', property, value: value.text };
	}

	private property(t: Token): string {
		if (t.kind !== 'ident') this.syntax(t.pos);
		const property = this.shape.filterable.find((p) => p.toLowerCase() === t.text.toLowerCase());
		if (!property) {
			if (this.shape.properties.some((p) => p.toLowerCase() === t.text.toLowerCase())) {
				throw new ODataError(
					400,
					'Request_UnsupportedQuery',
					`Unsupported or invalid query filter clause specified for property '${t.text}' of resource '${this.shape.resourceName}'.`,
				);
			}
			throw new ODataError(
				400,
				'BadRequest',
				`Could not find a property named '${t.text}' on type 'microsoft.graph.${this.shape.typeName}'.`,
			);
		}
		return property;
	}

	private peekKeyword(word: string): boolean {
		const t = this.tokens[this.i];
		return t !== undefined && t.kind === 'ident' && t.text.toLowerCase() === word;
	}

	private expect(text: string): void {
		const t = this.next();
		if (t.kind !== 'punct' || t.text !== text) this.syntax(t.pos);
	}

	private next(): Token {
		const t = this.tokens[this.i++];
		if (!t) this.syntax(this.source.length);
		return t;
	}

	private syntax(pos: number): never {
		throw new ODataError(
			400,
			'BadRequest',
			`Invalid filter clause: Syntax error at position ${pos} in '${this.source}'.`,
		);
	}

	private tokenize(): Token[] {
		const tokens: Token[] = [];
		const s = this.source;
		let i = 0;
		while (i < s.length) {
			const c = s[i];
			if (/\s/.test(c)) {
				i++;
			} else if (c === '(' || c === ')' || c === ',') {
				tokens.push({ kind: 'punct', text: c, pos: i });
				i++;
			} else if (c === "'") {
				const start = i;
				let value = '';
				i++;
				for (;;) {
					if (i >= s.length) this.syntax(start);
					if (s[i] === "'") {
						if (s[i + 1] === "'") {
							value += "'";
							i += 2;
							continue;
						}
						i++;
						break;
					}
					value += s[i++];
				}
				tokens.push({ kind: 'string', text: value, pos: start });
			} else if (/[A-Za-z_]/.test(c)) {
				const start = i;
				while (i < s.length && /[A-Za-z0-9_.]/.test(s[i])) i++;
				tokens.push({ kind: 'ident', text: s.slice(start, i), pos: start });
			} else {
				this.syntax(i);
			}
		}
		return tokens;
	}
}

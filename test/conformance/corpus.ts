/**
 * Microsoft's documented examples of the provisioning pages (test/fixtures/graph-doc-examples): reading them, putting
 * the emulator's object IDs in place of the documented ones, and comparing a body's shape with a documented one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'graph-doc-examples');

export interface DocumentedExample {
	id: string;
	page: string;
	version: 'v1.0' | 'beta';
	commit: string;
	request: {
		method: string;
		url: string;
		headers: Record<string, string>;
		body: unknown;
		bodyParseError: boolean;
	};
	response: {
		status: number;
		headers: Record<string, string>;
		body: unknown;
		bodyParseError: boolean;
		truncated: boolean;
		annotation: { '@odata.type'?: string; isCollection?: boolean } | null;
	};
	notes: string[];
}

export interface DocumentedType {
	page: string;
	properties: Array<{ name: string; type: string; kind: string }>;
}

export const examples: DocumentedExample[] = readFileSync(
	path.join(CORPUS, 'examples.jsonl'),
	'utf8',
)
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => JSON.parse(line) as DocumentedExample);

export const documentedTypes = JSON.parse(
	readFileSync(path.join(CORPUS, 'types.json'), 'utf8'),
) as Record<string, DocumentedType>;

/** The corpus README's "Behavioural statements" section, one entry a bullet. */
export const behaviouralStatements: string[] = readFileSync(path.join(CORPUS, 'README.md'), 'utf8')
	.split('## Behavioural statements')[1]
	.split('\n')
	.filter((line) => line.startsWith('- '))
	.map((line) => line.slice(2));

/**
 * Several documented bodies are not JSON as printed (keys without quotes, trailing commas). This reads what the page
 * evidently means, when that is all that is wrong; it returns undefined for a body cut off on the page.
 */
export function readLenient(text: string): unknown {
	const repaired = text
		.replace(/,(\s*[}\]])/g, '$1')
		.replace(/([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*:)/g, '$1"$2"$3');
	try {
		return JSON.parse(repaired);
	} catch {
		return undefined;
	}
}

export interface EmulatorIds {
	servicePrincipal: string;
	application: string;
	job: string;
	template: string;
	directory: string;
	provisioningLog: string;
	applicationTemplate: string;
}

/** What each documented path segment names, by the segment before it. */
const SEGMENT_IDS: Record<string, keyof EmulatorIds> = {
	servicePrincipals: 'servicePrincipal',
	applications: 'application',
	jobs: 'job',
	templates: 'template',
	directories: 'directory',
	directoryProvisioning: 'provisioningLog',
	applicationTemplates: 'applicationTemplate',
};

/** The documented URL's path below the version, each documented ID replaced by the emulator's object of that kind. */
export function substitutedPath(example: DocumentedExample, ids: EmulatorIds): string {
	const { pathname } = new URL(example.request.url.replace(/[{}]/g, '_'));
	const segments = pathname.split('/').slice(2);
	return (
		'/' +
		segments
			.map((segment, index) => {
				const kind = SEGMENT_IDS[segments[index - 1]];
				return kind && segment !== '' ? encodeURIComponent(ids[kind]) : segment;
			})
			.join('/')
	);
}

export function jsonType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

/**
 * Where `actual` lacks a property the documented body shows, or holds it as another JSON type: one line each, empty
 * when the shapes agree. Sample values are not compared; a documented null says nothing about the type, and an empty
 * documented object ({} marks an elided entry on several pages) asks for nothing.
 */
export function shapeDifferences(documented: unknown, actual: unknown, at = '$'): string[] {
	if (documented === null || documented === undefined) return [];
	if (jsonType(documented) !== jsonType(actual))
		return [`${at}: documented ${jsonType(documented)}, got ${jsonType(actual)}`];
	if (Array.isArray(documented)) {
		const list = actual as unknown[];
		if (documented.length === 0 || list.length === 0) return [];
		return shapeDifferences(documented[0], list[0], `${at}[0]`);
	}
	if (typeof documented === 'object') {
		const object = actual as Record<string, unknown>;
		return Object.entries(documented as Record<string, unknown>).flatMap(([name, value]) =>
			name in object
				? shapeDifferences(value, object[name], `${at}.${name}`)
				: [`${at}.${name}: missing`],
		);
	}
	return [];
}

/**
 * The properties of `actual` that neither the type's resource page lists nor the example shows (OData annotations
 * aside).
 */
export function undocumentedProperties(
	typeName: string,
	actual: unknown,
	shownInExample: string[] = [],
): string[] {
	const type = documentedTypes[typeName];
	if (!type || actual === null || typeof actual !== 'object') return [];
	const names = new Set([...type.properties.map((property) => property.name), ...shownInExample]);
	return Object.keys(actual).filter((name) => !name.includes('@') && !names.has(name));
}

/** The JSON type of a property of the documented Edm type, where the type alone says it (primitives, collections). */
function jsonTypeOfDocumented(type: string): string | undefined {
	if (type.endsWith(' collection')) return 'array';
	const primitive = type.split(' ')[0];
	if (['String', 'DateTimeOffset', 'Duration'].includes(primitive)) return 'string';
	if (primitive === 'Boolean') return 'boolean';
	if (['Int32', 'Int64', 'Integer'].includes(primitive)) return 'number';
	return undefined;
}

/**
 * The properties of `actual` whose JSON type differs from the type its resource page gives (null is any type), and
 * below them, those of the documented types they hold (a job's status, a schema's rules…), by their path.
 */
export function mistypedProperties(
	typeName: string,
	actual: unknown,
	/** `type.property` entries whose table the check leaves out */
	exceptions: ReadonlySet<string> = new Set(),
	at = '',
): string[] {
	const type = documentedTypes[typeName];
	if (!type || actual === null || typeof actual !== 'object') return [];
	return type.properties.flatMap(({ name, type: documented }) => {
		if (exceptions.has(`${typeName}.${name}`)) return [];
		const value = (actual as Record<string, unknown>)[name];
		const path = `${at}${name}`;
		const expected = jsonTypeOfDocumented(documented);
		if (value === undefined || value === null) return [];
		if (expected && jsonType(value) !== expected)
			return [`${path}: documented ${documented}, got ${jsonType(value)}`];
		const inner = documented.replace(/ collection$/, '');
		if (!(inner in documentedTypes)) return [];
		return (Array.isArray(value) ? value : [value]).flatMap((member, index) => {
			const memberPath = Array.isArray(value) ? `${path}[${index}]` : path;
			return [
				...undocumentedProperties(inner, member)
					.filter((extra) => !exceptions.has(`${inner}.${extra}`))
					.map((extra) => `${memberPath}.${extra}: not on the ${inner} page`),
				...mistypedProperties(inner, member, exceptions, `${memberPath}.`),
			];
		});
	});
}

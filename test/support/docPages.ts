import { readdirSync } from 'node:fs';
import path from 'node:path';

/** The project's root, which the page paths are relative to */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** README.md and every page of docs/, as paths from the project's root */
export const DOC_PAGES: readonly string[] = [
	'README.md',
	...readdirSync(path.join(PROJECT_ROOT, 'docs'))
		.filter((file) => file.endsWith('.md'))
		.map((file) => `docs/${file}`),
];

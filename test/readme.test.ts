import { readFileSync } from 'node:fs';
import path from 'node:path';

import { GENERATED_PAGES, GENERATED_SECTIONS, pagePath, renderPage } from '../dev/docs';

import { DOC_PAGES, PROJECT_ROOT } from './support/docPages';

describe('README and docs/', () => {
	it.each(Object.keys(GENERATED_PAGES))(
		'%s has its reference tables as the code lists them (run `npm run docs` after changing a list)',
		(page) => {
			const text = readFileSync(pagePath(page), 'utf8');
			expect(renderPage(page, text)).toBe(text);
		},
	);

	it('fails when a generated table is edited by hand', () => {
		const page = 'docs/operations.md';
		const edited = readFileSync(pagePath(page), 'utf8').replace(
			'| `SecretToken` |',
			'| `SecretTokenX` |',
		);
		expect(renderPage(page, edited)).not.toBe(edited);
	});

	it('holds each generated section in exactly the page the generator writes it to', () => {
		const found: Array<[string, string]> = [];
		for (const page of DOC_PAGES) {
			const text = readFileSync(path.join(PROJECT_ROOT, page), 'utf8');
			for (const [, name] of text.matchAll(/<!-- generated:(\w+) -->/g)) found.push([name, page]);
		}
		const expected = Object.entries(GENERATED_PAGES).flatMap(([page, sections]) =>
			sections.map((name): [string, string] => [name, page]),
		);
		expect(found.sort()).toEqual(expected.sort());
		expect(expected.map(([name]) => name).sort()).toEqual(Object.keys(GENERATED_SECTIONS).sort());
	});
});

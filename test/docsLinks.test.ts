/**
 * Every relative link of README.md and docs/*.md leads somewhere: the file exists, and a `#anchor` names a heading of
 * the page it points to, as GitHub makes anchors from headings. README is short and links to docs/ for the depth, so
 * a page renamed or a heading reworded must not leave a dead link behind.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { DOC_PAGES, PROJECT_ROOT } from './support/docPages';

/** The page's lines outside fenced code blocks, where a `](` is text and no link. */
function proseLines(text: string): string[] {
	let fenced = false;
	return text.split('\n').filter((line) => {
		if (line.startsWith('```')) {
			fenced = !fenced;
			return false;
		}
		return !fenced;
	});
}

/** GitHub's anchor for a heading: lower case, only letters, digits, `-`, `_` and spaces kept, spaces as `-`. */
export function headingAnchor(heading: string): string {
	return heading
		.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

/** The anchors of a page's headings, a repeated heading numbered as GitHub numbers it (`-1`, `-2`, …). */
function anchorsOf(file: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of proseLines(readFileSync(file, 'utf8'))) {
		const heading = /^#{1,6}\s+(.*?)\s*#*$/.exec(line)?.[1];
		if (heading === undefined) continue;
		const anchor = headingAnchor(heading);
		const count = seen.get(anchor) ?? 0;
		anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
		seen.set(anchor, count + 1);
	}
	return anchors;
}

/** The relative links of a page (images included), with the line they are on. */
function relativeLinks(page: string): Array<{ line: number; target: string }> {
	const links: Array<{ line: number; target: string }> = [];
	const text = readFileSync(path.join(PROJECT_ROOT, page), 'utf8');
	let fenced = false;
	for (const [index, line] of text.split('\n').entries()) {
		if (line.startsWith('```')) fenced = !fenced;
		if (fenced) continue;
		// inline code may show link syntax without being a link
		const prose = line.replace(/`[^`]*`/g, '');
		for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
			links.push({ line: index + 1, target });
		}
	}
	return links;
}

/** What is wrong with a link, or undefined when it leads to an existing file and heading. */
function deadLink(page: string, target: string): string | undefined {
	const [file, anchor] = target.split('#', 2);
	const resolved = file
		? path.resolve(PROJECT_ROOT, path.dirname(page), file)
		: path.join(PROJECT_ROOT, page);
	if (!existsSync(resolved)) return `no file ${path.relative(PROJECT_ROOT, resolved)}`;
	if (anchor === undefined) return undefined;
	if (statSync(resolved).isDirectory() || !resolved.endsWith('.md'))
		return `an anchor into ${path.relative(PROJECT_ROOT, resolved)}, which has no headings`;
	if (!anchorsOf(resolved).has(anchor))
		return `no heading #${anchor} in ${path.relative(PROJECT_ROOT, resolved)}`;
	return undefined;
}

describe.each(DOC_PAGES)('%s', (page) => {
	it('has only relative links that lead to an existing file and heading', () => {
		const dead = relativeLinks(page).flatMap(({ line, target }) => {
			const problem = deadLink(page, target);
			return problem ? [`${page}:${line} (${target}): ${problem}`] : [];
		});
		expect(dead).toEqual([]);
	});
});

describe('the link check', () => {
	it("reads README's links", () => {
		expect(relativeLinks('README.md').map(({ target }) => target)).toContain(
			'docs/operations.md#provisioning-token--acquire',
		);
	});

	it('makes anchors as GitHub does', () => {
		expect(headingAnchor('Provisioning Token › Acquire')).toBe('provisioning-token--acquire');
		expect(headingAnchor("Conformance with Microsoft's documentation")).toBe(
			'conformance-with-microsofts-documentation',
		);
		expect(headingAnchor('What differs on n8n 1.x')).toBe('what-differs-on-n8n-1x');
	});

	it('finds a link to a missing heading or file', () => {
		expect(deadLink('README.md', 'docs/operations.md#no-such-heading')).toBe(
			'no heading #no-such-heading in docs/operations.md',
		);
		expect(deadLink('docs/operations.md', 'missing.md')).toBe('no file docs/missing.md');
		expect(deadLink('README.md', 'docs/operations.md#job--create')).toBeUndefined();
	});
});

/**
 * What a contributor and a package registry expect of the repository itself: a licence file that says what
 * package.json says, a repository npm can check a provenance statement against, and a lockfile that `npm install`
 * leaves as it is.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import packageJson from '../package.json';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The indentation of a JSON file's first nested line, as npm detects it to write package-lock.json */
function indentation(json: string): string {
	return /\n([ \t]+)"/.exec(json)?.[1] ?? '';
}

describe('project conventions', () => {
	it('has a LICENSE with the licence and the copyright holder package.json names', () => {
		const license = read('LICENSE');
		expect(packageJson.license).toBe('MIT');
		expect(license.split('\n')[0]).toBe('MIT License');
		expect(license).toContain(`Copyright (c) 2026 ${packageJson.author.name}`);
	});

	it('names its GitHub repository, which npm matches against the provenance of a published version', () => {
		const match = /^git\+https:\/\/github\.com\/([^/]+\/[^/]+)\.git$/.exec(
			packageJson.repository.url,
		);
		expect(match).not.toBeNull();
		expect(packageJson.bugs.url).toBe(`https://github.com/${match?.[1]}/issues`);
	});

	// npm writes package-lock.json with the indentation it finds in package.json (Prettier's tabs); a lockfile
	// committed with other indentation is rewritten whole by the next `npm install`
	it('commits package-lock.json indented as npm writes it', () => {
		const lockfile = read('package-lock.json');
		expect(JSON.stringify(indentation(lockfile))).toBe(
			JSON.stringify(indentation(read('package.json'))),
		);
		expect(lockfile.endsWith('}\n')).toBe(true);
	});
});

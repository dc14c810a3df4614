import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import packageJson from '../package.json';

/** The package's main entry exports every class that package.json's n8n section registers, under its own name. */
describe('package entry (index.js)', () => {
	const root = path.resolve(__dirname, '..');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const entry = require(path.join(root, packageJson.main)) as Record<string, unknown>;
	const registered = [...packageJson.n8n.nodes, ...packageJson.n8n.credentials];

	it.each(registered)('exports the class built into %s', (file) => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const built = require(path.join(root, file)) as Record<string, unknown>;
		const [name, cls] =
			Object.entries(built).find(([, value]) => typeof value === 'function') ?? [];
		expect(name).toBeDefined();
		expect(entry[name as string]).toBe(cls);
	});

	it('exports nothing that package.json does not register', () => {
		expect(Object.keys(entry)).toHaveLength(registered.length);
	});

	it('ships no built module whose source is gone', () => {
		const built = readdirSync(path.join(root, 'dist'), {
			recursive: true,
			encoding: 'utf8',
		}).filter((file) => file.endsWith('.js'));
		expect(built.length).toBeGreaterThan(0);
		const orphans = built.filter(
			(file) => !existsSync(path.join(root, file.replace(/\.js$/, '.ts'))),
		);
		expect(orphans).toEqual([]);
	});

	// what `npm publish` would upload, listed without building or packing (the build above is the one it ships)
	it('packs dist/, index.js, package.json, README, LICENSE and CHANGELOG, and nothing of the workshop', () => {
		const [packed] = JSON.parse(
			execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
				cwd: root,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}),
		) as { name: string; files: { path: string }[] }[];
		expect(packed.name).toBe(packageJson.name);
		const tops = new Set(packed.files.map((file) => file.path.split('/')[0]));
		expect([...tops].sort()).toEqual(
			['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'index.js', 'package.json'].sort(),
		);
		// dist/ holds the build of nodes/, credentials/ and lib/ only
		const distFolders = new Set(
			packed.files
				.filter((file) => file.path.startsWith('dist/'))
				.map((file) => file.path.split('/')[1]),
		);
		expect([...distFolders].sort()).toEqual(['credentials', 'lib', 'nodes']);
	});
});

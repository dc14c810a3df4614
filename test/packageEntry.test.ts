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
		const [name, cls] = Object.entries(built).find(([, value]) => typeof value === 'function') ?? [];
		expect(name).toBeDefined();
		expect(entry[name as string]).toBe(cls);
	});

	it('exports nothing that package.json does not register', () => {
		expect(Object.keys(entry)).toHaveLength(registered.length);
	});
});

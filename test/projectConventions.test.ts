/**
 * What a contributor and a package registry expect of the repository itself: a licence file that says what
 * package.json says, a repository npm can check a provenance statement against, a lockfile that `npm install`
 * leaves as it is, GitHub Actions workflows that run what .ci/run runs and publish with npm provenance, and a
 * lint that keeps the node's folders importing one way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import packageJson from '../package.json';

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

/**
 * Puts this package into an n8n user folder the way n8n's own community-package installer leaves one:
 * `$N8N_USER_FOLDER/.n8n/nodes/node_modules/<name>` holding the published files (package.json `files`), a
 * package.json without devDependencies/peerDependencies/optionalDependencies (n8n strips those), and the runtime
 * dependencies next to it. n8n finds it by the `n8n-nodes-*` name and reads the package.json `n8n` section.
 *
 * The files are copied, not linked: a symlinked dist/ would resolve `n8n-workflow` from the project's own
 * node_modules (a second copy of it) instead of n8n's. Dependencies are symlinks into the project's node_modules
 * (so @azure/identity and everything it needs resolve), and `n8n-workflow` is linked to n8n's own copy, which is
 * what n8n's NODE_PATH fallback gives a real install whose peer dependency was stripped.
 */
import {
	cpSync,
	existsSync,
	mkdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT, type N8nRuntime } from './runtime';

interface PackageJson {
	name: string;
	version: string;
	files?: string[];
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	[key: string]: unknown;
}

export function readProjectPackage(): PackageJson {
	return JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** Installs (or refreshes) the built package into the user folder; returns the package directory. */
export function installCommunityPackage(userFolder: string, runtime: N8nRuntime): string {
	const pkg = readProjectPackage();
	const manifest = pkg.n8n as { nodes?: string[]; credentials?: string[] } | undefined;
	for (const file of [...(manifest?.nodes ?? []), ...(manifest?.credentials ?? [])]) {
		if (!existsSync(path.join(PROJECT_ROOT, file))) {
			throw new Error(`${file} is missing: build the package first (npm run build)`);
		}
	}

	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', pkg.name);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });

	const published: Record<string, unknown> = { ...pkg };
	for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies'])
		delete published[field];
	writeFileSync(path.join(packageDir, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
	for (const entry of [...(pkg.files ?? ['dist']), 'README.md', 'LICENSE', 'LICENSE.md']) {
		const source = path.join(PROJECT_ROOT, entry);
		if (existsSync(source)) cpSync(source, path.join(packageDir, entry), { recursive: true });
	}

	const modules = path.join(packageDir, 'node_modules');
	const link = (name: string, target: string) => {
		if (!existsSync(target))
			throw new Error(`Cannot link ${name}: ${target} does not exist (run npm install)`);
		const at = path.join(modules, name);
		mkdirSync(path.dirname(at), { recursive: true });
		symlinkSync(target, at, 'dir');
	};
	for (const name of Object.keys(pkg.dependencies ?? {})) {
		link(name, path.join(PROJECT_ROOT, 'node_modules', name));
	}
	link('n8n-workflow', path.join(runtime.dir, 'node_modules', 'n8n-workflow'));

	// n8n keeps the list of installed packages in nodes/package.json
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [pkg.name]: pkg.version } }, null, 2)}\n`,
	);
	return packageDir;
}

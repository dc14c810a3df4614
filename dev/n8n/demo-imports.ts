/**
 * What `npm start` imports into its n8n at each start, and how it stamps the credentials so that a node a newcomer
 * adds in the editor gets one that works.
 *
 * n8n's editor (2.41, `useCanvasOperations`) gives a newly added node the credential with the latest `updatedAt`
 * among those of every credential type the node's Authentication options name: app-only and delegated alike, the
 * Authentication then switching to match. Imported together without a time, both credentials were saved in the same
 * instant and n8n took the delegated one, which works only after Connect. The demo therefore saves the app-only
 * credential last, at every start: Connect saves the delegated credential (its token) and would otherwise stay the
 * newest after a restart, when the emulator has forgotten that sign-in.
 */
import { createHash } from 'node:crypto';

import { CREDENTIALS, type ImportedCredential, type WorkflowJson } from './demo-tenant';

/** A credential as `n8n import:credentials` reads it, with the time n8n records as its last save. */
export type StampedCredential = ImportedCredential & { updatedAt: string };

/**
 * The demo's credentials, delegated first, each stamped as saved before `now` and the app-only one at `now`, so that
 * n8n gives a new node the app-only credential.
 */
export function stampedForNewNodes(
	credentials: ImportedCredential[],
	now: Date = new Date(),
): StampedCredential[] {
	const appOnlyLast = [...credentials].sort(
		(a, b) =>
			Number(a.type === CREDENTIALS.appOnly.type) - Number(b.type === CREDENTIALS.appOnly.type),
	);
	return appOnlyLast.map((credential, index) => ({
		...credential,
		updatedAt: new Date(now.getTime() - (appOnlyLast.length - 1 - index) * 1000).toISOString(),
	}));
}

/**
 * What a start would import, as a hash: equal from one start to the next while the examples, the credentials (the
 * emulator's URLs and sign-in) and n8n stay the same, so that a start keeps what was changed in the editor.
 */
export function demoImportHash(content: {
	credentials: ImportedCredential[];
	workflows: WorkflowJson[];
	n8nVersion: string;
}): string {
	return createHash('sha256')
		.update(
			JSON.stringify({
				credentials: content.credentials,
				workflows: content.workflows,
				n8n: content.n8nVersion,
			}),
		)
		.digest('hex');
}

/** What a start imports: everything (the first run, a change, or `--reset`), or only the app-only credential again. */
export type DemoImport = 'everything' | 'appOnlyCredential';

export function demoImport(run: {
	/** `npm start -- --reset`: the examples and credentials as shipped, over what was changed in the editor */
	reset: boolean;
	/** The hash of what the last run imported (credentials, workflows, n8n version), if any */
	importedHash: string | undefined;
	/** The hash of what this run would import */
	importHash: string;
	/** Whether n8n's database exists in the user folder */
	databaseExists: boolean;
}): DemoImport {
	if (run.reset || !run.databaseExists || run.importedHash !== run.importHash) return 'everything';
	return 'appOnlyCredential';
}

/**
 * `npm test` must leave the work tree as it found it: whatever a suite produces goes under `.test-output/` (ignored
 * by git), never into a tracked file. Jest's global setup takes a snapshot of the tracked files' modification times
 * and of the untracked files git would show; the global teardown fails the run when a tracked file was written
 * (even with the same bytes) or a new file appeared outside the ignored folders.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface WorkTreeSnapshot {
	/** modification time in ms of every tracked file (-1: absent) */
	tracked: Map<string, number>;
	/** untracked files that are not ignored */
	untracked: Set<string>;
}

function gitFiles(args: string[]): string[] | undefined {
	const result = spawnSync('git', [...args, '-z'], { cwd: ROOT, encoding: 'utf8' });
	if (result.status !== 0) return undefined;
	return result.stdout.split('\0').filter(Boolean);
}

function modified(file: string): number {
	try {
		return statSync(path.join(ROOT, file)).mtimeMs;
	} catch {
		return -1;
	}
}

/** The work tree's state, or undefined outside a git checkout (an unpacked tarball has nothing to compare). */
export function snapshotWorkTree(): WorkTreeSnapshot | undefined {
	const tracked = gitFiles(['ls-files']);
	const untracked = gitFiles(['ls-files', '--others', '--exclude-standard']);
	if (!tracked || !untracked) return undefined;
	return {
		tracked: new Map(tracked.map((file) => [file, modified(file)])),
		untracked: new Set(untracked),
	};
}

/** What changed since the snapshot: tracked files written or deleted, and new files git would show. */
export function workTreeChanges(before: WorkTreeSnapshot, after: WorkTreeSnapshot): string[] {
	const written = [...before.tracked]
		.filter(([file, time]) => after.tracked.get(file) !== time)
		.map(([file]) => file);
	const added = [...after.untracked].filter((file) => !before.untracked.has(file));
	return [...written, ...added].sort();
}

/** After the engine suite: fails the run when a suite wrote a file git tracks or would show (test/support/workTree.ts). */
import { snapshotWorkTree, workTreeChanges } from './support/workTree';

export default function globalTeardown(): void {
	const before = globalThis.workTreeAtStart;
	const after = snapshotWorkTree();
	if (!before || !after) return;
	const changes = workTreeChanges(before, after);
	if (changes.length)
		throw new Error(
			`The test run wrote files that git tracks or would show: ${changes.join(', ')}. A suite writes what it ` +
				'produces under .test-output/ (reports through dev/reports.ts); if you edited one of these files ' +
				'yourself while the tests ran, run them again.',
		);
}

/** Before the engine suite: the work tree's state, for the check in test/globalTeardown.ts. */
import { snapshotWorkTree, type WorkTreeSnapshot } from './support/workTree';

declare global {
	var workTreeAtStart: WorkTreeSnapshot | undefined;
}

export default function globalSetup(): void {
	globalThis.workTreeAtStart = snapshotWorkTree();
}

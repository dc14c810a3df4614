/**
 * `npm run screenshots`: regenerates docs/images/node-parameters.png and docs/images/successful-execution.png from a
 * real n8n with this package (against the emulator), driven in headless Chromium, the same way the end-to-end suite
 * does. Needs /usr/bin/chromium (`bash .ci/setup.sh e2e` installs it).
 */
import path from 'node:path';

import { captureNodeScreenshots, Editor } from './n8n/browser';
import { E2E_OWNER, NODE_NAME, startStack, type Stack } from './n8n/e2e-stack';
import { PROJECT_ROOT } from './n8n/runtime';

async function main(): Promise<void> {
	const dir = path.join(PROJECT_ROOT, 'docs', 'images');
	let stack: Stack | undefined;
	let editor: Editor | undefined;
	try {
		process.stdout.write('starting the emulator and n8n …\n');
		stack = await startStack({ name: 'screenshots' });
		editor = await Editor.open(stack.n8n.baseUrl);
		await editor.login(E2E_OWNER);
		const shots = await captureNodeScreenshots(editor, {
			workflowId: 'entraAcquireManual',
			nodeName: NODE_NAME,
			dir,
		});
		for (const file of Object.values(shots))
			process.stdout.write(`wrote ${path.relative(PROJECT_ROOT, file)}\n`);
	} finally {
		await editor?.close();
		await stack?.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});

/**
 * The n8n editor in headless Chromium (the Debian package, driven by playwright-core). Every request that is not
 * for 127.0.0.1/localhost is refused twice: by Chromium's host resolver and by a route handler that records it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import {
	chromium,
	selectors,
	type Browser,
	type BrowserContext,
	type Page,
	type Request,
} from 'playwright-core';

import { PROJECT_ROOT } from './runtime';
import type { N8nOwner } from './n8n';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	// no name but localhost resolves, so nothing can leave the machine even outside the page (e.g. the browser's own services)
	'--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
];

// n8n marks its elements with data-test-id
selectors.setTestIdAttribute('data-test-id');

function isLocal(url: string): boolean {
	try {
		const { protocol, hostname } = new URL(url);
		if (!protocol.startsWith('http') && !protocol.startsWith('ws')) return true; // data:, blob:, about:
		return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
	} catch {
		return true;
	}
}

export class Editor {
	/** Requests the page tried to send off the machine (refused) */
	readonly blockedRequests: string[] = [];

	private constructor(
		readonly browser: Browser,
		readonly context: BrowserContext,
		readonly page: Page,
		readonly baseUrl: string,
	) {}

	static async open(
		baseUrl: string,
		options: { viewport?: { width: number; height: number } } = {},
	): Promise<Editor> {
		if (!existsSync(CHROMIUM_PATH)) {
			throw new Error(
				`Chromium is not installed at ${CHROMIUM_PATH}: run bash .ci/setup.sh e2e (apt-get install -y chromium)`,
			);
		}
		const browser = await chromium.launch({
			executablePath: CHROMIUM_PATH,
			headless: true,
			args: CHROMIUM_FLAGS,
		});
		// the emulator's login page is served with a certificate from its own test CA
		const context = await browser.newContext({
			ignoreHTTPSErrors: true,
			viewport: options.viewport ?? { width: 1440, height: 900 },
			deviceScaleFactor: 1,
			locale: 'en-US',
			timezoneId: 'UTC',
		});
		context.setDefaultTimeout(30_000);
		const page = await context.newPage();
		const editor = new Editor(browser, context, page, baseUrl);
		await context.route(
			(url) => !isLocal(url.toString()),
			async (route) => {
				editor.blockedRequests.push(route.request().url());
				await route.abort('blockedbyclient');
			},
		);
		return editor;
	}

	/** Signs in on n8n's sign-in page. */
	async login(owner: Pick<N8nOwner, 'email' | 'password'>): Promise<void> {
		const { page } = this;
		await page.goto(`${this.baseUrl}/signin`);
		await page.locator('input[name=emailOrLdapLoginId]').fill(owner.email);
		await page.locator('input[name=password]').fill(owner.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	}

	/** Opens a credential's edit dialog. */
	async openCredential(id: string): Promise<void> {
		await this.page.goto(`${this.baseUrl}/home/credentials/${id}`);
		await this.page.getByTestId('editCredential-modal').waitFor();
	}

	/** Waits until an OAuth2 credential's dialog offers Connect: the not-connected banner (2.x) or the Connect button (1.x). */
	async waitForOAuth2NotConnected(): Promise<void> {
		await this.page
			.getByTestId('oauth-not-connected-banner')
			.or(this.page.getByTestId('oauth-connect-button'))
			.first()
			.waitFor();
	}

	/**
	 * Presses Connect in an OAuth2 credential's dialog and follows the sign-in window (the emulator consents at
	 * once and redirects to n8n's callback, which closes the window). Resolves when the dialog says connected.
	 */
	async connectOAuth2(): Promise<string[]> {
		const { page, context } = this;
		const visited: string[] = [];
		// every page load while connecting, recorded as it is requested (1.x's sign-in window closes before the
		// callback page has finished loading, so navigation events miss it); the editor's own page stays put
		const onRequest = (request: Request) => {
			if (request.isNavigationRequest()) visited.push(request.url());
		};
		context.on('request', onRequest);
		const popupPromise = context.waitForEvent('page');
		// 2.x's dialog has a banner with a quick-connect button; 1.x a plain Connect button (test id oauth-connect-button)
		await page
			.getByTestId('quick-connect-button')
			.or(page.getByTestId('oauth-connect-button'))
			.first()
			.click();
		const popup = await popupPromise;
		try {
			if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 30_000 });
			await page.getByTestId('oauth-connect-success-banner').waitFor();
		} finally {
			context.off('request', onRequest);
		}
		return visited;
	}

	/** Opens a workflow in the canvas. */
	async openWorkflow(id: string): Promise<void> {
		await this.page.goto(`${this.baseUrl}/workflow/${id}`);
		try {
			await this.page.getByTestId('canvas-node').first().waitFor();
		} catch (error) {
			const shot = path.join(
				PROJECT_ROOT,
				'.test-output',
				'e2e',
				`open-workflow-failed-${Date.now()}.png`,
			);
			await this.page.screenshot({ path: shot }).catch(() => undefined);
			if (error instanceof Error)
				error.message += `\n(the page as it was: ${shot}, at ${this.page.url()})`;
			throw error;
		}
	}

	/** Opens a node's panel (NDV) by double-clicking it on the canvas. */
	async openNode(name: string): Promise<void> {
		const node = this.page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
		await node.dblclick();
		await this.page.getByTestId('ndv').waitFor();
	}

	async screenshot(file: string): Promise<void> {
		mkdirSync(path.dirname(file), { recursive: true });
		// no hover effects in the picture
		await this.page.mouse.move(1, 1);
		await this.page.waitForTimeout(200);
		await this.page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
	}

	async close(): Promise<void> {
		await this.browser.close().catch(() => undefined);
	}
}

/**
 * The two pictures the README shows: the node's parameter panel, and the same panel after "Execute step" with the
 * successful output (JSON view). The workflow must be runnable against whatever its credential points at.
 */
export async function captureNodeScreenshots(
	editor: Editor,
	options: { workflowId: string; nodeName: string; dir: string },
): Promise<{ parameters: string; execution: string }> {
	const { page } = editor;
	const parameters = path.join(options.dir, 'node-parameters.png');
	const execution = path.join(options.dir, 'successful-execution.png');
	await editor.openWorkflow(options.workflowId);
	await editor.openNode(options.nodeName);
	await page.getByTestId('node-parameters').waitFor();
	await page.waitForTimeout(500); // the panel's opening transition
	await editor.screenshot(parameters);

	await page.getByTestId('node-execute-button').click();
	const output = page.getByTestId('output-panel');
	await output.getByTestId('node-run-status-success').waitFor({ timeout: 60_000 });
	await output.getByTestId('radio-button-json').click();
	await page.waitForTimeout(500);
	await editor.screenshot(execution);
	return { parameters, execution };
}

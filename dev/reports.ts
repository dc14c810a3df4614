/**
 * The pages the suites write about what they measured (the reliability table of `npm test`, the queue-mode findings
 * of `npm run test:queue`). A suite writes its page under `.test-output/reports/`, which git ignores, so running the
 * tests leaves the work tree as it was; `npm run docs` copies the pages found there over their committed copies in
 * `docs/`, which stay the last rendered copy until then.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..');

export const REPORTS_DIR = path.join(PROJECT_ROOT, '.test-output', 'reports');
export const DOCS_DIR = path.join(PROJECT_ROOT, 'docs');

/** Each report's file name, the same in `.test-output/reports/` and in `docs/` */
export const REPORTS = {
	reliability: 'reliability.md',
	queueMode: 'queue-mode.md',
} as const;

export type ReportName = keyof typeof REPORTS;

/** Writes a suite's page under `.test-output/reports/`; returns the file written. */
export function writeReport(name: ReportName, markdown: string): string {
	mkdirSync(REPORTS_DIR, { recursive: true });
	const file = path.join(REPORTS_DIR, REPORTS[name]);
	writeFileSync(file, markdown);
	return file;
}

/**
 * Copies every report a suite has written over its copy in `docs/` (from `reportsDir`, `.test-output/reports/`
 * unless a test names another); returns the `docs/` files that changed.
 */
export function renderReports(reportsDir = REPORTS_DIR, docsDir = DOCS_DIR): string[] {
	const changed: string[] = [];
	for (const file of Object.values(REPORTS)) {
		const written = path.join(reportsDir, file);
		if (!existsSync(written)) continue;
		const rendered = readFileSync(written, 'utf8');
		const doc = path.join(docsDir, file);
		if (existsSync(doc) && readFileSync(doc, 'utf8') === rendered) continue;
		writeFileSync(doc, rendered);
		changed.push(path.relative(PROJECT_ROOT, doc));
	}
	return changed;
}

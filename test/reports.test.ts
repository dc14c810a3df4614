import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { REPORTS, REPORTS_DIR, renderReports } from '../dev/reports';

/** `npm run docs` renders docs/ from the reports the suites wrote under .test-output/reports/ (dev/reports.ts). */
describe('reports rendered into docs/', () => {
	let scratch: string;
	let reports: string;
	let docs: string;

	beforeEach(() => {
		scratch = mkdtempSync(path.join(os.tmpdir(), 'reports-'));
		reports = path.join(scratch, 'reports');
		docs = path.join(scratch, 'docs');
		mkdirSync(reports);
		mkdirSync(docs);
	});

	afterEach(() => rmSync(scratch, { recursive: true, force: true }));

	it('suites write under .test-output/, which git ignores', () => {
		expect(path.relative(path.resolve(__dirname, '..'), REPORTS_DIR)).toBe(
			path.join('.test-output', 'reports'),
		);
		expect(readFileSync(path.resolve(__dirname, '..', '.gitignore'), 'utf8')).toMatch(
			/^\.test-output\/$/m,
		);
	});

	it('copies a written report over its docs/ copy and keeps the last copy of one not written', () => {
		writeFileSync(path.join(reports, REPORTS.reliability), '# new run\n');
		writeFileSync(path.join(docs, REPORTS.reliability), '# last run\n');
		writeFileSync(path.join(docs, REPORTS.queueMode), '# last queue run\n');

		expect(renderReports(reports, docs)).toHaveLength(1);
		expect(readFileSync(path.join(docs, REPORTS.reliability), 'utf8')).toBe('# new run\n');
		expect(readFileSync(path.join(docs, REPORTS.queueMode), 'utf8')).toBe('# last queue run\n');
		expect(renderReports(reports, docs)).toEqual([]);
	});
});

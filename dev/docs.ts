/**
 * Writes the reference tables of README.md and the docs/ pages from the code's own lists (clouds, sign-in methods,
 * permissions, secret keys, HR columns, SCIM attributes) and the performance figures from the last benchmark's
 * results (docs/benchmarks.json), so the docs cannot drift from what the package does. Each table sits between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in the page GENERATED_PAGES names. `npm run docs` rewrites
 * them (`npm run bench` runs it after measuring); a test fails when a page is stale. It also copies the reports the
 * suites last wrote under `.test-output/reports/` into `docs/` (dev/reports.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { APP_ONLY_METHODS } from '../lib/appOnlySignIn';
import { CLOUDS } from '../lib/clouds';
import {
	DEFAULT_DELEGATED_SCOPES,
	permissionJoiner,
	PROVISIONING_ADMIN_ROLES,
	REQUIRED_ACCESS,
	type RequiredAccess,
} from '../lib/permissions';
import { HR_COLUMNS, WORKER_STATUS_ACTIVE } from '../lib/hrColumns';
import { SCIM_USER_ATTRIBUTES } from '../lib/scimUserAttributes';
import { readmeFigures } from './bench/report';
import { BENCHMARKS_JSON, type ReportInput } from './bench/results';
import { renderReports } from './reports';
import {
	SYNCHRONIZATION_SECRETS,
	SYNCHRONIZATION_SECRET_KEYS,
} from '../lib/synchronizationSecrets';

const PROJECT_ROOT = path.resolve(__dirname, '..');

const ACCESS_LABELS: Record<keyof typeof REQUIRED_ACCESS, string> = {
	acquireProvisioningToken: 'Acquire Provisioning Token',
	readDirectoryObjects: 'Target list and lookup by App ID; credential Test button',
	saveSynchronizationSecrets: 'Secrets › Save',
	readSynchronizationSecrets: 'Secrets › Get',
	readSynchronizationJobs:
		"Job › List, Get; job list; the trigger; Get Upload Outcomes' job state (optional)",
	manageSynchronizationJobs: 'Job › Create, Start, Pause, Restart, Delete',
	provisionOnDemand: 'Job › Provision On Demand',
	validateSynchronizationCredentials: 'Job › Validate Credentials',
	readSynchronizationTemplates: 'Template › List, Get; template list',
	readSynchronizationSchema:
		"Schema › Get, Compare, and the read before Update, Reset and Discover Directory; rule list; Bulk Upload's attribute list",
	parseSynchronizationExpression: 'Schema › Parse Expression',
	writeSynchronizationSchema: 'Schema › Update, Reset',
	readSynchronizationCatalogues: 'Schema › Get Filter Operators, Get Functions; the function list',
	discoverSynchronizationDirectory: 'Schema › Discover Directory',
	bulkUpload: 'Bulk Upload (API-driven inbound provisioning)',
	readProvisioningLogs:
		"Provisioning Log › Get Many, Get, Get Upload Outcomes; the trigger's Provisioning Failures event",
	readApplicationTemplates: 'Application Template › Search, Get; gallery list',
	instantiateApplicationTemplate: 'Application Template › Instantiate',
	manageAppRoleAssignments: 'App Role Assignment › Assign, Remove',
	readAppRoleAssignments: 'App Role Assignment › List',
};

/** A permissions cell: the permissions joined as the entry says, or what an empty list means. */
function permissionCell(permissions: string[], access: RequiredAccess): string {
	if (permissions.length === 0) return 'none (any valid token)';
	return permissions.map((permission) => `\`${permission}\``).join(permissionJoiner(access));
}

function table(header: string[], rows: string[][]): string {
	return [
		`| ${header.join(' | ')} |`,
		`| ${header.map(() => '---').join(' | ')} |`,
		...rows.map((row) => `| ${row.join(' | ')} |`),
	].join('\n');
}

export const GENERATED_SECTIONS = {
	performance: () =>
		existsSync(BENCHMARKS_JSON)
			? readmeFigures(JSON.parse(readFileSync(BENCHMARKS_JSON, 'utf8')) as ReportInput)
			: '*Not measured yet: run `npm run bench`.*',
	clouds: () =>
		table(
			['Cloud', 'Microsoft Graph', 'Login authority', 'App-only scope'],
			[
				...Object.values(CLOUDS).map((cloud) => [
					cloud.displayName,
					cloud.graphUrl,
					cloud.authorityUrl,
					`${cloud.graphUrl}/.default`,
				]),
				[
					'Custom',
					'your Graph URL (https, or http on loopback)',
					'your authority URL (https)',
					'`<Graph URL>/.default`',
				],
			],
		),
	signInMethods: () =>
		table(
			['Sign-in method', 'Use it when'],
			Object.values(APP_ONLY_METHODS).map((method) => [method.displayName, method.description]),
		),
	permissions: () =>
		table(
			[
				'What the node does',
				'Application permission (app-only)',
				'Delegated permission (OAuth2)',
				'Entra role of the signed-in admin (OAuth2)',
			],
			Object.entries(REQUIRED_ACCESS).map(([name, access]: [string, RequiredAccess]) => [
				ACCESS_LABELS[name as keyof typeof REQUIRED_ACCESS],
				permissionCell(access.application, access),
				permissionCell(access.delegated, access),
				access.delegatedRoles.length ? access.delegatedRoles.join(', ') : '—',
			]),
		),
	delegatedScopes: () =>
		table(
			['Default scope of the OAuth2 credential', 'What needs it'],
			DEFAULT_DELEGATED_SCOPES.map((scope) => {
				const needing = Object.entries(REQUIRED_ACCESS)
					.filter(([, access]: [string, RequiredAccess]) => access.delegated.includes(scope))
					.map(([name]) => ACCESS_LABELS[name as keyof typeof REQUIRED_ACCESS]);
				return [
					`\`${scope}\``,
					needing.length
						? needing.join('; ')
						: 'A refresh token, so n8n keeps the connection alive without a new sign-in',
				];
			}),
		),
	roles: () =>
		table(
			['Entra role', 'Role template ID'],
			Object.entries(PROVISIONING_ADMIN_ROLES).map(([role, id]) => [role, `\`${id}\``]),
		),
	scimAttributes: () =>
		table(
			['SCIM attribute', 'Also read by Map Automatically as', 'Meaning'],
			Object.entries(SCIM_USER_ATTRIBUTES).map(([path, attribute]) => [
				`\`${path}\`${attribute.required ? ' (required)' : ''}`,
				(attribute.aliases ?? []).map((alias) => `\`${alias}\``).join(', ') || '—',
				attribute.description,
			]),
		),
	hrColumns: () =>
		[
			table(
				['HR column (case, spaces, _ and - do not count)', 'Sent as'],
				HR_COLUMNS.map(({ columns, target, values }) => [
					columns.join(', '),
					'attribute' in target
						? `\`${target.attribute}\`${values === 'workerStatus' ? ' (from the worker status, below)' : ''}`
						: `\`<Custom Extension Schema>:${target.custom}\` (with Other Fields: Send Under a Custom Extension)`,
				]),
			),
			'',
			table(
				['Worker status', 'active'],
				Object.entries(WORKER_STATUS_ACTIVE).map(([status, active]) => [status, String(active)]),
			),
		].join('\n'),
	secretKeys: () =>
		table(
			['Key', 'Value', 'What it is', 'Used by'],
			SYNCHRONIZATION_SECRET_KEYS.map((key) => {
				const { kind, meaning, usedBy } = SYNCHRONIZATION_SECRETS[key];
				return [`\`${key}\``, kind, meaning, usedBy].map((cell) => cell.replace(/\|/g, '\\|'));
			}),
		),
};

export type GeneratedSection = keyof typeof GENERATED_SECTIONS;

/**
 * Which page holds which generated sections, each section in one page: README.md the table a user needs before
 * installing (the permissions), the docs/ pages the tables of the operations and credentials they describe.
 */
export const GENERATED_PAGES: Record<string, GeneratedSection[]> = {
	'README.md': ['permissions'],
	'docs/credentials.md': ['clouds', 'roles', 'signInMethods', 'delegatedScopes'],
	'docs/operations.md': ['secretKeys'],
	'docs/hr-upload.md': ['hrColumns', 'scimAttributes'],
	'docs/performance.md': ['performance'],
};

/** The absolute path of a page of GENERATED_PAGES (a path from the project's root). */
export function pagePath(page: string): string {
	return path.join(PROJECT_ROOT, page);
}

/** The page's text with each of its generated sections replaced by its current content. */
export function renderPage(page: string, text: string): string {
	const sections = GENERATED_PAGES[page];
	if (!sections) throw new Error(`${page} holds no generated section: add it to GENERATED_PAGES`);
	let rendered = text;
	for (const name of sections) {
		const pattern = new RegExp(
			`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`,
		);
		if (!pattern.test(rendered))
			throw new Error(
				`${page} has no generated section "${name}": add its markers or move it in GENERATED_PAGES`,
			);
		rendered = rendered.replace(
			pattern,
			(_match, open: string, close: string) => `${open}${GENERATED_SECTIONS[name]()}\n${close}`,
		);
	}
	return rendered;
}

if (require.main === module) {
	for (const page of Object.keys(GENERATED_PAGES)) {
		const current = readFileSync(pagePath(page), 'utf8');
		const rendered = renderPage(page, current);
		if (rendered !== current) writeFileSync(pagePath(page), rendered);
		console.log(rendered === current ? `${page} is up to date` : `${page} updated`);
	}
	const reports = renderReports();
	console.log(reports.length ? `${reports.join(', ')} updated` : 'docs/ reports are up to date');
}

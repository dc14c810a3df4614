/**
 * Writes the README's reference tables from the code's own lists (clouds, sign-in methods, permissions, secret
 * keys) and its performance figures from the last benchmark's results (docs/benchmarks.json), so the docs cannot
 * drift from what the package does. `npm run docs` rewrites them (`npm run bench` runs it after measuring); a test
 * fails when the README is stale.
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
import {
	SYNCHRONIZATION_SECRETS,
	SYNCHRONIZATION_SECRET_KEYS,
} from '../lib/synchronizationSecrets';

export const README_PATH = path.resolve(__dirname, '..', 'README.md');

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

export const GENERATED_SECTIONS: Record<string, () => string> = {
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

/** The README with every generated section replaced by its current content. */
export function renderReadme(readme: string): string {
	let rendered = readme;
	for (const [name, render] of Object.entries(GENERATED_SECTIONS)) {
		const pattern = new RegExp(
			`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`,
		);
		if (!pattern.test(rendered)) throw new Error(`README.md has no generated section "${name}"`);
		rendered = rendered.replace(
			pattern,
			(_match, open: string, close: string) => `${open}${render()}\n${close}`,
		);
	}
	return rendered;
}

if (require.main === module) {
	const current = readFileSync(README_PATH, 'utf8');
	const rendered = renderReadme(current);
	if (rendered !== current) writeFileSync(README_PATH, rendered);
	console.log(rendered === current ? 'README.md is up to date' : 'README.md updated');
}

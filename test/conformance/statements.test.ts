/**
 * The behavioural statements of Microsoft's pages, as tests: what the emulator answers is what the page says, and
 * where the package acts on it, the node does too. statements.ts lists every statement with its test, or with why it
 * has none; the last test here keeps that list complete.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DirectoryRoles } from '../../dev/emulator';
import { runNode } from '../harness/engine';
import { clientWith, synchronizationParameters } from '../support/synchronization';
import { startTenant, type TestTenant } from '../support/tenant';
import { behaviouralStatements, examples } from './corpus';
import { STATEMENTS } from './statements';

const SCIM_URL = 'https://scim.contoso.example/scim/v2';
const SCIM_TOKEN = 'scim-token-statements-4Rt!9w';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SCIM_RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';

const APP_ROLES = [
	'Synchronization.ReadWrite.All',
	'Application.ReadWrite.All',
	'AuditLog.Read.All',
	'Directory.Read.All',
	'SynchronizationData-User.Upload',
];

let tenant: TestTenant;
let token: string;

beforeAll(async () => {
	tenant = await startTenant();
	tenant.emulator.acceptScimCredentials(SCIM_URL, SCIM_TOKEN);
	token = appToken(APP_ROLES);
});

afterAll(async () => {
	await tenant.emulator.close();
});

function appToken(roles: string[], on = tenant) {
	return on.emulator.createAccessToken({ clientId: on.client.clientId, roles });
}

interface Call {
	method?: string;
	body?: unknown;
	contentType?: string;
	bearer?: string;
	version?: 'v1.0' | 'beta';
	on?: TestTenant;
}

async function graph(path: string, call: Call = {}) {
	const on = call.on ?? tenant;
	const response = await fetch(`${on.emulator.graphUrl}/${call.version ?? 'v1.0'}${path}`, {
		method: call.method ?? 'GET',
		headers: {
			authorization: `Bearer ${call.bearer ?? token}`,
			...(call.body !== undefined
				? { 'content-type': call.contentType ?? 'application/json' }
				: {}),
		},
		body: call.body === undefined ? undefined : JSON.stringify(call.body),
	});
	const text = await response.text();
	return {
		status: response.status,
		headers: response.headers,
		body: (text ? JSON.parse(text) : null) as Record<string, unknown> | null,
	};
}

/** A fresh enterprise application with one job of the template. */
function newJob(template: 'scim' | 'API2AAD', on = tenant) {
	const sp = on.emulator.addServicePrincipal({ displayName: `Statements ${template}` });
	const job = on.emulator.createSynchronizationJob(sp.id, template);
	return { sp, jobId: job.id, path: `/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}` };
}

function employee(externalId: string, extra: Record<string, unknown> = {}) {
	return {
		method: 'POST',
		bulkId: externalId,
		path: '/Users',
		data: {
			schemas: [CORE, ENTERPRISE],
			externalId,
			userName: `${externalId}@contoso.example`,
			...extra,
		},
	};
}

function bulk(jobPath: string, operations: unknown[], call: Call = {}) {
	return graph(`${jobPath}/bulkUpload`, {
		method: 'POST',
		contentType: 'application/scim+json',
		...call,
		body: { schemas: [BULK], Operations: operations },
	});
}

const jobOf = async (jobPath: string) =>
	(await graph(jobPath)).body as {
		schedule: { state: string; interval: string };
		status: { code: string; progress: unknown[]; lastSuccessfulExecution: unknown };
	};

describe('provisionOnDemand', () => {
	it('provisionOnDemand answers 200 with a key and a value that are JSON documents in strings', async () => {
		const { path: jobPath } = newJob('scim');
		const user = tenant.emulator.registerUser({ upn: 'alex.wilber@contoso.example' });
		const answer = await graph(`${jobPath}/provisionOnDemand`, {
			method: 'POST',
			body: {
				parameters: [
					{ ruleId: SCIM_RULE_ID, subjects: [{ objectId: user.id, objectTypeName: 'User' }] },
				],
			},
		});
		expect(answer.status).toBe(200);
		const { key, value } = answer.body as { key: string; value: string };
		expect(JSON.parse(key)).toMatchObject({ result: 'Success', details: {} });
		expect(typeof JSON.parse(value)).toBe('object');
	});
});

describe('bulkUpload', () => {
	it('bulkUpload takes 40 requests sent at once and answers the 41st within the window with 429', async () => {
		// The bulkUpload page says 40 requests per second; Microsoft Learn's inbound provisioning concepts say 40 in
		// any 5 seconds. The emulator keeps to the stricter one: a client within it is within both.
		const own = await startTenant();
		try {
			const { path: jobPath } = newJob('API2AAD', own);
			const bearer = appToken(APP_ROLES, own);
			const answers = await Promise.all(
				Array.from({ length: 40 }, (_, index) =>
					bulk(jobPath, [employee(`burst-${index}`)], { on: own, bearer }),
				),
			);
			expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(202));
			const refused = await bulk(jobPath, [employee('burst-40')], { on: own, bearer });
			expect(refused.status).toBe(429);
			expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		} finally {
			await own.emulator.close();
		}
	});

	it('bulkUpload takes 50 operations in one request and refuses 51', async () => {
		const { path: jobPath } = newJob('API2AAD');
		const operations = Array.from({ length: 51 }, (_, index) => employee(`fifty-${index}`));
		expect((await bulk(jobPath, operations.slice(0, 50))).status).toBe(202);
		const refused = await bulk(jobPath, operations);
		// The page names the limit, not the answer; SCIM's bulk endpoint answers more than its maxOperations with
		// 413 (RFC 7644 §3.7.4)
		expect(refused.status).toBe(413);
		expect(JSON.stringify(refused.body)).toMatch(/50/);
	});

	it('bulkUpload refuses a request that is not application/scim+json', async () => {
		const { path: jobPath } = newJob('API2AAD');
		const refused = await bulk(jobPath, [employee('json')], { contentType: 'application/json' });
		expect(refused.status).toBe(400);
		expect((await bulk(jobPath, [employee('scim')])).status).toBe(202);
	});

	it('bulkUpload is refused on a job that is not API-driven inbound provisioning', async () => {
		const { path: jobPath } = newJob('scim');
		const refused = await bulk(jobPath, [employee('outbound')]);
		expect(refused.status).toBe(400);
	});

	it('bulkUpload needs SynchronizationData-User.Upload: an app token without it gets 403', async () => {
		const { path: jobPath } = newJob('API2AAD');
		const without = appToken(['Synchronization.ReadWrite.All', 'Application.ReadWrite.All']);
		expect((await bulk(jobPath, [employee('no-upload')], { bearer: without })).status).toBe(403);
		const upload = appToken(['SynchronizationData-User.Upload']);
		expect((await bulk(jobPath, [employee('upload')], { bearer: upload })).status).toBe(202);
	});

	it('bulkUpload by a signed-in user needs the Global Administrator role (the v1.0 page)', async () => {
		// v1.0 says Global Administrator, beta User Administrator; the emulator follows v1.0, the stricter.
		const { path: jobPath } = newJob('API2AAD');
		const delegated = (upn: string, roles: string[]) => {
			tenant.emulator.registerUser({ upn, directoryRoles: roles });
			return tenant.emulator.createAccessToken({
				clientId: tenant.client.clientId,
				upn,
				scopes: ['SynchronizationData-User.Upload'],
			});
		};
		const userAdmin = delegated('user.admin@contoso.example', ['User Administrator']);
		expect((await bulk(jobPath, [employee('ua')], { bearer: userAdmin })).status).toBe(403);
		const globalAdmin = delegated('global.admin@contoso.example', ['Global Administrator']);
		expect((await bulk(jobPath, [employee('ga')], { bearer: globalAdmin })).status).toBe(202);
	});

	it('bulkUpload refuses an operation whose method is not POST or whose path is not /Users', async () => {
		const { path: jobPath } = newJob('API2AAD');
		const patch = await bulk(jobPath, [{ ...employee('patch'), method: 'PATCH' }]);
		expect(patch.status).toBe(400);
		expect(JSON.stringify(patch.body)).toMatch(/method must be POST/);
		const groups = await bulk(jobPath, [{ ...employee('groups'), path: '/Groups' }]);
		expect(groups.status).toBe(400);
		expect(JSON.stringify(groups.body)).toMatch(/\/Users/);
	});
});

describe('jobs', () => {
	it("pause keeps the job's progress, and start continues from it without a full cycle", async () => {
		const { sp, jobId, path: jobPath } = newJob('scim');
		expect((await graph(`${jobPath}/start`, { method: 'POST' })).status).toBe(204);
		tenant.emulator.completeSynchronizationRun(sp.id, jobId, { exported: 3 });
		const ran = await jobOf(jobPath);
		expect(ran.status.progress).not.toEqual([]);
		expect((await graph(`${jobPath}/pause`, { method: 'POST' })).status).toBe(204);
		const paused = await jobOf(jobPath);
		expect(paused.status.code).toBe('Paused');
		expect(paused.status.progress).toEqual(ran.status.progress);
		expect(paused.status.lastSuccessfulExecution).toEqual(ran.status.lastSuccessfulExecution);
		expect((await graph(`${jobPath}/start`, { method: 'POST' })).status).toBe(204);
		const resumed = await jobOf(jobPath);
		expect(resumed.status.code).toBe('Active');
		expect(resumed.status.progress).toEqual(ran.status.progress);
	});

	it('deleting a job leaves the accounts it provisioned as they are', async () => {
		const { path: jobPath } = newJob('API2AAD');
		await graph(`${jobPath}/start`, { method: 'POST' });
		expect((await bulk(jobPath, [employee('kept-1')])).status).toBe(202);
		const before = tenant.emulator.provisioningLogs().entries.length;
		expect((await graph(jobPath, { method: 'DELETE' })).status).toBe(204);
		const logs = tenant.emulator.provisioningLogs().entries;
		// no cycle runs on delete: nothing is deleted or disabled, and the create stays in the logs
		expect(logs).toHaveLength(before);
		expect(
			logs.filter((entry) => (entry.sourceIdentity as { id: string }).id === 'kept-1'),
		).toEqual([expect.objectContaining({ provisioningAction: 'create' })]);
	});

	it('a new job is created disabled and processes nothing until it is started', async () => {
		const sp = tenant.emulator.addServicePrincipal({ displayName: 'Statements new job' });
		const created = await graph(`/servicePrincipals/${sp.id}/synchronization/jobs`, {
			method: 'POST',
			body: { templateId: 'API2AAD' },
		});
		expect(created.status).toBe(201);
		const job = created.body as { id: string; schedule: { state: string } };
		expect(job.schedule.state).toBe('Disabled');
		const jobPath = `/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}`;
		const waiting = () => tenant.emulator.provisioningLogs().waitingUploads;
		const before = waiting();
		expect((await bulk(jobPath, [employee('waits')])).status).toBe(202);
		expect(waiting()).toBe(before + 1);
		await graph(`${jobPath}/start`, { method: 'POST' });
		expect(waiting()).toBe(before);
	});

	it('templateId is all a new job needs, and it must be a template the application offers', async () => {
		const sp = tenant.emulator.addServicePrincipal({ displayName: 'Statements template' });
		const jobs = `/servicePrincipals/${sp.id}/synchronization/jobs`;
		expect((await graph(jobs, { method: 'POST', body: {} })).status).toBe(400);
		expect(
			(await graph(jobs, { method: 'POST', body: { templateId: 'BoxOutDelta' } })).status,
		).toBe(400);
		expect((await graph(jobs, { method: 'POST', body: { templateId: 'scim' } })).status).toBe(201);
	});

	it("a job's schedule interval is Graph's ISO 8601 duration, passed on as Graph gives it", async () => {
		// synchronizationschedule.md says "PT1M represents a period of one month"; ISO 8601 (and Graph's
		// Edm.Duration) make it one minute. Nothing in the package converts the interval, so no reading of it can
		// go wrong: Job › Get gives it as Graph answers it.
		const { sp, jobId, path: jobPath } = newJob('scim');
		const interval = (await jobOf(jobPath)).schedule.interval;
		expect(interval).toMatch(/^P(T(\d+H)?(\d+M)?(\d+S)?|\d+D.*)$/);
		const { credential } = clientWith(tenant, ['Synchronization.ReadWrite.All'], 'schedule');
		const result = await runNode({
			parameters: synchronizationParameters('job', 'get', sp.id, {}, { jobId }),
			credential,
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.scheduleInterval).toBe(interval);
	});
});

describe('templates and credentials', () => {
	it('a template update erases what its body leaves out, on the application and its service principal', async () => {
		const app = tenant.emulator.addApplication({ displayName: 'Statements template update' });
		const sp = tenant.emulator.addServicePrincipal({
			displayName: app.displayName,
			appId: app.appId,
		});
		const before = await graph(`/servicePrincipals/${sp.id}/synchronization/templates/scim`);
		expect(before.body).toMatchObject({ description: expect.stringMatching(/.+/) });
		const updated = await graph(`/applications/${app.id}/synchronization/templates/scim`, {
			method: 'PUT',
			body: { id: 'scim', applicationId: app.appId, factoryTag: 'CustomSCIM' },
		});
		expect(updated.status).toBe(204);
		for (const owner of [`/applications/${app.id}`, `/servicePrincipals/${sp.id}`]) {
			const after = await graph(`${owner}/synchronization/templates/scim`);
			expect(after.body).toMatchObject({
				factoryTag: 'CustomSCIM',
				description: '',
				schema: { synchronizationRules: [] },
			});
		}
	});

	it('validateCredentials with useSavedCredentials true tests the saved secrets and ignores the ones sent', async () => {
		const { sp, path: jobPath } = newJob('scim');
		const secrets = `/servicePrincipals/${sp.id}/synchronization/secrets`;
		const saved = await graph(secrets, {
			method: 'PUT',
			body: {
				value: [
					{ key: 'BaseAddress', value: SCIM_URL },
					{ key: 'SecretToken', value: SCIM_TOKEN },
				],
			},
		});
		expect(saved.status).toBe(204);
		const wrong = [
			{ key: 'BaseAddress', value: SCIM_URL },
			{ key: 'SecretToken', value: 'not-the-token' },
		];
		const validate = (body: unknown) =>
			graph(`${jobPath}/validateCredentials`, { method: 'POST', body });
		expect((await validate({ useSavedCredentials: true, credentials: wrong })).status).toBe(204);
		expect((await validate({ useSavedCredentials: false, credentials: wrong })).status).toBe(400);
	});

	it("validateCredentials on beta takes the template's ID", async () => {
		const { path: jobPath } = newJob('scim');
		const answer = await graph(`${jobPath}/validateCredentials`, {
			method: 'POST',
			version: 'beta',
			body: {
				templateId: 'scim',
				credentials: [
					{ key: 'BaseAddress', value: SCIM_URL },
					{ key: 'SecretToken', value: SCIM_TOKEN },
				],
			},
		});
		expect(answer.status).toBe(204);
	});

	it('a signed-in user needs an administrator role besides the permission', async () => {
		// The rbac include: Application Administrator or Cloud Application Administrator, and for Cloud Sync Hybrid
		// Identity Administrator; the emulator has no Cloud Sync apart, so any of the three (or Global
		// Administrator) lets a user configure provisioning.
		const { path: jobPath } = newJob('scim');
		const as = (upn: string, roles: string[]) => {
			tenant.emulator.registerUser({ upn, directoryRoles: roles });
			return tenant.emulator.createAccessToken({
				clientId: tenant.client.clientId,
				upn,
				scopes: ['Synchronization.ReadWrite.All'],
			});
		};
		const noRole = as('member@contoso.example', []);
		expect((await graph(jobPath, { bearer: noRole })).status).toBe(403);
		for (const role of [
			'Application Administrator',
			'Cloud Application Administrator',
			'Hybrid Identity Administrator',
		]) {
			const bearer = as(`${role.replace(/ /g, '.').toLowerCase()}@contoso.example`, [
				DirectoryRoles[role],
			]);
			expect({ role, status: (await graph(jobPath, { bearer })).status }).toEqual({
				role,
				status: 200,
			});
		}
	});
});

describe('provisioning logs', () => {
	let jobId: string;
	let ids: string[];

	beforeAll(async () => {
		const job = newJob('API2AAD');
		jobId = job.jobId;
		await graph(`${job.path}/start`, { method: 'POST' });
		// three entries one second apart, oldest first: gt and lt, $orderby and paging have something to order
		const base = Date.parse('2026-01-05T08:00:00Z');
		ids = ['Create', 'Update', 'Failure'].map(
			(name, index) =>
				tenant.emulator.addProvisioningLogEntry({
					jobId,
					changeId: `change-${name}`,
					activityDateTime: new Date(base + index * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
					provisioningStatusInfo: { status: index === 2 ? 'failure' : 'success' },
				}).id,
		);
	});

	const list = async (query: string, version: 'v1.0' | 'beta' = 'v1.0') => {
		const answer = await graph(`/auditLogs/provisioning?${query}`, { version });
		expect(answer.status).toBe(200);
		return answer.body as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
	};
	const idsOf = (body: { value: Array<{ id: string }> }) => body.value.map((entry) => entry.id);

	it('provisioning logs: $filter with eq, contains, gt and lt', async () => {
		const mine = `jobId eq '${jobId}'`;
		expect(idsOf(await list(`$filter=${mine} and changeId eq 'change-Update'`))).toEqual([ids[1]]);
		expect(idsOf(await list(`$filter=${mine} and contains(changeId, 'Fail')`))).toEqual([ids[2]]);
		expect(
			idsOf(await list(`$filter=${mine} and activityDateTime gt 2026-01-05T08:00:00Z`)),
		).toEqual([ids[2], ids[1]]);
		expect(
			idsOf(await list(`$filter=${mine} and activityDateTime lt 2026-01-05T08:00:02Z`)),
		).toEqual([ids[1], ids[0]]);
	});

	it('provisioning logs: $orderby activityDateTime asc and desc', async () => {
		const mine = `$filter=jobId eq '${jobId}'`;
		expect(idsOf(await list(`${mine}&$orderby=activityDateTime asc`))).toEqual(ids);
		expect(idsOf(await list(`${mine}&$orderby=activityDateTime desc`))).toEqual([...ids].reverse());
		// paging keeps the order asked for
		const first = await list(`${mine}&$orderby=activityDateTime asc&$top=2`);
		const next = new URL(first['@odata.nextLink']!);
		const rest = await list(next.search.slice(1));
		expect([...idsOf(first), ...idsOf(rest)]).toEqual(ids);
	});

	it('provisioning logs: $top pages, and the next page link carries $skiptoken with $top', async () => {
		const first = await list(`$filter=jobId eq '${jobId}'&$top=2`);
		expect(idsOf(first)).toEqual([ids[2], ids[1]]);
		const next = new URL(first['@odata.nextLink']!);
		expect(next.searchParams.get('$top')).toBe('2');
		expect(next.searchParams.get('$skiptoken')).toBeTruthy();
		const rest = await list(next.search.slice(1));
		expect(idsOf(rest)).toEqual([ids[0]]);
		expect(rest['@odata.nextLink']).toBeUndefined();
	});

	it('provisioning logs: filters are case sensitive, except on status (the beta page)', async () => {
		// v1.0: "The filters are all case sensitive"; beta adds "except for status". The emulator follows beta, the
		// narrower statement: a status filter in other casing still matches.
		expect(idsOf(await list(`$filter=jobId eq '${jobId.toUpperCase()}'`))).toEqual([]);
		expect(
			idsOf(await list(`$filter=jobId eq '${jobId}' and changeId eq 'CHANGE-Update'`)),
		).toEqual([]);
		for (const version of ['v1.0', 'beta'] as const)
			expect(
				idsOf(
					await list(
						`$filter=jobId eq '${jobId}' and provisioningStatusInfo/status eq 'FAILURE'`,
						version,
					),
				),
			).toEqual([ids[2]]);
	});
});

describe('every behavioural statement of the pages', () => {
	it('has a test, or an entry in statements.ts that says why not', () => {
		const bullets = behaviouralStatements.map((line) => line.split(':')[0]);
		expect(
			bullets.filter((bullet) => !STATEMENTS.some((entry) => entry.bullet === bullet)),
		).toEqual([]);
		expect(
			STATEMENTS.filter((entry) => !bullets.includes(entry.bullet)).map((entry) => entry.bullet),
		).toEqual([]);
		const missing = STATEMENTS.flatMap(({ statement, coverage }) => {
			const replayed =
				'replayed' in coverage &&
				coverage.replayed !== undefined &&
				!examples.some((example) => example.id === coverage.replayed)
					? [`${statement}: ${coverage.replayed} is not replayed`]
					: [];
			if (!('tested' in coverage)) return replayed;
			return [
				...replayed,
				...coverage.tested.flatMap(({ file, test }) => {
					const source = readFileSync(path.join(__dirname, file), 'utf8');
					return source.includes(`'${test}'`) || source.includes(`"${test}"`)
						? []
						: [`${statement}: no test "${test}" in ${file}`];
				}),
			];
		});
		expect(missing).toEqual([]);
		console.log(
			`Behavioural statements, or parts of them, without a test (test/conformance/statements.ts):\n${STATEMENTS.flatMap(
				({ statement, coverage }) =>
					'notTested' in coverage
						? [`- ${statement}: not tested: ${coverage.notTested}`]
						: 'untestedPart' in coverage && coverage.untestedPart
							? [`- ${statement}: part not tested: ${coverage.untestedPart}`]
							: [],
			).join('\n')}`,
		);
	});
});

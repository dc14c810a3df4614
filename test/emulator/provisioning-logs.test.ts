/**
 * The emulator's provisioning logs over real sockets: what bulk uploads leave there and when, the $filter subset and
 * errors Graph documents, cursor paging that holds while entries arrive, and the permission pair.
 */
import * as tls from 'node:tls';

import { Emulator, startEmulator } from '../../dev/emulator';

let emulator: Emulator;
let uploader: string;
let reader: string;
let sp: { id: string };
let jobId: string;
const defaultCas = tls.getCACertificates('default');

function graph(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('Authorization', `Bearer ${init.token ?? reader}`);
	if (init.body !== undefined) headers.set('Content-Type', 'application/scim+json');
	return fetch(path.startsWith('https:') ? path : `${emulator.graphUrl}/v1.0${path}`, {
		...init,
		headers,
	});
}

async function list(
	query: string,
	token?: string,
): Promise<{
	status: number;
	body: {
		value: Array<Record<string, unknown>>;
		'@odata.nextLink'?: string;
		error?: { message: string };
	};
}> {
	const response = await graph(`/auditLogs/provisioning${query}`, { token });
	return { status: response.status, body: (await response.json()) as never };
}

function bulk(
	users: Array<{ externalId: string; manager?: string; active?: boolean }>,
	job = jobId,
) {
	return graph(`/servicePrincipals/${sp.id}/synchronization/jobs/${job}/bulkUpload`, {
		method: 'POST',
		token: uploader,
		body: JSON.stringify({
			schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
			Operations: users.map((user) => ({
				method: 'POST',
				bulkId: user.externalId,
				path: '/Users',
				data: {
					schemas: [
						'urn:ietf:params:scim:schemas:core:2.0:User',
						'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
					],
					externalId: user.externalId,
					userName: `${user.externalId}@contoso.com`,
					...(user.active === false ? { active: false } : {}),
					...(user.manager
						? {
								'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
									manager: { value: user.manager },
								},
							}
						: {}),
				},
			})),
		}),
	});
}

beforeAll(async () => {
	emulator = await startEmulator({ randomSeed: 13 });
	tls.setDefaultCACertificates([...defaultCas, emulator.caCertPem]);
	uploader = emulator.createAccessToken({
		clientId: emulator.registerClientApp({
			applicationPermissions: ['SynchronizationData-User.Upload', 'Synchronization.ReadWrite.All'],
		}).clientId,
	});
	reader = emulator.createAccessToken({
		clientId: emulator.registerClientApp({
			applicationPermissions: ['AuditLog.Read.All', 'Directory.Read.All'],
		}).clientId,
	});
	sp = emulator.addServicePrincipal({ displayName: 'Inbound' });
	jobId = emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
});

afterAll(async () => {
	tls.setDefaultCACertificates(defaultCas);
	await emulator?.close();
});

describe('provisioning logs', () => {
	test('an upload is processed only once its job runs and the delay has passed, by the fixed rule', async () => {
		emulator.setProvisioningDelay(200);
		expect(
			(
				await bulk([
					{ externalId: 'A' },
					{ externalId: 'B', manager: 'A' },
					{ externalId: 'C', manager: 'Z' },
					{ externalId: 'D', active: false },
				])
			).status,
		).toBe(202);
		await new Promise((resolve) => setTimeout(resolve, 250));
		expect(emulator.provisioningLogs()).toMatchObject({ entries: [], waitingUploads: 1 });
		await graph(`/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/start`, {
			method: 'POST',
			token: uploader,
		});
		// The delay counts from the start: the job's next cycle picks the upload up, not the moment it starts.
		expect(emulator.provisioningLogs()).toMatchObject({ entries: [], waitingUploads: 1 });
		await new Promise((resolve) => setTimeout(resolve, 250));
		const { body } = await list(`?$filter=jobId eq '${jobId}'`);
		const bySource = Object.fromEntries(
			body.value.map((entry) => [(entry.sourceIdentity as { id: string }).id, entry]),
		);
		expect(
			Object.fromEntries(
				Object.entries(bySource).map(([id, entry]) => [
					id,
					[entry.provisioningAction, (entry.provisioningStatusInfo as { status: string }).status],
				]),
			),
		).toEqual({
			A: ['create', 'success'],
			B: ['create', 'success'],
			C: ['create', 'failure'],
			D: ['other', 'skipped'],
		});
		expect(new Set(body.value.map((entry) => entry.cycleId)).size).toBe(1);
		expect(new Set(body.value.map((entry) => entry.changeId)).size).toBe(4);

		emulator.setProvisioningDelay(0);
		await bulk([
			{ externalId: 'A', active: false },
			{ externalId: 'C', manager: 'A' },
		]);
		const again = await list(
			`?$filter=jobId eq '${jobId}' and provisioningStatusInfo/status eq 'SUCCESS'`,
		);
		const pairs = again.body.value.map((entry) => [
			(entry.sourceIdentity as { id: string }).id,
			entry.provisioningAction,
		]);
		expect(pairs).toHaveLength(4);
		expect(pairs).toEqual(
			expect.arrayContaining([
				['A', 'disable'],
				['C', 'create'],
			]),
		);
	});

	test('a paused, quarantined or never-started job accepts an upload (202) and holds it until started; a deleted one drops it', async () => {
		emulator.setProvisioningDelay(0);
		const job = () => emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
		const jobs = { NotRun: job(), Paused: job(), Quarantine: job() };
		const post = (action: string, id: string) =>
			graph(`/servicePrincipals/${sp.id}/synchronization/jobs/${id}/${action}`, {
				method: 'POST',
				token: uploader,
			});
		await post('start', jobs.Paused);
		await post('pause', jobs.Paused);
		emulator.quarantineSynchronizationJob(sp.id, jobs.Quarantine);
		const before = emulator.provisioningLogs().waitingUploads;
		for (const [state, id] of Object.entries(jobs)) {
			expect(emulator.getSynchronizationJob(sp.id, id)?.job.status).toMatchObject({ code: state });
			expect((await bulk([{ externalId: `held-${state}` }], id)).status).toBe(202);
		}
		const deleted = emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
		expect((await bulk([{ externalId: 'held-deleted' }], deleted)).status).toBe(202);
		const held = async () =>
			(await list(`?$filter=contains(sourceIdentity/id,'held-')`)).body.value.map(
				(entry) => (entry.sourceIdentity as { id: string }).id,
			);
		expect(await held()).toEqual([]);
		expect(emulator.provisioningLogs().waitingUploads).toBe(before + 4);

		await graph(`/servicePrincipals/${sp.id}/synchronization/jobs/${deleted}`, {
			method: 'DELETE',
			token: uploader,
		});
		expect(emulator.provisioningLogs().waitingUploads).toBe(before + 3);
		for (const id of Object.values(jobs)) await post('start', id);
		expect((await held()).sort()).toEqual(['held-NotRun', 'held-Paused', 'held-Quarantine']);
		expect(emulator.provisioningLogs().waitingUploads).toBe(before);
	});

	test('$filter: the documented operators and properties only, values case-sensitive, quotes doubled', async () => {
		emulator.addProvisioningLogEntry({
			jobId: 'filters',
			activityDateTime: '2026-01-02T03:04:05Z',
			sourceIdentity: { id: "O'Brien" },
			provisioningStatusInfo: { status: 'failure' },
		});
		expect(
			(await list(`?$filter=jobId eq 'filters' and sourceIdentity/id eq 'O''Brien'`)).body.value,
		).toHaveLength(1);
		expect((await list(`?$filter=jobId eq 'FILTERS'`)).body.value).toHaveLength(0);
		expect(
			(
				await list(
					`?$filter=contains(jobId,'ilter') and activityDateTime gt 2026-01-02T03:04:04Z and activityDateTime lt 2026-01-02T03:04:06Z`,
				)
			).body.value,
		).toHaveLength(1);
		for (const [query, message] of [
			[`?$filter=jobId eq 'a' or jobId eq 'b'`, "Only 'and' may join filter clauses here"],
			[`?$filter=userPrincipalName eq 'a'`, "Filtering on 'userPrincipalName' is not supported."],
			[`?$filter=servicePrincipal/id gt 'a'`, "The operator 'gt' is not supported"],
			[`?$filter=activityDateTime gt '2026-01-01'`, 'is not a DateTimeOffset'],
			['?$top=0', 'Invalid page size'],
			['?$select=id', "The query parameter '$select' is not supported."],
			['?$skiptoken=garbage', 'Invalid paging token.'],
		]) {
			const { status, body } = await list(query);
			expect([query, status, body.error?.message]).toEqual([
				query,
				400,
				expect.stringContaining(message),
			]);
		}
	});

	test('paging: $top and a cursor @odata.nextLink that neither skips nor repeats while new entries arrive', async () => {
		for (let index = 0; index < 25; index++)
			emulator.addProvisioningLogEntry({
				jobId: 'pages',
				activityDateTime: `2026-01-01T00:00:${String(index).padStart(2, '0')}Z`,
			});
		const first = await list(`?$filter=jobId eq 'pages'&$top=10`);
		expect(first.body.value).toHaveLength(10);
		emulator.addProvisioningLogEntry({ jobId: 'pages' });
		const seen = [...first.body.value];
		let next = first.body['@odata.nextLink'];
		while (next) {
			const page = (await (await graph(next)).json()) as {
				value: Array<Record<string, unknown>>;
				'@odata.nextLink'?: string;
			};
			seen.push(...page.value);
			next = page['@odata.nextLink'];
		}
		expect(seen).toHaveLength(25);
		expect(new Set(seen.map((entry) => entry.id)).size).toBe(25);
	});

	test('needs AuditLog.Read.All and Directory.Read.All together', async () => {
		const only = emulator.createAccessToken({
			clientId: emulator.registerClientApp({ applicationPermissions: ['AuditLog.Read.All'] })
				.clientId,
		});
		expect((await list('', only)).status).toBe(403);
		const directory = emulator.createAccessToken({
			clientId: emulator.registerClientApp({ applicationPermissions: ['Directory.Read.All'] })
				.clientId,
		});
		expect((await list('', directory)).status).toBe(403);
		expect((await list('')).status).toBe(200);
	});
});

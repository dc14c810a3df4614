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

function bulk(users: Array<{ externalId: string; manager?: string; active?: boolean }>) {
	return graph(`/servicePrincipals/${sp.id}/synchronization/jobs/${jobId}/bulkUpload`, {
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

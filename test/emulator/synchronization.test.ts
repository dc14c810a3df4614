/**
 * The emulator's provisioning (synchronization) routes over real sockets: the answers, traps and limits that the
 * node's own tests do not reach because the node never sends such requests.
 */
import * as tls from 'node:tls';

import { BULK_UPLOAD_MAX_OPERATIONS, Emulator, startEmulator } from '../../dev/emulator';

let emulator: Emulator;
let token: string;
let sp: { id: string };
const defaultCas = tls.getCACertificates('default');

interface GraphError {
	error: { code: string; message: string };
}

function graph(
	path: string,
	init: RequestInit & { token?: string; contentType?: string } = {},
): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('Authorization', `Bearer ${init.token ?? token}`);
	if (init.body !== undefined) headers.set('Content-Type', init.contentType ?? 'application/json');
	return fetch(`${emulator.graphUrl}/v1.0/servicePrincipals/${sp.id}/synchronization${path}`, {
		...init,
		headers,
	});
}

const post = (path: string, body: unknown, init: { token?: string; contentType?: string } = {}) =>
	graph(path, { method: 'POST', body: JSON.stringify(body), ...init });

function bulkRequest(count: number) {
	return {
		schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
		Operations: Array.from({ length: count }, (_, index) => ({
			method: 'POST',
			bulkId: `E${index}`,
			path: '/Users',
			data: {
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
				externalId: `E${index}`,
				userName: `e${index}@contoso.com`,
			},
		})),
	};
}

beforeAll(async () => {
	emulator = await startEmulator({ randomSeed: 20260206 });
	tls.setDefaultCACertificates([...defaultCas, emulator.caCertPem]);
	const client = emulator.registerClientApp({
		applicationPermissions: ['Synchronization.ReadWrite.All', 'SynchronizationData-User.Upload'],
	});
	token = emulator.createAccessToken({ clientId: client.clientId });
	sp = emulator.addServicePrincipal({ displayName: 'Emulated provisioning app' });
});

afterAll(async () => {
	tls.setDefaultCACertificates(defaultCas);
	await emulator?.close();
});

describe('synchronization routes', () => {
	test('secrets: PUT reads `value` and refuses `credentials`; GET masks secret values only; reading needs write permission', async () => {
		const wrong = await graph('/secrets', {
			method: 'PUT',
			body: JSON.stringify({ credentials: [{ key: 'SecretToken', value: 'x' }] }),
		});
		expect(wrong.status).toBe(400);
		expect(((await wrong.json()) as GraphError).error.message).toContain(
			"The property 'credentials' does not exist",
		);

		const saved = await graph('/secrets', {
			method: 'PUT',
			body: JSON.stringify({
				value: [
					{ key: 'BaseAddress', value: 'https://scim.example' },
					{ key: 'SecretToken', value: 'token-123' },
				],
			}),
		});
		expect(saved.status).toBe(204);
		const read = await graph('/secrets');
		expect(await read.json()).toMatchObject({
			value: [
				{ key: 'BaseAddress', value: 'https://scim.example' },
				{ key: 'SecretToken', value: '********' },
			],
		});

		const reader = emulator.registerClientApp({
			applicationPermissions: ['Synchronization.Read.All'],
		});
		expect(
			(
				await graph('/secrets', {
					token: emulator.createAccessToken({ clientId: reader.clientId }),
				})
			).status,
		).toBe(403);
	});

	test('jobs: create answers 201 with a Location; restart refuses unknown flags; Full clears what its parts clear', async () => {
		const created = await post('/jobs', { templateId: 'scim' });
		expect(created.status).toBe(201);
		const job = (await created.json()) as { id: string; status: { code: string } };
		expect(created.headers.get('location')).toBe(
			`${emulator.graphUrl}/v1.0/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}`,
		);
		expect(job.status.code).toBe('NotRun');

		const unknown = await post(`/jobs/${job.id}/restart`, {
			criteria: { resetScope: 'Watermark, Everything' },
		});
		expect(unknown.status).toBe(400);
		expect(((await unknown.json()) as GraphError).error.message).toBe(
			"Requested value 'Everything' was not found.",
		);

		emulator.completeSynchronizationRun(sp.id, job.id, { escrows: 2 });
		emulator.quarantineSynchronizationJob(sp.id, job.id);
		expect(
			(await post(`/jobs/${job.id}/restart`, { criteria: { resetScope: 'Full' } })).status,
		).toBe(204);
		const view = emulator.getSynchronizationJob(sp.id, job.id);
		expect(view).toMatchObject({
			escrows: 0,
			restarts: [['Full']],
			job: { status: { code: 'Active', quarantine: null, progress: [] } },
		});
	});

	test("start clears a quarantine, as Microsoft's Start page says, and resets nothing else", async () => {
		const { id } = emulator.createSynchronizationJob(sp.id, 'scim');
		emulator.completeSynchronizationRun(sp.id, id, { escrows: 2 });
		emulator.quarantineSynchronizationJob(sp.id, id);
		expect((await post(`/jobs/${id}/start`, {})).status).toBe(204);
		expect(emulator.getSynchronizationJob(sp.id, id)).toMatchObject({
			escrows: 2,
			restarts: [],
			job: {
				schedule: { state: 'Active' },
				status: { code: 'Active', quarantine: null, progress: [{ units: 'Cycles' }] },
			},
		});
	});

	test("restart: an empty resetScope, or no criteria, is the admin center's Restart provisioning (QuarantineState, Watermark, Escrows)", async () => {
		for (const body of [{ criteria: { resetScope: '' } }, {}]) {
			const { id } = emulator.createSynchronizationJob(sp.id, 'scim');
			emulator.completeSynchronizationRun(sp.id, id, { escrows: 2 });
			emulator.quarantineSynchronizationJob(sp.id, id);
			expect((await post(`/jobs/${id}/restart`, body)).status).toBe(204);
			expect(emulator.getSynchronizationJob(sp.id, id)).toMatchObject({
				escrows: 0,
				restarts: [[]],
				job: { status: { code: 'Active', quarantine: null, progress: [] } },
			});
		}
	});

	test('restart of an API-driven inbound job purges the uploads it has not processed yet', async () => {
		const scim = { contentType: 'application/scim+json' };
		const { id } = emulator.createSynchronizationJob(sp.id, 'API2AAD');
		const other = emulator.createSynchronizationJob(sp.id, 'API2AAD').id;
		// A job that was never started processes nothing: its uploads wait.
		expect((await post(`/jobs/${id}/bulkUpload`, bulkRequest(2), scim)).status).toBe(202);
		expect((await post(`/jobs/${other}/bulkUpload`, bulkRequest(1), scim)).status).toBe(202);
		const waiting = emulator.provisioningLogs().waitingUploads;
		expect(
			(await post(`/jobs/${id}/restart`, { criteria: { resetScope: 'Escrows' } })).status,
		).toBe(204);
		expect(emulator.provisioningLogs().waitingUploads).toBe(waiting - 1);
		expect(
			emulator
				.provisioningLogs()
				.entries.filter((entry) => (entry as { jobId?: string }).jobId === id),
		).toEqual([]);
	});

	test('provisionOnDemand: an empty ruleId is 400 RequestParameterInvalid; the 6th request in 10 s is 429 with Retry-After', async () => {
		const { id } = emulator.createSynchronizationJob(sp.id, 'scim');
		const empty = await post(`/jobs/${id}/provisionOnDemand`, {
			parameters: [{ ruleId: '', subjects: [{ objectId: 'x', objectTypeName: 'User' }] }],
		});
		expect(empty.status).toBe(400);
		expect(((await empty.json()) as GraphError).error.code).toBe('RequestParameterInvalid');

		const body = {
			parameters: [
				{
					ruleId: '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8',
					subjects: [{ objectId: 'b8f2c1d0-0000-4000-8000-000000000001', objectTypeName: 'User' }],
				},
			],
		};
		// The refused request counted too: four more fill the window.
		const statuses: number[] = [];
		for (let attempt = 0; attempt < 4; attempt++)
			statuses.push((await post(`/jobs/${id}/provisionOnDemand`, body)).status);
		expect(statuses).toEqual([200, 200, 200, 200]);
		const throttled = await post(`/jobs/${id}/provisionOnDemand`, body);
		expect(throttled.status).toBe(429);
		expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(10);
	});

	test("provisionOnDemand: takes synchronizationJobSubject's four object types and a group's links.members; refuses what the pages rule out", async () => {
		const onDemand = emulator.addServicePrincipal({ displayName: 'On-demand subjects' });
		const ruleId = '33f7c90d-bf71-41b1-bda6-aaf0ddbee5d8#V2';
		emulator.addSynchronizationTemplate(onDemand.id, {
			id: 'GroupsV2',
			rules: [
				{
					id: ruleId,
					name: 'GROUP_OUTBOUND',
					sourceDirectoryName: 'Azure Active Directory',
					targetDirectoryName: 'customappsso',
				},
			],
		});
		const send = async (subjects: unknown[]) => {
			// Each job has its own window of 5 requests per 10 seconds.
			const { id } = emulator.createSynchronizationJob(onDemand.id, 'GroupsV2');
			const response = await fetch(
				`${emulator.graphUrl}/v1.0/servicePrincipals/${onDemand.id}/synchronization/jobs/${id}/provisionOnDemand`,
				{
					method: 'POST',
					headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
					body: JSON.stringify({ parameters: [{ ruleId, subjects }] }),
				},
			);
			const body = (await response.json()) as GraphError & { key?: string };
			return {
				status: response.status,
				code: body.error?.code,
				message: body.error?.message,
				recorded: emulator.getSynchronizationJob(onDemand.id, id)?.provisionedOnDemand,
			};
		};
		const user = (objectId: string) => ({ objectId, objectTypeName: 'User' });
		const member = (index: number) => user(`cbc86211-6ada-4803-b73f-8039cf56d8a${index}`);
		const group = (members: unknown[]) => ({
			objectId: '8213fd99-d6b6-417b-8e13-af6334856215',
			objectTypeName: 'Group',
			links: { members },
		});

		const accepted = await send([group([member(1), member(2)])]);
		expect(accepted).toMatchObject({ status: 200 });
		expect(accepted.recorded).toEqual([
			{
				ruleId,
				objectId: '8213fd99-d6b6-417b-8e13-af6334856215',
				objectTypeName: 'Group',
				members: [member(1), member(2)],
			},
		]);
		for (const subjects of [
			[{ objectId: 'CN=AdeleV,CN=Users,DC=corp,DC=chicago,DC=com', objectTypeName: 'user' }],
			[
				{ objectId: '21001', objectTypeName: 'Worker' },
				{ objectId: '21002', objectTypeName: 'Worker' },
			],
			[1, 2, 3, 4, 5].map(member),
		])
			expect(await send(subjects)).toMatchObject({ status: 200 });

		for (const [subjects, message] of [
			[[1, 2, 3, 4, 5, 6].map(member), 'At most 5 subjects'],
			[[group([1, 2, 3, 4, 5, 6].map(member))], 'At most 5 group members'],
			[[group([member(1)]), member(2)], 'A group can only be provisioned on demand alone'],
			[[{ ...member(1), links: { members: [member(2)] } }], "Only a subject of type 'Group'"],
			[
				[{ objectId: '8213fd99-d6b6-417b-8e13-af6334856215', objectTypeName: 'group' }],
				"objectTypeName 'group' is not supported",
			],
			[
				[group([{ objectId: '', objectTypeName: 'User' }])],
				"A group member's 'objectId' must not be empty",
			],
		] as Array<[unknown[], string]>) {
			const refused = await send(subjects);
			expect(refused).toMatchObject({ status: 400, code: 'RequestParameterInvalid' });
			expect(refused.message).toContain(message);
			expect(refused.recorded).toEqual([]);
		}
	});

	test('bulkUpload: a delegated caller also needs the Global Administrator role', async () => {
		const { id } = emulator.createSynchronizationJob(sp.id, 'API2AAD');
		emulator.registerUser({
			upn: 'appadmin@contoso.onmicrosoft.com',
			directoryRoles: ['Application Administrator'],
		});
		emulator.registerUser({
			upn: 'global@contoso.onmicrosoft.com',
			directoryRoles: ['Global Administrator'],
		});
		const client = emulator.registerClientApp({
			delegatedPermissions: ['SynchronizationData-User.Upload'],
		});
		const as = (upn: string) =>
			emulator.createAccessToken({
				clientId: client.clientId,
				upn,
				scopes: ['SynchronizationData-User.Upload'],
			});
		const scim = { contentType: 'application/scim+json' };
		expect(
			(
				await post(`/jobs/${id}/bulkUpload`, bulkRequest(1), {
					...scim,
					token: as('appadmin@contoso.onmicrosoft.com'),
				})
			).status,
		).toBe(403);
		expect(
			(
				await post(`/jobs/${id}/bulkUpload`, bulkRequest(1), {
					...scim,
					token: as('global@contoso.onmicrosoft.com'),
				})
			).status,
		).toBe(202);
	});

	test("schema: PUT replaces it whole (204), DELETE restores the template's default (204), discover stamps a directory", async () => {
		const { id } = emulator.createSynchronizationJob(sp.id, 'scim');
		type Schema = {
			version: string;
			directories: Array<{ id: string; name: string }>;
			synchronizationRules: Array<{ name: string; sourceDirectoryName: string }>;
		};
		const read = async () => (await (await graph(`/jobs/${id}/schema`)).json()) as Schema;
		const original = await read();
		const put = (body: unknown) =>
			graph(`/jobs/${id}/schema`, { method: 'PUT', body: JSON.stringify(body) });

		const dangling = await put({
			directories: [{ name: 'Azure Active Directory' }],
			synchronizationRules: [
				{
					name: 'R',
					sourceDirectoryName: 'Azure Active Directory',
					targetDirectoryName: 'Salesforce',
				},
			],
		});
		expect(dangling.status).toBe(400);

		// The documented example, with its trailing commas removed: "fully replaces the current schema".
		const replaced = await put({
			directories: [
				{
					name: 'Azure Active Directory',
					objects: [{ name: 'User', attributes: [{ name: 'userPrincipalName', type: 'string' }] }],
				},
				{ name: 'Salesforce' },
			],
			synchronizationRules: [
				{
					name: 'USER_TO_USER',
					sourceDirectoryName: 'Azure Active Directory',
					targetDirectoryName: 'Salesforce',
					objectMappings: [
						{
							sourceObjectName: 'User',
							targetObjectName: 'User',
							attributeMappings: [{ source: {}, targetAttributeName: 'userName' }],
						},
					],
				},
			],
		});
		expect(replaced.status).toBe(204);
		const after = await read();
		expect(after.synchronizationRules.map((rule) => rule.name)).toEqual(['USER_TO_USER']);
		expect(after.directories.map((directory) => directory.name)).toEqual([
			'Azure Active Directory',
			'Salesforce',
		]);
		expect(after.version).not.toBe(original.version);

		// Graph's permissions data lists Directory.ReadWrite.All for discover, not Synchronization.ReadWrite.All.
		const discoverer = emulator.registerClientApp({
			applicationPermissions: ['Directory.ReadWrite.All'],
		});
		const discoverPath = `/jobs/${id}/schema/directories/${after.directories[1].id}/discover`;
		expect((await post(discoverPath, undefined)).status).toBe(403);
		const discovered = await post(discoverPath, undefined, {
			token: emulator.createAccessToken({ clientId: discoverer.clientId }),
		});
		expect(discovered.status).toBe(200);
		expect(await discovered.json()).toMatchObject({
			id: after.directories[1].id,
			name: 'Salesforce',
			discoverabilities: 'AttributeNames, AttributeDataTypes',
		});

		const reset = await graph(`/jobs/${id}/schema`, { method: 'DELETE' });
		expect(reset.status).toBe(204);
		const restored = await read();
		expect(restored.synchronizationRules).toEqual(original.synchronizationRules);
		expect(restored.directories.map((directory) => directory.name)).toEqual(
			original.directories.map((directory) => directory.name),
		);

		const operators = (await (await graph(`/jobs/${id}/schema/filterOperators`)).json()) as {
			value: Array<{ name: string }>;
		};
		expect(operators.value.map((operator) => operator.name)).toContain('IS NOT NULL');
	});

	test('schema: the API directory lists the attribute list for API; bulkUpload checks custom extension attributes against it', async () => {
		const { id } = emulator.createSynchronizationJob(sp.id, 'API2AAD');
		const contoso = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User';
		emulator.addApiAttributes(sp.id, id, [{ name: `${contoso}:HireDate`, type: 'DateTime' }]);
		const schema = (await (await graph(`/jobs/${id}/schema`)).json()) as {
			directories: Array<{
				name: string;
				objects: Array<{
					name: string;
					attributes: Array<{ name: string; type: string; anchor: boolean }>;
				}>;
			}>;
		};
		const api = schema.directories.find((directory) => directory.name === 'API');
		const attributes = api?.objects[0].attributes ?? [];
		expect(api?.objects.map((object) => object.name)).toEqual([
			'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
		]);
		expect(
			attributes.filter((attribute) => attribute.anchor).map((attribute) => attribute.name),
		).toEqual(['externalId']);
		expect(attributes.find((attribute) => attribute.name === 'active')?.type).toBe('Boolean');
		expect(attributes.at(-1)).toMatchObject({ name: `${contoso}:HireDate`, type: 'DateTime' });
		expect(
			schema.directories
				.find((directory) => directory.name === 'Azure Active Directory')
				?.objects.map((object) => object.name),
		).toEqual(['User']);

		const scim = { contentType: 'application/scim+json' };
		const withExtension = (schemas: string[], extension: Record<string, unknown>) => {
			const request = bulkRequest(2);
			Object.assign(request.Operations[1].data, { schemas, [contoso]: extension });
			return request;
		};
		const core = 'urn:ietf:params:scim:schemas:core:2.0:User';
		const unlisted = await post(
			`/jobs/${id}/bulkUpload`,
			withExtension([core], { HireDate: '2024-01-01' }),
			scim,
		);
		expect(unlisted.status).toBe(400);
		expect(((await unlisted.json()) as GraphError).error.message).toBe(
			`Invalid Data Format: in Operations[1], the extension '${contoso}' is not listed in data.schemas.`,
		);
		const unknown = await post(
			`/jobs/${id}/bulkUpload`,
			withExtension([core, contoso], { HireDate: '2024-01-01', JobCode: 'X' }),
			scim,
		);
		expect(((await unknown.json()) as GraphError).error.message).toBe(
			`Invalid Data Format: in Operations[1], the attribute '${contoso}:JobCode' is not defined in the job's schema.`,
		);
		expect(
			(
				await post(
					`/jobs/${id}/bulkUpload`,
					withExtension([core, contoso], { HireDate: '2024-01-01' }),
					scim,
				)
			).status,
		).toBe(202);
		expect(
			emulator
				.getSynchronizationJob(sp.id, id)
				?.bulkUploads.map((upload) => upload.operations[1].data[contoso]),
		).toEqual([{ HireDate: '2024-01-01' }]);
	});

	test('bulkUpload: 400 without application/scim+json, 413 beyond 50 operations, 202 + Location, 429 beyond 40 calls in 5 s', async () => {
		const { id } = emulator.createSynchronizationJob(sp.id, 'API2AAD');
		const asJson = await post(`/jobs/${id}/bulkUpload`, bulkRequest(1));
		expect(asJson.status).toBe(400);
		expect(((await asJson.json()) as GraphError).error.message).toBe('Invalid Data Format');

		const scim = { contentType: 'application/scim+json' };
		expect(
			(await post(`/jobs/${id}/bulkUpload`, bulkRequest(BULK_UPLOAD_MAX_OPERATIONS + 1), scim))
				.status,
		).toBe(413);
		const accepted = await post(
			`/jobs/${id}/bulkUpload`,
			bulkRequest(BULK_UPLOAD_MAX_OPERATIONS),
			scim,
		);
		expect(accepted.status).toBe(202);
		expect(accepted.headers.get('location')).toContain('/v1.0/auditLogs/provisioning/?$filter=');

		// Every call counts, whatever its answer: the window fills and the rest is throttled.
		const answers: Response[] = [];
		for (let call = 0; call < 40; call++)
			answers.push(await post(`/jobs/${id}/bulkUpload`, bulkRequest(1), scim));
		const firstThrottled = answers.findIndex((answer) => answer.status === 429);
		expect(firstThrottled).toBeGreaterThan(0);
		expect(answers.slice(0, firstThrottled).every((answer) => answer.status === 202)).toBe(true);
		expect(answers.slice(firstThrottled).every((answer) => answer.status === 429)).toBe(true);
		expect(Number(answers[firstThrottled].headers.get('retry-after'))).toBeLessThanOrEqual(5);
		expect(emulator.getSynchronizationJob(sp.id, id)?.bulkUploads).toHaveLength(1 + firstThrottled);
	});

	test('acquireAccessToken and a secrets PUT sent again with the same pairs leave the state as one call did (a re-run after a crash is safe)', async () => {
		const target = emulator.addServicePrincipal({ displayName: 'Re-run target' });
		const job = emulator.createSynchronizationJob(target.id, 'scim').id;
		const pairs = [
			{ key: 'BaseAddress', value: 'https://scim.example.com/v2' },
			{ key: 'SecretToken', value: 'rerun-token-1f0c' },
		];
		const at = (path: string) =>
			`${emulator.graphUrl}/v1.0/servicePrincipals/${target.id}/synchronization${path}`;
		const send = (method: string, path: string, body: unknown) =>
			fetch(at(path), {
				method,
				body: JSON.stringify(body),
				headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			});
		const states: string[] = [];
		for (let round = 0; round < 2; round++) {
			expect((await send('POST', '/acquireAccessToken', { credentials: pairs })).status).toBe(204);
			expect((await send('PUT', '/secrets', { value: pairs })).status).toBe(204);
			states.push(
				JSON.stringify({
					acquired: emulator.getSynchronizationSecrets('servicePrincipals', target.id),
					saved: emulator.getSavedSynchronizationSecrets(target.id),
					job: emulator.getSynchronizationJob(target.id, job)?.job,
				}),
			);
		}
		expect(JSON.parse(states[0]).acquired).toEqual(pairs);
		expect(JSON.parse(states[0]).saved).toEqual(pairs);
		expect(states[1]).toBe(states[0]);
	});
});

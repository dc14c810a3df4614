/**
 * Property-based: whatever a workflow feeds the node, each value is either sent exactly as Graph expects
 * (encoded, never changing the path or the host) or refused before any request with a clear error.
 */
import fc from 'fast-check';

import type { IDataObject } from 'n8n-workflow';

import { runListSearch, runNode } from './harness/engine';
import { expectNoSecrets } from './support/secrets';
import {
	addServicePrincipal,
	clientWith,
	synchronizationParameters,
} from './support/synchronization';
import { acquireParameters, graphCalls, startTenant, type TestTenant } from './support/tenant';
import { SCIM_VALUE_MAX_LENGTH } from '../lib/scimUserAttributes';
import {
	SECRET_VALUE_MAX_BYTES,
	SYNCHRONIZATION_SECRET_KEYS,
	URL_SECRET_KEYS,
} from '../lib/synchronizationSecrets';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_SHAPE = /^[A-Za-z][A-Za-z0-9]{0,127}$/;

let tenant: TestTenant;

beforeAll(async () => {
	tenant = await startTenant();
});

beforeEach(() => tenant.emulator.clearRequests());

afterAll(async () => {
	await tenant.emulator.close();
});

const hostileFragments = [
	'/',
	'..',
	'../..',
	'?',
	'#',
	'%2F',
	'%2e%2e',
	'\\',
	' ',
	'\u0000',
	'\n',
	"'",
	'"',
	'@evil.example',
	'://',
	'ｇｒａｐｈ',
	'\u202e',
	'０',
];

/** Strings built to break paths: separators, encodings, Unicode look-alikes, GUIDs with something attached. */
const hostileId = fc.oneof(
	fc.uuid(),
	fc.uuid().map((id) => id.toUpperCase()),
	fc
		.tuple(fc.uuid(), fc.constantFrom(...hostileFragments))
		.map(([id, fragment]) => `${id}${fragment}`),
	fc
		.tuple(fc.constantFrom(...hostileFragments), fc.uuid())
		.map(([fragment, id]) => `${fragment}${id}`),
	fc.uuid().map((id) => id.replace(/-/g, '‐')),
	fc
		.array(fc.constantFrom(...hostileFragments, 'a', 'b', '1'), { minLength: 1, maxLength: 12 })
		.map((parts) => parts.join('')),
	fc.string({ unit: 'binary', maxLength: 80 }),
	fc.constant('a'.repeat(10_000)),
);

describe('target IDs', () => {
	it('a GUID goes into exactly one path segment; anything else is refused before any request', async () => {
		await fc.assert(
			fc.asyncProperty(
				hostileId,
				fc.constantFrom('servicePrincipal', 'application'),
				async (id, type) => {
					tenant.emulator.clearRequests();
					const result = await runNode({
						parameters: acquireParameters(
							{ type: type as 'servicePrincipal', value: '={{ $json.id }}' },
							[{ key: 'SecretToken', value: 'token-value-1' }],
							{
								options: { retryLimit: 0 },
							},
						),
						credential: tenant.appOnlyCredential({}, 'hostile-credential'),
						items: [{ id }],
					});
					const calls = graphCalls(tenant.emulator);
					if (GUID.test(id.trim())) {
						expect(calls.map((call) => call.path)).toEqual([
							`/v1.0/${type === 'application' ? 'applications' : 'servicePrincipals'}/${id.trim().toLowerCase()}/synchronization/acquireAccessToken`,
						]);
					} else {
						expect(calls).toEqual([]);
						expect(result.error?.message).toMatch(
							/^(The Target object ID is not a GUID|No (service principal|application) is selected as Target)$/,
						);
					}
					expect(
						tenant.emulator.requests.every(
							(request) => request.listener !== 'graph' || request.path.startsWith('/v1.0/'),
						),
					).toBe(true);
				},
			),
			{ numRuns: 120 },
		);
	});
});

describe('secret values', () => {
	it('any text — control characters, quotes, any Unicode — is sent exactly, as JSON', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), {
					minLength: 1,
					maxLength: 4,
				}),
				async (values) => {
					tenant.emulator.clearRequests();
					const keys = SYNCHRONIZATION_SECRET_KEYS.slice(0, values.length);
					const result = await runNode({
						parameters: acquireParameters(
							{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
							keys.map((key, index) => ({ key, value: `={{ $json.values[${index}] }}` })),
						),
						credential: tenant.appOnlyCredential({}, 'hostile-credential'),
						items: [{ values }],
					});
					expect(result.error).toBeUndefined();
					expect(
						tenant.emulator.getSynchronizationSecrets(
							'servicePrincipals',
							tenant.servicePrincipal.id,
						),
					).toEqual(keys.map((key, index) => ({ key, value: values[index] })));
				},
			),
			{ numRuns: 60 },
		);
	});

	it('a value of the largest size the provisioning service can use is sent whole; one byte more is refused before sending', async () => {
		const value = fc.sample(
			fc.string({
				unit: 'grapheme-ascii',
				minLength: SECRET_VALUE_MAX_BYTES.other,
				maxLength: SECRET_VALUE_MAX_BYTES.other,
			}),
			{ numRuns: 1, seed: 7 },
		)[0];
		const acquire = (token: string) =>
			runNode({
				parameters: acquireParameters(
					{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
					[{ key: 'SecretToken', value: '={{ $json.value }}' }],
				),
				credential: tenant.appOnlyCredential({}, 'hostile-credential'),
				items: [{ value: token }],
			});
		expect((await acquire(value)).error).toBeUndefined();
		expect(
			tenant.emulator.getSynchronizationSecrets(
				'servicePrincipals',
				tenant.servicePrincipal.id,
			)?.[0].value,
		).toBe(value);
		tenant.emulator.clearRequests();
		expect((await acquire(`${value}x`)).error?.message).toBe(
			'The secret "SecretToken" is too long: 16,385 bytes, at most 16,384 fit',
		);
		expect(graphCalls(tenant.emulator)).toEqual([]);
	});
});

describe('custom secret keys', () => {
	it("a key of Graph's shape is sent as given (Graph judges it); any other key is refused before any request", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.constantFrom(...SYNCHRONIZATION_SECRET_KEYS),
					fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,20}$/),
					fc.string({ unit: 'binary', maxLength: 40 }),
				),
				async (key) => {
					tenant.emulator.clearRequests();
					const result = await runNode({
						parameters: acquireParameters(
							{ type: 'servicePrincipal', value: tenant.servicePrincipal.id },
							[{ key: '__custom', customKey: '={{ $json.key }}', value: '={{ $json.value }}' }],
						),
						credential: tenant.appOnlyCredential({}, 'hostile-credential'),
						// A URL key is checked as a URL: give it one, so only the key is on trial here.
						items: [
							{
								key,
								value: (URL_SECRET_KEYS as readonly string[]).includes(key.trim())
									? 'https://scim.example.com/value-1234'
									: 'value-1234',
							},
						],
					});
					const calls = graphCalls(tenant.emulator);
					const known = SYNCHRONIZATION_SECRET_KEYS.find(
						(candidate) => candidate.toLowerCase() === key.trim().toLowerCase(),
					);
					if (KEY_SHAPE.test(key.trim()) && (!known || known === key.trim())) {
						expect(calls).toHaveLength(1);
						expect(calls[0].path).toBe(
							`/v1.0/servicePrincipals/${tenant.servicePrincipal.id}/synchronization/acquireAccessToken`,
						);
						expect(JSON.parse(calls[0].body).credentials[0].key).toBe(key.trim());
						expect(result.error?.message ?? 'accepted').toMatch(
							/^(accepted|Microsoft Graph rejected the request as invalid)$/,
						);
					} else {
						expect(calls).toEqual([]);
						expect(result.error?.message).toMatch(
							/^Secret 1( has (an invalid|no) key|: Graph spells the key)/,
						);
					}
				},
			),
			{ numRuns: 100 },
		);
	});
});

describe('the Target list search text', () => {
	it('any text becomes one OData string literal on the same path', async () => {
		await fc.assert(
			fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), async (text) => {
				tenant.emulator.clearRequests();
				await runListSearch(
					'searchTargets',
					acquireParameters({ type: 'servicePrincipal', mode: 'list', value: '' }, []),
					tenant.appOnlyCredential({}, 'hostile-credential'),
					text,
				).catch(() => undefined);
				const [call] = graphCalls(tenant.emulator);
				expect(call.path).toBe('/v1.0/servicePrincipals');
				const search = text.trim();
				expect(call.query.get('$filter')).toBe(
					search ? `startswith(displayName,'${search.replace(/'/g, "''")}')` : null,
				);
			}),
			{ numRuns: 80 },
		);
	});
});

describe('an HR file as Extract From File gives it to Bulk Upload', () => {
	let servicePrincipalId: string;
	let jobId: string;
	let uploader: ReturnType<typeof clientWith>['credential'];

	beforeAll(() => {
		servicePrincipalId = addServicePrincipal(tenant, 'Hostile HR file').id;
		jobId = tenant.emulator.createSynchronizationJob(servicePrincipalId, 'API2AAD').id;
		uploader = clientWith(
			tenant,
			['SynchronizationData-User.Upload'],
			'hostile hr file',
		).credential;
	});

	/** One CSV row: every value text, the export's own column names, read with Match HR Columns. */
	const row = (number: number, overrides: IDataObject = {}): IDataObject => ({
		'Worker ID': `H${number}`,
		'User Name': `h${number}@contoso.com`,
		'First Name': 'Ada',
		'Last Name': 'Lovelace',
		...overrides,
	});

	const upload = (items: IDataObject[], inputOptions: IDataObject = {}) =>
		runNode({
			parameters: synchronizationParameters(
				'bulkUpload',
				'uploadUsers',
				servicePrincipalId,
				{
					columns: { mappingMode: 'autoMapInputData', value: null },
					inputOptions: { matchHrColumns: true, ...inputOptions },
				},
				{ jobId },
			),
			credential: uploader,
			items,
			continueOnFail: true,
			typeVersion: 2,
		});

	const sentUsers = () =>
		graphCalls(tenant.emulator)
			.filter((call) => call.path.endsWith('/bulkUpload'))
			.flatMap(
				(call) =>
					(JSON.parse(call.body) as { Operations: Array<{ data: IDataObject }> }).Operations,
			)
			.map((operation) => operation.data);

	it('quotes, commas and line breaks go as written; an empty line, a 1 MB field and text read in the wrong encoding fail their own item, naming it and the column, and the others go', async () => {
		const megabyte = 'x'.repeat(1024 * 1024);
		const result = await upload([
			row(1, { 'Last Name': '"O\'Brien", Jr.\r\nline two' }),
			{},
			row(3, { 'First Name': megabyte }),
			row(4, { 'Last Name': 'M\uFFFDller' }),
			{ ...row(5), 'Stra\uFFFDe': 'Hauptstr. 1' },
			row(6, { 'Job Title': '' }),
		]);
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.error ?? item.json.externalId, item.pairedItem]),
		).toEqual([
			['H1', { item: 0 }],
			['Item 2 is empty', { item: 1 }],
			[
				`Item 3, column "First Name": name.givenName is 1,048,576 characters long; Entra takes at most ${SCIM_VALUE_MAX_LENGTH.toLocaleString('en-US')}`,
				{ item: 2 },
			],
			[
				'Item 4, column "Last Name": name.familyName has characters that could not be read (shown as \uFFFD): "M\uFFFDller"',
				{ item: 3 },
			],
			[
				'Item 5: the column name "Stra\uFFFDe" has characters that could not be read (shown as \uFFFD)',
				{ item: 4 },
			],
			['H6', { item: 5 }],
		]);
		expect(result.items[1].json.description).toContain('remove empty lines from the file');
		expect(result.items[3].json.description).toContain(
			"pick the file's encoding in Extract From File's options",
		);
		expect(result.items[4].json.description).toContain(
			"pick the file's encoding in Extract From File's options",
		);
		// A megabyte is not echoed back into the error
		expect(JSON.stringify(result.items[2].json).length).toBeLessThan(10_000);
		expect(
			sentUsers().map((user) => [user.externalId, (user.name as IDataObject).familyName]),
		).toEqual([
			['H1', '"O\'Brien", Jr.\r\nline two'],
			['H6', 'Lovelace'],
		]);
		expectNoSecrets([result], {
			anywhere: [uploader.data.clientSecret as string],
			inNodeOutput: [],
		});
	});

	it('5,000 columns: the SCIM ones are sent and the rest listed as ignored, in one pass', async () => {
		const wide = (number: number) => {
			const item = row(number);
			for (let column = 0; column < 5_000; column++) item[`Column ${column}`] = `value ${column}`;
			return item;
		};
		const items = Array.from({ length: 20 }, (_, index) => wide(100 + index));
		const started = Date.now();
		const result = await upload(items, { unknownFields: 'ignore' });
		expect(result.error).toBeUndefined();
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(result.items.map((item) => (item.json.fieldsIgnored as string[]).length)).toEqual(
			items.map(() => 5_000),
		);
		expect(sentUsers()).toHaveLength(20);
		expect(Object.keys(sentUsers()[0]).sort()).toEqual(
			['active', 'externalId', 'name', 'schemas', 'userName'].sort(),
		);
	});

	it('any text value is sent trimmed and whole, or refused before sending with the item and the column', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.string({ unit: 'binary', maxLength: 200 }),
					fc.constantFrom('\uFFFD', ' a\uFFFD ', 'x'.repeat(SCIM_VALUE_MAX_LENGTH + 1)),
					fc.constant(` ${'y'.repeat(SCIM_VALUE_MAX_LENGTH)} `),
				),
				async (value) => {
					tenant.emulator.clearRequests();
					const result = await upload([row(7, { Department: value })]);
					const text = value.trim();
					const item = result.items[0].json;
					if (text === '') {
						expect(sentUsers()[0]).not.toHaveProperty(
							'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
						);
					} else if (text.length <= SCIM_VALUE_MAX_LENGTH && !text.includes('\uFFFD')) {
						expect(item.error).toBeUndefined();
						expect(sentUsers()[0]).toMatchObject({
							'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: text },
						});
					} else {
						expect(item.error).toMatch(/^Item 1, column "Department": /);
						expect(sentUsers()).toEqual([]);
					}
				},
			),
			{ numRuns: 60 },
		);
	});
});

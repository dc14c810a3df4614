/**
 * readFailure against the errors n8n really throws: test/fixtures/failure-shapes/n8n-<version>.json holds what
 * httpRequestWithAuthentication of each release line threw for the same requests against the emulator (recorded by
 * `npx tsx dev/capture-failure-shapes.ts`, secrets replaced). Each shape is rebuilt as an object graph with the
 * same properties and read through the adapters; the batcher's own errors come from a real $batch answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

import { SignInError } from '../lib/appOnlySignIn';
import {
	BatchAnswerIncomplete,
	BatchedCallFailed,
} from '../nodes/MicrosoftEntraProvisioning/transport/steps/batcher';
import {
	readFailure,
	type TransportFailure,
} from '../nodes/MicrosoftEntraProvisioning/transport/failureShapes';
import { startEmulator, type Emulator } from '../dev/emulator';

type Shape = null | boolean | number | string | Shape[] | { [key: string]: Shape };

interface Fixture {
	n8n: string;
	node: string;
	shapes: Record<string, Shape>;
}

const FIXTURE_DIR = path.join(__dirname, 'fixtures', 'failure-shapes');
const fixtures: Fixture[] = readdirSync(FIXTURE_DIR)
	.filter((file) => file.endsWith('.json'))
	.map((file) => JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) as Fixture);

/** The captured error as an object graph: errors become Error objects with the captured own properties. */
function revive(shape: Shape): unknown {
	if (Array.isArray(shape)) return shape.map(revive);
	if (shape === null || typeof shape !== 'object') return shape;
	const { __class: className, ...properties } = shape;
	const target: Record<string, unknown> =
		typeof className === 'string'
			? (Object.create(Error.prototype) as Record<string, unknown>)
			: {};
	for (const [key, value] of Object.entries(properties)) target[key] = revive(value);
	return target;
}

const SCENARIOS = [
	'appOnly.throttled429',
	'appOnly.notFound404',
	'appOnly.connectionReset',
	'appOnly.wrongClientSecret',
	'oAuth2.throttled429',
	'oAuth2.notFound404',
	'oAuth2.connectionReset',
	'oAuth2.notConnected',
];

test('a capture exists for each release line the suite runs, with every scenario', () => {
	expect(fixtures.map((fixture) => fixture.n8n.split('.')[0]).sort()).toEqual(['1', '2']);
	for (const fixture of fixtures)
		expect(Object.keys(fixture.shapes).sort()).toEqual([...SCENARIOS].sort());
});

describe.each(
	fixtures.map((fixture) => [`n8n ${fixture.n8n} (Node ${fixture.node})`, fixture] as const),
)('%s', (_label, fixture) => {
	const read = (scenario: string): TransportFailure =>
		readFailure(revive(fixture.shapes[scenario]));
	// n8n 1.x drops the axios error, and with it Graph's response headers
	const headersKept = !fixture.n8n.startsWith('1.');

	test.each(['appOnly', 'oAuth2'])(
		'%s: a 429 is read as throttling, with its Retry-After where n8n keeps it',
		(credential) => {
			const failure = read(`${credential}.throttled429`);
			expect(failure).toMatchObject({
				kind: 'http',
				status: 429,
				body: { error: { code: 'TooManyRequests' } },
			});
			expect((failure as { headers: Record<string, unknown> }).headers['retry-after']).toBe(
				headersKept ? '7' : undefined,
			);
		},
	);

	test.each(['appOnly', 'oAuth2'])(
		'%s: a 404 is read as Graph’s answer with its error body',
		(credential) => {
			expect(read(`${credential}.notFound404`)).toMatchObject({
				kind: 'http',
				status: 404,
				body: { error: { code: 'Request_ResourceNotFound' } },
			});
		},
	);

	test.each(['appOnly', 'oAuth2'])(
		'%s: a reset connection is read as a network failure with its code',
		(credential) => {
			expect(read(`${credential}.connectionReset`)).toEqual({
				kind: 'network',
				code: 'ECONNRESET',
			});
		},
	);

	test('app-only: a rejected client secret is read as the sign-in failure, with its advice', () => {
		const failure = read('appOnly.wrongClientSecret');
		expect(failure.kind).toBe('signIn');
		const { error } = failure as { error: SignInError };
		expect(error).toBeInstanceOf(SignInError);
		expect(error.message).toBe('Microsoft Entra rejected the client secret');
		expect(error.description).toMatch(/Client Secret/);
		expect(error.entraCode).toBe('AADSTS7000215');
	});

	test('OAuth2 never connected: no answer and no connection failure, so a credential problem', () => {
		expect(read('oAuth2.notConnected')).toEqual({
			kind: 'credential',
			message: 'OAuth credentials not connected',
		});
	});
});

describe('the batcher’s own errors, from a real $batch answer', () => {
	let emulator: Emulator;
	const defaultCas = tls.getCACertificates('default');
	beforeAll(async () => {
		emulator = await startEmulator();
		tls.setDefaultCACertificates([...defaultCas, emulator.caCertPem]);
	});
	afterAll(async () => {
		tls.setDefaultCACertificates(defaultCas);
		await emulator.close();
	});

	test('a batched call Graph answered 429 keeps its status, headers and body; a call left out is batchIncomplete', async () => {
		emulator.injectFault({
			listener: 'graph',
			path: '/v1.0/servicePrincipals/',
			status: 429,
			headers: { 'Retry-After': '3' },
			count: 1,
		});
		const reader = emulator.registerClientApp({
			displayName: 'batch reader',
			secret: 'batch-reader-secret',
			applicationPermissions: ['Application.Read.All'],
		});
		const token = emulator.createAccessToken({ clientId: reader.clientId });
		const response = await fetch(`${emulator.graphUrl}/v1.0/$batch`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({
				requests: [
					{
						id: '1',
						method: 'GET',
						url: '/servicePrincipals/00000000-0000-4000-8000-00000000b429',
					},
				],
			}),
		});
		const answer = (await response.json()) as {
			responses: Array<{ status: number; headers?: Record<string, unknown>; body?: unknown }>;
		};
		const [call] = answer.responses;
		expect(call.status).toBe(429);
		const headers = Object.fromEntries(
			Object.entries(call.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
		);
		expect(
			readFailure(new BatchedCallFailed({ status: call.status, headers, data: call.body })),
		).toMatchObject({
			kind: 'http',
			status: 429,
			headers: { 'retry-after': '3' },
		});
		expect(readFailure(new BatchAnswerIncomplete())).toEqual({ kind: 'batchIncomplete' });
	});
});

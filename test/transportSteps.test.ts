/**
 * The transport's small steps on their own (no n8n, no sockets): deciding whether and when to retry, reading
 * Graph's throttling headers, and the error a credential n8n could not use becomes.
 */
import type { INode } from 'n8n-workflow';

import { failureError } from '../nodes/MicrosoftEntraProvisioning/transport/errors';
import {
	backoffDelay,
	decideRetry,
	MAX_RETRY_AFTER_MS,
	parseRetryAfter,
	type RetryPolicy,
} from '../nodes/MicrosoftEntraProvisioning/transport/steps/retry';
import { describeThrottle } from '../nodes/MicrosoftEntraProvisioning/transport/throttleSignals';
import type { TransportFailure } from '../nodes/MicrosoftEntraProvisioning/transport/failureShapes';

const policy: RetryPolicy = { retryLimit: 3, idempotent: true, retryWhileReplicating: false };
const http = (status: number, headers: Record<string, unknown> = {}): TransportFailure => ({
	kind: 'http',
	status,
	headers,
	body: {},
});

describe('decideRetry', () => {
	it('retries 429, 503 and 504 after the Retry-After Graph asked, up to the retry limit', () => {
		expect(decideRetry(http(429, { 'retry-after': '2' }), 0, policy)).toEqual({
			retryable: true,
			delayMs: 2_000,
			askedMs: 2_000,
			waitRefused: false,
		});
		expect(decideRetry(http(503, { 'retry-after': '1' }), 2, policy).delayMs).toBe(1_000);
		expect(decideRetry(http(504), 3, policy)).toEqual({
			retryable: true,
			delayMs: undefined,
			askedMs: undefined,
			waitRefused: false,
		});
	});

	it('backs off exponentially with jitter without a Retry-After', () => {
		const delay = decideRetry(http(503), 2, policy).delayMs ?? 0;
		expect(delay).toBeGreaterThanOrEqual(2_000);
		expect(delay).toBeLessThanOrEqual(4_000);
		expect(backoffDelay(10, () => 1)).toBe(30_000);
		expect(backoffDelay(0, () => 0)).toBe(500);
	});

	it('refuses a wait longer than three minutes, and says so', () => {
		const decision = decideRetry(
			http(429, { 'retry-after': String(MAX_RETRY_AFTER_MS / 1000 + 1) }),
			0,
			policy,
		);
		expect(decision).toEqual({
			retryable: true,
			delayMs: undefined,
			askedMs: MAX_RETRY_AFTER_MS + 1_000,
			waitRefused: true,
		});
	});

	it('retries 403, 404 and 409 only while replicating, and other statuses never', () => {
		expect(decideRetry(http(404), 0, policy).retryable).toBe(false);
		expect(
			decideRetry(http(404), 0, { ...policy, retryWhileReplicating: true }).delayMs,
		).toBeGreaterThan(0);
		expect(decideRetry(http(400), 0, { ...policy, retryWhileReplicating: true }).retryable).toBe(
			false,
		);
	});

	it('retries a dropped connection or a call a batch answer left out only when it is safe to repeat', () => {
		const reset: TransportFailure = { kind: 'network', code: 'ECONNRESET' };
		expect(decideRetry(reset, 0, policy).retryable).toBe(true);
		expect(decideRetry(reset, 0, { ...policy, idempotent: false }).retryable).toBe(false);
		expect(decideRetry({ kind: 'batchIncomplete' }, 0, policy).retryable).toBe(true);
		expect(decideRetry({ kind: 'network', code: 'ENOTFOUND' }, 0, policy).retryable).toBe(false);
		expect(decideRetry({ kind: 'credential', message: 'not connected' }, 0, policy).retryable).toBe(
			false,
		);
	});

	it('reads Retry-After as seconds or an HTTP date', () => {
		expect(parseRetryAfter('2.128')).toBe(2_128);
		expect(parseRetryAfter(['3'])).toBe(3_000);
		const now = Date.parse('2026-12-01T10:00:00Z');
		expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:05 GMT', now)).toBe(5_000);
		expect(parseRetryAfter('soon')).toBeUndefined();
	});
});

describe('Graph throttling headers', () => {
	it('names the limit a 429 was for from x-ms-throttle-scope and x-ms-throttle-information, without the IDs', () => {
		const headers = {
			'x-ms-throttle-scope':
				'Tenant_Application/Write/9a3d526c-b3c1-4479-ba74-197b5c5751ae/0785ef7c-2d7a-4542-b048-95bcab406e0b',
			'x-ms-throttle-information': 'WriteLimitExceeded',
		};
		expect(describeThrottle(headers)).toBe(
			"this app's limit in this tenant for writes (WriteLimitExceeded)",
		);
		expect(describeThrottle({ 'x-ms-throttle-scope': 'Tenant/ReadWrite/a/b' })).toBe(
			"the tenant's limit for all apps for requests",
		);
		expect(describeThrottle({ 'x-ms-throttle-information': 'not <b>a</b> word' })).toBeUndefined();
		expect(describeThrottle({})).toBeUndefined();
	});
});

describe('a credential n8n could not use', () => {
	const node: INode = {
		id: 'node',
		name: 'Entra Provisioning',
		type: 'n8n-nodes-entra-provisioning.microsoftEntraProvisioning',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const fail = (message: string, delegated: boolean) =>
		failureError(
			node,
			{ kind: 'credential', message },
			{ access: 'acquireProvisioningToken', delegated },
			{ retries: 0, idempotent: true },
		);

	it('keeps n8n’s own words, with advice by the kind of credential and never by what the words say', () => {
		// a never-connected OAuth2 credential is refused earlier, by its missing tokens (test/delegated.test.ts)
		const appOnly = fail(
			'Credentials could not be decrypted: key not connected to this instance',
			false,
		);
		expect(appOnly.message).toBe(
			'Credentials could not be decrypted: key not connected to this instance',
		);
		expect(appOnly.description).toBe('Check the credential.');
		expect(fail('The refresh token was revoked', true).description).toBe(
			'Check the OAuth2 credential: reconnect it if its sign-in was revoked.',
		);
	});
});

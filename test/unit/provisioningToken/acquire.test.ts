import { NodeOperationError } from 'n8n-workflow';

import { execute } from '../../../nodes/MicrosoftEntraProvisioning/actions/provisioningToken/acquire.operation';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import {
	answer,
	operationContext,
	resetGraph,
	sent,
	sentLines,
	unansweredCount,
} from '../support/graph';
import {
	APP_ID,
	SCIM_TOKEN,
	SCIM_URL,
	SERVICE_PRINCIPAL_ID,
	byAppId,
	byId,
} from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (target: unknown, targetType = 'servicePrincipal') => ({
	authentication: 'appOnly',
	resource: 'provisioningToken',
	operation: 'acquire',
	inputMode: 'parameters',
	targetType,
	target,
	secrets: {
		secret: [
			{ key: 'BaseAddress', url: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		],
	},
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Provisioning Token › Acquire', () => {
	it('posts the secrets to acquireAccessToken of the service principal and outputs the keys, not the values', async () => {
		answer({ status: 204, requestId: 'req-acquire-1' });
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId(SERVICE_PRINCIPAL_ID)) });

		const output = await execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/acquireAccessToken`,
				body: {
					credentials: [
						{ key: 'BaseAddress', value: SCIM_URL },
						{ key: 'SecretToken', value: SCIM_TOKEN },
					],
				},
			}),
		]);
		// Setting the same secrets twice leaves the same state: a dropped connection may be retried.
		expect(sent[0].settings).toMatchObject({ apiVersion: 'v1.0', idempotent: true });
		expect(output).toEqual({
			success: true,
			operation: 'acquireProvisioningToken',
			targetType: 'servicePrincipal',
			targetObjectId: SERVICE_PRINCIPAL_ID,
			secretKeys: ['BaseAddress', 'SecretToken'],
			apiVersion: 'v1.0',
			graphStatus: 204,
			requestId: 'req-acquire-1',
		});
		expect(JSON.stringify(output)).not.toContain(SCIM_TOKEN);
	});

	it('looks an application given by app ID up once, then posts to the application', async () => {
		answer({ body: { id: SERVICE_PRINCIPAL_ID } }, { status: 204 });
		const ctx = fakeExecuteFunctions({ parameters: parameters(byAppId(APP_ID), 'application') });

		const output = await execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([
			`GET /applications(appId='${APP_ID}')?%24select=id`,
			`POST /applications/${SERVICE_PRINCIPAL_ID}/synchronization/acquireAccessToken`,
		]);
		expect(output).toMatchObject({
			targetType: 'application',
			targetObjectId: SERVICE_PRINCIPAL_ID,
			targetAppId: APP_ID,
			requestId: null,
		});
	});

	it('refuses a target that is no GUID before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters(byId('not-a-guid')) });

		const refusal = await execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({
			message: 'The Target object ID is not a GUID',
			context: { itemIndex: 0 },
		});
		expect(sent).toHaveLength(0);
	});
});

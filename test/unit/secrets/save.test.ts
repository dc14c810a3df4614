import { NodeOperationError } from 'n8n-workflow';

import { execute } from '../../../nodes/MicrosoftEntraProvisioning/actions/secrets/save.operation';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import {
	answer,
	operationContext,
	resetGraph,
	sent,
	sentLines,
	unansweredCount,
} from '../support/graph';
import { SCIM_TOKEN, SCIM_URL, SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (replaceAllSavedKeys: unknown) => ({
	authentication: 'appOnly',
	resource: 'secrets',
	operation: 'save',
	inputMode: 'parameters',
	target: byId(SERVICE_PRINCIPAL_ID),
	secrets: {
		secret: [
			{ key: 'BaseAddress', url: SCIM_URL },
			{ key: 'SecretToken', value: SCIM_TOKEN },
		],
	},
	replaceAllSavedKeys,
});

const secretsPath = `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/secrets`;

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Secrets › Save', () => {
	it('reads the saved keys, then puts the given set and says which keys it added and replaced', async () => {
		answer(
			{ body: { value: [{ key: 'BaseAddress', value: 'https://old.example/scim' }] } },
			{ status: 204, requestId: 'req-save-1' },
		);
		const ctx = fakeExecuteFunctions({ parameters: parameters(false) });

		const output = await execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([`GET ${secretsPath}`, `PUT ${secretsPath}`]);
		expect(sent[1].body).toEqual({
			value: [
				{ key: 'BaseAddress', value: SCIM_URL },
				{ key: 'SecretToken', value: SCIM_TOKEN },
			],
		});
		expect(output).toEqual({
			success: true,
			operation: 'saveSecrets',
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			secretKeys: ['BaseAddress', 'SecretToken'],
			addedKeys: ['SecretToken'],
			replacedKeys: ['BaseAddress'],
			removedKeys: [],
			graphStatus: 204,
			requestId: 'req-save-1',
		});
		expect(JSON.stringify(output)).not.toContain(SCIM_TOKEN);
	});

	it('refuses a save that would remove a saved key, and sends no PUT', async () => {
		answer({ body: { value: [{ key: 'SyncNotificationSettings', value: '{}' }] } });
		const ctx = fakeExecuteFunctions({ parameters: parameters(false) });

		const refusal = await execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('Saving would remove the saved key SyncNotificationSettings');
		expect(refusal.description).toContain('Replace All Saved Keys');
		expect(JSON.stringify(refusal)).not.toContain(SCIM_TOKEN);
		expect(sentLines()).toEqual([`GET ${secretsPath}`]);
	});

	it('with Replace All Saved Keys on, removes the keys left out', async () => {
		answer(
			{ body: { value: [{ key: 'SyncNotificationSettings', value: '{}' }] } },
			{ status: 204 },
		);
		const ctx = fakeExecuteFunctions({ parameters: parameters(true) });

		const output = await execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([`GET ${secretsPath}`, `PUT ${secretsPath}`]);
		expect(output).toMatchObject({ removedKeys: ['SyncNotificationSettings'] });
	});

	it('refuses a Replace All Saved Keys that is not true or false before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters('yes') });

		const refusal = await execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('Replace All Saved Keys must be true or false');
		expect(sent).toHaveLength(0);
	});
});

import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { validateCredentials } from '../../../nodes/MicrosoftEntraProvisioning/actions/job';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import {
	JOB_ID,
	SCIM_TOKEN,
	SCIM_URL,
	SERVICE_PRINCIPAL_ID,
	jobParameters,
} from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const validatePath = `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/validateCredentials`;
const parameters = (extra: Record<string, unknown>) => ({
	...jobParameters('job', 'validateCredentials'),
	...extra,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Job › Validate Credentials', () => {
	it('asks Graph to test the saved secrets and outputs valid: true on 204', async () => {
		answer({ status: 204, requestId: 'req-validate-1' });
		const ctx = fakeExecuteFunctions({ parameters: parameters({ credentialSource: 'saved' }) });

		const output = await validateCredentials.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: validatePath,
				body: { useSavedCredentials: true },
				answerStatuses: undefined,
			}),
		]);
		expect(output).toEqual({
			success: true,
			valid: true,
			credentialsValid: true,
			operation: 'validateCredentials',
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			credentialSource: 'saved',
			graphStatus: 204,
			requestId: 'req-validate-1',
		});
	});

	it("tests the secrets given, and with Output a Refusal outputs Graph's 400 as valid: false", async () => {
		answer({
			status: 400,
			requestId: 'req-validate-2',
			body: { error: { code: 'SecretTokenInvalid', message: 'The application refused the token' } },
		});
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				credentialSource: 'given',
				refusalAsOutput: true,
				secrets: {
					secret: [
						{ key: 'BaseAddress', url: SCIM_URL },
						{ key: 'SecretToken', value: SCIM_TOKEN },
					],
				},
			}),
		});

		const output = await validateCredentials.execute.call(ctx, 0, operationContext());

		expect(sent[0]).toMatchObject({
			body: {
				useSavedCredentials: false,
				credentials: [
					{ key: 'BaseAddress', value: SCIM_URL },
					{ key: 'SecretToken', value: SCIM_TOKEN },
				],
			},
			answerStatuses: [400],
		});
		expect(output).toMatchObject({
			valid: false,
			credentialSource: 'given',
			secretKeys: ['BaseAddress', 'SecretToken'],
			code: 'SecretTokenInvalid',
			message: 'The application refused the token',
			graphStatus: 400,
		});
		expect(JSON.stringify(output)).not.toContain(SCIM_TOKEN);
	});

	it("without Output a Refusal, leaves the transport's error to fail the item", async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters({}) });
		const refused = new NodeApiError(ctx.getNode(), { message: 'refused' }, { httpCode: '400' });
		answer({ throws: refused });

		await expect(validateCredentials.execute.call(ctx, 0, operationContext())).rejects.toBe(
			refused,
		);
		expect(sent[0].answerStatuses).toBeUndefined();
	});

	it('refuses an unknown Credentials to Test before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters({ credentialSource: 'vault' }) });

		const refusal = await validateCredentials.execute
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('"vault" is not a choice of Credentials to Test');
		expect(sent).toHaveLength(0);
	});
});

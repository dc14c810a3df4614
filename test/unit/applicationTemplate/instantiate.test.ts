import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { instantiate } from '../../../nodes/MicrosoftEntraProvisioning/actions/applicationTemplate';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import {
	answer,
	operationContext,
	resetGraph,
	sent,
	sentLines,
	unansweredCount,
} from '../support/graph';
import { APPLICATION_ID, APP_ID, SERVICE_PRINCIPAL_ID, byId } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
const created = {
	status: 201,
	requestId: 'req-instantiate-1',
	body: {
		application: { id: APPLICATION_ID, appId: APP_ID },
		servicePrincipal: { id: SERVICE_PRINCIPAL_ID, appId: APP_ID, appRoles: [{ id: 'role-1' }] },
	},
};
const parameters = (displayName: unknown, replicationWaitSeconds: unknown) => ({
	authentication: 'appOnly',
	resource: 'applicationTemplate',
	operation: 'instantiate',
	applicationTemplate: byId(TEMPLATE_ID),
	displayName,
	replicationWaitSeconds,
});

beforeEach(resetGraph);
afterEach(() => {
	jest.useRealTimers();
	expect(unansweredCount()).toBe(0);
});

describe('Application Template › Instantiate', () => {
	it('posts the display name once (never retried) and outputs the new app without waiting when asked not to', async () => {
		answer(created);
		const ctx = fakeExecuteFunctions({ parameters: parameters(' Contoso Payroll ', 0) });

		const output = await instantiate.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: `/applicationTemplates/${TEMPLATE_ID}/instantiate`,
				body: { displayName: 'Contoso Payroll' },
			}),
		]);
		expect(sent[0].settings.idempotent).toBe(false);
		expect(output).toMatchObject({
			applicationTemplateId: TEMPLATE_ID,
			displayName: 'Contoso Payroll',
			applicationObjectId: APPLICATION_ID,
			appId: APP_ID,
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			appRoles: [{ id: 'role-1' }],
			replicated: false,
			replicationWaitMs: null,
			graphStatus: 201,
			requestId: 'req-instantiate-1',
		});
	});

	it('reads the new service principal until it stops answering 404, then says it replicated', async () => {
		jest.useFakeTimers();
		const ctx = fakeExecuteFunctions({ parameters: parameters('Contoso Payroll', 120) });
		const notYet = new NodeApiError(ctx.getNode(), { message: 'not found' }, { httpCode: '404' });
		answer(created, { throws: notYet }, { body: { id: SERVICE_PRINCIPAL_ID } });

		const running = instantiate.execute.call(ctx, 0, operationContext());
		await jest.advanceTimersByTimeAsync(1000);
		const output = await running;

		const check = `GET /servicePrincipals/${SERVICE_PRINCIPAL_ID}?%24select=id`;
		expect(sentLines()).toEqual([
			`POST /applicationTemplates/${TEMPLATE_ID}/instantiate`,
			check,
			check,
		]);
		expect(output).toMatchObject({ replicated: true, replicationWaitMs: 1000 });
	});

	it('fails with what to check when Graph answers without the new objects', async () => {
		answer({ status: 201, body: {} });
		const ctx = fakeExecuteFunctions({ parameters: parameters('Contoso Payroll', 0) });

		const failure = await instantiate.execute
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(failure).toBeInstanceOf(NodeOperationError);
		expect(failure.message).toBe(
			'Graph answered instantiate without the new application and service principal',
		);
		expect(failure.description).toContain('so it is not added twice');
	});

	it.each([
		['', 120, 'Display Name must be a text of 1 to 256 characters'],
		['Contoso Payroll', 601, 'Replication Wait must be from 0 to 600 seconds'],
	])(
		'refuses Display Name %j with wait %j before any request',
		async (displayName, wait, message) => {
			const ctx = fakeExecuteFunctions({ parameters: parameters(displayName, wait) });

			const refusal = await instantiate.execute
				.call(ctx, 0, operationContext())
				.catch((error) => error);

			expect(refusal).toBeInstanceOf(NodeOperationError);
			expect(refusal).toMatchObject({ message, context: { itemIndex: 0 } });
			expect(sent).toHaveLength(0);
		},
	);
});

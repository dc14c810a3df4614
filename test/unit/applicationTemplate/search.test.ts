import { NodeOperationError } from 'n8n-workflow';

import { search } from '../../../nodes/MicrosoftEntraProvisioning/actions/applicationTemplate';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (extra: Record<string, unknown>) => ({
	authentication: 'appOnly',
	resource: 'applicationTemplate',
	operation: 'search',
	...extra,
});
const template = (id: string, sync: boolean) => ({
	id,
	displayName: `App ${id}`,
	supportedProvisioningTypes: sync ? ['sync'] : [],
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Application Template › Search', () => {
	it('filters by name as an OData string, reads every page, keeps the apps with provisioning up to Limit', async () => {
		answer(
			{
				body: {
					value: [template('a', false), template('b', true)],
					'@odata.nextLink': 'https://graph.microsoft.com/v1.0/applicationTemplates?$skiptoken=x',
				},
			},
			{ body: { value: [template('c', true), template('d', true)] } },
		);
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ nameContains: " O'Brien HR ", provisioningOnly: true, limit: 2 }),
		});

		const output = await search.execute.call(ctx, 0, operationContext());

		expect(sent[0]).toMatchObject({
			method: 'GET',
			path: '/applicationTemplates',
			qs: { $filter: "contains(displayName, 'O''Brien HR')" },
		});
		expect(sent[1].url).toBe('https://graph.microsoft.com/v1.0/applicationTemplates?$skiptoken=x');
		expect(
			(output as Array<{ applicationTemplateId: string }>).map(
				(item) => item.applicationTemplateId,
			),
		).toEqual(['b', 'c']);
	});

	it('without the provisioning filter, stops reading at Limit and sends no filter for an empty name', async () => {
		answer({
			body: {
				value: [template('a', false), template('b', true)],
				'@odata.nextLink': 'https://graph.microsoft.com/v1.0/applicationTemplates?$skiptoken=x',
			},
		});
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ nameContains: '', provisioningOnly: false, limit: 1 }),
		});

		const output = await search.execute.call(ctx, 0, operationContext());

		expect(sent).toHaveLength(1);
		expect(sent[0].qs).toEqual({});
		expect(output).toEqual([
			expect.objectContaining({ applicationTemplateId: 'a', supportsProvisioning: false }),
		]);
	});

	it('refuses a Limit above 999 before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters({ limit: 1000 }) });

		const refusal = await search.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('Limit must be a whole number from 1 to 999');
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { getMany } from '../../../nodes/MicrosoftEntraProvisioning/actions/provisioningLog';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import { answer, operationContext, resetGraph, sent, unansweredCount } from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID } from '../support/parameters';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const parameters = (extra: Record<string, unknown>) => ({
	authentication: 'appOnly',
	resource: 'provisioningLog',
	operation: 'getMany',
	...extra,
});
const entry = (id: string) => ({ id, provisioningStatusInfo: { status: 'failure' } });

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Provisioning Log › Get Many', () => {
	it('joins the filters into one escaped $filter, asks for Limit entries, and outputs one item each', async () => {
		answer({ body: { value: [entry('a'), entry('b')] } });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				returnAll: false,
				limit: 2,
				filters: {
					jobId: JOB_ID,
					servicePrincipalId: SERVICE_PRINCIPAL_ID.toUpperCase(),
					status: 'failure',
					action: 'create',
					after: '2026-12-01T08:00:00.000Z',
					sourceId: "O'Brien",
				},
			}),
		});

		const output = await getMany.execute.call(ctx, 0, operationContext());

		expect(sent).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: '/auditLogs/provisioning',
				qs: {
					$filter: [
						`jobId eq '${JOB_ID}'`,
						`servicePrincipal/id eq '${SERVICE_PRINCIPAL_ID}'`,
						"provisioningStatusInfo/status eq 'failure'",
						"provisioningAction eq 'create'",
						'activityDateTime gt 2026-12-01T08:00:00Z',
						"sourceIdentity/id eq 'O''Brien'",
					].join(' and '),
					$top: 2,
				},
			}),
		]);
		expect(output).toEqual([
			expect.objectContaining({ logId: 'a', status: 'failure' }),
			expect.objectContaining({ logId: 'b', status: 'failure' }),
		]);
	});

	it('with Return All, reads pages of 500 to the last one, with no filter when none is given', async () => {
		answer(
			{
				body: {
					value: [entry('a')],
					'@odata.nextLink': 'https://graph.microsoft.com/v1.0/auditLogs/provisioning?$skiptoken=2',
				},
			},
			{ body: { value: [entry('b')] } },
		);
		const ctx = fakeExecuteFunctions({ parameters: parameters({ returnAll: true }) });

		const output = await getMany.execute.call(ctx, 0, operationContext());

		expect(sent[0].qs).toEqual({ $top: 500 });
		expect(sent[1].url).toBe(
			'https://graph.microsoft.com/v1.0/auditLogs/provisioning?$skiptoken=2',
		);
		expect(output.map(({ logId }) => logId)).toEqual(['a', 'b']);
	});

	it.each([
		[
			{ after: '2026-12-02T00:00:00Z', before: '2026-12-01T00:00:00Z' },
			'After must be earlier than Before',
		],
		[{ status: 'broken' }, '"broken" is not a provisioning status'],
		[{ targetId: 'a\nb' }, 'Target ID holds a control character'],
	])('refuses the filters %j before any request', async (filters, message) => {
		const ctx = fakeExecuteFunctions({ parameters: parameters({ returnAll: true, filters }) });

		const refusal = await getMany.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({ message, context: { itemIndex: 0 } });
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { compare } from '../../../nodes/MicrosoftEntraProvisioning/actions/schema';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import {
	answer,
	operationContext,
	resetGraph,
	sent,
	sentLines,
	unansweredCount,
} from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, jobParameters } from '../support/parameters';
import { jobSchema } from '../support/schema';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const OTHER_SERVICE_PRINCIPAL_ID = '7c2e1f0a-9b8d-4c6e-a5f4-3e2d1c0b9a87';
const parameters = (extra: Record<string, unknown>) => ({
	...jobParameters('schema', 'compare'),
	...extra,
});

/** The schema with displayName mapped from another expression and Graph's own IDs changed. */
function otherSchema() {
	const schema = jobSchema();
	schema.id = 'another-id';
	schema.version = 'Date:2026-12-01T00:00:00Z~Tag:9';
	const mapping = schema.synchronizationRules[0].objectMappings![0].attributeMappings![1];
	mapping.source = { type: 'Function', expression: 'Join(" ", [givenName], [surname])' };
	return schema;
}

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Schema › Compare', () => {
	it("reads both jobs' schemas and outputs one item per difference, leaving out what Graph sets itself", async () => {
		answer({ body: jobSchema() }, { body: otherSchema() });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				compareWith: 'job',
				otherServicePrincipalId: OTHER_SERVICE_PRINCIPAL_ID.toUpperCase(),
				otherJobId: 'scim.other',
			}),
		});

		const output = (await compare.execute.call(ctx, 0, operationContext())) as Array<
			Record<string, unknown>
		>;

		expect(sentLines()).toEqual([
			`GET /servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/schema`,
			`GET /servicePrincipals/${OTHER_SERVICE_PRINCIPAL_ID}/synchronization/jobs/scim.other/schema`,
		]);
		expect(output.length).toBeGreaterThan(0);
		expect(output).toContainEqual(
			expect.objectContaining({
				servicePrincipalId: SERVICE_PRINCIPAL_ID,
				jobId: JOB_ID,
				difference: 'different',
				path: expect.stringContaining('displayName'),
			}),
		);
		expect(JSON.stringify(output)).not.toContain('another-id');
		expect(JSON.stringify(output)).not.toContain('Tag:9');
	});

	it('compares with a saved schema without a second request, and gives nothing for the same schema', async () => {
		answer({ body: jobSchema() });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ compareWith: 'json', otherSchema: { schema: jobSchema() } }),
		});

		expect(await compare.execute.call(ctx, 0, operationContext())).toEqual([]);
		expect(sent).toHaveLength(1);
	});

	it.each([
		[
			{ compareWith: 'json', otherSchema: { value: [] } },
			'Other Schema is not a synchronization schema',
		],
		[
			{ compareWith: 'job', otherServicePrincipalId: 'other-app', otherJobId: 'scim.other' },
			'Other Service Principal ID is not an object ID',
		],
	])('refuses %j before reading the other schema', async (extra, message) => {
		answer(...(extra.compareWith === 'job' ? [{ body: jobSchema() }] : []));
		const ctx = fakeExecuteFunctions({ parameters: parameters(extra) });

		const refusal = await compare.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({ message, context: { itemIndex: 0 } });
		// A saved schema is checked before any request; the other job's IDs before its request.
		expect(sent).toHaveLength(extra.compareWith === 'job' ? 1 : 0);
	});
});

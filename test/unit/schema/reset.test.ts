import { NodeOperationError } from 'n8n-workflow';

import { reset } from '../../../nodes/MicrosoftEntraProvisioning/actions/schema';
import { fakeExecuteFunctions } from '../support/executeFunctions';
import {
	answer,
	operationContext,
	resetGraph,
	sent,
	sentLines,
	unansweredCount,
} from '../support/graph';
import { JOB_ID, SERVICE_PRINCIPAL_ID, byId, jobParameters } from '../support/parameters';
import { jobSchema } from '../support/schema';

jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
	jest.requireActual('../support/transportMock').transportMock(),
);

const servicePrincipalPath = `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization`;
const jobPath = `${servicePrincipalPath}/jobs/${JOB_ID}`;

/** The template's default schema: the job's, without its displayName mapping. */
function templateSchema() {
	const schema = jobSchema();
	schema.synchronizationRules[0].objectMappings![0].attributeMappings!.pop();
	return schema;
}

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Schema › Reset', () => {
	it("compares the schema with its template's, then deletes the customized schema", async () => {
		answer(
			{ body: jobSchema() },
			{ body: { id: JOB_ID, templateId: 'scim' } },
			{ body: templateSchema() },
			{ status: 204, requestId: 'req-reset-1' },
		);
		const ctx = fakeExecuteFunctions({
			parameters: { ...jobParameters('schema', 'reset'), previewOnly: false },
		});

		const output = await reset.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([
			`GET ${jobPath}/schema`,
			`GET ${jobPath}`,
			`GET ${servicePrincipalPath}/templates/scim/schema`,
			`DELETE ${jobPath}/schema`,
		]);
		expect(output).toMatchObject({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			templateId: 'scim',
			previewOnly: false,
			changed: true,
			counts: { added: 0, changed: 0, removed: 1 },
			sent: true,
			graphStatus: 204,
			requestId: 'req-reset-1',
		});
	});

	it('with Preview Only, outputs the DELETE it would send and sends none', async () => {
		answer({ body: jobSchema() }, { body: { templateId: 'scim' } }, { body: jobSchema() });
		const ctx = fakeExecuteFunctions({
			parameters: { ...jobParameters('schema', 'reset'), previewOnly: true },
		});

		const output = await reset.execute.call(ctx, 0, operationContext());

		expect(sent.map(({ method }) => method)).toEqual(['GET', 'GET', 'GET']);
		expect(output).toMatchObject({
			changed: false,
			sent: false,
			request: { method: 'DELETE', path: `${jobPath}/schema` },
		});
	});

	it('refuses a Service Principal that is no GUID before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: { ...jobParameters('schema', 'reset'), target: byId('payroll') },
		});

		const refusal = await reset.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('The Service Principal object ID is not a GUID');
		expect(sent).toHaveLength(0);
	});
});

import { NodeOperationError } from 'n8n-workflow';

import { update } from '../../../nodes/MicrosoftEntraProvisioning/actions/schema';
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

const schemaPath = `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}/schema`;
const parameters = (extra: Record<string, unknown>) => ({
	...jobParameters('schema', 'update'),
	...extra,
});
const removeDisplayName = {
	updateFrom: 'changes',
	checkExpressions: false,
	changes: { removeMapping: [{ objectMapping: 'User', target: 'displayName' }] },
};
type PutBody = {
	synchronizationRules: Array<{
		objectMappings: Array<{ attributeMappings: Array<{ targetAttributeName: string }> }>;
	}>;
	directories: Array<{ id?: string; name: string }>;
};

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Schema › Update', () => {
	it('reads the schema, applies a targeted change, and puts the whole schema back without what Graph sets', async () => {
		answer({ body: jobSchema() }, { status: 204, requestId: 'req-update-1' });
		const ctx = fakeExecuteFunctions({ parameters: parameters(removeDisplayName) });

		const output = await update.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([`GET ${schemaPath}`, `PUT ${schemaPath}`]);
		const body = sent[1].body as unknown as PutBody;
		expect(
			body.synchronizationRules[0].objectMappings[0].attributeMappings.map(
				({ targetAttributeName }) => targetAttributeName,
			),
		).toEqual(['userName']);
		expect(body.directories.map(({ id, name }) => ({ id, name }))).toEqual([
			{ id: 'AAD', name: 'Azure Active Directory' },
			{ id: '1a2b3c4d-customappsso', name: 'customappsso' },
		]);
		expect(body).not.toHaveProperty('version');
		expect(output).toMatchObject({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			updateFrom: 'changes',
			changed: true,
			counts: { added: 0, changed: 0, removed: 1 },
			sent: true,
			graphStatus: 204,
			requestId: 'req-update-1',
		});
	});

	it('with Preview Only, outputs the PUT it would send and sends none', async () => {
		answer({ body: jobSchema() });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ ...removeDisplayName, previewOnly: true }),
		});

		const output = await update.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([`GET ${schemaPath}`]);
		expect(output).toMatchObject({
			sent: false,
			request: {
				method: 'PUT',
				path: schemaPath,
				body: expect.objectContaining({ synchronizationRules: expect.any(Array) }),
			},
		});
	});

	it('sends nothing when the schema given is the schema the job has', async () => {
		answer({ body: jobSchema() });
		const ctx = fakeExecuteFunctions({
			parameters: parameters({ updateFrom: 'json', schemaJson: jobSchema() }),
		});

		const output = await update.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([`GET ${schemaPath}`]);
		expect(output).toMatchObject({ changed: false, sent: false });
	});

	it('refuses an attribute to add without a name before any request', async () => {
		const ctx = fakeExecuteFunctions({
			parameters: parameters({
				updateFrom: 'changes',
				changes: { addAttribute: [{ directory: 'customappsso', name: ' ' }] },
			}),
		});

		const refusal = await update.execute.call(ctx, 0, operationContext()).catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal).toMatchObject({
			message: 'Add Attribute 1 has no name',
			context: { itemIndex: 0 },
		});
		expect(sent).toHaveLength(0);
	});
});

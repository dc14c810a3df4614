import { NodeOperationError } from 'n8n-workflow';

import { discoverDirectory } from '../../../nodes/MicrosoftEntraProvisioning/actions/schema';
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

const jobPath = `/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/${JOB_ID}`;
const parameters = (directory: string) => ({
	...jobParameters('schema', 'discoverDirectory'),
	directory,
});

beforeEach(resetGraph);
afterEach(() => expect(unansweredCount()).toBe(0));

describe('Schema › Discover Directory', () => {
	it("finds the directory's ID by its name in the schema, posts discover, and lists the attributes found", async () => {
		answer(
			{ body: jobSchema() },
			{
				body: {
					id: '1a2b3c4d-customappsso',
					name: 'customappsso',
					discoveryDateTime: '2026-12-06T10:00:00Z',
					objects: [
						{
							name: 'User',
							attributes: [
								{ name: 'userName', type: 'String' },
								{ name: 'emails', multivalued: true },
							],
						},
					],
				},
			},
		);
		const ctx = fakeExecuteFunctions({ parameters: parameters('CustomAppSSO') });

		const output = await discoverDirectory.execute.call(ctx, 0, operationContext());

		expect(sentLines()).toEqual([
			`GET ${jobPath}/schema`,
			`POST ${jobPath}/schema/directories/1a2b3c4d-customappsso/discover`,
		]);
		expect(output).toEqual({
			servicePrincipalId: SERVICE_PRINCIPAL_ID,
			jobId: JOB_ID,
			directoryId: '1a2b3c4d-customappsso',
			directory: 'customappsso',
			discoveryDateTime: '2026-12-06T10:00:00Z',
			discoverabilities: null,
			version: null,
			attributes: [
				{ object: 'User', name: 'userName', type: 'String', multivalued: false },
				{ object: 'User', name: 'emails', type: null, multivalued: true },
			],
		});
	});

	it('refuses a directory the schema does not have after reading it, naming those it has', async () => {
		answer({ body: jobSchema() });
		const ctx = fakeExecuteFunctions({ parameters: parameters('workday') });

		const refusal = await discoverDirectory.execute
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe(`The job's schema has no directory "workday"`);
		expect(refusal.description).toContain('"customappsso"');
		expect(sent).toHaveLength(1);
	});

	it('refuses an empty Directory before any request', async () => {
		const ctx = fakeExecuteFunctions({ parameters: parameters('  ') });

		const refusal = await discoverDirectory.execute
			.call(ctx, 0, operationContext())
			.catch((error) => error);

		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('No Directory is given');
		expect(sent).toHaveLength(0);
	});
});

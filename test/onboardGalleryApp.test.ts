import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IConnections, INode } from 'n8n-workflow';

import { DEMO_OBJECTS, seedDemoTenant } from '../dev/n8n/demo-tenant';
import { logger, runWorkflowAfterTrigger } from './harness/engine';
import { clientWith } from './support/synchronization';
import { graphCalls, startTenant, type TestTenant } from './support/tenant';

const EXAMPLE = path.resolve(__dirname, '..', 'examples', 'onboard-gallery-app.workflow.json');
const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as {
	nodes: INode[];
	connections: IConnections;
};
/**
 * The harness loads this package's nodes only, so the body check (n8n's Set and If nodes, which the end-to-end suite
 * runs in a real n8n) is bridged: the Webhook leads straight to the branch a complete body takes.
 */
const checkedBody = example.connections['Body complete?'].main[0];
const workflow = {
	...example,
	connections: { ...example.connections, Webhook: { main: [checkedBody] } },
};
const SCIM_TOKEN = 'onboarding-scim-token-Vb7!kP2qZx9';
const ENTRA_NODES = [
	'Add the app from the gallery',
	'Assign the group',
	'Create the job',
	'Save the tenant URL and token',
	'Map the employee number',
	'Start the job',
	"Read the job's state",
];

let tenant: TestTenant;

beforeAll(async () => {
	tenant = await startTenant({ replicationDelayMs: 1200 });
});

afterAll(async () => {
	await tenant.emulator.close();
});

describe('examples/onboard-gallery-app.workflow.json against the emulator', () => {
	it('adds the app, waits out replication, assigns the group, creates, authorizes and starts the job, and answers with its state', async () => {
		// Application.ReadWrite.OwnedBy: the workflow's app becomes the new app's owner and configures it with that grant.
		const { credential, client } = clientWith(
			tenant,
			['Application.ReadWrite.OwnedBy', 'AppRoleAssignment.ReadWrite.All', 'Application.Read.All'],
			'onboarding',
		);
		const group = tenant.emulator.addGroup('Payroll users');
		const result = await runWorkflowAfterTrigger({
			workflow,
			credential,
			trigger: {
				name: 'Webhook',
				items: [
					{
						headers: {},
						params: {},
						query: {},
						body: {
							appName: 'Contoso Payroll',
							groupId: group.id,
							tenantUrl: 'https://payroll.contoso.example/scim/v2',
							secretToken: SCIM_TOKEN,
							deleteThreshold: 25,
						},
					},
				],
			},
		});
		expect(result.error).toBeUndefined();
		for (const name of ENTRA_NODES) expect(result.output(name)).toHaveLength(1);

		const app = result.output('Add the app from the gallery')[0].json;
		expect(app).toMatchObject({ replicated: true, displayName: 'Contoso Payroll' });
		const spId = String(app.servicePrincipalId);
		expect(tenant.emulator.getAppRoleAssignments(spId)).toMatchObject([
			{ principalId: group.id, principalType: 'Group' },
		]);
		const jobId = String(result.output('Create the job')[0].json.jobId);
		expect(result.output('Create the job')[0].json.jobSettings).toEqual([
			{ name: 'QuarantineTooManyDeletesThreshold', value: '25' },
		]);
		const state = result.output("Read the job's state")[0].json;
		expect(state).toMatchObject({ jobId, statusCode: 'Active', scheduleState: 'Active' });
		expect(
			tenant.emulator.getSynchronizationJob(spId, jobId)?.job as { status: { code: string } },
		).toMatchObject({ status: { code: 'Active' } });
		// Save reads the saved keys first (GET), then sends the PUT
		const secretsCall = graphCalls(tenant.emulator).find(
			(call) =>
				call.method === 'PUT' &&
				call.path.endsWith(`/servicePrincipals/${spId}/synchronization/secrets`),
		);
		expect(JSON.parse(String(secretsCall?.body)).value).toContainEqual({
			key: 'SecretToken',
			value: SCIM_TOKEN,
		});

		// The mapping is set before Start, as one targeted change: a PUT of the whole schema that keeps the template's
		// other mappings and adds this one
		const employeeNumberTarget =
			'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber';
		const schemaPuts = graphCalls(tenant.emulator).filter(
			(call) =>
				call.method === 'PUT' &&
				call.path.endsWith(`/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`),
		);
		expect(schemaPuts).toHaveLength(1);
		const startCall = graphCalls(tenant.emulator).findIndex((call) =>
			call.path.endsWith(`/jobs/${jobId}/start`),
		);
		expect(graphCalls(tenant.emulator).indexOf(schemaPuts[0])).toBeLessThan(startCall);
		const written = JSON.parse(String(schemaPuts[0].body)) as {
			synchronizationRules: Array<{
				objectMappings: Array<{
					sourceObjectName: string;
					attributeMappings: Array<{ targetAttributeName: string; source: { name: string } }>;
				}>;
			}>;
		};
		const userMappings = written.synchronizationRules[0].objectMappings.find(
			(mapping) => mapping.sourceObjectName === 'User',
		)!.attributeMappings;
		expect(userMappings).toContainEqual(
			expect.objectContaining({
				targetAttributeName: employeeNumberTarget,
				source: expect.objectContaining({ name: 'employeeId' }),
			}),
		);
		expect(userMappings.map((mapping) => mapping.targetAttributeName)).toContain('userName');
		expect(result.output('Map the employee number')[0].json).toMatchObject({
			jobId,
			changed: true,
			counts: { added: 1, changed: 0, removed: 0 },
		});

		// The answer reads only fields the last node and the earlier ones output.
		const answer = example.nodes.find((node) => node.name === "Answer with the job's state");
		const body = String(answer?.parameters.responseBody);
		for (const field of ['servicePrincipalId', 'jobId', 'statusCode', 'scheduleState'])
			expect(state).toHaveProperty(field);
		expect(body).toContain("$('Assign the group').item.json.assignmentId");
		expect(example.connections["Read the job's state"].main[0]?.[0]?.node).toBe(
			"Answer with the job's state",
		);

		// Neither the token nor the client secret is in what the package's nodes output or logged.
		const produced = [
			...ENTRA_NODES.map((name) =>
				JSON.stringify(result.run.data.resultData.runData[name] ?? null),
			),
			logger.lines
				.map((line) => `${line.message} ${JSON.stringify(line.metadata ?? {})}`)
				.join('\n'),
		].join('\n');
		expect(produced).not.toContain(SCIM_TOKEN);
		expect(JSON.stringify(result.run)).not.toContain(client.secret);
	});

	it("runs with the demo's app-only credential and group, as npm start sets them up", async () => {
		const demo = await startTenant({ replicationDelayMs: 300 });
		try {
			const signIn = seedDemoTenant(demo.emulator, { clientSecret: 'demo-onboarding-Zq8!pW3x' });
			const result = await runWorkflowAfterTrigger({
				workflow,
				credential: demo.appOnlyCredential({ ...signIn }, 'demo-credential'),
				trigger: {
					name: 'Webhook',
					items: [
						{
							headers: {},
							params: {},
							query: {},
							body: {
								appName: 'Contoso Payroll',
								groupId: DEMO_OBJECTS.groupId,
								tenantUrl: 'https://payroll.contoso.example/scim/v2',
								secretToken: SCIM_TOKEN,
							},
						},
					],
				},
			});
			expect(result.error).toBeUndefined();
			const spId = String(result.output('Add the app from the gallery')[0].json.servicePrincipalId);
			expect(demo.emulator.getAppRoleAssignments(spId)).toMatchObject([
				{ principalId: DEMO_OBJECTS.groupId, principalType: 'Group' },
			]);
			expect(result.output("Read the job's state")[0].json).toMatchObject({
				statusCode: 'Active',
			});
		} finally {
			await demo.emulator.close();
		}
	});
});

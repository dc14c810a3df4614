/**
 * The node as a tool of n8n's AI Agent (@n8n/n8n-nodes-langchain, bundled with n8n) in a real n8n: the OpenAI Chat
 * Model node talks to a scripted OpenAI-compatible model on 127.0.0.1 (support/chat-model.ts), which asks for the
 * tool; the tool's Graph call reaches the emulator, and its answer goes back to the model.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { WorkflowJson } from '../../dev/n8n/demo-tenant';
import { CREDENTIALS } from '../../dev/n8n/demo-tenant';
import { startStack, type Stack } from '../../dev/n8n/e2e-stack';
import { startChatModel, type ChatModelStandIn } from './support/chat-model';
import { databaseText, leakedSecrets, nodeOutput, type RunData } from '../../dev/n8n/executions';

const OPENAI_CREDENTIAL = { id: 'agentOpenAi', name: 'OpenAI (local stand-in)', type: 'openAiApi' };
const WORKFLOW_ID = 'agentListJobs';
const TOOL_NODE = 'Entra Provisioning Tool';
const openAiKey = `sk-standin-${randomBytes(18).toString('hex')}`;

let stack: Stack;
let model: ChatModelStandIn;
let servicePrincipalId = '';
let jobId = '';

function agentWorkflow(): WorkflowJson {
	return {
		id: WORKFLOW_ID,
		name: 'agent: list provisioning jobs',
		nodes: [
			{
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				// 3 is the newest version both lines know: 1.123 has the agent's versions up to 3, 2.41 up to 3.1
				typeVersion: 3,
				position: [220, 0],
				parameters: {
					promptType: 'define',
					text: `Is provisioning of the app with service principal ${servicePrincipalId} in quarantine?`,
					options: {},
				},
			},
			{
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				position: [120, 220],
				parameters: {
					model: { __rl: true, mode: 'id', value: 'gpt-4.1-mini' },
					responsesApiEnabled: false,
					options: {},
				},
				credentials: { openAiApi: { id: OPENAI_CREDENTIAL.id, name: OPENAI_CREDENTIAL.name } },
			},
			{
				name: TOOL_NODE,
				type: 'n8n-nodes-entra-provisioning.microsoftEntraProvisioningTool',
				typeVersion: 1,
				position: [340, 220],
				parameters: {
					authentication: 'appOnly',
					resource: 'job',
					operation: 'list',
					target: {
						__rl: true,
						mode: 'id',
						value:
							"={{ $fromAI('servicePrincipalId', 'Object ID (a GUID) of the service principal whose provisioning jobs to list', 'string') }}",
					},
					options: {},
				},
				credentials: {
					[CREDENTIALS.appOnly.type]: {
						id: CREDENTIALS.appOnly.id,
						name: CREDENTIALS.appOnly.name,
					},
				},
			},
		],
		connections: {
			Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			[TOOL_NODE]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

beforeAll(async () => {
	model = await startChatModel({
		toolArguments: () => ({ servicePrincipalId }),
		answer: (toolResult) => {
			const quarantined = /"quarantined":\s*true/.test(toolResult);
			return `The provisioning job ${/"jobId":\s*"([^"]+)"/.exec(toolResult)?.[1] ?? '(none found)'} is ${quarantined ? 'in quarantine' : 'not in quarantine'}.`;
		},
	});
	stack = await startStack({
		name: 'agent',
		examples: false,
		credentials: ({ emulator }) => {
			const sp = emulator.addServicePrincipal({ displayName: 'Agent target' });
			servicePrincipalId = sp.id;
			jobId = emulator.createSynchronizationJob(sp.id, 'scim').id;
			emulator.quarantineSynchronizationJob(sp.id, jobId, { reason: 'TooManyDeletes' });
			return [{ ...OPENAI_CREDENTIAL, data: { apiKey: openAiKey, url: model.baseUrl } }];
		},
		workflows: () => [agentWorkflow()],
	});
}, 240_000);

afterAll(async () => {
	await stack?.stop();
	await model?.close();
});

describe('as a tool of the AI Agent', () => {
	let run: { ok: boolean; output: unknown; text: string };

	it('the model asks for the tool, the call reaches Graph with the argument the model chose, and the answer goes back to the model', async () => {
		// n8n 1.123 and 2.41 offer every usableAsTool community node as a tool; neither reads this variable
		expect(stack.n8n.environment().N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE).toBeUndefined();
		stack.emulator.clearRequests();
		run = await stack.n8n.execute(WORKFLOW_ID, { allowFailure: true });
		expect(run.ok).toBe(true);

		// 1. The model was offered the node as a tool, with an argument schema from the $fromAI() expression.
		expect(model.requests.length).toBe(2);
		const offered = model.requests[0].tools ?? [];
		expect(offered.length).toBe(1);
		const tool = offered[0].function;
		process.stderr.write(`[agent] the model sees the tool as ${JSON.stringify(tool)}\n`);
		expect(tool.parameters).toMatchObject({
			properties: { servicePrincipalId: { type: 'string' } },
		});
		expect(JSON.stringify(tool.parameters)).toContain(
			'Object ID (a GUID) of the service principal',
		);

		// 2. The tool call reached the emulator: Job › List on the service principal the model named.
		const graph = stack.emulator.requests.filter((request) => request.listener === 'graph');
		expect(graph.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
			`GET /v1.0/servicePrincipals/${servicePrincipalId}/synchronization/jobs 200`,
		]);
		expect(String(graph[0].headers.authorization)).toMatch(/^Bearer /);

		// 3. The tool's answer reached the model: the job, its quarantine, as the node outputs it.
		const toolMessage = model.requests[1].messages.find((message) => message.role === 'tool');
		expect(toolMessage).toBeDefined();
		const toolResult =
			typeof toolMessage!.content === 'string'
				? toolMessage!.content
				: JSON.stringify(toolMessage!.content);
		process.stderr.write(`[agent] the tool answered the model: ${toolResult.slice(0, 600)}\n`);
		expect(toolResult).toContain(jobId);
		expect(toolResult).toMatch(/"quarantined":\s*true/);

		// 4. The agent's output is the model's final answer.
		const output = nodeOutput((run.output as { data: RunData }).data, 'AI Agent');
		expect(output).toEqual([{ output: `The provisioning job ${jobId} is in quarantine.` }]);
	});

	it("no secret reaches the model, the output, the database or n8n's log", () => {
		expect(run).toBeDefined();
		const bearer = stack.emulator.requests
			.map((request) => String(request.headers.authorization ?? ''))
			.filter((header) => header.startsWith('Bearer '))
			.map((header) => header.slice(7));
		const secrets: Record<string, string> = {
			clientSecret: stack.client.clientSecret,
			...Object.fromEntries(bearer.map((token, index) => [`bearer${index}`, token])),
		};
		const modelSaw = JSON.stringify(
			model.requests.map(({ messages, tools }) => ({ messages, tools })),
		);
		expect(leakedSecrets(modelSaw, { ...secrets, openAiKey })).toEqual([]);
		expect(leakedSecrets(run.text, { ...secrets, openAiKey })).toEqual([]);
		expect(
			leakedSecrets(readFileSync(stack.n8n.logFile, 'utf8'), { ...secrets, openAiKey }),
		).toEqual([]);
		expect(leakedSecrets(databaseText(stack.folder), { ...secrets, openAiKey })).toEqual([]);
		expect(stack.n8n.blockedEgress()).toEqual([]);
	});
});

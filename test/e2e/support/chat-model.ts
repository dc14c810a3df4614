/**
 * A small OpenAI-compatible chat model on 127.0.0.1 (POST /v1/chat/completions), scripted instead of trained: while
 * the conversation has no tool result yet it asks for the first tool it is offered with the given arguments, then it
 * answers with a text built from what the tool returned. It records every request, so a test can read exactly what
 * the model was shown: the tools with their descriptions and argument schemas, and the tool's answer.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool';
	content: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: Array<{
		id: string;
		type: 'function';
		function: { name: string; arguments: string };
	}>;
	tool_call_id?: string;
}

export interface OfferedTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: OfferedTool[];
	stream?: boolean;
	headers: Record<string, string | string[] | undefined>;
}

export interface ChatModelScript {
	/** The arguments the model calls the tool with (read at the call) */
	toolArguments(): Record<string, unknown>;
	/** The final answer, from the tool's result (the content of the tool message) */
	answer(toolResult: string): string;
}

export interface ChatModelStandIn {
	/** http://127.0.0.1:<port>/v1: OpenAI's base URL */
	baseUrl: string;
	readonly requests: ChatRequest[];
	close(): Promise<void>;
}

function text(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

async function body(request: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

export async function startChatModel(script: ChatModelScript): Promise<ChatModelStandIn> {
	const requests: ChatRequest[] = [];
	let calls = 0;
	const server: Server = createServer((request, response) => {
		void (async () => {
			const reply = (status: number, json: unknown) => {
				response.writeHead(status, { 'Content-Type': 'application/json' });
				response.end(JSON.stringify(json));
			};
			if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
				reply(404, {
					error: {
						message: `This stand-in answers POST /v1/chat/completions only, not ${request.method} ${request.url}`,
						type: 'invalid_request_error',
					},
				});
				return;
			}
			const parsed = JSON.parse(await body(request)) as Omit<ChatRequest, 'headers'>;
			requests.push({ ...parsed, headers: request.headers });
			if (parsed.stream) {
				reply(400, {
					error: { message: 'This stand-in does not stream', type: 'invalid_request_error' },
				});
				return;
			}
			calls++;
			/** A chat completion with one choice: the model's message and why it stopped */
			const completion = (message: Record<string, unknown>, finishReason: 'tool_calls' | 'stop') =>
				reply(200, {
					id: `chatcmpl-${calls}`,
					object: 'chat.completion',
					created: Math.floor(Date.now() / 1000),
					model: parsed.model,
					choices: [
						{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason },
					],
					usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 },
				});
			const toolResult = [...parsed.messages].reverse().find((message) => message.role === 'tool');
			if (!toolResult) {
				const tool = parsed.tools?.[0];
				if (!tool) {
					reply(400, {
						error: {
							message: 'The script wants a tool, but the request offered none',
							type: 'invalid_request_error',
						},
					});
					return;
				}
				const call = {
					id: `call_${calls}`,
					type: 'function',
					function: { name: tool.function.name, arguments: JSON.stringify(script.toolArguments()) },
				};
				completion({ content: null, tool_calls: [call] }, 'tool_calls');
				return;
			}
			completion({ content: script.answer(text(toolResult.content)) }, 'stop');
		})().catch((error: unknown) => {
			response.writeHead(500, { 'Content-Type': 'application/json' });
			response.end(JSON.stringify({ error: { message: String(error), type: 'server_error' } }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

import type { INodeProperties } from 'n8n-workflow';

import { MAX_BATCH_REQUESTS } from '../transport/steps/batcher';
import {
	DEFAULT_CONCURRENCY,
	DEFAULT_RETRY_LIMIT,
	DEFAULT_TIMEOUT_MS,
	MAX_CONCURRENCY,
	MAX_RETRY_LIMIT,
} from '../transport/requestLimits';

/** The per-node "Options" collection every operation shares. */
export const requestOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			options: [
				{ name: 'v1.0', value: 'v1.0', description: 'Generally available API (recommended)' },
				{ name: 'Beta', value: 'beta', description: 'Preview API; may change without notice' },
			],
			default: 'v1.0',
			description: 'Which Microsoft Graph version to call',
		},
		{
			displayName: 'Combine Calls into Batches',
			name: 'batching',
			type: 'boolean',
			default: true,
			description: `Whether to send the calls of items in flight together, up to ${MAX_BATCH_REQUESTS} in one Microsoft Graph JSON batch ($batch). Graph still runs, throttles and answers each call on its own, so results and errors are the same per item; the node makes far fewer HTTP requests. Read from the first item.`,
		},
		{
			displayName: 'Max Items in Flight',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
			default: DEFAULT_CONCURRENCY,
			description: `The most items that may have a call at Graph at once. The node starts with this many, lowers the number by itself when Graph's answers say it is at a limit (a burst of 429s, or a long Retry-After), and raises it again while Graph accepts calls. Executions on the same credential and tenant share that pace. Output order always matches input order.`,
		},
		{
			displayName: 'Retry Limit',
			name: 'retryLimit',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_RETRY_LIMIT },
			default: DEFAULT_RETRY_LIMIT,
			description:
				"How many times to retry when Graph is throttling (429) or briefly unavailable (503, 504). Graph's Retry-After is honoured.",
		},
		{
			displayName: 'Retry While Replicating',
			name: 'retryWhileReplicating',
			type: 'boolean',
			default: false,
			description:
				'Whether to also retry the 403, 404 and 409 answers Graph gives for a while about a service principal or job created moments ago, up to Retry Limit times with growing pauses. Turn on in flows that create the app and configure provisioning right away. Read from the first item.',
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1000 },
			default: DEFAULT_TIMEOUT_MS,
			description: 'How long to wait for each Graph response before giving up, in milliseconds',
		},
	],
};

/**
 * Splits the CPU time of one run in a V8 CPU profile of n8n (`--cpu-prof`) by where it went: the tool's own code,
 * n8n's parameter and expression evaluation, credential reads, the HTTP client and TLS, the rest of n8n, garbage
 * collection. Only samples inside the run's time window count (V8's profile clock and process.hrtime are the same
 * monotonic clock on Linux).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
	functionName: string;
	url: string;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

export const CPU_CATEGORIES = [
	'own code',
	'n8n: parameters and expressions',
	'n8n: credential reads',
	'n8n: HTTP client and TLS',
	'n8n: engine and other',
	'garbage collection',
] as const;

export type CpuCategory = (typeof CPU_CATEGORIES)[number];

export type CpuSplit = Record<CpuCategory, number>;

/** Which code is the tool's own: this package (and the Microsoft sign-in library it uses), the HTTP Request node, or Edit Fields. */
export type ToolCode = 'package' | 'httpRequestNode' | 'setNode';

const OWN_CODE: Record<ToolCode, RegExp> = {
	package: /\/n8n-nodes-entra-provisioning\/|\/@azure\//,
	httpRequestNode: /\/n8n-nodes-base\/dist\/nodes\/HttpRequest\//,
	setNode: /\/n8n-nodes-base\/dist\/nodes\/Set\//,
};

const HTTP_CODE =
	/(\/axios\/|\/follow-redirects\/|@n8n\/backend-network\/|^node:internal\/tls|^node:https|^node:_http_|^node:net$|^node:tls$|\/client-oauth2\/|request-helpers\/)/;
const N8N_CODE =
	/(\/n8n-core\/|\/n8n-workflow\/|\/@n8n\/|\/node_modules\/n8n\/|\/@n8n_|\/typeorm\/|\/sqlite3\/|\/flatted\/|\/lodash\/|\/luxon\/)/;

function ownCode(tool: ToolCode, url: string): boolean {
	return OWN_CODE[tool].test(url);
}

function classify(stack: CallFrame[], tool: ToolCode): CpuCategory {
	const leaf = stack[0];
	if (leaf.functionName === '(garbage collector)') return 'garbage collection';
	if (
		stack.some(
			(frame) =>
				frame.functionName === 'getNodeParameter' || frame.functionName === '_getNodeParameter',
		)
	) {
		return 'n8n: parameters and expressions';
	}
	if (
		stack.some(
			(frame) => frame.functionName === 'getDecrypted' || frame.functionName === '_getCredentials',
		)
	)
		return 'n8n: credential reads';
	for (const frame of stack) {
		if (ownCode(tool, frame.url)) return 'own code';
		if (HTTP_CODE.test(frame.url)) return 'n8n: HTTP client and TLS';
		if (N8N_CODE.test(frame.url)) return 'n8n: engine and other';
	}
	return 'n8n: engine and other';
}

/** CPU milliseconds by category within [fromUs, toUs] (monotonic microseconds). */
export function splitCpu(
	profile: CpuProfile,
	fromUs: number,
	toUs: number,
	tool: ToolCode,
): CpuSplit {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	const categoryOf = new Map<number, CpuCategory | null>();
	const category = (id: number): CpuCategory | null => {
		const known = categoryOf.get(id);
		if (known !== undefined) return known;
		const leaf = byId.get(id)!.callFrame;
		let result: CpuCategory | null;
		if (leaf.functionName === '(idle)' || leaf.functionName === '(root)') {
			result = null;
		} else {
			const stack: CallFrame[] = [];
			for (
				let current: number | undefined = id;
				current !== undefined;
				current = parent.get(current)
			)
				stack.push(byId.get(current)!.callFrame);
			result = classify(stack, tool);
		}
		categoryOf.set(id, result);
		return result;
	};
	const split = Object.fromEntries(CPU_CATEGORIES.map((name) => [name, 0])) as CpuSplit;
	let time = profile.startTime;
	for (let index = 0; index < profile.samples.length; index++) {
		time += profile.timeDeltas[index];
		// a sample covers the interval up to the next one
		const span = profile.timeDeltas[index + 1] ?? 0;
		if (time < fromUs || time > toUs) continue;
		const name = category(profile.samples[index]);
		if (name) split[name] += span / 1000;
	}
	return split;
}

/** The main thread's profile in a --cpu-prof directory (the largest file: worker threads write small ones). */
export function readMainProfile(directory: string): CpuProfile {
	const files = readdirSync(directory)
		.filter((file) => file.endsWith('.cpuprofile'))
		.map((file) => path.join(directory, file));
	if (files.length === 0) throw new Error(`no CPU profile in ${directory}`);
	const largest = files
		.map((file) => ({ file, text: readFileSync(file, 'utf8') }))
		.sort((a, b) => b.text.length - a.text.length)[0];
	return JSON.parse(largest.text) as CpuProfile;
}

export function monotonicMicros(): number {
	return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Fault injection: requests matching a fault get a canned answer (throttling, gateway errors,
 * proxy pages, broken JSON), a delay, or a reset connection instead of (or before) the normal one.
 */
import type { ConnectionReset, Exchange, ListenerName, Reply } from './exchange';

export interface FaultSpec {
	/** Which listener; any when omitted. */
	listener?: ListenerName;
	/** HTTP method, case-insensitive; any when omitted. */
	method?: string;
	/** A string is a case-insensitive prefix of the path (no query); a RegExp is tested against path + query. */
	path?: string | RegExp;
	/** Catch at most this many requests (then the fault stays listed, inactive). Unlimited when omitted. */
	count?: number;
	/** Catch only this share (0..1) of the matching requests, drawn from the emulator's seeded random source. */
	probability?: number;
	/** Draw `probability` from a source of this fault's own, seeded so (the same draws whatever ran before). */
	seed?: number;

	/** Answer with this status instead of the normal handling. */
	status?: number;
	headers?: Record<string, string>;
	/** Body of the canned answer: a string is sent as is (HTML, truncated JSON…), an object as JSON. Omitted: the listener's usual error body for that status. */
	body?: string | object;
	/** Wait this long first; alone, the request is then handled normally (a slow server). */
	delayMs?: number;
	/**
	 * Destroy the connection: 'immediately' (no response at all) or 'mid-response' (the request is
	 * handled, so state changes, then half of the response is written and the socket destroyed).
	 */
	reset?: ConnectionReset;
}

export interface FaultHandle {
	readonly id: string;
	readonly spec: Readonly<FaultSpec>;
	/** How many requests this fault caught so far. */
	readonly hits: number;
	/** False once `count` is reached or after remove(). */
	readonly active: boolean;
	remove(): void;
}

export interface FaultTarget {
	listener: ListenerName;
	method: string;
	pathname: string;
	search: string;
}

class Fault implements FaultHandle {
	hits = 0;
	removed = false;
	/** Set when the spec has its own seed */
	readonly random?: () => number;

	constructor(
		readonly id: string,
		readonly spec: Readonly<FaultSpec>,
		private readonly registry: FaultRegistry,
	) {
		if (spec.seed !== undefined) this.random = seededRandom(spec.seed);
	}

	get active(): boolean {
		return !this.removed && (this.spec.count === undefined || this.hits < this.spec.count);
	}

	remove(): void {
		this.removed = true;
		this.registry.forget(this);
	}

	matches(t: FaultTarget): boolean {
		const s = this.spec;
		if (s.listener && s.listener !== t.listener) return false;
		if (s.method && s.method.toUpperCase() !== t.method.toUpperCase()) return false;
		if (typeof s.path === 'string' && !t.pathname.toLowerCase().startsWith(s.path.toLowerCase()))
			return false;
		if (s.path instanceof RegExp) {
			s.path.lastIndex = 0;
			if (!s.path.test(t.pathname + t.search)) return false;
		}
		return true;
	}
}

export class FaultRegistry {
	private faults: Fault[] = [];
	private nextId = 1;

	constructor(private readonly random: () => number) {}

	add(spec: FaultSpec): FaultHandle {
		validate(spec);
		const fault = new Fault(`fault-${this.nextId++}`, { ...spec }, this);
		this.faults.push(fault);
		return fault;
	}

	/** The first active fault that matches and wins its probability draw; its hit is counted. */
	take(target: FaultTarget): FaultHandle | undefined {
		for (const fault of this.faults) {
			if (!fault.active || !fault.matches(target)) continue;
			if (
				fault.spec.probability !== undefined &&
				(fault.random ?? this.random)() >= fault.spec.probability
			)
				continue;
			fault.hits++;
			return fault;
		}
		return undefined;
	}

	list(): FaultHandle[] {
		return [...this.faults];
	}

	clear(): void {
		for (const fault of this.faults) fault.removed = true;
		this.faults = [];
	}

	forget(fault: Fault): void {
		this.faults = this.faults.filter((f) => f !== fault);
	}
}

function validate(spec: FaultSpec): void {
	if (spec.status === undefined && spec.delayMs === undefined && spec.reset === undefined) {
		throw new Error('a fault needs status, delayMs or reset');
	}
	if (spec.status !== undefined && spec.reset !== undefined) {
		throw new Error('a fault cannot both answer (status) and reset the connection');
	}
	if (
		spec.status !== undefined &&
		(!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)
	) {
		throw new Error(`invalid fault status ${spec.status}`);
	}
	if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
		throw new Error('probability must be within 0..1');
	}
	if (spec.seed !== undefined && !Number.isInteger(spec.seed)) {
		throw new Error('seed must be an integer');
	}
	if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) {
		throw new Error('count must be a positive integer');
	}
}

/** Small seeded PRNG (mulberry32), so probabilistic faults are reproducible. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The answer of a fault that has a status: its own body and headers, or the listener's error body for that status. */
export function cannedFaultReply(
	ex: Exchange,
	spec: Readonly<FaultSpec>,
	status: number,
	faultReply?: (ex: Exchange, status: number) => Reply,
): Reply {
	if (spec.body === undefined) {
		const reply = faultReply?.(ex, status) ?? { status };
		return { ...reply, status, headers: { ...reply.headers, ...spec.headers } };
	}
	const isText = typeof spec.body === 'string';
	return {
		status,
		headers: {
			'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json',
			...spec.headers,
		},
		body: isText ? (spec.body as string) : JSON.stringify(spec.body),
	};
}

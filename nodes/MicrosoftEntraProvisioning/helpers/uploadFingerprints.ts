import { createHash } from 'node:crypto';

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/**
 * Where they are kept: the workflow's static data ('global'), so that Get Upload Outcomes in the same workflow can
 * forget an employee the provisioning service failed. One key, named for this package, as other nodes share 'global'.
 */
const STATIC_DATA_KEY = 'entraProvisioningAcceptedRecords';

/**
 * Where earlier versions kept them: Upload Users' own static data ('node'). Read once, then moved to the workflow's
 * store by the next upload that changes it, so that an existing workflow does not send everyone again.
 */
const NODE_STATIC_DATA_KEY = 'acceptedRecords';

/**
 * The most records remembered by one workflow, over all its jobs (about 40 bytes each in the workflow's static data);
 * beyond it the least recently accepted are forgotten, and sent again by the next upload that has them.
 */
export const MAX_REMEMBERED_RECORDS = 100_000;

/** A record's fingerprint: 64 bits of the SHA-256 of its JSON with sorted keys, so field order does not count. */
function recordFingerprint(data: IDataObject): string {
	return createHash('sha256').update(canonicalJson(data)).digest('base64url').slice(0, 11);
}

function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (typeof value === 'object' && value !== null) {
		const entries = Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as IDataObject)[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** externalId → "<fingerprint>.<seconds since 1970, base 36>": when Graph accepted that record */
type JobRecords = Record<string, string>;

/** When Graph accepted a remembered record, in ms since 1970 */
const acceptedAtMs = (value: string) => parseInt(value.split('.')[1] ?? '0', 36) * 1000;

/**
 * The key of a job's records: Upload Users has the service principal's object ID from Graph, Get Upload Outcomes from
 * the item, so its case is not to count; two jobs never share what is remembered of them.
 */
export function uploadJobKey(servicePrincipalId: string, jobId: string): string {
	return `${servicePrincipalId.toLowerCase()}/${jobId}`;
}

/** The records of both stores: per job and externalId, the one Graph accepted last. */
function mergeStores(
	shared: Record<string, JobRecords>,
	fromNode: Record<string, JobRecords>,
): Record<string, JobRecords> {
	const jobs = new Map(
		Object.entries(shared).map(([jobKey, records]) => [jobKey, new Map(Object.entries(records))]),
	);
	for (const [storedKey, records] of Object.entries(fromNode)) {
		const [servicePrincipalId, ...job] = storedKey.split('/');
		const jobKey = uploadJobKey(servicePrincipalId, job.join('/'));
		const merged = jobs.get(jobKey) ?? new Map<string, string>();
		jobs.set(jobKey, merged);
		for (const [externalId, value] of Object.entries(records)) {
			const known = merged.get(externalId);
			if (known === undefined || acceptedAtMs(value) > acceptedAtMs(known))
				merged.set(externalId, value);
		}
	}
	// Object.fromEntries keeps any externalId (even "__proto__") as a plain own key.
	return Object.fromEntries(
		[...jobs].map(([jobKey, records]) => [jobKey, Object.fromEntries(records)]),
	);
}

/**
 * What Graph last accepted (a 202 for the request that carried it) from the workflow's uploads, per job and
 * externalId, kept in the workflow's static data. Only a fingerprint and the time are kept, never the record. n8n
 * saves static data at the end of a production execution (not of a manual one), so changes are written by `save()`
 * in one assignment, which is what marks n8n's observable static data as changed.
 */
export class AcceptedRecords {
	/** Per job: externalId → the record now accepted, or null for one forgotten (Get Upload Outcomes) */
	private readonly updates = new Map<string, Map<string, string | null>>();

	private readonly forgotten = new Set<string>();

	private remembered?: Record<string, JobRecords>;

	private constructor(
		private readonly staticData: IDataObject,
		private readonly nodeStaticData: IDataObject,
	) {}

	static of(ctx: IExecuteFunctions): AcceptedRecords {
		return new AcceptedRecords(
			ctx.getWorkflowStaticData('global'),
			ctx.getWorkflowStaticData('node'),
		);
	}

	/** The workflow's records, with those an earlier version kept in this node's static data */
	private before(): Record<string, JobRecords> {
		if (this.remembered === undefined) {
			const shared = (this.staticData[STATIC_DATA_KEY] ?? {}) as Record<string, JobRecords>;
			const fromNode = this.nodeStaticData[NODE_STATIC_DATA_KEY] as
				Record<string, JobRecords> | undefined;
			this.remembered = fromNode === undefined ? shared : mergeStores(shared, fromNode);
		}
		return this.remembered;
	}

	private stored(jobKey: string): JobRecords | undefined {
		if (this.forgotten.has(jobKey)) return undefined;
		const jobs = this.before();
		return Object.hasOwn(jobs, jobKey) ? jobs[jobKey] : undefined;
	}

	/** When Graph accepted this very record for the job (ISO time), or undefined when it has not. */
	private lastAccepted(
		jobKey: string,
		externalId: string,
		fingerprint: string,
	): string | undefined {
		const records = this.stored(jobKey);
		if (records === undefined || !Object.hasOwn(records, externalId)) return undefined;
		const [stored, seconds] = String(records[externalId]).split('.');
		if (stored !== fingerprint || seconds === undefined) return undefined;
		return new Date(parseInt(seconds, 36) * 1000).toISOString();
	}

	/**
	 * Only What Changed: the employees whose record Graph has not accepted as it is now (all of them when
	 * `ignoreRemembered`), with the fingerprints to remember once it does, and when it accepted the others.
	 */
	sortOut<T extends { externalId: string; data: IDataObject }>(
		jobKey: string,
		employees: T[],
		ignoreRemembered: boolean,
	): {
		changed: T[];
		fingerprints: Map<T, string>;
		unchanged: Array<{ employee: T; uploadedAt: string }>;
	} {
		const changed: T[] = [];
		const fingerprints = new Map<T, string>();
		const unchanged: Array<{ employee: T; uploadedAt: string }> = [];
		for (const employee of employees) {
			const fingerprint = recordFingerprint(employee.data);
			const uploadedAt = ignoreRemembered
				? undefined
				: this.lastAccepted(jobKey, employee.externalId, fingerprint);
			if (uploadedAt === undefined) {
				changed.push(employee);
				fingerprints.set(employee, fingerprint);
			} else {
				unchanged.push({ employee, uploadedAt });
			}
		}
		return { changed, fingerprints, unchanged };
	}

	accepted(jobKey: string, externalId: string, fingerprint: string, at: Date): void {
		this.update(
			jobKey,
			externalId,
			`${fingerprint}.${Math.floor(at.getTime() / 1000).toString(36)}`,
		);
	}

	private update(jobKey: string, externalId: string, value: string | null): void {
		const updates = this.updates.get(jobKey) ?? new Map<string, string | null>();
		this.updates.set(jobKey, updates);
		updates.set(externalId, value);
	}

	/**
	 * The provisioning service failed the employee's record at `failedAt`: forgets the record remembered as accepted
	 * at or before then, so that the next Only What Changed upload sends it again, though unchanged. A record
	 * accepted after the failure comes from a later upload, whose outcome this is not: it stays.
	 */
	forgetFailed(
		jobKey: string,
		externalId: string,
		failedAt: Date,
	): 'forgotten' | 'notRemembered' | 'acceptedSince' {
		const records = this.stored(jobKey);
		const value =
			records !== undefined && Object.hasOwn(records, externalId) ? records[externalId] : undefined;
		if (value === undefined) return 'notRemembered';
		if (acceptedAtMs(value) > failedAt.getTime()) return 'acceptedSince';
		this.update(jobKey, externalId, null);
		return 'forgotten';
	}

	/** Forgets everything remembered for the job (Forget What Was Sent). */
	forget(jobKey: string): void {
		this.forgotten.add(jobKey);
		this.updates.delete(jobKey);
	}

	/** Writes the changes into the static data, within MAX_REMEMBERED_RECORDS; nothing when there are none. */
	save(): void {
		if (this.updates.size === 0 && this.forgotten.size === 0) return;
		const jobs = new Map<string, Map<string, string>>();
		const before = this.before();
		for (const jobKey of Object.keys(before)) {
			if (this.forgotten.has(jobKey) && !this.updates.has(jobKey)) continue;
			jobs.set(jobKey, new Map(this.forgotten.has(jobKey) ? [] : Object.entries(before[jobKey])));
		}
		for (const [jobKey, updates] of this.updates) {
			const records = jobs.get(jobKey) ?? new Map<string, string>();
			jobs.set(jobKey, records);
			for (const [externalId, value] of updates)
				if (value === null) records.delete(externalId);
				else records.set(externalId, value);
			if (records.size === 0) jobs.delete(jobKey);
		}
		forgetOldest(jobs);
		// Object.fromEntries keeps any externalId (even "__proto__") as a plain own key.
		this.staticData[STATIC_DATA_KEY] = Object.fromEntries(
			[...jobs].map(([jobKey, records]) => [jobKey, Object.fromEntries(records)]),
		);
		// Moved: the node's own store is not read again
		if (NODE_STATIC_DATA_KEY in this.nodeStaticData)
			delete this.nodeStaticData[NODE_STATIC_DATA_KEY];
		this.remembered = undefined;
		this.updates.clear();
		this.forgotten.clear();
	}
}

/** Keeps the MAX_REMEMBERED_RECORDS most recently accepted records over all jobs. */
function forgetOldest(jobs: Map<string, Map<string, string>>): void {
	let total = 0;
	for (const records of jobs.values()) total += records.size;
	if (total <= MAX_REMEMBERED_RECORDS) return;
	const byAge: Array<{ acceptedAt: number; records: Map<string, string>; externalId: string }> = [];
	for (const records of jobs.values()) {
		for (const [externalId, value] of records)
			byAge.push({ acceptedAt: acceptedAtMs(value), records, externalId });
	}
	byAge.sort((a, b) => a.acceptedAt - b.acceptedAt);
	for (const { records, externalId } of byAge.slice(0, total - MAX_REMEMBERED_RECORDS))
		records.delete(externalId);
	for (const [jobKey, records] of jobs) if (records.size === 0) jobs.delete(jobKey);
}

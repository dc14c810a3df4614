/**
 * Microsoft Graph + Microsoft Entra ID emulator for tests and the local demo.
 *
 * Three listeners on 127.0.0.1 share one stateful tenant:
 * - Graph (HTTPS): `graphUrl`, requests under /v1.0 and /beta, JSON batching ($batch) included.
 * - Login (HTTPS): `authorityUrl` = https://localhost:<port>, the login.microsoftonline.com stand-in MSAL talks to.
 * - Managed identity (HTTP): `managedIdentityEndpoint`, Azure App Service's IDENTITY_ENDPOINT.
 * HTTPS uses a CA generated at start: trust `caCertPem` (tls.setDefaultCACertificates or NODE_EXTRA_CA_CERTS).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBatch, isBatchRequest } from './batch';
import { GraphCapacity, type GraphCapacitySettings } from './capacity';
import {
	AddApplicationInput,
	AppRoleAssignment,
	Directory,
	DirectoryObjectKind,
	RegisterClientAppInput,
	RegisterUserInput,
	SetManagedIdentityInput,
	SynchronizationSecretPair,
} from './directory';
import { FaultHandle, FaultRegistry, FaultSpec, seededRandom } from './faults';
import { decorateGraphReply, GraphRouter, graphFaultReply } from './graph';
import { graphRoutes } from './graph-routes';
import {
	createLoginHandler,
	FederatedIssuer,
	loginFaultReply,
	parseDelegatedScopes,
	userTokenResponse,
} from './login';
import {
	createManagedIdentityHandler,
	MANAGED_IDENTITY_PATH,
	managedIdentityError,
} from './managed-identity';
import type { ProvisioningLogEntry } from './provisioning-logs';
import { emptyStats, type EmulatorStats, type Exchange, type RecordedRequest } from './exchange';
import { Listener } from './server';
import {
	apiAttributeNames,
	attributeDefinition,
	AttributeType,
	BulkUploadRecord,
	completeRun,
	createJob,
	jobRepresentation,
	OnDemandRecord,
	QuarantineReason,
	quarantineJob,
	SynchronizationJob,
	type DirectoryTemplate,
	type SynchronizationRuleDefinition,
	TEMPLATE_DEFINITIONS,
} from './synchronization';
import {
	ClientCertificateOptions,
	createClientCertificate,
	createTlsMaterial,
	GeneratedCertificate,
} from './tls';
import { CreateAccessTokenOptions, TokenService } from './tokens';

export type { FaultHandle, FaultSpec } from './faults';
export type { EmulatorStats, ListenerName, RecordedRequest } from './exchange';
export type { GeneratedCertificate, ClientCertificateOptions } from './tls';
export type { CreateAccessTokenOptions } from './tokens';
export type {
	AddApplicationInput,
	AppRoleAssignment,
	RegisterClientAppInput,
	RegisterUserInput,
	SetManagedIdentityInput,
	SynchronizationSecretPair,
} from './directory';
export { DirectoryRoles } from './directory';
export { SYNCHRONIZATION_SECRET_KEYS } from './synchronization';
export type {
	AttributeType,
	BulkUploadRecord,
	OnDemandRecord,
	QuarantineReason,
} from './synchronization';
export type { ProvisioningLogEntry } from './provisioning-logs';
export { BULK_UPLOAD_MAX_OPERATIONS } from './synchronization-routes';
export { createClientCertificate } from './tls';

export interface EmulatorOptions {
	/** Default: a random GUID. */
	tenantId?: string;
	/** Default: 'contoso.onmicrosoft.com'. Also accepted as tenant in authority URLs. */
	tenantDomain?: string;
	/** Fixed ports; 0 or omitted = chosen free by the OS. */
	ports?: { graph?: number; login?: number; managedIdentity?: number };
	/**
	 * Added to every Graph response / token response (token endpoint and managed identity), for benchmarks. `jitter`
	 * spreads each Graph call's latency evenly over ± that share of it (0.2: 240–360 ms for 300 ms), drawn from the
	 * seeded random source, as real calls do not all take the same time.
	 */
	latencyMs?: Latency;
	/** expires_in of issued access tokens. Default 3599. */
	tokenLifetimeSeconds?: number;
	/** Seed of the random sources drawing `probability` faults and the order of $batch responses. Default: random. */
	randomSeed?: number;
	/** How long objects created by instantiate answer 404 (directory replication). Default 0. */
	replicationDelayMs?: number;
}

export interface Latency {
	graph?: number;
	token?: number;
	/** Share of the Graph latency each call may deviate by, up or down: 0 (default) to below 1 */
	jitter?: number;
}

export interface DirectoryObjectInfo {
	id: string;
	appId: string;
	displayName: string;
}

export interface RegisteredClient {
	clientId: string;
	displayName: string;
	/** Object ids of the client's own application object and service principal (the token's oid). */
	applicationObjectId: string;
	servicePrincipalId: string;
	secret?: string;
}

/** A synchronization job as Graph answers it, and what the emulator recorded about it. */
export interface SynchronizationJobView {
	/** As GET …/synchronization/jobs/{id} answers */
	job: Record<string, unknown>;
	/** The reset scope of every restart, oldest first */
	restarts: string[][];
	/** Entries in escrow */
	escrows: number;
	provisionedOnDemand: OnDemandRecord[];
	bulkUploads: BulkUploadRecord[];
}

/** A synchronization template a service principal offers besides `scim` and `API2AAD`, with the rules of its schema. */
export interface SynchronizationTemplateInput {
	id: string;
	factoryTag?: string;
	description?: string;
	rules: Array<{
		id: string;
		name: string;
		sourceDirectoryName: string;
		targetDirectoryName: string;
		objectMappings?: Array<{
			name: string;
			sourceObjectName: string;
			targetObjectName: string;
			attributeMappings?: Array<{ target: string; source: string; matchingPriority?: number }>;
		}>;
	}>;
}

export interface Emulator {
	readonly tenantId: string;
	readonly tenantDomain: string;
	/** https://127.0.0.1:<port>: the Graph root; the app-only scope is `${graphUrl}/.default`. */
	readonly graphUrl: string;
	/** https://localhost:<port>: give it to @azure/identity as authorityHost (with disableInstanceDiscovery). */
	readonly authorityUrl: string;
	/** http://127.0.0.1:<port>/msi/token: App Service's IDENTITY_ENDPOINT. */
	readonly managedIdentityEndpoint: string;
	/** App Service's IDENTITY_HEADER: the secret clients send as X-IDENTITY-HEADER. */
	readonly managedIdentityHeader: string;
	/** Issuer URL of tokens made by issueFederatedToken (register it in federatedCredential.issuer). */
	readonly federatedIssuer: string;
	/** PEM of the CA that signed the HTTPS listeners' certificate. */
	readonly caCertPem: string;
	/** Writes the CA PEM into dir (created if needed) and returns its path, e.g. for NODE_EXTRA_CA_CERTS of a child process. */
	writeCaFile(dir: string): string;
	close(): Promise<void>;

	// Directory state
	addApplication(input: AddApplicationInput): DirectoryObjectInfo;
	addServicePrincipal(input: AddApplicationInput): DirectoryObjectInfo;
	/** Pairs stored by the last acquireAccessToken on that object; null if never called. Throws for an unknown object. */
	getSynchronizationSecrets(
		kind: DirectoryObjectKind,
		objectId: string,
	): SynchronizationSecretPair[] | null;
	// Provisioning (synchronization) state of a service principal
	/**
	 * Offers one more template on the service principal, as a gallery application, an HR inbound app or Cloud Sync
	 * offers its own: its rules (IDs exactly as given, e.g. `…#V2`) make the schema of the jobs created from it.
	 */
	addSynchronizationTemplate(
		servicePrincipalId: string,
		template: SynchronizationTemplateInput,
	): void;
	/**
	 * Creates a job from one of the service principal's templates (`scim`, `API2AAD`), as POST …/jobs does. `id` gives
	 * it the id of an earlier run's job (the demo's workflows name it); otherwise it gets a new one.
	 */
	createSynchronizationJob(
		servicePrincipalId: string,
		templateId: string,
		id?: string,
	): { id: string };
	/**
	 * Adds attributes to an API-driven inbound provisioning job's attribute list for API, as an admin does in "Edit
	 * attribute list for API" (custom extension attributes by full name, e.g. urn:…:contoso:1.0:User:HireDate).
	 */
	addApiAttributes(
		servicePrincipalId: string,
		jobId: string,
		attributes: Array<{ name: string; type?: AttributeType }>,
	): void;
	/** The job and what happened to it; undefined once deleted. Throws for an unknown service principal. */
	getSynchronizationJob(
		servicePrincipalId: string,
		jobId: string,
	): SynchronizationJobView | undefined;
	/** Puts the job into quarantine, as the provisioning service does when a run keeps failing. */
	quarantineSynchronizationJob(
		servicePrincipalId: string,
		jobId: string,
		options?: { reason?: QuarantineReason; error?: { code: string; message: string } },
	): void;
	/** Ends a provisioning cycle: escrows make it EntryLevelErrors, errors make it Failed; a clean run lifts a quarantine. */
	completeSynchronizationRun(
		servicePrincipalId: string,
		jobId: string,
		outcome?: { escrows?: number; errors?: number; exported?: number },
	): void;
	/** What PUT …/synchronization/secrets stored, unmasked. */
	getSavedSynchronizationSecrets(servicePrincipalId: string): SynchronizationSecretPair[];
	/** Makes validateCredentials accept this SCIM endpoint with this token. */
	acceptScimCredentials(baseAddress: string, secretToken: string): void;
	/** The tenant's bulkUpload quota per 24 hours (Microsoft documents 2,000 for Entra ID P1/P2 and 6,000 for Governance). */
	setBulkUploadDailyLimit(limit: number): void;
	/** How long after its upload a bulk request shows in the provisioning logs (0 by default; Microsoft documents minutes). */
	setProvisioningDelay(ms: number): void;
	/** Writes a provisioning log entry as a provisioning cycle would; id and activityDateTime default to new ones. */
	addProvisioningLogEntry(entry: Partial<ProvisioningLogEntry>): ProvisioningLogEntry;
	/** The provisioning logs as GET /auditLogs/provisioning holds them now, newest first; and uploads still waiting. */
	provisioningLogs(): { entries: ProvisioningLogEntry[]; waitingUploads: number };
	/** A client app (application + service principal) that can sign in; credentials and granted permissions as given. */
	registerClientApp(input: RegisterClientAppInput): RegisteredClient;
	/**
	 * An admin grants (consents to) more application permissions of a registered client, as *Grant admin consent*
	 * does. Tokens issued before keep the roles they were issued with, as Entra's do; the next token has them.
	 */
	grantApplicationPermissions(clientId: string, permissions: string[]): void;
	registerUser(input: RegisterUserInput): { id: string; upn: string };
	/** A security group, to assign to an app (POST …/appRoleAssignedTo); a random ID unless one is given. */
	addGroup(displayName: string, id?: string): { id: string; displayName: string };
	/** How long an application and service principal answer 404 after instantiate (directory replication). */
	setReplicationDelay(milliseconds: number): void;
	/** Who is assigned to the app (its appRoleAssignedTo); throws for an unknown service principal. */
	getAppRoleAssignments(servicePrincipalId: string): AppRoleAssignment[];
	/** System-assigned when clientId is omitted, user-assigned otherwise; replaces an earlier one with the same identity. */
	setManagedIdentity(input: SetManagedIdentityInput): {
		clientId: string;
		principalId: string;
		resourceId: string;
	};
	/** A self-signed RSA certificate + key for certificate sign-in (register `certificatePem`, give `pem` to the client). */
	createClientCertificate(options?: ClientCertificateOptions): Promise<GeneratedCertificate>;

	// Tokens
	/** A JWT from the emulator's external issuer, for WorkloadIdentityCredential / client assertions. */
	issueFederatedToken(options: {
		subject: string;
		audience?: string;
		issuer?: string;
		lifetimeSeconds?: number;
	}): string;
	/** Mints a Graph access token directly (valid, expired, wrong audience, foreign signature…) without a sign-in. */
	createAccessToken(options: CreateAccessTokenOptions): string;
	/** Tokens as the authorization code flow would return them (access + refresh token), to seed a delegated credential. */
	issueUserTokens(options: { upn: string; clientId: string; scopes: string[] }): {
		access_token: string;
		refresh_token: string;
		expires_in: number;
		scope: string;
		token_type: string;
	};
	/** Lifetime of tokens issued from now on. */
	setTokenLifetime(seconds: number): void;
	setLatency(latency: Latency): void;
	/**
	 * How much the emulated Graph takes (unlimited by default, and again with undefined): calls at once (beyond them
	 * a call is answered 429 with `retryAfterSeconds`), and calls in any window of time (beyond them 429 with the
	 * seconds until the window has room). Refusals are counted in stats().capacityRefusals.
	 */
	setGraphCapacity(capacity: GraphCapacitySettings | undefined): void;

	// Observation
	/** Every request received on every listener, oldest first; the requests inside a $batch follow it. */
	readonly requests: readonly RecordedRequest[];
	clearRequests(): void;
	stats(): EmulatorStats;
	resetStats(): void;

	// Faults
	injectFault(fault: FaultSpec): FaultHandle;
	clearFaults(): void;
}

function latencyOf(latency: Latency): Required<Latency> {
	const jitter = latency.jitter ?? 0;
	if (!(jitter >= 0 && jitter < 1))
		throw new Error(`latency jitter must be from 0 to below 1, not ${jitter}`);
	return { graph: latency.graph ?? 0, token: latency.token ?? 0, jitter };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const tls = await createTlsMaterial();
	const emulator = new EmulatorInstance(options, tls.caCertPem);
	await emulator.listen({ key: tls.serverKeyPem, cert: tls.serverCertPem }, options.ports ?? {});
	return emulator;
}

class EmulatorInstance implements Emulator {
	readonly tenantId: string;
	readonly tenantDomain: string;
	readonly managedIdentityHeader = randomBytes(24).toString('base64url');
	readonly requestLog: RecordedRequest[] = [];

	private readonly directory: Directory;
	private readonly tokens: TokenService;
	private readonly federated: FederatedIssuer;
	private readonly faults: FaultRegistry;
	/** Order of the responses of a $batch. */
	private readonly batchOrder: () => number;
	/** One object for the emulator's lifetime (listeners hold it); resetStats() clears it in place. */
	private readonly statsValue: EmulatorStats = emptyStats();
	private latency: Required<Latency>;
	/** Draws the jitter of each Graph call's latency; a source of its own, so jitter does not shift fault draws. */
	private readonly jitterDraw: () => number;
	private readonly capacity = new GraphCapacity();
	private readonly closing = new AbortController();
	private listeners: Listener[] = [];
	private ports = { graph: 0, login: 0, managedIdentity: 0 };

	constructor(
		options: EmulatorOptions,
		readonly caCertPem: string,
	) {
		this.tenantId = (options.tenantId ?? randomUUID()).toLowerCase();
		this.tenantDomain = options.tenantDomain ?? 'contoso.onmicrosoft.com';
		this.directory = new Directory(this.tenantId, this.tenantDomain);
		this.directory.replicationDelayMs = options.replicationDelayMs ?? 0;
		this.tokens = new TokenService(
			this.directory,
			() => this.graphUrl,
			options.tokenLifetimeSeconds ?? 3599,
		);
		this.federated = new FederatedIssuer(() => this.authorityUrl);
		const seed = options.randomSeed ?? Math.floor(Math.random() * 2 ** 32);
		this.faults = new FaultRegistry(seededRandom(seed));
		// A source of its own, so batches do not shift the draws of probability faults.
		this.batchOrder = seededRandom(seed ^ 0x5bd1e995);
		this.jitterDraw = seededRandom(seed ^ 0x1b873593);
		this.latency = latencyOf(options.latencyMs ?? {});
	}

	/** One Graph call's latency: the set latency, spread by the jitter. */
	private graphLatency(): number {
		const { graph, jitter } = this.latency;
		return jitter > 0 ? graph * (1 + jitter * (2 * this.jitterDraw() - 1)) : graph;
	}

	get graphUrl(): string {
		return `https://127.0.0.1:${this.ports.graph}`;
	}

	get authorityUrl(): string {
		return `https://localhost:${this.ports.login}`;
	}

	get managedIdentityEndpoint(): string {
		return `http://127.0.0.1:${this.ports.managedIdentity}${MANAGED_IDENTITY_PATH}`;
	}

	get federatedIssuer(): string {
		return this.federated.url;
	}

	get requests(): readonly RecordedRequest[] {
		return this.requestLog;
	}

	async listen(
		tls: { key: string; cert: string },
		ports: { graph?: number; login?: number; managedIdentity?: number },
	): Promise<void> {
		const ctx = {
			requests: this.requestLog,
			faults: this.faults,
			stats: this.statsValue,
			capacity: this.capacity,
			tenantId: this.tenantId,
			closing: this.closing.signal,
		};
		const env = {
			directory: this.directory,
			tokens: this.tokens,
			graphUrl: () => this.graphUrl,
			authorityUrl: () => this.authorityUrl,
		};
		const router = new GraphRouter(graphRoutes);
		const graphFault = (ex: Exchange, status: number) => graphFaultReply(ex, status, this.tenantId);
		const batch = new GraphBatch({
			ctx,
			router,
			graph: env,
			faultReply: graphFault,
			latencyMs: () => this.graphLatency(),
			random: this.batchOrder,
		});
		const loginEnv = { ...env, federatedIssuer: this.federated, stats: this.statsValue };
		const graph = new Listener(
			{
				name: 'graph',
				tls,
				handler: (ex) => (isBatchRequest(ex) ? batch.handle(ex) : router.handle(ex, env)),
				decorate: decorateGraphReply,
				faultReply: graphFault,
				// A $batch waits for its requests, each of which waits the Graph latency (batch.ts).
				latencyMs: (ex) => (isBatchRequest(ex) ? 0 : this.graphLatency()),
				tally: (ex, stats) => {
					if (isBatchRequest(ex)) stats.batchRequests++;
					else stats.graphRequests++;
				},
				isOneCall: (ex) => !isBatchRequest(ex),
			},
			ctx,
		);
		const login = new Listener(
			{
				name: 'login',
				tls,
				handler: createLoginHandler(loginEnv),
				faultReply: (ex, status) => loginFaultReply(loginEnv, ex, status),
				latencyMs: (ex) =>
					ex.method === 'POST' && /\/oauth2\/v2\.0\/token$/i.test(ex.url.pathname)
						? this.latency.token
						: 0,
			},
			ctx,
		);
		const managedIdentity = new Listener(
			{
				name: 'managedIdentity',
				handler: createManagedIdentityHandler({
					...env,
					stats: this.statsValue,
					identityHeader: this.managedIdentityHeader,
				}),
				faultReply: (_ex, status) =>
					managedIdentityError(
						status,
						status === 429 ? 'Too many requests.' : 'An unexpected error occurred.',
					),
				latencyMs: () => this.latency.token,
			},
			ctx,
		);
		this.listeners = [graph, login, managedIdentity];
		try {
			this.ports.graph = await graph.listen(ports.graph ?? 0);
			this.ports.login = await login.listen(ports.login ?? 0);
			this.ports.managedIdentity = await managedIdentity.listen(ports.managedIdentity ?? 0);
		} catch (error) {
			await this.close();
			throw error;
		}
	}

	writeCaFile(dir: string): string {
		mkdirSync(dir, { recursive: true });
		const path = join(dir, 'entra-emulator-ca.pem');
		writeFileSync(path, this.caCertPem);
		return path;
	}

	async close(): Promise<void> {
		this.closing.abort();
		await Promise.all(this.listeners.map((l) => l.close()));
	}

	addApplication(input: AddApplicationInput): DirectoryObjectInfo {
		const { id, appId, displayName } = this.directory.addApplication(input);
		return { id, appId, displayName };
	}

	addServicePrincipal(input: AddApplicationInput): DirectoryObjectInfo {
		const { id, appId, displayName } = this.directory.addServicePrincipal(input);
		return { id, appId, displayName };
	}

	getSynchronizationSecrets(
		kind: DirectoryObjectKind,
		objectId: string,
	): SynchronizationSecretPair[] | null {
		const obj = this.directory.getObject(kind, objectId);
		if (!obj) throw new Error(`no ${kind} object ${objectId}`);
		return obj.synchronization.acquiredCredentials?.map((p) => ({ ...p })) ?? null;
	}

	addSynchronizationTemplate(
		servicePrincipalId: string,
		template: SynchronizationTemplateInput,
	): void {
		const { templates } = this.servicePrincipal(servicePrincipalId).synchronization;
		if (templates.some((offered) => offered.id === template.id))
			throw new Error(`the service principal already offers template ${template.id}`);
		const rules = template.rules.map((rule) => ({
			...rule,
			objectMappings: (rule.objectMappings ?? []).map((mapping) => ({
				...mapping,
				attributeMappings: mapping.attributeMappings ?? [],
			})),
		}));
		templates.push({
			id: template.id,
			factoryTag: template.factoryTag ?? template.id,
			description: template.description ?? '',
			needsCredentials: false,
			acceptsBulkUpload: false,
			rules,
			directories: directoriesOfRules(rules),
		});
	}

	createSynchronizationJob(
		servicePrincipalId: string,
		templateId: string,
		id?: string,
	): { id: string } {
		const sp = this.servicePrincipal(servicePrincipalId);
		const template = sp.synchronization.templates.find((candidate) => candidate.id === templateId);
		if (!template)
			throw new Error(
				`no template ${templateId} (known: ${Object.keys(TEMPLATE_DEFINITIONS).join(', ')})`,
			);
		return { id: createJob(sp.synchronization, template, this.tenantId, [], id).id };
	}

	addApiAttributes(
		servicePrincipalId: string,
		jobId: string,
		attributes: Array<{ name: string; type?: AttributeType }>,
	): void {
		const job = this.servicePrincipal(servicePrincipalId).synchronization.jobs.get(
			jobId.toLowerCase(),
		);
		if (!job?.template.acceptsBulkUpload)
			throw new Error(`no API-driven inbound provisioning job ${jobId}`);
		const api = job.schema.directories.find((directory) => directory.name === 'API');
		const [object] = (api?.objects ?? []) as Array<{ attributes: unknown[] }>;
		if (!object) throw new Error(`the schema of job ${jobId} has no API directory object`);
		const listed = apiAttributeNames(job).map((name) => name.toLowerCase());
		for (const { name, type } of attributes) {
			if (!listed.includes(name.toLowerCase()))
				object.attributes.push(attributeDefinition(name, type ?? 'String'));
		}
	}

	getSynchronizationJob(
		servicePrincipalId: string,
		jobId: string,
	): SynchronizationJobView | undefined {
		const job = this.servicePrincipal(servicePrincipalId).synchronization.jobs.get(
			jobId.toLowerCase(),
		);
		if (!job) return undefined;
		return {
			job: jobRepresentation(job),
			restarts: job.restarts.map((scope) => [...scope]),
			escrows: job.escrows,
			provisionedOnDemand: structuredClone(job.provisionedOnDemand),
			bulkUploads: structuredClone(job.bulkUploads),
		};
	}

	quarantineSynchronizationJob(
		servicePrincipalId: string,
		jobId: string,
		options: { reason?: QuarantineReason; error?: { code: string; message: string } } = {},
	): void {
		const error = options.error ? { ...options.error, tenantActionable: true } : null;
		quarantineJob(
			this.job(servicePrincipalId, jobId),
			options.reason ?? 'EncounteredQuarantineException',
			error,
		);
	}

	completeSynchronizationRun(
		servicePrincipalId: string,
		jobId: string,
		outcome: { escrows?: number; errors?: number; exported?: number } = {},
	): void {
		completeRun(this.job(servicePrincipalId, jobId), outcome);
	}

	getSavedSynchronizationSecrets(servicePrincipalId: string): SynchronizationSecretPair[] {
		return this.servicePrincipal(servicePrincipalId).synchronization.savedSecrets.map((pair) => ({
			...pair,
		}));
	}

	acceptScimCredentials(baseAddress: string, secretToken: string): void {
		this.directory.synchronization.scimEndpoints.set(baseAddress, secretToken);
	}

	setBulkUploadDailyLimit(limit: number): void {
		this.directory.synchronization.bulkUploadDaily.limit = limit;
	}

	setProvisioningDelay(ms: number): void {
		this.directory.provisioningLogs.processingDelayMs = ms;
	}

	addProvisioningLogEntry(entry: Partial<ProvisioningLogEntry>): ProvisioningLogEntry {
		return structuredClone(this.directory.provisioningLogs.add(entry));
	}

	provisioningLogs(): { entries: ProvisioningLogEntry[]; waitingUploads: number } {
		const entries = structuredClone(this.directory.provisioningLogs.all());
		return { entries, waitingUploads: this.directory.provisioningLogs.waiting };
	}

	private servicePrincipal(id: string) {
		const sp = this.directory.getObject('servicePrincipals', id);
		if (!sp) throw new Error(`no service principal ${id}`);
		return sp;
	}

	private job(servicePrincipalId: string, jobId: string): SynchronizationJob {
		const job = this.servicePrincipal(servicePrincipalId).synchronization.jobs.get(
			jobId.toLowerCase(),
		);
		if (!job)
			throw new Error(`no synchronization job ${jobId} on service principal ${servicePrincipalId}`);
		return job;
	}

	registerClientApp(input: RegisterClientAppInput): RegisteredClient {
		const c = this.directory.registerClientApp(input);
		return {
			clientId: c.clientId,
			displayName: c.displayName,
			applicationObjectId: c.applicationObjectId,
			servicePrincipalId: c.servicePrincipalId,
			secret: c.secret,
		};
	}

	grantApplicationPermissions(clientId: string, permissions: string[]): void {
		const client = this.directory.getClient(clientId);
		if (!client) throw new Error(`client ${clientId} is not registered`);
		for (const permission of permissions) {
			if (!client.applicationPermissions.includes(permission))
				client.applicationPermissions.push(permission);
		}
	}

	registerUser(input: RegisterUserInput): { id: string; upn: string } {
		const u = this.directory.registerUser(input);
		return { id: u.id, upn: u.upn };
	}

	addGroup(displayName: string, id: string = randomUUID()): { id: string; displayName: string } {
		const group = { id: id.toLowerCase(), displayName };
		this.directory.groups.set(group.id, group);
		return { ...group };
	}

	setReplicationDelay(milliseconds: number): void {
		this.directory.replicationDelayMs = milliseconds;
	}

	getAppRoleAssignments(servicePrincipalId: string): AppRoleAssignment[] {
		return (this.servicePrincipal(servicePrincipalId).appRoleAssignments ?? []).map((a) => ({
			...a,
		}));
	}

	setManagedIdentity(input: SetManagedIdentityInput): {
		clientId: string;
		principalId: string;
		resourceId: string;
	} {
		const m = this.directory.setManagedIdentity(input);
		return { clientId: m.clientId, principalId: m.principalId, resourceId: m.resourceId };
	}

	createClientCertificate(options?: ClientCertificateOptions): Promise<GeneratedCertificate> {
		return createClientCertificate(options);
	}

	issueFederatedToken(options: {
		subject: string;
		audience?: string;
		issuer?: string;
		lifetimeSeconds?: number;
	}): string {
		return this.federated.issue(options);
	}

	createAccessToken(options: CreateAccessTokenOptions): string {
		return this.tokens.createAccessToken(options);
	}

	issueUserTokens(options: { upn: string; clientId: string; scopes: string[] }) {
		const client = this.directory.getClient(options.clientId);
		if (!client) throw new Error(`client ${options.clientId} is not registered`);
		const user = this.directory.findUser(options.upn);
		if (!user) throw new Error(`user ${options.upn} is not registered`);
		const parsed = parseDelegatedScopes(
			{ graphUrl: () => this.graphUrl },
			options.scopes.join(' '),
		);
		const env = {
			directory: this.directory,
			tokens: this.tokens,
			graphUrl: () => this.graphUrl,
			authorityUrl: () => this.authorityUrl,
		};
		const body = userTokenResponse(env, client, user, parsed.graph, parsed.oidc, '1', {
			alwaysRefreshToken: true,
		});
		return body as {
			access_token: string;
			refresh_token: string;
			expires_in: number;
			scope: string;
			token_type: string;
		};
	}

	setTokenLifetime(seconds: number): void {
		this.tokens.lifetimeSeconds = seconds;
	}

	setLatency(latency: Latency): void {
		this.latency = latencyOf(latency);
	}

	setGraphCapacity(capacity: GraphCapacitySettings | undefined): void {
		this.capacity.set(capacity);
	}

	clearRequests(): void {
		this.requestLog.length = 0;
	}

	stats(): EmulatorStats {
		const s = this.statsValue;
		return {
			...s,
			byListener: { ...s.byListener },
			connectionsByListener: { ...s.connectionsByListener },
			byGrantType: { ...s.byGrantType },
		};
	}

	resetStats(): void {
		// Calls still in flight are answered after the reset; counting them out again must not go below zero.
		const inFlight = this.statsValue.graphCallsInFlight;
		Object.assign(this.statsValue, emptyStats(), {
			graphCallsInFlight: inFlight,
			peakGraphCallsInFlight: inFlight,
		});
	}

	injectFault(fault: FaultSpec): FaultHandle {
		return this.faults.add(fault);
	}

	clearFaults(): void {
		this.faults.clear();
	}
}

/**
 * The directories of a template a test adds: each directory its rules name, with the objects and attributes its
 * object mappings read or write, so the job's default schema has a directory for every rule's side.
 */
function directoriesOfRules(rules: SynchronizationRuleDefinition[]): DirectoryTemplate[] {
	const objects = new Map<string, Map<string, Set<string>>>();
	const attributesOf = (directory: string, object: string) => {
		const byObject = objects.get(directory) ?? new Map<string, Set<string>>();
		objects.set(directory, byObject);
		const attributes = byObject.get(object) ?? new Set<string>();
		byObject.set(object, attributes);
		return attributes;
	};
	for (const rule of rules) {
		attributesOf(rule.sourceDirectoryName, 'User');
		attributesOf(rule.targetDirectoryName, 'User');
		for (const mapping of rule.objectMappings) {
			const source = attributesOf(rule.sourceDirectoryName, mapping.sourceObjectName);
			const target = attributesOf(rule.targetDirectoryName, mapping.targetObjectName);
			for (const attribute of mapping.attributeMappings) {
				if (!attribute.source.includes('(')) source.add(attribute.source);
				target.add(attribute.target);
			}
		}
	}
	return [...objects].map(([name, byObject]) => ({
		name,
		objects: [...byObject].map(([objectName, attributes]) => ({
			name: objectName,
			attributes: [...attributes],
		})),
	}));
}

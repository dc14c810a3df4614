/**
 * Runs this package inside n8n's own execution engine (n8n-core's WorkflowExecute), loaded from the built
 * package the way n8n loads a community package (PackageDirectoryLoader reads package.json's "n8n" section).
 * Only the credential store is the test's own: n8n keeps credentials in its database, which n8n-core does not ship.
 */
import path from 'node:path';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	PackageDirectoryLoader,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import type {
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	ResourceMapperFields,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, LoggerProxy, NodeHelpers, Workflow } from 'n8n-workflow';

import { OAuth2Api } from './oAuth2Api';

export const PACKAGE_ROOT = path.resolve(__dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-entra-provisioning';
export const NODE_TYPE = `${PACKAGE_NAME}.microsoftEntraProvisioning`;
export const TRIGGER_NODE_TYPE = `${PACKAGE_NAME}.microsoftEntraProvisioningTrigger`;
export const APP_ONLY = 'microsoftGraphProvisioningAppOnlyApi';
export const OAUTH2 = 'microsoftGraphProvisioningOAuth2Api';

export interface LogLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: unknown;
}

/** Every line n8n-core or the node logs during a test, kept so tests can search them for secrets. */
class CapturingLogger {
	readonly lines: LogLine[] = [];

	private push(level: LogLine['level'], message: string, metadata?: unknown) {
		this.lines.push({ level, message, metadata });
	}

	error(message: string, metadata?: unknown) {
		this.push('error', message, metadata);
	}

	warn(message: string, metadata?: unknown) {
		this.push('warn', message, metadata);
	}

	info(message: string, metadata?: unknown) {
		this.push('info', message, metadata);
	}

	debug(message: string, metadata?: unknown) {
		this.push('debug', message, metadata);
	}

	scoped() {
		return this;
	}
}

export const logger = new CapturingLogger();
Container.set(Logger, logger as unknown as Logger);
LoggerProxy.init(logger as unknown as Parameters<typeof LoggerProxy.init>[0]);

class LoadedNodeTypes implements INodeTypes {
	constructor(private readonly loader: PackageDirectoryLoader) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const shortName = nodeType.startsWith(`${PACKAGE_NAME}.`)
			? nodeType.slice(PACKAGE_NAME.length + 1)
			: nodeType;
		return this.loader.getNode(shortName).type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

class LoadedCredentialTypes implements ICredentialTypes {
	private readonly types: Record<string, ICredentialType> = { oAuth2Api: new OAuth2Api() };

	constructor(loader: PackageDirectoryLoader) {
		for (const name of Object.keys(loader.known.credentials)) {
			this.types[name] = loader.getCredential(name).type;
		}
	}

	recognizes(type: string) {
		return type in this.types;
	}

	getByName(type: string): ICredentialType {
		const found = this.types[type];
		if (!found) throw new Error(`Unknown credential type ${type}`);
		return found;
	}

	getSupportedNodes(): string[] {
		return [NODE_TYPE];
	}

	getParentTypes(type: string): string[] {
		const parents = this.getByName(type).extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	/** Parent fields first, then the type's own, which win by name — as n8n merges them. */
	getProperties(type: string): INodeProperties[] {
		const own = this.getByName(type).properties;
		const inherited = (this.getByName(type).extends ?? []).flatMap((parent) =>
			this.getProperties(parent),
		);
		const ownNames = new Set(own.map((property) => property.name));
		return [...inherited.filter((property) => !ownNames.has(property.name)), ...own];
	}
}

interface StoredCredential {
	type: string;
	data: ICredentialDataDecryptedObject;
}

/**
 * n8n's credential store, minus the database: decrypted data is completed with defaults and its expressions
 * ($self) resolved as n8n's own CredentialsHelper does; OAuth2 token updates are written back.
 */
export class StoredCredentialsHelper extends ICredentialsHelper {
	readonly store = new Map<string, StoredCredential>();

	oauthTokenUpdates = 0;

	/** How often n8n fetched and decrypted a credential (each is a database read and a decryption in n8n) */
	decryptions = 0;

	constructor(
		private readonly credentialTypes: LoadedCredentialTypes,
		private readonly nodeTypes: INodeTypes,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = this.credentialTypes.getByName(typeName);
		if (typeof type.authenticate === 'function')
			return await type.authenticate(credentials, requestOptions);
		return requestOptions;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('Encrypted credentials are not used by these tests');
	}

	/** The stored data with defaults and resolved expressions, as a node sees it. */
	resolve(
		type: string,
		data: ICredentialDataDecryptedObject,
		mode: WorkflowExecuteMode = 'manual',
	) {
		const properties = this.credentialTypes.getProperties(type);
		const withDefaults = NodeHelpers.getNodeParameters(
			properties,
			data as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (data.oauthTokenData !== undefined) withDefaults.oauthTokenData = data.oauthTokenData;
		const node: INode = {
			id: 'credential-resolver',
			name: 'Credential Resolver',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
		});
		return workflow.expression.getComplexParameterValue(
			node,
			withDefaults as INodeParameters,
			mode,
			{},
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
	): Promise<ICredentialDataDecryptedObject> {
		this.decryptions++;
		const stored = this.store.get(nodeCredentials.id ?? '');
		if (!stored || stored.type !== type)
			throw new Error(`No stored credential ${nodeCredentials.id} of type ${type}`);
		return this.resolve(type, structuredClone(stored.data), mode);
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.store.set(nodeCredentials.id ?? '', { type, data });
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const stored = this.store.get(nodeCredentials.id ?? '');
		if (stored) stored.data.oauthTokenData = data.oauthTokenData;
		this.oauthTokenUpdates++;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.credentialTypes.getProperties(type);
	}
}

export interface LoadedPackage {
	nodeTypes: INodeTypes;
	credentialTypes: LoadedCredentialTypes;
	credentialsHelper: StoredCredentialsHelper;
	loader: PackageDirectoryLoader;
}

let loaded: Promise<LoadedPackage> | undefined;

/** Loads the built package once per test file, as n8n loads an installed community package. */
export async function loadPackage(): Promise<LoadedPackage> {
	loaded ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		const nodeTypes = new LoadedNodeTypes(loader);
		const credentialTypes = new LoadedCredentialTypes(loader);
		return {
			loader,
			nodeTypes,
			credentialTypes,
			credentialsHelper: new StoredCredentialsHelper(credentialTypes, nodeTypes),
		};
	})();
	return await loaded;
}

export interface CredentialInput {
	type: string;
	data: ICredentialDataDecryptedObject;
	/** Reuse an id to share one stored credential (and its token) across runs */
	id?: string;
}

export interface RunOptions {
	parameters: INodeParameters;
	credential: CredentialInput;
	items?: IDataObject[];
	continueOnFail?: boolean;
	/** On Error › Continue (using error output): failed items go to a second output, `outputs[1]` */
	errorOutput?: boolean;
	/** The node's typeVersion in the workflow; 1 (the first version) when omitted */
	typeVersion?: number;
	/** The workflow's static data as n8n saved it after earlier executions; none when omitted */
	staticData?: IDataObject;
	/** How the execution started: 'manual' (the editor, the default) or a production mode such as 'trigger' */
	mode?: WorkflowExecuteMode;
	/** The node's name in the workflow (its node-scoped static data goes by it); 'Entra Provisioning' when omitted */
	nodeName?: string;
}

export interface RunResult {
	/** The node's output items (json and pairedItem) */
	items: INodeExecutionData[];
	/** Every output of the node: the main one, then the error output when `errorOutput` was asked for */
	outputs?: INodeExecutionData[][];
	/** The node's error, when the execution failed */
	error?: Error & { description?: string | null; httpCode?: string | null; context?: IDataObject };
	/** Everything n8n-core recorded for the execution, as n8n would store it */
	run: IRun;
	/**
	 * The workflow's static data as n8n keeps it after this execution: n8n saves it (JSON, in the workflow's row)
	 * when a production execution changed it, and never after a manual one; otherwise it stays as it was.
	 */
	staticData?: IDataObject;
}

const NODE_NAME = 'Entra Provisioning';
let executionCounter = 0;

function buildNode(
	parameters: INodeParameters,
	credential: CredentialInput,
	onError: INode['onError'],
	typeVersion = 1,
	name = NODE_NAME,
): INode {
	return {
		id: 'node-under-test',
		name,
		type: NODE_TYPE,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials: {
			[credential.type]: { id: credential.id ?? 'credential-under-test', name: 'Test credential' },
		},
		...(onError ? { onError } : {}),
	};
}

function buildAdditionalData(
	pkg: LoadedPackage,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: pkg.credentialsHelper,
		hooks,
		executionId: `execution-${++executionCounter}`,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		userId: 'test-user',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
}

function storeCredential(pkg: LoadedPackage, credential: CredentialInput) {
	const id = credential.id ?? 'credential-under-test';
	const existing = pkg.credentialsHelper.store.get(id);
	// A reused id keeps its stored OAuth2 token data, as a saved n8n credential does.
	if (!existing || !credential.id)
		pkg.credentialsHelper.store.set(id, {
			type: credential.type,
			data: structuredClone(credential.data),
		});
}

/** Executes one workflow whose node under test receives `items`, through WorkflowExecute. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const pkg = await loadPackage();
	storeCredential(pkg, options.credential);
	const node = buildNode(
		options.parameters,
		options.credential,
		options.errorOutput
			? 'continueErrorOutput'
			: options.continueOnFail
				? 'continueRegularOutput'
				: undefined,
		options.typeVersion,
		options.nodeName,
	);
	const mode = options.mode ?? 'manual';
	const workflow = new Workflow({
		id: 'workflow-under-test',
		name: 'Entra provisioning test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: pkg.nodeTypes,
		staticData: structuredClone(options.staticData ?? {}),
		settings: { executionOrder: 'v1' },
	});
	const hooks = new ExecutionLifecycleHooks(mode, `execution-${executionCounter + 1}`, {
		id: workflow.id,
		name: workflow.name,
		nodes: [node],
		connections: {},
		active: false,
		activeVersionId: null,
		isArchived: false,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	// What n8n's own workflowExecuteAfter hook does (hookFunctionsSave, and the worker's in queue mode): the changed
	// static data of a production execution is written to the workflow, a manual execution's is dropped.
	let staticData = structuredClone(options.staticData ?? {});
	hooks.addHandler('workflowExecuteAfter', async (_run, newStaticData) => {
		if (mode !== 'manual' && newStaticData)
			staticData = JSON.parse(JSON.stringify(newStaticData)) as IDataObject;
	});
	const additionalData = buildAdditionalData(pkg, hooks);
	const items = (options.items ?? [{}]).map((json) => ({ json }));
	const runExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node, data: { main: [items] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;
	const execution = new WorkflowExecute(additionalData, mode, runExecutionData);
	const run = await execution.processRunExecutionData(workflow);
	const taskData = run.data.resultData.runData[node.name]?.[0];
	return {
		items: taskData?.data?.main?.[0] ?? [],
		outputs: (taskData?.data?.main ?? []).map((output) => output ?? []),
		error: (taskData?.error ?? run.data.resultData.error) as RunResult['error'],
		run,
		staticData,
	};
}

export interface WorkflowRunOptions {
	/** A workflow as n8n exports it (an example's JSON) */
	workflow: { nodes: INode[]; connections: IConnections };
	/** Given to every node of this package */
	credential: CredentialInput;
	/** The trigger the run starts after, and the items it emitted (its type need not be loaded) */
	trigger: { name: string; items: IDataObject[] };
}

export interface WorkflowRunResult {
	run: IRun;
	/** A node's output items, empty when it did not run */
	output(nodeName: string): INodeExecutionData[];
	error?: RunResult['error'];
}

/**
 * Runs a whole workflow from the items its trigger emitted, through WorkflowExecute. Only this package's node types
 * are loaded, so the run covers the nodes of this package the trigger leads to; nodes of other packages (a
 * webhook's answer, a sticky note) are left out, and their wiring checked by the caller.
 */
export async function runWorkflowAfterTrigger(
	options: WorkflowRunOptions,
): Promise<WorkflowRunResult> {
	const pkg = await loadPackage();
	storeCredential(pkg, options.credential);
	const { trigger } = options;
	const ours = (node: INode) => node.type.startsWith(`${PACKAGE_NAME}.`);
	const nodes = options.workflow.nodes
		.filter((node) => ours(node) || node.name === trigger.name)
		.map((node) =>
			ours(node)
				? {
						...node,
						credentials: {
							[options.credential.type]: {
								id: options.credential.id ?? 'credential-under-test',
								name: 'Test credential',
							},
						},
					}
				: node,
		);
	const kept = new Set(nodes.map((node) => node.name));
	const connections: IConnections = {};
	for (const [from, outputs] of Object.entries(options.workflow.connections)) {
		if (!kept.has(from)) continue;
		connections[from] = {
			main: (outputs.main ?? []).map((targets) =>
				(targets ?? []).filter((target) => kept.has(target.node)),
			),
		};
	}
	// The trigger already ran: a type without parameters stands in for it, so expressions can read its items.
	const triggerType = nodes.find((node) => node.name === trigger.name)?.type;
	const standIn = {
		description: {
			displayName: trigger.name,
			name: 'triggerStandIn',
			group: ['trigger'],
			version: 1,
			description: '',
			defaults: {},
			inputs: [],
			outputs: ['main'],
			properties: [],
		},
	} as unknown as INodeType;
	const nodeTypes: INodeTypes = {
		getByName: (type) => (type === triggerType ? standIn : pkg.nodeTypes.getByName(type)),
		getByNameAndVersion: (type, version) =>
			type === triggerType ? standIn : pkg.nodeTypes.getByNameAndVersion(type, version),
		getKnownTypes: () => pkg.nodeTypes.getKnownTypes(),
	};
	const workflow = new Workflow({
		id: 'workflow-under-test',
		name: 'Entra provisioning workflow test',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const items = trigger.items.map((json) => ({ json }));
	const next = (connections[trigger.name]?.main?.[0] ?? []).map((target) => target.node);
	const runExecutionData = {
		startData: {},
		resultData: {
			runData: {
				[trigger.name]: [
					{
						startTime: Date.now(),
						executionTime: 0,
						executionIndex: 0,
						executionStatus: 'success',
						source: [],
						data: { main: [items] },
					},
				],
			},
		},
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: next.map((name) => ({
				node: workflow.getNode(name),
				data: { main: [items] },
				source: { main: [{ previousNode: trigger.name }] },
			})),
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;
	const hooks = new ExecutionLifecycleHooks('manual', `execution-${executionCounter + 1}`, {
		id: workflow.id,
		name: workflow.name,
		nodes,
		connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const execution = new WorkflowExecute(
		buildAdditionalData(pkg, hooks),
		'manual',
		runExecutionData,
	);
	const run = await execution.processRunExecutionData(workflow);
	const runData = run.data.resultData.runData;
	return {
		run,
		output: (nodeName) => runData[nodeName]?.[0]?.data?.main?.[0] ?? [],
		error: run.data.resultData.error as RunResult['error'],
	};
}

/** Calls a list search method the way the node editor does, through n8n-core's LoadOptionsContext. */
export async function runListSearch(
	method: string,
	parameters: INodeParameters,
	credential: CredentialInput,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const pkg = await loadPackage();
	storeCredential(pkg, credential);
	const node = buildNode(parameters, credential, undefined);
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: pkg.nodeTypes,
	});
	const additionalData = buildAdditionalData(pkg);
	additionalData.currentNodeParameters = parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'target');
	const nodeType = pkg.nodeTypes.getByNameAndVersion(NODE_TYPE, 1);
	const search = nodeType.methods?.listSearch?.[method];
	if (!search) throw new Error(`The node has no list search ${method}`);
	return await search.call(context, filter, paginationToken);
}

/** Loads a resource mapper's fields the way the node editor does, through n8n-core's LoadOptionsContext. */
export async function runResourceMapping(
	method: string,
	parameters: INodeParameters,
	credential: CredentialInput,
	typeVersion: number,
): Promise<ResourceMapperFields> {
	const pkg = await loadPackage();
	storeCredential(pkg, credential);
	const node = buildNode(parameters, credential, undefined, typeVersion);
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: pkg.nodeTypes,
	});
	const additionalData = buildAdditionalData(pkg);
	additionalData.currentNodeParameters = parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'columns');
	const nodeType = pkg.nodeTypes.getByNameAndVersion(NODE_TYPE, typeVersion);
	const load = nodeType.methods?.resourceMapping?.[method];
	if (!load) throw new Error(`The node has no resource mapping method ${method}`);
	return await load.call(context);
}

/**
 * Sends a credential's "Test" request as n8n's credential tester does: the request from the credential type,
 * its expressions resolved against the credential, signed by the credential's authentication.
 */
export async function runCredentialTest(credential: CredentialInput): Promise<{ status: number }> {
	const pkg = await loadPackage();
	storeCredential(pkg, credential);
	const type = pkg.credentialTypes.getByName(credential.type);
	const request = type.test?.request;
	if (!request) throw new Error(`${credential.type} has no test request`);
	const node = buildNode({}, credential, undefined);
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: pkg.nodeTypes,
	});
	const decrypted = pkg.credentialsHelper.resolve(
		credential.type,
		structuredClone(credential.data),
	);
	const baseURL = workflow.expression.getParameterValue(
		request.baseURL ?? '',
		null,
		0,
		0,
		node.name,
		[],
		'internal',
		{ $credentials: decrypted } as never,
	) as string;
	const context = new LoadOptionsContext(workflow, node, buildAdditionalData(pkg), 'test');
	const response = (await context.helpers.httpRequestWithAuthentication.call(
		context,
		credential.type,
		{
			method: request.method ?? 'GET',
			url: `${baseURL}${request.url ?? ''}`,
			json: true,
			returnFullResponse: true,
		},
	)) as { statusCode: number };
	return { status: response.statusCode };
}

export interface PollOptions {
	parameters: INodeParameters;
	credential: CredentialInput;
	/** The workflow's static data as n8n persisted it after an earlier poll; a fresh workflow when omitted */
	staticData?: IDataObject;
	/** 'trigger' for an active workflow's poll, 'manual' for "Fetch Test Event" */
	mode?: 'trigger' | 'manual';
}

export interface PollResult {
	/** What poll() returned: null when it had nothing to emit */
	items: INodeExecutionData[][] | null;
	error?: Error & { description?: string | null };
	/** The workflow's static data after the poll, as n8n would persist it (JSON) */
	staticData: IDataObject;
}

/**
 * Calls the trigger's poll() the way n8n's ActiveWorkflows does, through n8n-core's PollContext. Passing the
 * staticData of an earlier poll into a new call is what an n8n restart looks like to the node: a fresh process with
 * the workflow (and its static data) loaded from the database.
 */
export async function runPoll(options: PollOptions): Promise<PollResult> {
	const pkg = await loadPackage();
	storeCredential(pkg, options.credential);
	const node: INode = {
		...buildNode(options.parameters, options.credential, undefined),
		type: TRIGGER_NODE_TYPE,
	};
	const workflow = new Workflow({
		id: 'workflow-under-test',
		name: 'Entra provisioning trigger test',
		nodes: [node],
		connections: {},
		active: options.mode !== 'manual',
		nodeTypes: pkg.nodeTypes,
		staticData: structuredClone(options.staticData ?? {}),
		settings: { executionOrder: 'v1' },
	});
	const mode = options.mode ?? 'trigger';
	const context = new PollContext(
		workflow,
		node,
		buildAdditionalData(pkg),
		mode,
		mode === 'manual' ? 'manual' : 'activate',
	);
	const nodeType = pkg.nodeTypes.getByNameAndVersion(TRIGGER_NODE_TYPE, 1);
	if (!nodeType.poll) throw new Error(`${TRIGGER_NODE_TYPE} has no poll()`);
	let items: INodeExecutionData[][] | null = null;
	let error: PollResult['error'];
	try {
		items = await nodeType.poll.call(context);
	} catch (caught) {
		error = caught as PollResult['error'];
	}
	return {
		items,
		error,
		staticData: JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject,
	};
}

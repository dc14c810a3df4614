import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { nodeProperties } from '../../../nodes/MicrosoftEntraProvisioning/actions/description';

/** Every top-level parameter name the node's description declares. */
const DECLARED = new Set(nodeProperties.map(({ name }) => name));

export interface FakeRun {
	/** The node's parameters, as the editor saves them (no expressions: each item reads the same values) */
	parameters: Record<string, unknown>;
	/** Per item, parameters that differ from `parameters` (what an expression would give that item) */
	itemParameters?: Array<Record<string, unknown>>;
	/** The input items' JSON; one empty item when not given */
	items?: IDataObject[];
	nodeVersion?: number;
	continueOnFail?: boolean;
	/** The workflow's static data for the node (getWorkflowStaticData('node')) */
	staticData?: IDataObject;
}

function undeclared(name: string): Error {
	return new Error(
		`"${name}" is not a parameter of the Microsoft Entra Provisioning node: check its spelling against the description`,
	);
}

function valueAt(root: unknown, path: string[]): unknown {
	return path.reduce<unknown>(
		(value, key) =>
			typeof value === 'object' && value !== null
				? (value as Record<string, unknown>)[key]
				: undefined,
		root,
	);
}

/**
 * The few members of IExecuteFunctions the operations use, answering as n8n does for a node whose parameters hold no
 * expressions. A parameter name the node does not declare throws, in the test's parameters as in the code's reads,
 * so neither side can pass on a typo; a declared parameter left unset gives the fallback, or throws without one, as
 * n8n's getNodeParameter does.
 */
export function fakeExecuteFunctions(run: FakeRun): IExecuteFunctions {
	for (const name of [
		...Object.keys(run.parameters),
		...(run.itemParameters ?? []).flatMap((parameters) => Object.keys(parameters)),
	]) {
		if (!DECLARED.has(name)) throw undeclared(name);
	}
	const items: INodeExecutionData[] = (run.items ?? [{}]).map((json) => ({ json }));
	const node: INode = {
		id: 'a3f5c0de-0000-4000-8000-000000000001',
		name: 'Microsoft Entra Provisioning',
		type: 'n8n-nodes-entra-provisioning.microsoftEntraProvisioning',
		typeVersion: run.nodeVersion ?? 2,
		position: [0, 0],
		parameters: run.parameters as INodeParameters,
		credentials: {
			microsoftGraphProvisioningAppOnlyApi: { id: 'credential-1', name: 'Entra app-only' },
		},
	};
	const staticData = run.staticData ?? {};
	const ignore = () => undefined;
	const fake = {
		getNode: () => node,
		getInputData: () => items,
		continueOnFail: () => run.continueOnFail === true,
		getWorkflowStaticData: () => staticData,
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
			const [top, ...rest] = name.split('.');
			if (!DECLARED.has(top)) throw undeclared(top);
			if (itemIndex < 0 || itemIndex >= items.length) {
				throw new Error(`Parameter "${name}" read for item ${itemIndex}, which the input lacks`);
			}
			const own = run.itemParameters?.[itemIndex] ?? {};
			const value = valueAt(top in own ? own : run.parameters, [top, ...rest]);
			if (value !== undefined) return structuredClone(value);
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}": the test does not set it`);
		},
		evaluateExpression() {
			throw new Error('The unit tests give no expressions: nothing should be evaluated');
		},
		logger: { debug: ignore, info: ignore, warn: ignore, error: ignore, verbose: ignore },
		helpers: {
			returnJsonArray: (json: IDataObject | IDataObject[]) =>
				(Array.isArray(json) ? json : [json]).map((entry) => ({ json: entry })),
			constructExecutionMetaData: (
				data: INodeExecutionData[],
				{ itemData }: { itemData: { item: number } },
			) => data.map((entry) => ({ ...entry, pairedItem: itemData })),
		},
	};
	return fake as unknown as IExecuteFunctions;
}

/**
 * What examples/ teaches before anyone runs it: the package's nodes at their newest version (Bulk Upload's resource
 * mapper, not version 1's attribute rows), and no object of the demo tenant where a user must choose their own.
 * The end-to-end suite runs each example (test/e2e/templates.e2e.test.ts, test/e2e/workflows.e2e.test.ts).
 */
import { MicrosoftEntraProvisioning } from '../nodes/MicrosoftEntraProvisioning/MicrosoftEntraProvisioning.node';
import { MicrosoftEntraProvisioningTrigger } from '../nodes/MicrosoftEntraProvisioningTrigger/MicrosoftEntraProvisioningTrigger.node';

import { DEMO_OBJECTS, exampleWorkflows } from '../dev/n8n/demo-tenant';

const PACKAGE = 'n8n-nodes-entra-provisioning';

function newestVersion(version: number | number[]): number {
	return Math.max(...(Array.isArray(version) ? version : [version]));
}

const NEWEST: Record<string, number> = {
	[`${PACKAGE}.microsoftEntraProvisioning`]: newestVersion(
		new MicrosoftEntraProvisioning().description.version,
	),
	[`${PACKAGE}.microsoftEntraProvisioningTrigger`]: newestVersion(
		new MicrosoftEntraProvisioningTrigger().description.version,
	),
};

const examples = exampleWorkflows();

test('examples/ holds the seven workflows README lists', () => {
	expect(examples.map(({ file }) => file)).toEqual([
		'acquire-provisioning-token-manual.workflow.json',
		'acquire-provisioning-token.workflow.json',
		'alert-provisioning-failures.workflow.json',
		'hr-csv-upload.workflow.json',
		'hr-onboarding-outcomes.workflow.json',
		'onboard-gallery-app.workflow.json',
		'rotate-scim-secret.workflow.json',
	]);
});

describe.each(examples)('examples/$file', ({ workflow }) => {
	const packageNodes = workflow.nodes.filter((node) => node.type.startsWith(`${PACKAGE}.`));

	test('uses the newest version of each of the package nodes', () => {
		expect(packageNodes.length).toBeGreaterThan(0);
		expect(packageNodes.map((node) => [node.name, node.typeVersion])).toEqual(
			packageNodes.map((node) => [node.name, NEWEST[node.type]]),
		);
	});

	test('names no object of the demo tenant: each target is picked From List or taken from the data', () => {
		const text = JSON.stringify(workflow);
		for (const id of [
			DEMO_OBJECTS.servicePrincipalId,
			DEMO_OBJECTS.applicationObjectId,
			DEMO_OBJECTS.appId,
		])
			expect(text).not.toContain(id);
		for (const node of packageNodes) {
			const target = node.parameters.target as { mode?: string; value?: unknown } | undefined;
			if (target === undefined) continue;
			const fromData = typeof target.value === 'string' && target.value.startsWith('=');
			expect([node.name, fromData ? 'expression' : target]).toEqual([
				node.name,
				fromData ? 'expression' : { __rl: true, mode: 'list', value: '' },
			]);
		}
	});
});

type WorkflowNode = (typeof examples)[number]['workflow']['nodes'][number];
interface Connection {
	node: string;
	type: string;
	index: number;
}

/** The names of the nodes each output of `name` leads to, one list per output. */
function outputsOf(workflow: (typeof examples)[number]['workflow'], name: string): string[][] {
	const outputs = (workflow.connections[name] as { main?: Connection[][] } | undefined)?.main ?? [];
	return outputs.map((output) => (output ?? []).map((connection) => connection.node));
}

function isPicked(locator: unknown): boolean {
	const { mode, value } = (locator ?? {}) as { mode?: string; value?: unknown };
	return mode === 'list' && value === '';
}

function isOperation(node: WorkflowNode, resource: string, operation: string): boolean {
	return (
		node.type === `${PACKAGE}.microsoftEntraProvisioning` &&
		node.parameters.resource === resource &&
		node.parameters.operation === operation
	);
}

const hrTemplates = examples.filter(({ workflow }) =>
	workflow.nodes.some((node) => isOperation(node, 'bulkUpload', 'uploadUsers')),
);

test('the HR templates are the CSV upload and the onboarding with outcomes', () => {
	expect(hrTemplates.map(({ file }) => file)).toEqual([
		'hr-csv-upload.workflow.json',
		'hr-onboarding-outcomes.workflow.json',
	]);
});

describe.each(hrTemplates)('examples/$file', ({ workflow }) => {
	const nodeNamed = (name: string) => {
		const node = workflow.nodes.find((candidate) => candidate.name === name);
		if (!node) throw new Error(`no node "${name}"`);
		return node;
	};
	const [upload] = workflow.nodes.filter((node) => isOperation(node, 'bulkUpload', 'uploadUsers'));
	const outcomes = workflow.nodes.filter((node) =>
		isOperation(node, 'provisioningLog', 'getUploadOutcomes'),
	);

	test('the app and its job are picked From List in one place, Upload Users; every other node takes them from the data', () => {
		expect([
			upload.name,
			isPicked(upload.parameters.target),
			isPicked(upload.parameters.job),
		]).toEqual([upload.name, true, true]);
		for (const node of workflow.nodes.filter((candidate) => candidate !== upload)) {
			for (const parameter of ['target', 'job']) {
				const value = (node.parameters[parameter] as { value?: unknown } | undefined)?.value;
				if (value === undefined) continue;
				expect([node.name, parameter, String(value).startsWith('={{ $json.')]).toEqual([
					node.name,
					parameter,
					true,
				]);
			}
		}
	});

	test("Upload Users maps with the resource mapper of the node's current version", () => {
		expect(upload.typeVersion).toBe(2);
		expect(upload.parameters.columns).toEqual(
			expect.objectContaining({
				mappingMode: expect.stringMatching(/^(defineBelow|autoMapInputData)$/),
			}),
		);
		expect(upload.parameters.attributes).toBeUndefined();
	});

	test("Get Upload Outcomes takes the upload's items as they are: no expression, no wait before the first check", () => {
		expect(outcomes).toHaveLength(1);
		const [check] = outcomes;
		for (const parameter of [
			'employeeExternalId',
			'employeeJobId',
			'employeeServicePrincipalId',
			'uploadedAfter',
		])
			expect([parameter, check.parameters[parameter]]).toEqual([parameter, undefined]);
		// From the upload to the first check only nodes that hand the items on: no Wait, no Set
		const handOn = ['n8n-nodes-base.respondToWebhook', 'n8n-nodes-base.filter'];
		let from = upload.name;
		const path: string[] = [];
		while (!outputsOf(workflow, from).flat().includes(check.name)) {
			const next = outputsOf(workflow, from)
				.flat()
				.map(nodeNamed)
				.find((node) => handOn.includes(node.type));
			if (!next) throw new Error(`no path from ${upload.name} to ${check.name} through ${handOn}`);
			path.push(next.type);
			from = next.name;
		}
		expect(path.every((type) => handOn.includes(type))).toBe(true);
	});

	test('the wait follows the outcomes: a Wait only in a loop back to the check while anyone is pending, for a bounded number of rounds', () => {
		const [check] = outcomes;
		const [[decision]] = outputsOf(workflow, check.name);
		const condition = JSON.stringify(nodeNamed(decision).parameters.conditions);
		expect(condition).toContain("outcome === 'pending'");
		expect(condition).toMatch(/\$runIndex < \d+/);
		const [whilePending, done] = outputsOf(workflow, decision);
		expect(whilePending.map((name) => nodeNamed(name).type)).toEqual(['n8n-nodes-base.wait']);
		expect(outputsOf(workflow, whilePending[0])).toEqual([[check.name]]);
		expect(done).toHaveLength(1);
		const waits = workflow.nodes.filter((node) => node.type === 'n8n-nodes-base.wait');
		expect(waits.map((node) => node.name)).toEqual(whilePending);
	});

	test('a job that never ran is started once, after the upload; a paused or quarantined one is left to the admin', () => {
		const starts = workflow.nodes.filter((node) => isOperation(node, 'job', 'start'));
		expect(starts).toHaveLength(1);
		const reads = workflow.nodes.filter((node) => isOperation(node, 'job', 'get'));
		expect(reads).toHaveLength(1);
		expect(reads[0].executeOnce).toBe(true);
		const [[decision]] = outputsOf(workflow, reads[0].name);
		expect(JSON.stringify(nodeNamed(decision).parameters.conditions)).toContain(
			'"rightValue":"NotRun"',
		);
		expect(outputsOf(workflow, decision)).toEqual([[starts[0].name], []]);
	});
});

describe('examples/hr-csv-upload.workflow.json', () => {
	function csvTemplate() {
		const found = examples.find(({ file }) => file === 'hr-csv-upload.workflow.json');
		if (!found) throw new Error('examples/hr-csv-upload.workflow.json is missing');
		const upload = found.workflow.nodes.find((node) => node.name === 'Upload Users');
		if (!upload) throw new Error('examples/hr-csv-upload.workflow.json has no "Upload Users"');
		return { workflow: found.workflow, upload };
	}

	test("reads the posted file with n8n's Extract From File and answers every row to the caller", () => {
		const { workflow, upload } = csvTemplate();
		expect(outputsOf(workflow, 'HR export')).toEqual([['Read the CSV']]);
		expect(workflow.nodes.find((node) => node.name === 'Read the CSV')).toMatchObject({
			type: 'n8n-nodes-base.extractFromFile',
			parameters: { binaryPropertyName: 'file' },
		});
		// a file that is no CSV is answered 400 with the line to fix, and the execution fails
		expect(outputsOf(workflow, 'Read the CSV')).toEqual([
			['Upload Users'],
			['Answer what to fix in the file'],
		]);
		expect(workflow.nodes.find((node) => node.name === 'Read the CSV')?.onError).toBe(
			'continueErrorOutput',
		);
		expect(outputsOf(workflow, 'Answer what to fix in the file')).toEqual([
			['Mark the execution failed'],
		]);
		expect(outputsOf(workflow, 'Upload Users')).toEqual([['Answer the caller']]);
		// a row that cannot be sent is an item of the answer, not the end of the upload
		expect(upload.onError).toBe('continueRegularOutput');
	});

	test('matches HR column names, leaves out what it cannot place, previews on ?preview=true and sends only what changed', () => {
		const { upload } = csvTemplate();
		expect(upload.parameters.columns).toMatchObject({ mappingMode: 'autoMapInputData' });
		expect(upload.parameters.inputOptions).toEqual({
			matchHrColumns: true,
			unknownFields: 'ignore',
		});
		expect(upload.parameters.uploadOptions).toEqual({
			previewOnly: "={{ $('HR export').first().json.query.preview === 'true' }}",
			onlyChanged: true,
		});
	});
});

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

test('examples/ holds the six workflows README lists', () => {
	expect(examples.map(({ file }) => file)).toEqual([
		'acquire-provisioning-token-manual.workflow.json',
		'acquire-provisioning-token.workflow.json',
		'alert-provisioning-failures.workflow.json',
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

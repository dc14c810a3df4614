/**
 * The one data file of what the conformance suite does not (yet) do with a documented example or statement, each
 * with its reason. The suite prints these lists and fails when an entry is stale or an example is on no list.
 */

/**
 * Documented requests the node cannot send yet, each with the reason. node.test.ts sends every other documented
 * request through a workflow; it fails when an example is on this list and tested, or on neither.
 */
export const NOT_EXPRESSIBLE: Record<string, string> = {
	'v1.0/synchronization-synchronizationschema-parseexpression#1':
		'Parse Expression takes text test values; the example also gives a multi-valued one (appRoleAssignments as a string collection).',
	'v1.0/synchronization-synchronizationtemplate-update#1':
		"The node reads templates but does not change them; a template belongs to the application's owner.",
	'beta/provisioningobjectsummary-get#1':
		'Provisioning Log › Get reads one entry with $filter on GET /auditLogs/provisioning, which v1.0 and beta both answer; /auditLogs/directoryProvisioning/{id} is an older beta path.',
};

/**
 * docs/development.md's list of documented requests the node cannot send yet, from NOT_EXPRESSIBLE: one line per
 * reason, with the documented request (method and path as the page writes them) and the examples that send it.
 */
export function renderNotExpressible(
	examples: ReadonlyArray<{ id: string; request: { method: string; url: string } }>,
): string {
	const byReason = new Map<string, string[]>();
	for (const [id, reason] of Object.entries(NOT_EXPRESSIBLE))
		byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
	return [...byReason]
		.map(([reason, ids]) => {
			const requests = [
				...new Set(
					ids.map((id) => {
						const { method, url } = examples.find((example) => example.id === id)!.request;
						const path = url
							.replace(/^https:\/\/graph\.microsoft\.com\/(v1\.0|beta)/, '')
							// the sample IDs of some pages, written as the others write them
							.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}');
						return `\`${method} ${path}\``;
					}),
				),
			].join(', ');
			return `- ${requests} (${ids.map((id) => `\`${id}\``).join(', ')}): ${reason}`;
		})
		.join('\n');
}

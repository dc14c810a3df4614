/*
 * The factory every unit test hands jest.mock for the transport module:
 *
 *   jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
 *     jest.requireActual('../support/transportMock').transportMock(),
 *   );
 *
 * The module's pure parts (graphPath, getGraphConnection, the paging of collections …) stay real; its one Graph call,
 * graphRequest, goes to the fake Graph.
 */
export function transportMock(): Record<string, unknown> {
	const actual = jest.requireActual<Record<string, unknown>>(
		'../../../nodes/MicrosoftEntraProvisioning/transport',
	);
	const graph = jest.requireActual<typeof import('./graph')>('./graph');
	const readers = jest.requireActual<
		typeof import('../../../nodes/MicrosoftEntraProvisioning/transport/pages')
	>('../../../nodes/MicrosoftEntraProvisioning/transport/pages');
	const graphRequest = jest.fn(graph.graphRequest);
	return { ...actual, graphRequest, ...readers.collectionReaders(graphRequest) };
}

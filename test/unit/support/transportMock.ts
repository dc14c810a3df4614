/*
 * The factory every unit test hands jest.mock for the transport module:
 *
 *   jest.mock('../../../nodes/MicrosoftEntraProvisioning/transport', () =>
 *     jest.requireActual('../support/transportMock').transportMock(),
 *   );
 *
 * The module's pure parts (graphPath, getGraphConnection …) stay real; its Graph calls go to the fake Graph.
 */
export function transportMock(): Record<string, unknown> {
	const actual = jest.requireActual<Record<string, unknown>>(
		'../../../nodes/MicrosoftEntraProvisioning/transport',
	);
	const graph = jest.requireActual<typeof import('./graph')>('./graph');
	return {
		...actual,
		graphRequest: jest.fn(graph.graphRequest),
		graphListPage: jest.fn(graph.graphListPage),
		readPages: jest.fn(graph.readPages),
		listAll: jest.fn(graph.listAll),
	};
}

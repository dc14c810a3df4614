import type { INodeProperties } from 'n8n-workflow';

import * as compare from './compare.operation';
import * as discoverDirectory from './discover.operation';
import * as get from './get.operation';
import * as getCatalogue from './getCatalogue.operation';
import * as parseExpression from './parseExpression.operation';
import * as reset from './reset.operation';
import * as update from './update.operation';

export { compare, discoverDirectory, get, getCatalogue, parseExpression, reset, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['schema'] } },
		options: [
			{
				name: 'Compare',
				value: 'compare',
				description:
					"Compare a job's schema with another job's or a saved one, one item per difference",
				action: 'Compare a job schema',
			},
			{
				name: 'Discover Directory',
				value: 'discoverDirectory',
				description: "Discover the attributes a directory of the job's schema has now",
				action: 'Discover a directory of a job schema',
			},
			{
				name: 'Get',
				value: 'get',
				description: "Get a job's schema and its synchronization rules, or its attribute mappings",
				action: 'Get a job schema',
			},
			{
				name: 'Get Filter Operators',
				value: 'getFilterOperators',
				description: 'List the operators scoping filters can use',
				action: 'Get the scoping filter operators',
			},
			{
				name: 'Get Functions',
				value: 'getFunctions',
				description: 'List the functions attribute-mapping expressions can use',
				action: 'Get the expression functions',
			},
			{
				name: 'Parse Expression',
				value: 'parseExpression',
				description: 'Test an attribute-mapping expression against a sample object',
				action: 'Parse an attribute mapping expression',
			},
			{
				name: 'Reset',
				value: 'reset',
				description: "Reset a job's schema to its template's default",
				action: 'Reset a job schema',
			},
			{
				name: 'Update',
				value: 'update',
				description:
					"Change a job's schema (attributes, mappings, scoping filters) or restore a whole one",
				action: 'Update a job schema',
			},
		],
		default: 'get',
	},
	...compare.description,
	...discoverDirectory.description,
	...get.description,
	...getCatalogue.description,
	...parseExpression.description,
	...reset.description,
	...update.description,
];

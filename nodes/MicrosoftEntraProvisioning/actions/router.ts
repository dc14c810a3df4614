import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { openOperationContext } from '../helpers/operationContext';
import {
	runOperation,
	type BatchOperation,
	type ItemOperation,
	type Operation,
} from '../helpers/operationRun';
import * as applicationTemplate from './applicationTemplate';
import * as appRoleAssignment from './appRoleAssignment';
import * as bulkUpload from './bulkUpload';
import * as job from './job';
import type { Resource, ResourceMap } from './node.type';
import * as provisioningLog from './provisioningLog';
import * as provisioningToken from './provisioningToken';
import * as schema from './schema';
import * as secrets from './secrets';
import * as template from './template';

const item = (execute: ItemOperation): Operation => ({ kind: 'item', execute });
const batch = (execute: BatchOperation): Operation => ({ kind: 'batch', execute });

const operations: { [R in Resource]: Record<ResourceMap[R], Operation> } = {
	provisioningToken: { acquire: item(provisioningToken.acquire.execute) },
	secrets: { save: item(secrets.save.execute), get: item(secrets.get.execute) },
	job: {
		list: item(job.list.execute),
		get: item(job.get.execute),
		create: item(job.create.execute),
		start: item(job.start.execute),
		pause: item(job.pause.execute),
		restart: item(job.restart.execute),
		delete: item(job.deleteJob.execute),
		validateCredentials: item(job.validateCredentials.execute),
		provisionOnDemand: item(job.provisionOnDemand.execute),
	},
	template: { list: item(template.list.execute), get: item(template.get.execute) },
	schema: {
		get: item(schema.get.execute),
		update: item(schema.update.execute),
		reset: item(schema.reset.execute),
		compare: item(schema.compare.execute),
		discoverDirectory: item(schema.discoverDirectory.execute),
		getFilterOperators: item(schema.getCatalogue.filterOperators),
		getFunctions: item(schema.getCatalogue.functions),
		parseExpression: item(schema.parseExpression.execute),
	},
	bulkUpload: { uploadUsers: batch(bulkUpload.uploadUsers.execute) },
	provisioningLog: {
		getMany: item(provisioningLog.getMany.execute),
		get: item(provisioningLog.get.execute),
		getUploadOutcomes: batch(provisioningLog.getUploadOutcomes.execute),
	},
	applicationTemplate: {
		search: item(applicationTemplate.search.execute),
		get: item(applicationTemplate.get.execute),
		instantiate: item(applicationTemplate.instantiate.execute),
	},
	appRoleAssignment: {
		assign: item(appRoleAssignment.assign.execute),
		list: item(appRoleAssignment.list.execute),
		remove: item(appRoleAssignment.remove.execute),
	},
};

/** Dispatches to the chosen operation, which runs on the context the execution's items share. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as Resource;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = (operations[resource] as Record<string, Operation> | undefined)?.[operation];
	if (!chosen) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	const { context, throttle } = await openOperationContext(this, chosen.kind === 'item');
	return [await runOperation(this, chosen, context, throttle)];
}

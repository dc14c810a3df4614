import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { TARGET_TYPES, isSynchronizationId, type TargetType } from '../../../lib/graphIdentifiers';
import { locatedServicePrincipalId } from '../helpers/servicePrincipalCalls';
import type { SynchronizationJob } from '../helpers/synchronizationJob';
import { getGraphConnection, graphListPage, graphPath, graphRequest, listAll } from '../transport';
import { odataString } from '../transport/odata';
import { DEFAULT_REQUEST_SETTINGS as SETTINGS } from '../transport/requestLimits';
import { readJobSchema, selectedJobId } from './selectedJob';

/*
 * Every list the editor searches: the directory's targets, paged by Graph, and a service principal's jobs,
 * templates and rules, read whole and filtered here.
 */

const PAGE_SIZE = 50;

interface DirectoryObject {
	id: string;
	appId?: string;
	displayName?: string | null;
}

/** Applications or service principals whose display name starts with the filter, a page at a time. */
export async function searchTargets(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const targetType = (this.getCurrentNodeParameter('targetType') ??
		'servicePrincipal') as TargetType;
	const { collection, displayName } = TARGET_TYPES[targetType] ?? TARGET_TYPES.servicePrincipal;
	const connection = await getGraphConnection(this);
	const search = filter?.trim();
	const page = await graphListPage<DirectoryObject>(
		this,
		connection,
		paginationToken
			? { method: 'GET', url: paginationToken }
			: {
					method: 'GET',
					path: graphPath`/${collection}`,
					qs: {
						$select: 'id,appId,displayName',
						$top: PAGE_SIZE,
						...(search ? { $filter: `startswith(displayName,${odataString(search)})` } : {}),
					},
				},
		SETTINGS,
		{
			access: 'readDirectoryObjects',
			delegated: connection.delegated,
			subject: `${displayName.toLowerCase()}s`,
		},
	);
	return {
		results: page.value.map((object) => ({
			name: `${object.displayName ?? '(no name)'} (app ID ${object.appId ?? 'none'})`,
			value: object.id,
		})),
		paginationToken: page.nextLink,
	};
}

/** Graph offers no $filter on these collections, and a service principal has a handful of each: filter here. */
function matching(
	results: INodeListSearchItems[],
	filter: string | undefined,
): INodeListSearchResult {
	const search = filter?.trim().toLowerCase();
	return {
		results: search ? results.filter(({ name }) => name.toLowerCase().includes(search)) : results,
	};
}

async function selectedServicePrincipal(ctx: ILoadOptionsFunctions) {
	const connection = await getGraphConnection(ctx);
	const servicePrincipalId = await locatedServicePrincipalId(
		ctx,
		connection,
		ctx.getCurrentNodeParameter('target'),
		SETTINGS,
	);
	return { connection, servicePrincipalId };
}

/** The provisioning jobs of the selected service principal, with their template and status. */
export async function searchJobs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const { connection, servicePrincipalId } = await selectedServicePrincipal(this);
	const jobs = await listAll<SynchronizationJob>(
		this,
		connection,
		graphPath`/servicePrincipals/${servicePrincipalId}/synchronization/jobs`,
		SETTINGS,
		{
			access: 'readSynchronizationJobs',
			delegated: connection.delegated,
			subject: `service principal ${servicePrincipalId}`,
		},
	);
	return matching(
		jobs.map((job) => ({
			name: `${job.templateId ?? 'job'} · ${job.status?.code ?? 'unknown status'} (${job.id})`,
			value: job.id,
		})),
		filter,
	);
}

/** The synchronization templates the selected service principal offers. */
export async function searchTemplates(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const { connection, servicePrincipalId } = await selectedServicePrincipal(this);
	const templates = await listAll<{ id: string; factoryTag?: string; description?: string }>(
		this,
		connection,
		graphPath`/servicePrincipals/${servicePrincipalId}/synchronization/templates`,
		SETTINGS,
		{
			access: 'readSynchronizationTemplates',
			delegated: connection.delegated,
			subject: `service principal ${servicePrincipalId}`,
		},
	);
	return matching(
		templates.map((template) => ({
			name: `${template.id}${template.factoryTag && template.factoryTag !== template.id ? ` (${template.factoryTag})` : ''}${template.description ? `: ${template.description}` : ''}`,
			value: template.id,
		})),
		filter,
	);
}

/** The synchronization rules of the selected job's schema: what Provision On Demand runs. */
export async function searchRules(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const { connection, servicePrincipalId } = await selectedServicePrincipal(this);
	const jobId = selectedJobId(this);
	if (jobId === undefined) return { results: [] };
	const schema = await readJobSchema<{
		synchronizationRules?: Array<{
			id: string;
			name?: string;
			sourceDirectoryName?: string;
			targetDirectoryName?: string;
		}>;
	}>(this, connection, servicePrincipalId, jobId);
	return matching(
		(schema?.synchronizationRules ?? [])
			// The same check as an item's Rule (helpers/itemParameters.ts): a rule listed here is never refused there.
			.filter((rule) => typeof rule.id === 'string' && isSynchronizationId(rule.id))
			.map((rule) => ({
				name: `${rule.name ?? rule.id} (${rule.sourceDirectoryName ?? '?'} → ${rule.targetDirectoryName ?? '?'})`,
				value: rule.id,
			})),
		filter,
	);
}

interface ExpressionFunction {
	name: string;
	parameters?: Array<{ name?: string; required?: boolean; allowMultipleOccurrences?: boolean }>;
}

/** The functions Graph offers attribute-mapping expressions (GET …/schema/functions), each with its parameters. */
export async function searchFunctions(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const { connection, servicePrincipalId } = await selectedServicePrincipal(this);
	const jobId = selectedJobId(this);
	if (jobId === undefined) return { results: [] };
	const response = await graphRequest<{ value?: ExpressionFunction[] }>(
		this,
		connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipalId}/synchronization/jobs/${jobId}/schema/functions`,
		},
		SETTINGS,
		{
			access: 'readSynchronizationCatalogues',
			delegated: connection.delegated,
			subject: `provisioning job ${jobId}`,
		},
	);
	return matching(
		(response.body?.value ?? []).map(({ name, parameters }) => ({
			name: `${name}(${(parameters ?? [])
				.map(
					(parameter) =>
						`${parameter.name ?? '?'}${parameter.allowMultipleOccurrences ? ', …' : ''}${parameter.required === false ? '?' : ''}`,
				)
				.join(', ')})`,
			value: name,
		})),
		filter,
	);
}

/** The gallery apps whose name contains the filter (Graph's documented contains(displayName, …)), a page at a time. */
export async function searchApplicationTemplates(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const connection = await getGraphConnection(this);
	const search = filter?.trim();
	const page = await graphListPage<{
		id: string;
		displayName?: string | null;
		publisher?: string | null;
		supportedProvisioningTypes?: string[];
	}>(
		this,
		connection,
		paginationToken
			? { method: 'GET', url: paginationToken }
			: {
					method: 'GET',
					path: '/applicationTemplates',
					qs: {
						$top: PAGE_SIZE,
						...(search ? { $filter: `contains(displayName, ${odataString(search)})` } : {}),
					},
				},
		SETTINGS,
		{
			access: 'readApplicationTemplates',
			delegated: connection.delegated,
			subject: 'the application gallery',
		},
	);
	return {
		results: page.value.map((template) => ({
			name: `${template.displayName ?? '(no name)'}${template.publisher ? ` · ${template.publisher}` : ''}${(template.supportedProvisioningTypes ?? []).includes('sync') ? ' · provisioning' : ''}`,
			value: template.id,
		})),
		paginationToken: page.nextLink,
	};
}

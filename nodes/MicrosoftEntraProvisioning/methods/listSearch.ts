import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../descriptions/requestOptions';
import { TARGET_TYPES, type TargetType } from '../descriptions/target';
import { getGraphConnection, graphListPage, graphPath, type RequestSettings } from '../transport';

const PAGE_SIZE = 50;
/** The editor waits for the list: a few retries, as Microsoft's SDKs make, not the bulk-run default. */
const LIST_RETRY_LIMIT = 3;

interface DirectoryObject {
	id: string;
	appId?: string;
	displayName?: string | null;
}

/** OData string literal: a quote is escaped by doubling it. */
function odataString(value: string): string {
	return `'${value.replace(/'/g, "''")}'`;
}

/** Applications or service principals whose display name starts with the filter, a page at a time. */
export async function searchTargets(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const targetType = (this.getCurrentNodeParameter('targetType') ?? 'servicePrincipal') as TargetType;
	const { collection, displayName } = TARGET_TYPES[targetType] ?? TARGET_TYPES.servicePrincipal;
	const connection = await getGraphConnection(this);
	const settings: RequestSettings = {
		apiVersion: 'v1.0',
		timeoutMs: DEFAULT_TIMEOUT_MS,
		retryLimit: LIST_RETRY_LIMIT,
		idempotent: true,
	};
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
		settings,
		{ access: 'readDirectoryObjects', delegated: connection.delegated, subject: `${displayName.toLowerCase()}s` },
	);
	return {
		results: page.value.map((object) => ({
			name: `${object.displayName ?? '(no name)'} (app ID ${object.appId ?? 'none'})`,
			value: object.id,
		})),
		paginationToken: page.nextLink,
	};
}

import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { TARGET_TYPES, type TargetType } from '../descriptions/target';
import { DEFAULT_REQUEST_SETTINGS } from '../helpers/synchronization';
import { getGraphConnection, graphListPage, graphPath } from '../transport';

const PAGE_SIZE = 50;

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
		DEFAULT_REQUEST_SETTINGS,
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

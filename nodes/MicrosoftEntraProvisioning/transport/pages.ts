import type { FailureContext } from './errors';
import type {
	GraphConnection,
	GraphFunctions,
	GraphRequest,
	GraphResponse,
	RequestSettings,
} from './types';

/** The one Graph call the readers of a collection are built on: graphRequest, or a test's stand-in for it. */
export type SendGraphRequest = (
	ctx: GraphFunctions,
	connection: GraphConnection,
	request: GraphRequest,
	settings: RequestSettings,
	context: FailureContext,
) => Promise<GraphResponse>;

/**
 * The readers of a Graph collection over one way of sending a request. They take it as a parameter so that a test
 * standing in for Graph's single calls still runs the real paging.
 */
export function collectionReaders(send: SendGraphRequest) {
	/** One page of a Graph collection and the link to the next, if any. */
	async function graphListPage<T>(
		ctx: GraphFunctions,
		connection: GraphConnection,
		request: GraphRequest,
		settings: RequestSettings,
		context: FailureContext,
	): Promise<{ value: T[]; nextLink?: string }> {
		const { body } = await send(ctx, connection, request, settings, context);
		const page = body as { value?: T[]; '@odata.nextLink'?: string } | undefined;
		return { value: page?.value ?? [], nextLink: page?.['@odata.nextLink'] };
	}

	/**
	 * The items of a Graph collection, page by page, following @odata.nextLink (which resolveUrl keeps on the same
	 * Graph) to the last page, or until `limit` items; and how many Graph calls that took.
	 */
	async function readPages<T>(
		ctx: GraphFunctions,
		connection: GraphConnection,
		firstPage: GraphRequest,
		settings: RequestSettings,
		failure: FailureContext,
		limit?: number,
	): Promise<{ value: T[]; calls: number }> {
		const value: T[] = [];
		let request = firstPage;
		for (let calls = 1; ; calls++) {
			const page = await graphListPage<T>(ctx, connection, request, settings, failure);
			value.push(...page.value);
			if (limit !== undefined && value.length >= limit)
				return { value: value.slice(0, limit), calls };
			if (!page.nextLink) return { value, calls };
			request = { method: 'GET', url: page.nextLink };
		}
	}

	/** Every item of a Graph collection. */
	async function listAll<T>(
		ctx: GraphFunctions,
		connection: GraphConnection,
		path: string,
		settings: RequestSettings,
		failure: FailureContext,
	): Promise<T[]> {
		return (await readPages<T>(ctx, connection, { method: 'GET', path }, settings, failure)).value;
	}

	return { graphListPage, readPages, listAll };
}

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { examples } from './corpus';
import { renderNotExpressible } from './coverage';

/** docs/development.md's conformance section, which README links to */
const DEVELOPMENT_PAGE = path.resolve(__dirname, '..', '..', 'docs', 'development.md');

describe("docs/development.md's conformance section", () => {
	it('lists the documented requests the node cannot send yet, as coverage.ts has them', () => {
		const page = readFileSync(DEVELOPMENT_PAGE, 'utf8');
		const listed =
			/<!-- conformance:not-expressible -->\n([\s\S]*?)\n<!-- \/conformance:not-expressible -->/.exec(
				page,
			)?.[1];
		expect(listed).toBe(renderNotExpressible(examples));
	});
});

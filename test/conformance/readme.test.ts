import { readFileSync } from 'node:fs';

import { README_PATH } from '../../dev/docs';
import { examples } from './corpus';
import { renderNotExpressible } from './coverage';

describe("README's conformance section", () => {
	it('lists the documented requests the node cannot send yet, as coverage.ts has them', () => {
		const readme = readFileSync(README_PATH, 'utf8');
		const listed =
			/<!-- conformance:not-expressible -->\n([\s\S]*?)\n<!-- \/conformance:not-expressible -->/.exec(
				readme,
			)?.[1];
		expect(listed).toBe(renderNotExpressible(examples));
	});
});

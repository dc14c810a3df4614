import { readFileSync } from 'node:fs';

import { README_PATH, renderReadme } from '../dev/docs';

describe('README', () => {
	it('has its reference tables as the code lists them (run `npm run docs` after changing a list)', () => {
		const readme = readFileSync(README_PATH, 'utf8');
		expect(renderReadme(readme)).toBe(readme);
	});

	it('fails when a generated table is edited by hand', () => {
		const readme = readFileSync(README_PATH, 'utf8').replace(
			'| `SecretToken` |',
			'| `SecretTokenX` |',
		);
		expect(renderReadme(readme)).not.toBe(readme);
	});
});

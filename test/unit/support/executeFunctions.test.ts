import { fakeExecuteFunctions } from './executeFunctions';

// The fake must not let a test pass on a misspelt parameter, in the test's parameters or in the code's reads.
describe('the fake execute functions', () => {
	it('refuses a parameter the node does not declare, given or read', () => {
		expect(() => fakeExecuteFunctions({ parameters: { resorce: 'job' } })).toThrow(
			'"resorce" is not a parameter',
		);
		const ctx = fakeExecuteFunctions({ parameters: { resource: 'job' } });
		expect(() => ctx.getNodeParameter('operaton', 0, 'list')).toThrow(
			'"operaton" is not a parameter',
		);
	});

	it('reads dotted paths, falls back only for a declared parameter left unset, and throws without a fallback', () => {
		const ctx = fakeExecuteFunctions({
			parameters: { options: { timeout: 5000 } },
			itemParameters: [{}, { options: { timeout: 9000 } }],
			items: [{}, {}],
		});
		expect(ctx.getNodeParameter('options.timeout', 0)).toBe(5000);
		expect(ctx.getNodeParameter('options.timeout', 1)).toBe(9000);
		expect(ctx.getNodeParameter('options.retryLimit', 0, 3)).toBe(3);
		expect(() => ctx.getNodeParameter('operation', 0)).toThrow('Could not get parameter');
		expect(() => ctx.getNodeParameter('options', 2)).toThrow('which the input lacks');
	});
});

import { enumMembers } from '../dev/emulator/graph-metadata';
import { SYNCHRONIZATION_SECRET_KEYS } from '../lib/synchronizationSecrets';

describe('the secret key list', () => {
	it("is Graph's synchronizationSecret enumeration (v1.0 metadata), in Graph's order, without None", () => {
		expect([...SYNCHRONIZATION_SECRET_KEYS]).toEqual(
			enumMembers('synchronizationSecret').filter((key) => key !== 'None'),
		);
	});
});

import { enumMembers } from '../dev/emulator/graph-metadata';
import {
	JOB_STATUS_CODES,
	RESET_SCOPE_FLAGS,
} from '../nodes/MicrosoftEntraProvisioning/helpers/synchronizationJob';

describe("the node's job lists follow Graph's v1.0 metadata", () => {
	it("status codes: synchronizationStatusCode, in Graph's order", () => {
		expect(Object.keys(JOB_STATUS_CODES)).toEqual(enumMembers('synchronizationStatusCode'));
	});

	it("reset scope flags: synchronizationJobRestartScope, in Graph's order", () => {
		expect(Object.keys(RESET_SCOPE_FLAGS)).toEqual(enumMembers('synchronizationJobRestartScope'));
	});
});

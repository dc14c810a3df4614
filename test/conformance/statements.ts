/**
 * Every behavioural statement of Microsoft's pages (test/fixtures/graph-doc-examples/README.md, "Behavioural
 * statements"), each with where it is tested, or why it is not. statements.test.ts checks that every statement of
 * that list has an entry here and that every named test exists, and prints the entries that are not tests.
 */

/** A test by its file (relative to test/conformance/) and its name */
export interface TestName {
	file: string;
	test: string;
}

/** Where a statement is tested */
export type StatementCoverage =
	/**
	 * tests that assert it (of this suite or of the part of the package that acts on it), with the documented example
	 * replayed for the part a status shows, and why a part no test asserts cannot be tested
	 */
	| { tested: TestName[]; replayed?: string; untestedPart?: string }
	/** the documented example replayed against the emulator (replay.test.ts) */
	| { replayed: string }
	| { notTested: string };

export interface StatementEntry {
	/** The statement's bullet in the corpus README: its words before the first colon */
	bullet: string;
	statement: string;
	coverage: StatementCoverage;
}

const here = (file: string, test: string): StatementCoverage => ({ tested: [{ file, test }] });
const STATEMENTS_TEST = 'statements.test.ts';
const EMULATOR_TEST = '../emulator/synchronization.test.ts';

export const STATEMENTS: StatementEntry[] = [
	{
		bullet: 'provisionOnDemand',
		statement: '"The rate limit for this API is 5 requests per 10 seconds."',
		coverage: {
			tested: [
				{
					file: EMULATOR_TEST,
					test: 'provisionOnDemand: an empty ruleId is 400 RequestParameterInvalid; the 6th request in 10 s is 429 with Retry-After',
				},
				{
					file: '../provisionOnDemand.test.ts',
					test: 'keeps two executions on one job within the limit together, so the emulator never answers 429',
				},
			],
		},
	},
	{
		bullet: 'provisionOnDemand',
		statement:
			'Returns 200 + stringKeyStringValuePair whose key and value are JSON documents in strings',
		coverage: here(
			STATEMENTS_TEST,
			'provisionOnDemand answers 200 with a key and a value that are JSON documents in strings',
		),
	},
	{
		bullet: 'bulkUpload',
		statement: '"rate limit ... 40 requests per second"',
		coverage: here(
			STATEMENTS_TEST,
			'bulkUpload takes 40 requests sent at once and answers the 41st within the window with 429',
		),
	},
	{
		bullet: 'bulkUpload',
		statement: '"maximum of 50 user operations"',
		coverage: here(STATEMENTS_TEST, 'bulkUpload takes 50 operations in one request and refuses 51'),
	},
	{
		bullet: 'bulkUpload',
		statement: 'Content-Type application/scim+json required (400 if missing)',
		coverage: here(
			STATEMENTS_TEST,
			'bulkUpload refuses a request that is not application/scim+json',
		),
	},
	{
		bullet: 'bulkUpload',
		statement: '202 + Location → provisioning logs',
		coverage: { replayed: 'beta/synchronization-synchronizationjob-post-bulkupload#1' },
	},
	{
		bullet: 'bulkUpload',
		statement: 'public preview',
		coverage: {
			notTested: 'A release status of the API, not a behaviour: nothing a request can observe.',
		},
	},
	{
		bullet: 'bulkUpload',
		statement: 'API-driven inbound apps only',
		coverage: here(
			STATEMENTS_TEST,
			'bulkUpload is refused on a job that is not API-driven inbound provisioning',
		),
	},
	{
		bullet: 'bulkUpload',
		statement: 'perms SynchronizationData-User.Upload(.OwnedBy)',
		coverage: here(
			STATEMENTS_TEST,
			'bulkUpload needs SynchronizationData-User.Upload: an app token without it gets 403',
		),
	},
	{
		bullet: 'bulkUpload',
		statement: 'non-app callers: Global Administrator (v1.0) / User Administrator (beta)',
		coverage: here(
			STATEMENTS_TEST,
			'bulkUpload by a signed-in user needs the Global Administrator role (the v1.0 page)',
		),
	},
	{
		bullet: 'bulkUpload resource',
		statement: 'operation method must be POST; path always /Users',
		coverage: here(
			STATEMENTS_TEST,
			'bulkUpload refuses an operation whose method is not POST or whose path is not /Users',
		),
	},
	{
		bullet: 'start',
		statement: '"If the job is in quarantine, the quarantine status is cleared."',
		coverage: {
			tested: [
				{
					file: EMULATOR_TEST,
					test: "start clears a quarantine, as Microsoft's Start page says, and resets nothing else",
				},
				{
					file: '../job.test.ts',
					test: "Start says it clears a quarantine, and a quarantined job started by the node leaves quarantine with nothing else reset (Microsoft's Start page)",
				},
			],
		},
	},
	{
		bullet: 'start',
		statement: '"Don\'t create scripts to call the start job continuously"',
		coverage: {
			notTested:
				'Advice to callers, not a behaviour of Graph: the page names no answer a repeated start gets. Job › Start starts a job once per item.',
		},
	},
	{
		bullet: 'pause',
		statement: '"All the progress, including job state, is persisted"',
		coverage: here(
			STATEMENTS_TEST,
			"pause keeps the job's progress, and start continues from it without a full cycle",
		),
	},
	{
		bullet: 'pause',
		statement: 'delete: "Synchronized accounts are left as-is."',
		coverage: here(
			STATEMENTS_TEST,
			'deleting a job leaves the accounts it provisioned as they are',
		),
	},
	{
		bullet: 'pause',
		statement: 'post jobs: "The job is created in a disabled state"',
		coverage: here(
			STATEMENTS_TEST,
			'a new job is created disabled and processes nothing until it is started',
		),
	},
	{
		bullet: 'pause',
		statement: 'post jobs: only templateId required',
		coverage: here(
			STATEMENTS_TEST,
			'templateId is all a new job needs, and it must be a template the application offers',
		),
	},
	{
		bullet: 'pause',
		statement: 'post jobs: text 201 Created, example 200 OK',
		coverage: { replayed: 'v1.0/synchronization-synchronization-post-jobs#1' },
	},
	{
		bullet: 'restart',
		statement:
			'resetScope one comma-separated string; None/ConnectorDataStore "DO NOT USE"; empty = portal "Restart provisioning"',
		coverage: {
			tested: [
				{
					file: EMULATOR_TEST,
					test: 'jobs: create answers 201 with a Location; restart refuses unknown flags; Full clears what its parts clear',
				},
				{
					file: '../job.test.ts',
					test: "restart by default sends Microsoft's example scope: Watermark, Escrows, QuarantineState",
				},
				{
					file: '../job.test.ts',
					test: "each reset scope says what it resets in the words of Microsoft's restart criteria page",
				},
				{
					file: EMULATOR_TEST,
					test: "restart: an empty resetScope, or no criteria, is the admin center's Restart provisioning (QuarantineState, Watermark, Escrows)",
				},
			],
		},
	},
	{
		bullet: 'schema update',
		statement:
			'"fully replaces the current schema"; template schema via the application object, "You must be the owner"',
		coverage: {
			tested: [
				{
					file: EMULATOR_TEST,
					test: "schema: PUT replaces it whole (204), DELETE restores the template's default (204), discover stamps a directory",
				},
				{
					file: '../schemaUpdate.test.ts',
					test: 'restores a backup: Get → change → Update from the backup gives the original schema, with one PUT per change',
				},
			],
			replayed: 'v1.0/synchronization-synchronizationschema-update#1',
			untestedPart:
				"A template's schema: the node does not change templates (a template belongs to the application's owner), and the page names no answer a caller who is not the owner gets.",
		},
	},
	{
		bullet: 'schema delete',
		statement:
			'resets to default (template: the factoryTag\'s default); text says "201 No Content", example 204',
		coverage: {
			tested: [
				{
					file: EMULATOR_TEST,
					test: "schema: PUT replaces it whole (204), DELETE restores the template's default (204), discover stamps a directory",
				},
				{
					file: '../schemaUpdate.test.ts',
					test: "Reset previews the template's default without a DELETE, then deletes the customized schema",
				},
			],
			// 204, as the example shows (replay.test.ts says why)
			replayed: 'v1.0/synchronization-synchronizationschema-delete#1',
		},
	},
	{
		bullet: 'template update',
		statement: '"Missing properties will be erased"',
		coverage: here(
			STATEMENTS_TEST,
			'a template update erases what its body leaves out, on the application and its service principal',
		),
	},
	{
		bullet: 'template update',
		statement: 'section says PATCH, example uses PUT',
		coverage: { replayed: 'v1.0/synchronization-synchronizationtemplate-update#1' },
	},
	{
		bullet: 'secrets PUT',
		statement: '204; table names credentials but example sends value',
		coverage: { replayed: 'v1.0/synchronization-serviceprincipal-put-synchronization#1' },
	},
	{
		bullet: 'secrets PUT',
		statement: 'no merge/replace statement on the page',
		// Save reads the saved keys and refuses before any PUT, so it is safe whether Graph merges or replaces
		coverage: {
			tested: [
				{
					file: '../secrets.test.ts',
					test: 'refuses to save only SecretToken over a saved BaseAddress and notification settings, naming them and the fix; nothing is sent',
				},
				{
					file: '../secrets.test.ts',
					test: 'the editor says that Save replaces the saved set and what Replace All Saved Keys does',
				},
			],
		},
	},
	{
		bullet: 'validateCredentials',
		statement: 'useSavedCredentials true ignores credentials',
		coverage: here(
			STATEMENTS_TEST,
			'validateCredentials with useSavedCredentials true tests the saved secrets and ignores the ones sent',
		),
	},
	{
		bullet: 'validateCredentials',
		statement: 'beta adds templateId',
		coverage: here(STATEMENTS_TEST, "validateCredentials on beta takes the template's ID"),
	},
	{
		bullet: 'provisioning logs',
		statement: '$filter (eq, contains, gt, lt)',
		coverage: here(STATEMENTS_TEST, 'provisioning logs: $filter with eq, contains, gt and lt'),
	},
	{
		bullet: 'provisioning logs',
		statement: '$orderby',
		coverage: here(STATEMENTS_TEST, 'provisioning logs: $orderby activityDateTime asc and desc'),
	},
	{
		bullet: 'provisioning logs',
		statement: '$top, $skiptoken (beta: $skiptoken needs $top)',
		coverage: here(
			STATEMENTS_TEST,
			'provisioning logs: $top pages, and the next page link carries $skiptoken with $top',
		),
	},
	{
		bullet: 'provisioning logs',
		statement: '"filters are all case sensitive" (beta: "except for status")',
		coverage: here(
			STATEMENTS_TEST,
			'provisioning logs: filters are case sensitive, except on status (the beta page)',
		),
	},
	{
		bullet: 'rbac include',
		statement:
			'caller also needs Application Administrator or Cloud Application Administrator; Cloud Sync: Hybrid Identity Administrator',
		coverage: here(
			STATEMENTS_TEST,
			'a signed-in user needs an administrator role besides the permission',
		),
	},
	{
		bullet: 'jobSubject.objectTypeName',
		statement:
			'user (AD↔Azure AD), User (Entra→app), Worker (Workday), Group; objectId may be an AD DN or a Workday Worker ID',
		coverage: {
			tested: [
				{
					file: EMULATOR_TEST,
					test: "provisionOnDemand: takes synchronizationJobSubject's four object types and a group's links.members; refuses what the pages rule out",
				},
				{
					file: '../provisionOnDemand.test.ts',
					test: '%s: sends the documented method, path and body, and outputs the answer parsed',
				},
				{
					file: '../provisionOnDemand.test.ts',
					test: 'sends several workers by HR worker ID in one request, one per line',
				},
			],
		},
	},
	{
		bullet: 'synchronizationSchedule',
		statement: 'page claims "PT1M represents a period of one month" (ISO 8601 says one minute)',
		coverage: here(
			STATEMENTS_TEST,
			"a job's schedule interval is Graph's ISO 8601 duration, passed on as Graph gives it",
		),
	},
];

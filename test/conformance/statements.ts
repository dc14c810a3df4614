/**
 * Every behavioural statement of Microsoft's pages (test/fixtures/graph-doc-examples/README.md, "Behavioural
 * statements"), each with where it is tested, or why it is not. statements.test.ts checks that every statement of
 * that list has an entry here and that every named test exists, and prints the entries that are not tests.
 */

/** Where a statement is tested */
export type StatementCoverage =
	/** a test of this suite, by its file (in test/conformance/) and its name */
	| { tested: { file: string; test: string } }
	/** the documented example replayed against the emulator (replay.test.ts) */
	| { replayed: string }
	/** a test another part of the package owns, in its own file (named once that part is merged) */
	| { coveredBy: { part: string; file: string | null } }
	| { notTested: string };

export interface StatementEntry {
	/** The statement's bullet in the corpus README: its words before the first colon */
	bullet: string;
	statement: string;
	coverage: StatementCoverage;
}

const here = (file: string, test: string): StatementCoverage => ({ tested: { file, test } });
const STATEMENTS_TEST = 'statements.test.ts';

export const STATEMENTS: StatementEntry[] = [
	{
		bullet: 'provisionOnDemand',
		statement: '"The rate limit for this API is 5 requests per 10 seconds."',
		coverage: { coveredBy: { part: 'Provision On Demand as wide as Graph', file: null } },
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
		coverage: { coveredBy: { part: 'Start, Save and Restart notices', file: null } },
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
		coverage: { coveredBy: { part: 'Start, Save and Restart notices', file: null } },
	},
	{
		bullet: 'schema update',
		statement:
			'"fully replaces the current schema"; template schema via the application object, "You must be the owner"',
		coverage: { coveredBy: { part: 'schema write operations', file: null } },
	},
	{
		bullet: 'schema delete',
		statement:
			'resets to default (template: the factoryTag\'s default); text says "201 No Content", example 204',
		coverage: {
			coveredBy: {
				part: 'schema write operations (the emulator has no DELETE …/schema before it)',
				file: null,
			},
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
		coverage: { coveredBy: { part: 'Start, Save and Restart notices', file: null } },
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
		coverage: { coveredBy: { part: 'Provision On Demand as wide as Graph', file: null } },
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

/*
 * What the Microsoft Entra Provisioning Trigger takes from this node, and the one module of it the trigger imports:
 * the credentials and locators, the list searches, the Graph calls and the job and log shapes. The trigger's own
 * logic (job events, provisioning failures) lives in its folder; the folders below this file can change without
 * touching it. Nothing inside this node imports this file.
 */

export { isSynchronizationId } from '../../lib/graphIdentifiers';
export { authenticationProperty, nodeCredentials } from './descriptions/authentication';
export { jobProperties, servicePrincipalProperties } from './descriptions/synchronizationLocators';
export {
	flattenLogEntry,
	logFailure,
	PROVISIONING_STATUSES,
	readLogEntries,
	type ProvisioningObjectSummary,
	type ProvisioningStatus,
} from './helpers/provisioningLogs';
export { locatedServicePrincipalId } from './helpers/servicePrincipalCalls';
export {
	isQuarantined,
	lastRunHadIssues,
	lastRunId,
	summarizeJob,
	type SynchronizationJob,
} from './helpers/synchronizationJob';
export { searchJobs, searchTargets } from './methods/listSearch';
export {
	getGraphConnection,
	graphPath,
	graphRequest,
	listAll,
	type GraphConnection,
	type GraphFunctions,
	type RequestSettings,
} from './transport';
export { odataDateTime, odataString } from './transport/odata';
export { DEFAULT_REQUEST_SETTINGS } from './transport/requestLimits';

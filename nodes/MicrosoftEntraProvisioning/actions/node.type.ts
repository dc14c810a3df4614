export type ResourceMap = {
	provisioningToken: 'acquire';
	secrets: 'save' | 'get';
	job:
		| 'list'
		| 'get'
		| 'create'
		| 'start'
		| 'pause'
		| 'restart'
		| 'delete'
		| 'validateCredentials'
		| 'provisionOnDemand';
	template: 'list' | 'get';
	schema:
		| 'get'
		| 'update'
		| 'reset'
		| 'compare'
		| 'discoverDirectory'
		| 'getFilterOperators'
		| 'getFunctions'
		| 'parseExpression';
	bulkUpload: 'uploadUsers';
	provisioningLog: 'getMany' | 'get' | 'getUploadOutcomes';
	applicationTemplate: 'search' | 'get' | 'instantiate';
	appRoleAssignment: 'assign' | 'list' | 'remove';
};

export type Resource = keyof ResourceMap;

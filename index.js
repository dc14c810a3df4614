'use strict';

// The package entry: n8n finds the node and credentials through package.json's "n8n" section; this export
// lets code that requires the package reach the same built classes.
module.exports = {
	MicrosoftEntraProvisioning:
		require('./dist/nodes/MicrosoftEntraProvisioning/MicrosoftEntraProvisioning.node.js')
			.MicrosoftEntraProvisioning,
	MicrosoftEntraProvisioningTrigger:
		require('./dist/nodes/MicrosoftEntraProvisioningTrigger/MicrosoftEntraProvisioningTrigger.node.js')
			.MicrosoftEntraProvisioningTrigger,
	MicrosoftGraphProvisioningAppOnlyApi:
		require('./dist/credentials/MicrosoftGraphProvisioningAppOnlyApi.credentials.js')
			.MicrosoftGraphProvisioningAppOnlyApi,
	MicrosoftGraphProvisioningOAuth2Api:
		require('./dist/credentials/MicrosoftGraphProvisioningOAuth2Api.credentials.js')
			.MicrosoftGraphProvisioningOAuth2Api,
};

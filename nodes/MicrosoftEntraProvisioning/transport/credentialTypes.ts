/** The node's "Authentication" choices and the credential type behind each. */
export const AUTHENTICATION_METHODS = {
	appOnly: {
		displayName: 'App-Only (Client Secret, Certificate, Managed or Workload Identity)',
		credentialType: 'microsoftGraphProvisioningAppOnlyApi',
		delegated: false,
	},
	oAuth2: {
		displayName: 'Delegated (OAuth2, Signed-In Admin)',
		credentialType: 'microsoftGraphProvisioningOAuth2Api',
		delegated: true,
	},
} as const;

export type AuthenticationMethod = keyof typeof AUTHENTICATION_METHODS;

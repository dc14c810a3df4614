import type { SynchronizationSchema } from '../../../nodes/MicrosoftEntraProvisioning/helpers/synchronizationSchema';

export const RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';

/**
 * A job's schema in the shape Graph gives it, cut down to one rule with one object mapping and two attribute
 * mappings (Microsoft's "Get synchronizationSchema" example has the same structure). A fresh copy for each call.
 */
export function jobSchema(): SynchronizationSchema {
	return {
		id: 'schema-1',
		version: 'Date:2026-11-30T08:00:00Z~Tag:3',
		directories: [
			{
				id: 'AAD',
				name: 'Azure Active Directory',
				objects: [
					{
						name: 'User',
						attributes: [
							{ name: 'userPrincipalName', type: 'String' },
							{ name: 'displayName', type: 'String' },
							{ name: 'department', type: 'String' },
						],
					},
				],
			},
			{
				id: '1a2b3c4d-customappsso',
				name: 'customappsso',
				objects: [
					{
						name: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
						attributes: [
							{ name: 'userName', type: 'String' },
							{ name: 'displayName', type: 'String' },
						],
					},
				],
			},
		],
		synchronizationRules: [
			{
				id: RULE_ID,
				name: 'USER_OUTBOUND_USER',
				sourceDirectoryName: 'Azure Active Directory',
				targetDirectoryName: 'customappsso',
				objectMappings: [
					{
						name: 'Provision Azure Active Directory Users',
						enabled: true,
						sourceObjectName: 'User',
						targetObjectName: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
						attributeMappings: [
							{
								targetAttributeName: 'userName',
								source: {
									type: 'Attribute',
									name: 'userPrincipalName',
									expression: '[userPrincipalName]',
								},
								flowType: 'Always',
								matchingPriority: 1,
							},
							{
								targetAttributeName: 'displayName',
								source: { type: 'Attribute', name: 'displayName', expression: '[displayName]' },
								flowType: 'Always',
							},
						],
					},
				],
			},
		],
	};
}

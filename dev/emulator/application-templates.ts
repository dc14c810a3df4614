/**
 * The application gallery as far as the emulator has one: Microsoft's non-gallery template ("integrate any other
 * application you don't find in the gallery"), whose ID applicationtemplate-instantiate.md names, and what an
 * instance of it starts with. POST /applicationTemplates/{id}/instantiate (graph-routes.ts) creates the application
 * and its service principal from it; the provisioning templates are the ones every emulated application offers.
 */
import { randomUUID } from 'node:crypto';

export const NON_GALLERY_TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

export interface ApplicationTemplate {
	id: string;
	homePageUrl: string;
	tags: string[];
}

export const APPLICATION_TEMPLATES: Record<string, ApplicationTemplate> = {
	[NON_GALLERY_TEMPLATE_ID]: {
		id: NON_GALLERY_TEMPLATE_ID,
		homePageUrl:
			'https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=customappsso|ISV9.1|primary|z',
		tags: [
			'WindowsAzureActiveDirectoryIntegratedApp',
			'WindowsAzureActiveDirectoryCustomSingleSignOnApplication',
		],
	},
};

/** microsoft.graph.appRole */
export interface AppRole {
	allowedMemberTypes: string[];
	description: string;
	displayName: string;
	id: string;
	isEnabled: boolean;
	origin: string;
	value: string | null;
}

/** The app roles an instance of a gallery or non-gallery template starts with, each with an ID of its own. */
export function instanceAppRoles(): AppRole[] {
	return ['User', 'msiam_access'].map((name) => ({
		allowedMemberTypes: ['User'],
		description: name,
		displayName: name,
		id: randomUUID(),
		isEnabled: true,
		origin: 'Application',
		value: null,
	}));
}

/**
 * Graph's default access role: assigning it gives access to an application that defines no app roles
 * (appRoleAssignment's appRoleId: "If the resource application has not declared any app roles, a default app role
 * ID of 00000000-0000-0000-0000-000000000000 can be specified").
 */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

/** microsoft.graph.appRoleAssignment, as the emulator keeps it on the resource service principal. */
export interface AppRoleAssignment {
	id: string;
	appRoleId: string;
	createdDateTime: string;
	principalDisplayName: string;
	principalId: string;
	principalType: 'User' | 'Group' | 'ServicePrincipal';
	resourceDisplayName: string;
	resourceId: string;
}

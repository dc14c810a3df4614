import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	graphPath,
	graphRequest,
	listAll,
	type GraphConnection,
	type RequestSettings,
} from '../transport';
import type { FailureContext } from '../transport/errors';
import { type AppRole, defaultAppRole, readGuidParameter } from './applicationGallery';
import { invalidInput, itemParameter } from './itemParameters';
import { servicePrincipalFields } from './servicePrincipalCalls';
import type { ResolvedTarget } from './targets';

export interface AppRoleAssignment extends IDataObject {
	id: string;
	appRoleId?: string;
	principalId?: string;
	principalType?: string;
	principalDisplayName?: string;
}

/** The role to assign: its ID, and its name when the app's roles were read to choose it */
export interface ChosenRole {
	appRoleId: string;
	appRoleName: string | null;
}

/** The App Role ID the item gives (lower case), or '' for the app's default role; checked to be a GUID */
export function readGivenRole(ctx: IExecuteFunctions, itemIndex: number): string {
	const rawRole = itemParameter(ctx, 'appRoleId', itemIndex, '');
	const givenRole = typeof rawRole === 'string' ? rawRole.trim() : '';
	if (givenRole !== '') {
		readGuidParameter(
			ctx,
			itemIndex,
			'appRoleId',
			'App Role ID',
			"Enter the id of one of the service principal's appRoles (Application Template › Instantiate outputs them), or leave it empty.",
		);
	}
	return givenRole;
}

/** The given role, or the app's only role for users (Default Access when it has none), read from its appRoles */
export async function chooseRole(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: {
		connection: GraphConnection;
		settings: RequestSettings;
		failure: FailureContext;
	},
	servicePrincipal: ResolvedTarget,
	givenRole: string,
): Promise<ChosenRole> {
	if (givenRole !== '') return { appRoleId: givenRole.toLowerCase(), appRoleName: null };
	const found = await graphRequest<{ appRoles?: AppRole[] }>(
		ctx,
		request.connection,
		{
			method: 'GET',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}`,
			qs: { $select: 'id,appRoles' },
		},
		{ ...request.settings, idempotent: true },
		request.failure,
	);
	const chosen = defaultAppRole(found.body?.appRoles ?? []);
	if ('choices' in chosen) {
		invalidInput(
			ctx,
			itemIndex,
			`The app has ${chosen.choices.length} roles for users; App Role ID must say which one to assign`,
			`Set App Role ID to one of: ${chosen.choices
				.map((r) => `${r.displayName ?? r.value ?? '(no name)'} (${r.id})`)
				.join(', ')}.`,
		);
	}
	return chosen;
}

/** The app's assignment of this role to this user or group, if there is one */
export async function findAssignment(
	ctx: IExecuteFunctions,
	request: {
		connection: GraphConnection;
		settings: RequestSettings;
		failure: FailureContext;
	},
	servicePrincipal: ResolvedTarget,
	principalId: string,
	role: ChosenRole,
): Promise<AppRoleAssignment | undefined> {
	return (
		await listAll<AppRoleAssignment>(
			ctx,
			request.connection,
			graphPath`/servicePrincipals/${servicePrincipal.objectId}/appRoleAssignedTo`,
			{ ...request.settings, idempotent: true },
			request.failure,
		)
	).find(
		(candidate) =>
			candidate.principalId?.toLowerCase() === principalId &&
			candidate.appRoleId?.toLowerCase() === role.appRoleId,
	);
}

/** The output item of an assignment made now, or found already there (then without a response) */
export function assignmentOutput(
	servicePrincipal: ResolvedTarget,
	assignment: AppRoleAssignment,
	principalId: string,
	role: ChosenRole,
	response: { status: number; requestId?: string | null } | null,
	alreadyAssigned: boolean,
): IDataObject {
	return {
		...servicePrincipalFields(servicePrincipal),
		assignmentId: assignment.id,
		alreadyAssigned,
		principalId: assignment.principalId ?? principalId,
		principalType: assignment.principalType ?? null,
		principalDisplayName: assignment.principalDisplayName ?? null,
		appRoleId: assignment.appRoleId ?? role.appRoleId,
		appRoleName: role.appRoleName,
		graphStatus: response?.status ?? null,
		requestId: response?.requestId ?? null,
		assignment,
	};
}

/**
 * The emulator's gallery routes over real sockets: what the node does not send (other filters, the documented
 * request as Microsoft wrote it, a token without permissions) and the replication delay after instantiate.
 */
import * as tls from 'node:tls';

import { Emulator, startEmulator } from '../../dev/emulator';

let emulator: Emulator;
let admin: string;
const defaultCas = tls.getCACertificates('default');

function graph(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('Authorization', `Bearer ${init.token ?? admin}`);
	if (init.body !== undefined) headers.set('Content-Type', 'application/json');
	return fetch(`${emulator.graphUrl}/v1.0${path}`, { ...init, headers });
}

const post = (path: string, body: unknown, token?: string) =>
	graph(path, { method: 'POST', body: JSON.stringify(body), token });

function tokenWith(permissions: string[]): string {
	const client = emulator.registerClientApp({ applicationPermissions: permissions });
	return emulator.createAccessToken({ clientId: client.clientId });
}

beforeAll(async () => {
	emulator = await startEmulator({ randomSeed: 20261206 });
	tls.setDefaultCACertificates([...defaultCas, emulator.caCertPem]);
	admin = tokenWith(['Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All']);
});

afterAll(async () => {
	tls.setDefaultCACertificates(defaultCas);
	await emulator?.close();
});

describe('gallery routes', () => {
	test('List takes the two documented filters, refuses others, and needs no permission beyond a valid token', async () => {
		const anyToken = tokenWith([]);
		const byCategory = await graph(
			`/applicationTemplates?$filter=${encodeURIComponent("categories/any(c:contains(c, 'hr'))")}`,
			{ token: anyToken },
		);
		expect(byCategory.status).toBe(200);
		const { value } = (await byCategory.json()) as { value: Array<{ displayName: string }> };
		expect(value.map((template) => template.displayName)).toEqual(['Contoso Payroll']);

		const other = await graph(
			`/applicationTemplates?$filter=${encodeURIComponent("displayName eq 'Custom'")}`,
		);
		expect(other.status).toBe(400);
	});

	test('instantiate answers the documented request with 201 and an applicationServicePrincipal whose objects answer 404 until replicated', async () => {
		emulator.setReplicationDelay(400);
		const created = await post(
			'/applicationTemplates/229946b9-a9fb-45b8-9531-efa47453ac9e/instantiate',
			{
				displayName: 'Azure AD SAML Toolkit',
			},
		);
		expect(created.status).toBe(201);
		const body = (await created.json()) as {
			'@odata.context': string;
			application: { id: string; appId: string; applicationTemplateId: string };
			servicePrincipal: { id: string; appId: string; appRoles: Array<{ displayName: string }> };
		};
		expect(body['@odata.context']).toMatch(
			/\$metadata#microsoft\.graph\.applicationServicePrincipal$/,
		);
		expect(body.application.applicationTemplateId).toBe('229946b9-a9fb-45b8-9531-efa47453ac9e');
		expect(body.servicePrincipal.appId).toBe(body.application.appId);
		expect(body.servicePrincipal.appRoles.map((role) => role.displayName)).toEqual([
			'msiam_access',
		]);
		expect((await graph(`/servicePrincipals/${body.servicePrincipal.id}`)).status).toBe(404);
		expect((await graph(`/applications/${body.application.id}`)).status).toBe(404);
		await new Promise((resolve) => setTimeout(resolve, 450));
		expect((await graph(`/servicePrincipals/${body.servicePrincipal.id}`)).status).toBe(200);
		// A SAML-only gallery app offers no synchronization template.
		const templates = await graph(
			`/servicePrincipals/${body.servicePrincipal.id}/synchronization/templates`,
			{ token: tokenWith(['Synchronization.ReadWrite.All']) },
		);
		expect(((await templates.json()) as { value: unknown[] }).value).toEqual([]);
		emulator.setReplicationDelay(0);
	});

	test('appRoleAssignedTo needs AppRoleAssignment.ReadWrite.All with a directory read, and the app role of the app', async () => {
		const created = (await (
			await post('/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate', {
				displayName: 'Assignments',
			})
		).json()) as { servicePrincipal: { id: string; appRoles: Array<{ id: string }> } };
		const sp = created.servicePrincipal;
		const group = emulator.addGroup('Assigned');
		const request = { principalId: group.id, resourceId: sp.id, appRoleId: sp.appRoles[0].id };
		const path = `/servicePrincipals/${sp.id}/appRoleAssignedTo`;

		const withoutRead = await post(path, request, tokenWith(['AppRoleAssignment.ReadWrite.All']));
		expect(withoutRead.status).toBe(403);
		const unknownRole = await post(path, {
			...request,
			appRoleId: '00000000-0000-0000-0000-000000000000',
		});
		expect(unknownRole.status).toBe(400);
		const assigned = await post(path, request);
		expect(assigned.status).toBe(201);
		expect(await assigned.json()).toMatchObject({ principalType: 'Group', resourceId: sp.id });
		expect((await post(path, request)).status).toBe(400);
	});
});

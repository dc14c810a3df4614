/** Object IDs and app IDs the unit tests name; GUIDs as Graph gives them. */
export const SERVICE_PRINCIPAL_ID = '6b1f0a52-8c3d-4e7f-9a10-2b3c4d5e6f70';
export const APPLICATION_ID = '0e9d8c7b-6a59-4837-a261-5f4e3d2c1b0a';
export const APP_ID = 'c0ffee00-1234-4abc-8def-0123456789ab';
export const JOB_ID = 'scim.0f1e2d3c4b5a69788796a5b4c3d2e1f0.3d7c1b2a-1111-4222-8333-444455556666';
export const SCIM_URL = 'https://scim.contoso-hr.example/scim/v2';
export const SCIM_TOKEN = 'scim-token-unit-8Hq2vZ0pLr7Xm4';

/** A resource locator as the editor saves it. */
export function byId(value: string): { __rl: true; mode: string; value: string } {
	return { __rl: true, mode: 'id', value };
}

export function byAppId(value: string): { __rl: true; mode: string; value: string } {
	return { __rl: true, mode: 'appId', value };
}

/** A job operation's parameters: the service principal and one of its jobs. */
export function jobParameters(resource: string, operation: string): Record<string, unknown> {
	return {
		authentication: 'appOnly',
		resource,
		operation,
		target: byId(SERVICE_PRINCIPAL_ID),
		job: byId(JOB_ID),
	};
}

import { CLOUDS, cloudOptions, resolveCloud } from '../lib/clouds';
import { delegatedScopesForEveryOperation } from '../lib/permissions';
import { APP_ONLY, OAUTH2, loadPackage } from './harness/engine';

describe('the cloud table', () => {
	it.each(Object.entries(CLOUDS))(
		'%s resolves to its Graph host, login authority and scope',
		(name, cloud) => {
			expect(resolveCloud({ cloud: name })).toEqual({
				graphUrl: cloud.graphUrl,
				authorityUrl: cloud.authorityUrl,
				defaultScope: `${cloud.graphUrl}/.default`,
			});
		},
	);

	it('matches the national cloud endpoints Microsoft documents', () => {
		expect(
			Object.fromEntries(
				Object.entries(CLOUDS).map(([name, cloud]) => [name, [cloud.graphUrl, cloud.authorityUrl]]),
			),
		).toEqual({
			global: ['https://graph.microsoft.com', 'https://login.microsoftonline.com'],
			usGovL4: ['https://graph.microsoft.us', 'https://login.microsoftonline.us'],
			usGovL5: ['https://dod-graph.microsoft.us', 'https://login.microsoftonline.us'],
			china: ['https://microsoftgraph.chinacloudapi.cn', 'https://login.chinacloudapi.cn'],
		});
	});

	it('offers every cloud and Custom in both credentials', async () => {
		const { credentialTypes } = await loadPackage();
		for (const type of [APP_ONLY, OAUTH2]) {
			const cloudField = credentialTypes
				.getByName(type)
				.properties.find((property) => property.name === 'cloud');
			expect(cloudField?.options).toEqual(cloudOptions);
			expect(cloudOptions.map((option) => option.value)).toEqual([
				...Object.keys(CLOUDS),
				'custom',
			]);
		}
	});

	it('defaults to Global when no cloud is stored', () => {
		expect(resolveCloud({}).graphUrl).toBe('https://graph.microsoft.com');
	});

	describe('Custom cloud', () => {
		it('accepts https anywhere and trims trailing slashes', () => {
			expect(
				resolveCloud({
					cloud: 'custom',
					customGraphUrl: 'https://graph.gateway.example/',
					customAuthorityUrl: 'https://login.gateway.example',
				}),
			).toEqual({
				graphUrl: 'https://graph.gateway.example',
				authorityUrl: 'https://login.gateway.example',
				defaultScope: 'https://graph.gateway.example/.default',
			});
		});

		it.each([
			'http://127.0.0.1:8080',
			'http://localhost:9000',
			'http://[::1]:9000',
			'http://127.4.5.6',
		])('accepts plain http on the loopback address %s', (url) => {
			expect(
				resolveCloud({ cloud: 'custom', customGraphUrl: url, customAuthorityUrl: url }).graphUrl,
			).toBe(url);
		});

		it.each([
			['http://graph.gateway.example', /must use https/],
			['http://10.0.0.5', /must use https/],
			['ftp://graph.gateway.example', /must use https/],
			['graph.gateway.example', /not a valid URL/],
			['', /is empty/],
			['https://user:pass@graph.gateway.example', /plain base URL/],
			['https://graph.gateway.example/?x=1', /plain base URL/],
		])('refuses %s', (url, message) => {
			expect(() =>
				resolveCloud({
					cloud: 'custom',
					customGraphUrl: url,
					customAuthorityUrl: 'https://login.example',
				}),
			).toThrow(message);
		});

		it('refuses an unknown cloud name', () => {
			expect(() => resolveCloud({ cloud: 'mars' })).toThrow(/unknown cloud "mars"/);
		});
	});
});

describe('URLs n8n itself evaluates from the credentials', () => {
	it.each(Object.entries(CLOUDS))(
		'OAuth2 on %s: authorize and token URLs on its authority, scopes on its Graph',
		async (name, cloud) => {
			const { credentialsHelper } = await loadPackage();
			const resolved = credentialsHelper.resolve(OAUTH2, {
				cloud: name,
				tenantId: 'contoso.onmicrosoft.com',
			});
			expect(resolved.authUrl).toBe(
				`${cloud.authorityUrl}/contoso.onmicrosoft.com/oauth2/v2.0/authorize`,
			);
			expect(resolved.accessTokenUrl).toBe(
				`${cloud.authorityUrl}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
			);
			expect(resolved.scope).toBe(
				[
					...delegatedScopesForEveryOperation().map((scope) => `${cloud.graphUrl}/${scope}`),
					'offline_access',
				].join(' '),
			);
		},
	);

	it('OAuth2 on a Custom cloud, with the default tenant and edited scopes', async () => {
		const { credentialsHelper } = await loadPackage();
		const resolved = credentialsHelper.resolve(OAUTH2, {
			cloud: 'custom',
			customGraphUrl: 'https://127.0.0.1:4443/',
			customAuthorityUrl: 'https://localhost:4444',
			delegatedScopes:
				'  Synchronization.ReadWrite.All   openid https://other.example/X.Read offline_access ',
		});
		expect(resolved.authUrl).toBe('https://localhost:4444/organizations/oauth2/v2.0/authorize');
		expect(resolved.scope).toBe(
			'https://127.0.0.1:4443/Synchronization.ReadWrite.All openid https://other.example/X.Read offline_access',
		);
	});

	it.each(Object.entries(CLOUDS))(
		'the credential Test request of both credentials goes to the Graph of %s',
		async (name, cloud) => {
			const { loader } = await loadPackage();
			const { Workflow } = await import('n8n-workflow');
			const { nodeTypes } = await loadPackage();
			for (const type of [APP_ONLY, OAUTH2]) {
				const test = loader.getCredential(type).type.test;
				const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
				const baseURL = workflow.expression.getParameterValue(
					test?.request.baseURL ?? '',
					null,
					0,
					0,
					'',
					[],
					'internal',
					{
						$credentials: { cloud: name },
					} as never,
				);
				expect(`${baseURL}${test?.request.url}`).toBe(
					`${cloud.graphUrl}/v1.0/servicePrincipals?$top=1&$select=id`,
				);
			}
		},
	);
});

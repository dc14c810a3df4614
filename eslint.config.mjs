import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

const packageCode = ['nodes/**/*.ts', 'credentials/**/*.ts', 'lib/**/*.ts'];

const NODE = 'nodes/MicrosoftEntraProvisioning';
const TRIGGER = 'nodes/MicrosoftEntraProvisioningTrigger';

/** no-restricted-imports' options: what ships is dist/, built from packageCode alone, plus a folder's own limits */
function restrictImports(...patterns) {
	return [
		'error',
		{
			patterns: [
				{
					// the emulator, n8n stacks, benchmark (dev/) and the tests stay out of what ships
					regex: '(^|/)(dev|test)(/|$)',
					message: 'Shipped code (nodes/, credentials/, lib/) must not import dev/ or test/.',
				},
				...patterns,
			],
		},
	];
}

function folderOrder() {
	const notTheNode = {
		regex:
			'(^|/)([^/]+\\.node|sharedWithTrigger|methods)$|(^|/)methods/|MicrosoftEntraProvisioningTrigger',
		message:
			'Only the node files import the node, its methods and sharedWithTrigger: move what you need into helpers/ or lib/.',
	};
	return [
		// transport/'s own files, then those of its step and throttling folders one level deeper
		...[
			[`${NODE}/transport/*.ts`, ''],
			[`${NODE}/transport/*/*.ts`, '\\.\\./'],
		].map(([files, depth]) => ({
			files: [files],
			rules: {
				'@typescript-eslint/no-restricted-imports': restrictImports({
					// from transport/, '../' is the node's folder and '../../../' the package's root
					regex: `^${depth}\\.\\./(?!\\.\\./\\.\\./lib/)`,
					message:
						'transport/ imports only its own files and lib/: pass what it needs in from the caller.',
				}),
			},
		})),
		...[
			['helpers', 'descriptions'],
			['descriptions', 'helpers'],
		].map(([folder, beside]) => ({
			files: [`${NODE}/${folder}/**/*.ts`],
			rules: {
				'@typescript-eslint/no-restricted-imports': restrictImports(notTheNode, {
					regex: `^\\.\\./(actions|${beside})(/|$)`,
					message: `${folder}/ sits below the operations and beside ${beside}/: move what both need into lib/ or transport/.`,
				}),
			},
		})),
		{
			files: [`${NODE}/actions/*/**/*.ts`],
			rules: {
				'@typescript-eslint/no-restricted-imports': restrictImports(notTheNode, {
					regex: '^\\.\\./router$',
					message: 'The router imports the operations, not the other way round.',
				}),
			},
		},
		{
			files: [`${NODE}/actions/*.ts`, `${NODE}/methods/**/*.ts`],
			rules: { '@typescript-eslint/no-restricted-imports': restrictImports(notTheNode) },
		},
		{
			files: [`${TRIGGER}/**/*.ts`],
			rules: {
				'@typescript-eslint/no-restricted-imports': restrictImports({
					regex: '^\\.\\./MicrosoftEntraProvisioning/(?!sharedWithTrigger$)',
					message:
						'The trigger reaches the action node through sharedWithTrigger.ts only: export what it needs there.',
				}),
			},
		},
		{
			files: ['lib/**/*.ts'],
			rules: {
				'@typescript-eslint/no-restricted-imports': restrictImports({
					regex: '^\\.\\.(/|$)',
					message:
						'lib/ is the floor the credentials and the nodes stand on: it imports nothing outside lib/.',
				}),
			},
		},
	];
}

export default tseslint.config(
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'.n8n-runtime/**',
			'.demo/**',
			'coverage/**',
			'**/*.js',
			'**/*.mjs',
		],
	},
	{
		files: [...packageCode, 'test/**/*.ts', 'dev/**/*.ts'],
		extends: [tseslint.configs.recommended],
		languageOptions: { parserOptions: { projectService: false } },
	},
	{
		files: packageCode,
		rules: { '@typescript-eslint/no-restricted-imports': restrictImports() },
	},
	// The node's floors: node → router → operations → descriptions/helpers → transport → lib/. Each folder imports
	// only the floors below it, so a change low down never has to know who calls it and nothing runs in a circle.
	// (A later block replaces an earlier one's options for the same rule: restrictImports() repeats the dev/test
	// pattern in every block.)
	...folderOrder(),
	{
		files: ['dev/**/*.ts'],
		rules: {
			// the tests import the tooling, never the other way round
			'@typescript-eslint/no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							regex: '(^|/)test(/|$)',
							message: 'dev/ must not import test/: move what both need into dev/.',
						},
					],
				},
			],
		},
	},
	{
		files: [...packageCode, 'package.json'],
		...n8nCommunityNodesPlugin.configs.recommended,
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: {
			// App-only sign-in (client secret, certificate, managed and workload identity) goes through Microsoft's
			// own @azure/identity: its MSAL cache, certificate assertions and managed-identity protocols are not
			// something to re-implement. That makes it the package's one runtime dependency, by design; this rule
			// is meant for packages that aim to be verified for n8n Cloud.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['lib/appOnlySignIn.ts'],
		rules: {
			// Same reason: this module is the one place that imports @azure/identity (and node:crypto, to check a
			// pasted certificate locally before any sign-in).
			'@n8n/community-nodes/no-restricted-imports': 'off',
		},
	},
	{
		files: ['lib/**/*.ts'],
		rules: {
			// lib/ is shared by the credentials and the node and has no node to attach an error to: it throws its
			// own typed errors, which the node's transport turns into NodeOperationError/NodeApiError.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
	{
		files: ['nodes/MicrosoftEntraProvisioning/transport/steps/*.ts'],
		rules: {
			// The steps of a Graph call hand each other typed failures (a failed attempt, a call given up on) and
			// pass on what is not theirs; the outermost step turns every failure into a NodeApiError/NodeOperationError.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
);

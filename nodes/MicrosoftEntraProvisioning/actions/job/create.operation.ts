import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	servicePrincipalProperties,
	templateProperties,
} from '../../descriptions/synchronizationLocators';
import {
	invalidInput,
	itemParameter,
	readRequestSettings,
	readSynchronizationId,
} from '../../helpers/itemParameters';
import {
	resolveServicePrincipal,
	servicePrincipalFailure,
	servicePrincipalFields,
} from '../../helpers/servicePrincipalCalls';
import { summarizeJob, type SynchronizationJob } from '../../helpers/synchronizationJob';
import { graphPath, graphRequest } from '../../transport';
import type { OperationContext } from '../../helpers/operationContext';

const show = { resource: ['job'], operation: ['create'] };

export const description: INodeProperties[] = [
	...servicePrincipalProperties(show),
	...templateProperties(
		show,
		'The template to create the job from; the list shows the templates this service principal offers',
	),
	{
		displayName: 'Job Settings',
		name: 'jobSettings',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Setting',
		default: {},
		displayOptions: { show },
		description:
			"Graph's synchronizationJobSettings: name/value pairs sent with the new job; settings left out keep the template's values. Graph documents no way to change them afterwards.",
		options: [
			{
				displayName: 'Setting',
				name: 'setting',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'QuarantineTooManyDeletesThreshold',
						description:
							"The setting's name as Graph spells it, e.g. QuarantineTooManyDeletesThreshold (the accidental-deletion threshold)",
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: '500',
						description: 'The value, sent as text as Graph types it (keyValuePair)',
					},
				],
			},
		],
	},
];

/** Graph's setting names are PascalCase words (e.g. QuarantineTooManyDeletesThreshold); anything else is a typo. */
const SETTING_NAME = /^[A-Za-z][A-Za-z0-9]{0,127}$/;
/** Far above any documented value; keeps a pasted document out of a request that is not meant to carry one. */
const MAX_SETTING_VALUE_LENGTH = 4096;

/** The job settings of one item as Graph's keyValuePair collection, checked before any request. */
function readJobSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Array<{ name: string; value: string }> {
	const { setting } = (itemParameter(ctx, 'jobSettings', itemIndex, {}) ?? {}) as {
		setting?: Array<{ name?: unknown; value?: unknown }>;
	};
	const seen = new Set<string>();
	return (setting ?? []).map(({ name, value }, position) => {
		const label = `Job Settings › Setting ${position + 1}`;
		const settingName = typeof name === 'string' ? name.trim() : '';
		if (!SETTING_NAME.test(settingName)) {
			invalidInput(
				ctx,
				itemIndex,
				`${label} has no valid name: ${JSON.stringify(String(name ?? '')).slice(0, 80)}`,
				"Enter the setting's name as Graph spells it, letters and digits only, e.g. QuarantineTooManyDeletesThreshold.",
			);
		}
		if (seen.has(settingName.toLowerCase())) {
			invalidInput(
				ctx,
				itemIndex,
				`The job setting ${settingName} is given twice`,
				'Keep one entry per setting name and remove the other.',
			);
		}
		seen.add(settingName.toLowerCase());
		if (
			(typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') ||
			String(value).length > MAX_SETTING_VALUE_LENGTH
		) {
			invalidInput(
				ctx,
				itemIndex,
				`The value of the job setting ${settingName} is not a text of at most ${MAX_SETTING_VALUE_LENGTH} characters`,
				'Enter the value as text, e.g. 500 for QuarantineTooManyDeletesThreshold.',
			);
		}
		return { name: settingName, value: String(value) };
	});
}

/**
 * Creates a provisioning job from a template (POST …/synchronization/jobs). Graph documents 201 Created; 200 is
 * accepted too. The new job is NotConfigured until its secrets are saved, and does not run until started. Job
 * settings go in the same POST: the v1.0 metadata types synchronizationJobSettings as Collection(keyValuePair), and
 * no page documents changing them on an existing job (Microsoft's permissions data lists a PATCH of the job, but no
 * page gives its body or answer, so the node sends none).
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	context: OperationContext,
): Promise<IDataObject> {
	const templateId = readSynchronizationId(this, itemIndex, 'template');
	const jobSettings = readJobSettings(this, itemIndex);
	// Not idempotent: a repeated POST after a dropped connection could create a second job.
	const settings = readRequestSettings(this, itemIndex, false);
	const servicePrincipal = await resolveServicePrincipal(this, itemIndex, context, settings);
	const response = await graphRequest<SynchronizationJob>(
		this,
		context.connection,
		{
			method: 'POST',
			path: graphPath`/servicePrincipals/${servicePrincipal.objectId}/synchronization/jobs`,
			body: jobSettings.length
				? { templateId, synchronizationJobSettings: jobSettings }
				: { templateId },
		},
		settings,
		servicePrincipalFailure(
			'manageSynchronizationJobs',
			context.connection,
			servicePrincipal,
			itemIndex,
		),
	);
	return {
		...servicePrincipalFields(servicePrincipal),
		...summarizeJob(response.body),
		jobSettings: (response.body.synchronizationJobSettings ?? []) as IDataObject[],
		graphStatus: response.status,
		requestId: response.requestId ?? null,
	};
}

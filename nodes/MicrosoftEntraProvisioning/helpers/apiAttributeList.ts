import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	SCIM_CORE_USER_SCHEMA,
	SCIM_ENTERPRISE_USER_SCHEMA,
} from '../../../lib/scimUserAttributes';
import type { OperationContext } from './operationContext';
import type { ItemOutcome } from './operationRun';
import type { UploadDestination } from './uploadPlan';
import { readInputOptions } from './employeeRecords';
import { invalidInput, itemParameter } from './itemParameters';
import { checked, oneAtATimePerJob, readJobSchema } from './schemaCalls';
import { callJob } from './servicePrincipalCalls';
import { addAttribute, putBody, type ObjectDefinition } from './synchronizationSchema';

/** A custom extension attribute the employees carry, with the type Graph's attribute definition gives it. */
interface CarriedAttribute {
	name: string;
	type: 'String' | 'Boolean' | 'Integer';
}

const STANDARD_SCHEMAS = new Set(
	[SCIM_CORE_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA].map((schema) => schema.toLowerCase()),
);

/** The custom extension attributes of the employees, each once (Graph compares attribute names ignoring case). */
function carriedAttributes(destination: UploadDestination): CarriedAttribute[] {
	const carried = new Map<string, CarriedAttribute>();
	for (const { data } of destination.employees) {
		for (const [schema, extension] of Object.entries(data)) {
			if (!schema.toLowerCase().startsWith('urn:') || STANDARD_SCHEMAS.has(schema.toLowerCase()))
				continue;
			for (const [attribute, value] of Object.entries(extension as IDataObject)) {
				const name = `${schema}:${attribute}`;
				if (carried.has(name.toLowerCase())) continue;
				carried.set(name.toLowerCase(), {
					name,
					type:
						typeof value === 'boolean' ? 'Boolean' : Number.isInteger(value) ? 'Integer' : 'String',
				});
			}
		}
	}
	return [...carried.values()];
}

/** The parts of a synchronization schema that locate its attribute list for API. */
interface SchemaWithApiList<O extends { name?: string }> {
	synchronizationRules?: Array<{
		sourceDirectoryName?: string;
		objectMappings?: Array<{ sourceObjectName?: string }>;
	}>;
	directories?: Array<{ name?: string; objects?: O[] }>;
}

/**
 * The job's attribute list for API: the object its inbound rule reads from the source directory (the admin
 * center's "Edit attribute list for API", custom extension attributes included). Map Each Attribute lists it, and
 * Add Missing Attributes adds to it.
 */
export function apiAttributeList<O extends { name?: string }>(
	schema: SchemaWithApiList<O>,
): { directory: string; object: O } | undefined {
	const rule = schema.synchronizationRules?.[0];
	const directory = schema.directories?.find(
		(candidate) => candidate.name === rule?.sourceDirectoryName,
	);
	const objectName = rule?.objectMappings?.[0]?.sourceObjectName;
	const object =
		directory?.objects?.find((candidate) => candidate.name === objectName) ??
		directory?.objects?.[0];
	return directory?.name !== undefined && object
		? { directory: directory.name, object }
		: undefined;
}

/**
 * Input Options › Add Missing Attributes to the Job: before sending, each job's schema is read once and the custom
 * extension attributes its employees carry and its attribute list for API lacks are added in one write, as Schema ›
 * Update › Add Attribute adds them (with Preview Only, nothing is written). Each employee of the job reports them in
 * `attributeListChanges`; when the read or write fails, the employees of that job fail with it and are not sent.
 */
export async function addMissingApiAttributes(
	ctx: IExecuteFunctions,
	context: OperationContext,
	destinations: UploadDestination[],
	outcomes: ItemOutcome[],
): Promise<UploadDestination[]> {
	const failed = new Set<UploadDestination>();
	for (const destination of destinations) {
		const first = destination.employees[0]?.itemIndex;
		if (first === undefined || !readInputOptions(ctx, first).addMissingAttributes) continue;
		const key = `${destination.target.by}:${destination.target.id}:${destination.jobId}`;
		const carried = carriedAttributes(destination);
		if (carried.length === 0) continue;
		const previewOnly = itemParameter(ctx, 'uploadOptions.previewOnly', first, false) === true;
		try {
			const added = await oneAtATimePerJob(context, key, async () => {
				const { schema } = await readJobSchema(ctx, first, context);
				const list = apiAttributeList<ObjectDefinition>(schema);
				const listed = new Set(
					(list?.object.attributes ?? []).map((attribute) => attribute.name.toLowerCase()),
				);
				if (!list)
					invalidInput(
						ctx,
						first,
						"The job's schema has no attribute list for API to add the custom attributes to",
						'Only API-driven inbound provisioning jobs take bulk uploads: choose such a job under Job.',
					);
				const missing = carried.filter(({ name }) => !listed.has(name.toLowerCase()));
				if (missing.length === 0 || previewOnly) return missing;
				const wanted = structuredClone(schema);
				for (const { name, type } of missing)
					checked(ctx, first, () =>
						addAttribute(wanted, {
							directory: list.directory,
							object: list.object.name,
							name,
							type,
							multivalued: false,
						}),
					);
				await callJob(ctx, first, context, {
					method: 'PUT',
					action: 'schema',
					body: putBody(schema, wanted),
					access: 'writeSynchronizationSchema',
					idempotent: true,
				});
				return missing;
			});
			if (added.length === 0) continue;
			const attributeListChanges: IDataObject = {
				added: added.map(({ name, type }) => ({ name, type })),
				written: !previewOnly,
			};
			for (const employee of destination.employees)
				employee.report = { ...employee.report, attributeListChanges };
		} catch (error) {
			for (const { itemIndex } of destination.employees) outcomes[itemIndex] = { error };
			failed.add(destination);
		}
	}
	return destinations.filter((destination) => !failed.has(destination));
}

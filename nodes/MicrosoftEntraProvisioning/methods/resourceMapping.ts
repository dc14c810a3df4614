import type {
	FieldType,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SCIM_USER_ATTRIBUTES } from '../../../lib/scimUserAttributes';
import { apiAttributeList } from '../helpers/apiAttributeList';
import {
	isCustomExtensionAttribute,
	resolveAttribute,
	type ResolvedAttribute,
} from '../helpers/scimUser';
import { locatedServicePrincipalId } from '../helpers/servicePrincipalCalls';
import { getGraphConnection } from '../transport';
import { DEFAULT_REQUEST_SETTINGS as SETTINGS } from '../transport/requestLimits';
import { readJobSchema, selectedJobId } from './selectedJob';

/** The parts of microsoft.graph.synchronizationSchema this reads: the directories' objects and their attributes. */
interface SynchronizationSchema {
	synchronizationRules?: Array<{
		sourceDirectoryName?: string;
		objectMappings?: Array<{ sourceObjectName?: string }>;
	}>;
	directories?: Array<{
		name?: string;
		objects?: Array<{ name?: string; attributes?: Array<{ name?: string; type?: string }> }>;
	}>;
}

function field(
	attribute: ResolvedAttribute,
	displayName: string,
	type: FieldType,
): ResourceMapperField {
	return {
		id: attribute.path,
		displayName,
		required: attribute.required,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type,
	};
}

function fieldType(attribute: ResolvedAttribute, graphType: string | undefined): FieldType {
	if (attribute.kind === 'boolean' || graphType === 'Boolean') return 'boolean';
	if (graphType === 'Integer') return 'number';
	return 'string';
}

/** SCIM core and enterprise: what every API-driven inbound provisioning app accepts, for when the job's list is unreadable. */
function defaultFields(): ResourceMapperField[] {
	return Object.keys(SCIM_USER_ATTRIBUTES).map((path) => {
		const attribute = resolveAttribute(path) as ResolvedAttribute;
		return field(
			attribute,
			SCIM_USER_ATTRIBUTES[path].displayName,
			fieldType(attribute, undefined),
		);
	});
}

/** The attributes of the job's attribute list for API, by name and Graph type. */
function apiAttributes(schema: SynchronizationSchema): Array<{ name: string; type?: string }> {
	return (apiAttributeList(schema)?.object.attributes ?? []).flatMap(({ name, type }) =>
		typeof name === 'string' ? [{ name, type }] : [],
	);
}

function displayNameOf(attribute: ResolvedAttribute): string {
	if (attribute.placement.place === 'custom')
		return `${attribute.placement.path.join('.')} (${attribute.placement.schema})`;
	return SCIM_USER_ATTRIBUTES[attribute.path]?.displayName ?? attribute.path;
}

/**
 * The attributes Map Each Attribute offers: the job's attribute list for API when Graph lets the credential read the
 * job's schema, otherwise (or before a job is chosen) SCIM core and enterprise.
 */
export async function getScimAttributes(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const jobId = selectedJobId(this);
	if (jobId === undefined) return { fields: defaultFields() };
	const connection = await getGraphConnection(this);
	let schema: SynchronizationSchema | undefined;
	try {
		const servicePrincipalId = await locatedServicePrincipalId(
			this,
			connection,
			this.getCurrentNodeParameter('target'),
			SETTINGS,
		);
		schema = await readJobSchema<SynchronizationSchema>(
			this,
			connection,
			servicePrincipalId,
			jobId,
		);
	} catch (error) {
		// An uploading app usually holds SynchronizationData-User.Upload alone, which cannot read the schema.
		if (error instanceof NodeApiError && error.httpCode === '403')
			return { fields: defaultFields() };
		throw error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(this.getNode(), error as Error);
	}
	const fields = new Map<string, ResourceMapperField>();
	for (const { name, type } of apiAttributes(schema ?? {})) {
		const attribute = resolveAttribute(name, true);
		if (attribute && !fields.has(attribute.path))
			fields.set(
				attribute.path,
				field(attribute, displayNameOf(attribute), fieldType(attribute, type)),
			);
	}
	if (fields.size === 0) return { fields: defaultFields() };
	// Custom attributes after the standard ones, so the list reads like the admin center's.
	return {
		fields: [...fields.values()].sort(
			(a, b) => Number(isCustomExtensionAttribute(a.id)) - Number(isCustomExtensionAttribute(b.id)),
		),
	};
}

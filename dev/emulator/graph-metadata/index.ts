/**
 * Graph's own published data, as the emulator's source of truth about Graph: excerpts of the v1.0 metadata
 * (microsoftgraph/msgraph-metadata) and of the permissions reference (microsoftgraph/microsoft-graph-devx-content).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const csdl = readFileSync(path.join(__dirname, 'graph-v1.0-synchronization.csdl.xml'), 'utf8');

/** The members of an enumeration type with their numeric values, in declaration order. */
export function enumValues(typeName: string): Record<string, number> {
	const block = new RegExp(`<EnumType Name="${typeName}"[^>]*>([\\s\\S]*?)</EnumType>`).exec(csdl);
	if (!block) throw new Error(`The metadata excerpt has no enum ${typeName}`);
	return Object.fromEntries(
		[...block[1].matchAll(/<Member Name="([^"]+)" Value="(\d+)"/g)].map((match) => [
			match[1],
			Number(match[2]),
		]),
	);
}

/** The members of an enumeration type in the v1.0 metadata, in declaration order. */
export function enumMembers(typeName: string): string[] {
	return Object.keys(enumValues(typeName));
}

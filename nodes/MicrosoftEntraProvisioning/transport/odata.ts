/** An OData string literal: single quotes doubled, so a value can never end the literal early. */
export function odataString(value: string): string {
	return `'${value.replace(/'/g, "''")}'`;
}

/** Graph compares activityDateTime with gt and lt only, to the second: the ISO form it reads, unquoted. */
export function odataDateTime(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What to do with a second record of the same externalId in one upload */
export const DUPLICATE_EXTERNAL_ID_RULES = ['laterWins', 'refuse'] as const;
export type DuplicateExternalIdRule = (typeof DUPLICATE_EXTERNAL_ID_RULES)[number];

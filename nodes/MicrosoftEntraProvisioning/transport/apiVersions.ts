/** The Graph versions the node calls; v1.0 is generally available, beta may change without notice. */
export const API_VERSIONS = ['v1.0', 'beta'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

import * as listSearches from './listSearch';
import * as scimAttributes from './resourceMapping';

export const listSearch = { ...listSearches };

export const resourceMapping = { ...scimAttributes };

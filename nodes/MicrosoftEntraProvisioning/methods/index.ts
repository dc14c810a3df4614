import * as targets from './listSearch';
import * as scimAttributes from './resourceMapping';
import * as synchronization from './synchronizationListSearch';

export const listSearch = { ...targets, ...synchronization };

export const resourceMapping = { ...scimAttributes };

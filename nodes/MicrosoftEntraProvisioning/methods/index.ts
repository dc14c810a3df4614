import * as targets from './listSearch';
import * as synchronization from './synchronizationListSearch';

export const listSearch = { ...targets, ...synchronization };

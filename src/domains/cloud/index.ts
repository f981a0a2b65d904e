// The cloud domain (spec §13 Cloud Storage). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0011). */
export const cloudTables = ['cloud_accounts', 'backup_jobs', 'sync_operations'] as const;

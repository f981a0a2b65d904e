// The cloud domain (spec §13 Cloud Storage; issue 17 §9-13). Other domains import from this file only.
export { cloudModule } from './cloud.module.ts';
export { cloudBackups } from './cloud.jobs.ts';

/** Tables this domain owns: only its repositories read or write them (migration 0011). */
export const cloudTables = ['cloud_accounts', 'backup_jobs', 'sync_operations'] as const;

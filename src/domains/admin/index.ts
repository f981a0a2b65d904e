// The admin domain (spec §16 Administration). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0014). */
export const adminTables = [
  'moderation_reports',
  'moderation_actions',
  'audit_logs',
  'system_configs',
  'feature_flags',
  'job_runs',
  'idempotency_keys',
] as const;

export { recordModerationAct, type ModerationAct, type ModeratedEntity } from './moderation-log.ts';
export { moderationModule } from './moderation.module.ts';
export {
  assertRegistrationOpenOn,
  featureFlagOn,
  kAnonymityThreshold,
  storedKAnonymityThreshold,
  platformAdminModule,
} from './platform-admin.module.ts';

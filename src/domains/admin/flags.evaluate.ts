// Which feature flags apply to whom (issue 18 §14; ADR 0096). Pure: evaluated in process from the cached flags, on
// declared facts only — the caller's id and platform role, never anything they did (spec §17).
import { createHash } from 'node:crypto';
import type { Role } from '../../platform/http/caller.ts';

export interface FlagConditions {
  /** Only callers with one of these platform roles (absent or empty: every role). */
  roles?: string[];
  /** Accounts that get the flag whenever it is enabled, whatever the rollout and roles (testers). */
  testers?: string[];
}

export interface EvaluatedFlag {
  key: string;
  is_enabled: boolean;
  rollout_percentage: number;
  conditions: FlagConditions;
}

/**
 * The caller's place in [0, 100) for one flag: the first 32 bits of SHA-256("<flag key>:<user id>") scaled to 100.
 * The same person always gets the same bucket, on every instance and after every restart; hashing the key in as
 * well gives each flag its own sample, so the first 10 % of one rollout is not the first 10 % of every rollout.
 * Raising the percentage only adds people: those already in stay in.
 */
export function rolloutBucket(flagKey: string, userId: string): number {
  const digest = createHash('sha256').update(`${flagKey}:${userId}`).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

export function flagApplies(flag: EvaluatedFlag, caller: { userId: string; role: Role }): boolean {
  if (!flag.is_enabled) return false;
  if (flag.conditions.testers?.includes(caller.userId)) return true;
  const roles = flag.conditions.roles;
  if (roles && roles.length > 0 && !roles.includes(caller.role)) return false;
  return rolloutBucket(flag.key, caller.userId) < flag.rollout_percentage;
}

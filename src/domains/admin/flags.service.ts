// Feature flags (issue 18 §14; ADR 0096): admins manage them, every instance evaluates them in process from its cached
// copy (flags.evaluate.ts), and each change is audited (withActor) and announced in its own transaction.
import type { Pool } from '../../platform/db/pool.ts';
import { withActor } from '../../platform/db/actor.ts';
import type { Caller, Role } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import type { SettingsCache } from './configs.cache.ts';
import { PlatformAdminProblems } from './configs.errors.ts';
import { notifySettingsChanged } from './configs.repository.ts';
import { flagApplies, type FlagConditions } from './flags.evaluate.ts';
import { deleteStoredFlag, upsertStoredFlag, type StoredFlag } from './flags.repository.ts';
import type { FlagView, FlagWrite } from './flags.schemas.ts';

const ROLES: readonly Role[] = ['user', 'creator', 'premium', 'moderator', 'admin'];

/**
 * The targeting of a stored flag, read defensively: rows written by hand or scrubbed by the GDPR erasure (which
 * removes anonymised testers) may hold anything, and an unknown shape must narrow a flag, never widen it.
 */
export function conditionsOf(stored: unknown): FlagConditions {
  const raw = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const conditions: FlagConditions = {};
  // Roles named in a shape this code does not know match nobody, rather than everybody.
  if (raw.roles !== undefined)
    conditions.roles = Array.isArray(raw.roles)
      ? raw.roles.map((role) => (typeof role === 'string' ? role : ''))
      : [''];
  if (Array.isArray(raw.testers)) conditions.testers = raw.testers.filter((id): id is string => typeof id === 'string');
  return conditions;
}

function viewOf(flag: StoredFlag): FlagView {
  const conditions = conditionsOf(flag.conditions);
  return {
    key: flag.key,
    description: flag.description,
    is_enabled: flag.is_enabled,
    rollout_percentage: flag.rollout_percentage,
    conditions: {
      ...(conditions.roles
        ? { roles: conditions.roles.filter((role): role is Role => ROLES.includes(role as Role)) }
        : {}),
      ...(conditions.testers ? { testers: conditions.testers } : {}),
    },
    updated_at: flag.updated_at.toISOString(),
    updated_by: flag.updated_by,
  };
}

function notFound(key: string): ApiError {
  return new ApiError(PlatformAdminProblems.featureFlagNotFound, `There is no feature flag named ${key}`);
}

export class FlagsService {
  readonly #pool: Pool;
  readonly #cache: SettingsCache;

  constructor(deps: { pool: Pool; cache: SettingsCache }) {
    this.#pool = deps.pool;
    this.#cache = deps.cache;
  }

  async list(): Promise<{ items: FlagView[] }> {
    const { flags } = await this.#cache.snapshot();
    return { items: [...flags.values()].sort((a, b) => a.key.localeCompare(b.key)).map(viewOf) };
  }

  async get(key: string): Promise<FlagView> {
    const flag = (await this.#cache.snapshot()).flags.get(key);
    if (!flag) throw notFound(key);
    return viewOf(flag);
  }

  async put(caller: Caller, key: string, body: FlagWrite): Promise<{ flag: FlagView; created: boolean }> {
    const result = await withActor(this.#pool.db, caller.userId, async (tx) => {
      const written = await upsertStoredFlag(tx, {
        key,
        description: body.description ?? null,
        isEnabled: body.is_enabled,
        rolloutPercentage: body.rollout_percentage,
        conditions: body.conditions ?? {},
        updatedBy: caller.userId,
      });
      await notifySettingsChanged(tx, `flag:${key}`);
      return written;
    });
    this.#cache.invalidate();
    return { flag: viewOf(result.flag), created: result.created };
  }

  async remove(caller: Caller, key: string): Promise<void> {
    const deleted = await withActor(this.#pool.db, caller.userId, async (tx) => {
      const gone = await deleteStoredFlag(tx, key);
      if (gone) await notifySettingsChanged(tx, `flag:${key}`);
      return gone;
    });
    if (!deleted) throw notFound(key);
    this.#cache.invalidate();
  }

  /** The keys of the flags on for this caller, sorted. */
  async forCaller(caller: Caller): Promise<{ flags: string[] }> {
    return { flags: await enabledFlagsFor(this.#cache, caller) };
  }
}

/** For any domain that gates a feature: whether the flag is on for this caller (unknown flags are off). */
export async function isFlagOn(cache: SettingsCache, key: string, caller: Caller): Promise<boolean> {
  const flag = (await cache.snapshot()).flags.get(key);
  return flag !== undefined && flagApplies({ ...flag, conditions: conditionsOf(flag.conditions) }, caller);
}

async function enabledFlagsFor(cache: SettingsCache, caller: Caller): Promise<string[]> {
  const { flags } = await cache.snapshot();
  return [...flags.values()]
    .filter((flag) => flagApplies({ ...flag, conditions: conditionsOf(flag.conditions) }, caller))
    .map((flag) => flag.key)
    .sort();
}

// System settings (issue 18 §13; ADR 0096): the registry says which keys exist and what they accept, the table what
// an admin set, the cache what this instance serves. Every change is audited (withActor) and announced to every
// instance in its own transaction.
import type { Pool } from '../../platform/db/pool.ts';
import { withActor } from '../../platform/db/actor.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import type { SettingsCache } from './configs.cache.ts';
import { PlatformAdminProblems } from './configs.errors.ts';
import {
  allConfigKeys,
  CONFIG_KEYS,
  configKeyNamed,
  configValueProblems,
  effectiveConfigValue,
  type ConfigKey,
} from './configs.registry.ts';
import {
  deleteStoredConfig,
  notifySettingsChanged,
  upsertStoredConfig,
  type StoredConfig,
} from './configs.repository.ts';
import type { ConfigView } from './configs.schemas.ts';

/** The largest value a setting may hold, as JSON text: settings are switches and limits, not documents. */
export const MAX_CONFIG_VALUE_BYTES = 16 * 1024;

function unknownKey(key: string): ApiError {
  return new ApiError(PlatformAdminProblems.configKeyUnknown, `There is no setting named ${key}`);
}

function viewOf(entry: ConfigKey, stored: StoredConfig | undefined): ConfigView {
  return {
    key: entry.key,
    value: effectiveConfigValue(entry.key, stored?.value),
    default: entry.default,
    is_default: stored === undefined,
    is_public: entry.isPublic,
    description: entry.description,
    schema: entry.schema,
    updated_at: stored ? stored.updated_at.toISOString() : null,
    updated_by: stored?.updated_by ?? null,
  };
}

export class ConfigsService {
  readonly #pool: Pool;
  readonly #cache: SettingsCache;

  constructor(deps: { pool: Pool; cache: SettingsCache }) {
    this.#pool = deps.pool;
    this.#cache = deps.cache;
  }

  async list(): Promise<{ items: ConfigView[] }> {
    const { configs } = await this.#cache.snapshot();
    return { items: allConfigKeys().map((entry) => viewOf(entry, configs.get(entry.key))) };
  }

  async get(key: string): Promise<ConfigView> {
    const entry = configKeyNamed(key);
    if (!entry) throw unknownKey(key);
    const { configs } = await this.#cache.snapshot();
    return viewOf(entry, configs.get(key));
  }

  async set(caller: Caller, key: string, value: unknown): Promise<ConfigView> {
    const entry = configKeyNamed(key);
    if (!entry) throw unknownKey(key);
    const size = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (size > MAX_CONFIG_VALUE_BYTES) {
      throw new ApiError(PlatformAdminProblems.configValueInvalid, `The value of ${key} is too large`, [
        { field: 'body.value', rule: 'maxSize', message: `${key}: at most ${MAX_CONFIG_VALUE_BYTES} bytes of JSON` },
      ]);
    }
    const problems = configValueProblems(key, value);
    if (problems.length > 0) {
      throw new ApiError(
        PlatformAdminProblems.configValueInvalid,
        `The value does not fit ${key}: ${problems[0]!.message}`,
        problems.map((problem) => ({
          field: `body.value${problem.path.replaceAll('/', '.')}`,
          rule: problem.rule,
          message: `${key}: ${problem.message}`,
        })),
      );
    }
    const stored = await withActor(this.#pool.db, caller.userId, async (tx) => {
      const row = await upsertStoredConfig(tx, {
        key,
        value,
        description: entry.description,
        isPublic: entry.isPublic,
        updatedBy: caller.userId,
      });
      await notifySettingsChanged(tx, `config:${key}`);
      return row;
    });
    // This instance need not wait for its own notice to serve what it just wrote.
    this.#cache.invalidate();
    return viewOf(entry, stored);
  }

  /** Forgets the admin's value: the default is in force again. */
  async reset(caller: Caller, key: string): Promise<ConfigView> {
    const entry = configKeyNamed(key);
    if (!entry) throw unknownKey(key);
    await withActor(this.#pool.db, caller.userId, async (tx) => {
      if (await deleteStoredConfig(tx, key)) await notifySettingsChanged(tx, `config:${key}`);
    });
    this.#cache.invalidate();
    return viewOf(entry, undefined);
  }

  async publicValues(): Promise<Record<string, unknown>> {
    const { configs } = await this.#cache.snapshot();
    return Object.fromEntries(
      allConfigKeys()
        .filter((entry) => entry.isPublic)
        .map((entry) => [entry.key, effectiveConfigValue(entry.key, configs.get(entry.key)?.value)]),
    );
  }
}

/** The value in force for a key of the registry, from this instance's copy. */
export async function configValueOf(cache: SettingsCache, key: string): Promise<unknown> {
  const { configs } = await cache.snapshot();
  return effectiveConfigValue(key, configs.get(key)?.value);
}

/** For the auth domain: refuses POST /v1/auth/register while auth.registration_open is false. */
export async function assertRegistrationOpen(cache: SettingsCache): Promise<void> {
  if ((await configValueOf(cache, CONFIG_KEYS.registrationOpen.key)) === false) {
    throw new ApiError(
      PlatformAdminProblems.registrationClosed,
      'An administrator closed the registration of new accounts; try again later',
    );
  }
}

/** For the analytics domain (issue 18 §7): k, never below K_ANONYMITY_FLOOR whatever the table holds. */
export async function kAnonymityThresholdOf(cache: SettingsCache): Promise<number> {
  const value = await configValueOf(cache, CONFIG_KEYS.kAnonymityThreshold.key);
  return Math.max(CONFIG_KEYS.kAnonymityThreshold.default, typeof value === 'number' ? value : 0);
}

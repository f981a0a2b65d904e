// Wires system settings, feature flags and the admin views (issue 18 §13-15; ADR 0096): repository -> service ->
// routes, registered under /v1 by the composition root. The settings cache is the instance's one copy (shared with
// the auth domain through settingsCacheOf), kept fresh by a LISTEN connection this module opens and closes.
import type { DomainModule } from '../../app/module-dependencies.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { createAdminViewsRepository } from './admin-views.repository.ts';
import { registerAdminViewsRoutes } from './admin-views.routes.ts';
import { AdminViewsService } from './admin-views.service.ts';
import { SettingsListener, settingsCacheOf } from './configs.cache.ts';
import { CONFIG_KEYS } from './configs.registry.ts';
import { loadStoredConfigs } from './configs.repository.ts';
import { registerConfigsRoutes } from './configs.routes.ts';
import { assertRegistrationOpen, ConfigsService, kAnonymityThresholdOf } from './configs.service.ts';
import { registerFlagsRoutes } from './flags.routes.ts';
import { FlagsService, isFlagOn } from './flags.service.ts';

/** System settings, feature flags, and the admins' views of jobs, GDPR requests and accounts (spec §16). */
export const platformAdminModule: DomainModule = ({ pool }) => {
  return (app, _options, done) => {
    const cache = settingsCacheOf(pool);
    const listener = new SettingsListener(pool.pg.options, cache, (error) =>
      app.log.warn({ reason: error.message }, 'settings listener: connection lost; settings follow the TTL meanwhile'),
    );
    app.addHook('onReady', () => listener.start());
    app.addHook('onClose', () => listener.close());
    registerConfigsRoutes(app, new ConfigsService({ pool, cache }));
    registerFlagsRoutes(app, new FlagsService({ pool, cache }));
    registerAdminViewsRoutes(app, new AdminViewsService(createAdminViewsRepository(pool.db)));
    done();
  };
};

// What other domains read, through index.ts: the instance's copy, never a query per request.

/** Throws REGISTRATION_CLOSED (403) while the auth.registration_open setting is false. */
export function assertRegistrationOpenOn(pool: Pool): Promise<void> {
  return assertRegistrationOpen(settingsCacheOf(pool));
}

/** The k of k-anonymity in force (issue 18 §7): the setting, never below the floor of 5. */
export function kAnonymityThreshold(pool: Pool): Promise<number> {
  return kAnonymityThresholdOf(settingsCacheOf(pool));
}

/** The same, read from the table: for jobs, which run outside any instance's cache (statistics exports). */
export async function storedKAnonymityThreshold(db: Database): Promise<number> {
  const stored = (await loadStoredConfigs(db)).find((config) => config.key === CONFIG_KEYS.kAnonymityThreshold.key);
  const value = stored?.value;
  return Math.max(CONFIG_KEYS.kAnonymityThreshold.default, typeof value === 'number' ? value : 0);
}

/** Whether a feature flag is on for this caller (an unknown flag is off). */
export function featureFlagOn(pool: Pool, key: string, caller: Caller): Promise<boolean> {
  return isFlagOn(settingsCacheOf(pool), key, caller);
}

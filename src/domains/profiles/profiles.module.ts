// Wires the profiles domain: repository -> service -> routes, registered under /v1 by the composition root.
import type { DomainModule } from '../../app/module-dependencies.ts';
import { createProfilesRepository } from './profiles.repository.ts';
import { registerProfilesRoutes } from './profiles.routes.ts';
import { ProfilesService } from './profiles.service.ts';

/** Profiles, settings, badges, declared roles, consents and GDPR rights (spec §5, §17.4, §19). */
export const profilesModule: DomainModule = ({ pool, config }) => {
  const service = new ProfilesService({
    repository: createProfilesRepository(pool),
    db: pool.db,
    dataDir: config.dataDir,
    redisUrl: config.redis.url,
  });
  return (app, _options, done) => {
    registerProfilesRoutes(app, service);
    done();
  };
};

// Wires the gear domain (issue 17 §6-8): repositories -> service -> routes, registered under /v1 by the composition
// root; its job (warranty reminders) is listed in src/lifecycle/lifecycle-jobs.ts.
import type { DomainModule } from '../../app/module-dependencies.ts';
import { createFilesBridge } from '../files/index.ts';
import { accountsNamed, gearSetupPublicOf, profileVisibilityOf, setGearSetupPublic } from '../profiles/index.ts';
import { blockAndFollowBetween } from '../social/index.ts';
import { createGearRepository } from './gear.repository.ts';
import { registerGearRoutes } from './gear.routes.ts';
import { GearService } from './gear.service.ts';

/** Equipment, warranties, maintenance, categories, CSV and the setup page (spec §12, issue 17; ADR 0079). */
export const gearModule: DomainModule = ({ pool, config }) => {
  return (app, _options, done) => {
    registerGearRoutes(
      app,
      new GearService({
        repository: createGearRepository(pool),
        files: createFilesBridge({ pool, config }),
        accountNamed: async (username) => (await accountsNamed(pool.db, [username]))[0],
        profileVisibilityOf: (userId) => profileVisibilityOf(pool.db, userId),
        setupPublicOf: (userId) => gearSetupPublicOf(pool.db, userId),
        setSetupPublic: (userId, value) => setGearSetupPublic(pool.db, userId, value),
        blockAndFollow: (viewer, owner) => blockAndFollowBetween(pool.db, viewer, owner),
      }),
    );
    done();
  };
};

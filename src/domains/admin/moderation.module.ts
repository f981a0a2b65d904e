// Wires moderation (issue 18 §11-12, ADR 0095): repository -> service -> routes, registered under /v1.
import type { DomainModule } from '../../app/module-dependencies.ts';
import { createModerationRepository } from './moderation.repository.ts';
import { registerModerationRoutes } from './moderation.routes.ts';
import { ModerationService } from './moderation.service.ts';

/** Reports, the moderators' queue and moderation actions (spec §16). */
export const moderationModule: DomainModule = ({ pool }) => {
  return (app, _options, done) => {
    registerModerationRoutes(
      app,
      new ModerationService({ db: pool.db, repository: createModerationRepository(pool.db) }),
    );
    done();
  };
};

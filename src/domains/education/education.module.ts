// Wires the education domain (issue 17 §1-5): repository -> service -> routes, registered under /v1 by the
// composition root. The marketplace and profiles are reached through their index.ts (ADR 0081).
import { createHmac } from 'node:crypto';
import type { DomainModule } from '../../app/module-dependencies.ts';
import type { Pool } from '../../platform/db/pool.ts';
import type { Config } from '../../platform/config/config.ts';
import { resolveJwtSecret } from '../../platform/config/secrets.ts';
import { createFilesBridge, UrlSigner } from '../files/index.ts';
import { createCourseAccess } from '../marketplace/index.ts';
import { publicNamesOf } from '../profiles/index.ts';
import { createEducationRepository } from './education.repository.ts';
import { registerEducationRoutes } from './education.routes.ts';
import { EducationService } from './education.service.ts';

/** The education service on this pool; `clock` replaces the wall clock (tests move time with it). */
export function createEducationService(pool: Pool, config: Config, clock?: () => Date): EducationService {
  let signer: Promise<UrlSigner> | undefined;
  return new EducationService({
    repository: createEducationRepository(pool),
    files: createFilesBridge({ pool, config }),
    // A key derived from the JWT secret for lesson links alone (ADR 0090), as purchase links have theirs.
    lessonLinks: () =>
      (signer ??= resolveJwtSecret(config).then(
        (secret) => new UrlSigner(createHmac('sha256', secret).update('veza lesson file link v1').digest('base64url')),
      )),
    marketplace: createCourseAccess(pool.db),
    publicNames: (ids) => publicNamesOf(pool.db, ids),
    clock,
  });
}

/** Courses, lessons, enrolment and progress, quizzes, certificates (spec §11, issue 17). */
export const educationModule: DomainModule = ({ pool, config }) => {
  return (app, _options, done) => {
    registerEducationRoutes(app, createEducationService(pool, config), { publicUrl: config.mail.publicUrl });
    done();
  };
};

import type { DomainModule } from '../../app/module-dependencies.ts';
import { createSecretBox } from '../../platform/crypto/index.ts';
import { OidcProviders } from './federation.client.ts';
import { federationRoutes } from './federation.routes.ts';
import { FederationService } from './federation.service.ts';
import { MfaChallenges } from './mfa-challenge.ts';
import { SessionService } from './session.service.ts';

/** Federated login (OpenID Connect) and linked identities, under /v1 (ADR 0025). */
export const federationModule: DomainModule = (deps) => (app, _options, done) => {
  createSecretBox(deps.config).then(
    (box) => {
      const { config, pool, accessTokens } = deps;
      const service = new FederationService({
        db: pool.db,
        providers: new OidcProviders(config.oidc.providers),
        redirectUris: config.oidc.redirectUris,
        box,
        challenges: new MfaChallenges(box),
        sessions: new SessionService({
          db: pool.db,
          accessTokens,
          refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
        }),
        // Imported when first needed: a static import would close a cycle (admin -> chat -> auth) at load time.
        assertRegistrationOpen: async () => (await import('../admin/index.ts')).assertRegistrationOpenOn(pool),
      });
      void app.register(federationRoutes(service));
      done();
    },
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  );
};

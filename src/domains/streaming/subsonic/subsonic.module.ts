// Wires the OpenSubsonic API (issue 13 §6): repositories -> services -> routes. `subsonicModule` is registered by the
// composition root under /rest (a protocol fixes that address); the credentials API goes under /v1 with the rest of
// the streaming domain (streaming.module.ts).
import type { FastifyInstance } from 'fastify';
import type { DomainModule } from '../../../app/module-dependencies.ts';
import type { Config } from '../../../platform/config/config.ts';
import { createSecretBox, type SecretBox } from '../../../platform/crypto/index.ts';
import type { Pool } from '../../../platform/db/pool.ts';
import { createFilesBridge } from '../../files/index.ts';
import { publicNamesOf } from '../../profiles/index.ts';
import { createLikesRepository } from '../likes.repository.ts';
import { LikesService } from '../likes.service.ts';
import { createPlaylistsService } from '../playlists.service.ts';
import { createPlaysRepository } from '../plays.repository.ts';
import { PlaysService } from '../plays.service.ts';
import { createQueueService } from '../queue.service.ts';
import { createStreamService } from '../stream.service.ts';
import { createCredentialsRepository } from './credentials.repository.ts';
import { registerCredentialsRoutes } from './credentials.routes.ts';
import { CredentialsService } from './credentials.service.ts';
import { SubsonicAuthenticator } from './subsonic.auth.ts';
import { createSubsonicRepository } from './subsonic.repository.ts';
import { registerSubsonicRoutes } from './subsonic.routes.ts';
import { SubsonicService } from './subsonic.service.ts';

/** The SecretBox of sealed app passwords, opened once (the keys are read from the configuration or the data dir). */
function secretBoxOf(config: Config): () => Promise<SecretBox> {
  let box: Promise<SecretBox> | undefined;
  return () => (box ??= createSecretBox(config));
}

/** GET/POST/DELETE /v1/me/subsonic-credentials (called by streaming.module.ts). */
export function registerSubsonicCredentials(app: FastifyInstance, { pool, config }: { pool: Pool; config: Config }) {
  registerCredentialsRoutes(
    app,
    new CredentialsService({ repository: createCredentialsRepository(pool), box: secretBoxOf(config) }),
  );
}

/** The /rest surface: OpenSubsonic calls for existing players (issue 13 §6). */
export const subsonicModule: DomainModule = ({ pool, config }) => {
  return (app, _options, done) => {
    const credentials = createCredentialsRepository(pool);
    const publicNames = (ids: Iterable<string>) => publicNamesOf(pool.db, ids);
    const files = createFilesBridge({ pool, config });
    const service = new SubsonicService({
      repository: createSubsonicRepository(pool),
      files,
      publicNames,
      likes: new LikesService({ repository: createLikesRepository(pool), publicNames }),
      plays: new PlaysService({ repository: createPlaysRepository(pool) }),
      playlists: createPlaylistsService(pool, publicNames),
      queue: createQueueService(pool),
      streams: createStreamService({ pool, config, files }),
      accountIdOf: async (username) => {
        const account = await credentials.accountByUsername(username);
        return account && account.deleted_at === null ? account.id : undefined;
      },
    });
    registerSubsonicRoutes(app, {
      service,
      auth: new SubsonicAuthenticator({ repository: credentials, box: secretBoxOf(config) }),
    });
    done();
  };
};

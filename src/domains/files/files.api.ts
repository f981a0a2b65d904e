// Wires the owner API and delivery (issue 12 §5, §7) for files.module.ts: repository -> services -> routes.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../platform/config/config.ts';
import { resolveJwtSecret } from '../../platform/config/secrets.ts';
import type { Pool } from '../../platform/db/pool.ts';
import { registerDeliveryRoutes } from './delivery.routes.ts';
import { DeliveryService } from './delivery.service.ts';
import { createFilesRepository } from './files.repository.ts';
import { registerFilesRoutes } from './files.routes.ts';
import { FilesService } from './files.service.ts';
import { UrlSigner } from './signed-urls.ts';
import type { ObjectStorage } from './storage/object-storage.ts';

export interface FilesApiDeps {
  pool: Pool;
  config: Config;
  storage: ObjectStorage;
}

export function registerFilesApi(app: FastifyInstance, { pool, config, storage }: FilesApiDeps): void {
  const repository = createFilesRepository(pool);
  const production = config.nodeEnv === 'production';
  let signer: Promise<UrlSigner> | undefined;
  const signerOf = () => (signer ??= resolveJwtSecret(config).then((secret) => new UrlSigner(secret)));
  registerFilesRoutes(app, new FilesService({ repository, signer: signerOf, production }));
  registerDeliveryRoutes(app, new DeliveryService({ repository, storage, signer: signerOf, production }));
}

// Wires the files domain: storage, repositories -> services -> routes, registered under /v1 by the composition root.
import { join } from 'node:path';
import type { DomainModule } from '../../app/module-dependencies.ts';
import { registerFilesApi } from './files.api.ts';
import { enqueueProcessing } from './processing/index.ts';
import { openObjectStorage } from './storage/object-storage.ts';
import { createUploadsRepository } from './uploads.repository.ts';
import { registerUploadsRoutes } from './uploads.routes.ts';
import { UploadsService } from './uploads.service.ts';

/** Where unfinished uploads are assembled, always on local disk whatever the storage backend (ADR 0038). */
export const uploadStagingDir = (dataDir: string): string => join(dataDir, 'uploads');

/** Uploads, storage, processing and delivery of files (spec §6, issue 12). */
export const filesModule: DomainModule = ({ pool, config }) => {
  const storage = openObjectStorage(config.files);
  return (app, _options, done) => {
    const uploads = new UploadsService({
      repository: createUploadsRepository(pool),
      storage,
      config: config.files,
      enqueueProcessing,
      log: app.log,
    });
    registerUploadsRoutes(app, uploads, uploadStagingDir(config.dataDir));
    registerFilesApi(app, { pool, config, storage });
    done();
  };
};

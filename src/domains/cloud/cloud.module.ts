// Wires the cloud domain (issue 17 §9-13): repositories -> service -> routes, registered under /v1 by the
// composition root; its job (scheduled backups) is listed in src/lifecycle/lifecycle-jobs.ts.
import type { DomainModule } from '../../app/module-dependencies.ts';
import type { Config } from '../../platform/config/config.ts';
import { createSecretBox, type SecretBox } from '../../platform/crypto/index.ts';
import { storageForDataDir } from '../files/index.ts';
import { registerCloudRoutes } from './cloud.routes.ts';
import { CloudService } from './cloud.service.ts';

/** The host names this service is reached by: never a backup target (SSRF rule, ADR 0085). */
export function ownHostsOf(config: Pick<Config, 'http' | 'mail'>): string[] {
  return [config.http.host, new URL(config.mail.publicUrl).hostname];
}

/** Cloud accounts and backups to the user's own WebDAV / Nextcloud server (spec §13, issue 17; ADR 0085). */
export const cloudModule: DomainModule = ({ pool, config }) => {
  let box: Promise<SecretBox> | undefined;
  return (app, _options, done) => {
    registerCloudRoutes(
      app,
      new CloudService({
        db: pool.db,
        box: () => (box ??= createSecretBox(config)),
        storage: storageForDataDir(config.dataDir),
        dataDir: config.dataDir,
        allowPrivateHosts: config.cloud.allowPrivateHosts,
        guard: { allowPrivateHosts: config.cloud.allowPrivateHosts, ownHosts: ownHostsOf(config) },
      }),
    );
    done();
  };
};

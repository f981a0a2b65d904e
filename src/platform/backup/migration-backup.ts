import type { Config } from '../config/config.ts';
import { readServerArchiving } from './archiving-status.ts';
import { backupSettingsFromEnv } from './backup-settings.ts';
import { takeBackup, type TakenBackup } from './take-backup.ts';

type Env = Record<string, string | undefined>;

export interface PendingMigrations {
  status(): Promise<{ pending: { name: string; version: number }[] }>;
}

/**
 * The spec's rule, "a full backup before any schema change", as `veza db migrate` enforces it in production: when
 * migrations up to `to` are pending, a full backup (and its file snapshot) is taken first, and a failed backup stops
 * the migration. `skipBackup` is for an emergency where no backup can be taken; it is said loudly.
 */
export async function backupBeforeMigration(
  config: Pick<Config, 'nodeEnv' | 'dataDir' | 'files'>,
  url: string,
  migrator: PendingMigrations,
  options: { to?: number | undefined; skipBackup?: boolean | undefined; env?: Env; log: (line: string) => void },
): Promise<TakenBackup | undefined> {
  if (config.nodeEnv !== 'production') return undefined;
  const { pending } = await migrator.status();
  const coming = pending.filter((file) => options.to === undefined || file.version <= options.to);
  if (coming.length === 0) return undefined;
  if (options.skipBackup) {
    options.log(
      `WARNING: --skip-backup: migrating ${coming.length} migration(s) WITHOUT the full backup the production rule ` +
        'requires; if a migration goes wrong, the only way back is the last scheduled backup and the WAL since',
    );
    return undefined;
  }
  const env = options.env ?? process.env;
  options.log(`NODE_ENV=production: a full backup before ${coming.length} pending migration(s) (docs/operations.md)`);
  try {
    const server = await readServerArchiving(url);
    const taken = await takeBackup(
      backupSettingsFromEnv(env, config.dataDir),
      server,
      { type: 'full' },
      { env, files: config.files },
    );
    options.log(`backup ${taken.backup.label} taken; migrating`);
    return taken;
  } catch (error) {
    throw new Error(
      `refusing to migrate: the full backup required before a schema change in production failed: ` +
        `${(error as Error).message}\n(fix the backup, see "veza backup status"; in an emergency only, ` +
        '"veza db migrate --skip-backup" migrates without it)',
      { cause: error },
    );
  }
}

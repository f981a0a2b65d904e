import { existsSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';
import { lastGoodBackup } from './backup-info.ts';
import { backupScheduleEnabled } from './backup-jobs.ts';
import { backupSettingsFromEnv, configPath, type BackupSettings } from './backup-settings.ts';
import { readStanzaInfo } from './pgbackrest.ts';
import { readLastRestoreTest } from './restore-test.ts';

/** What the backup gauges show, read from pgBackRest's info and the last restore test's file. */
export interface BackupFacts {
  /** When the newest good backup (any repository) finished; null when there is none. */
  lastGoodBackupAt: Date | null;
  lastRestoreTest: { at: Date; ok: boolean } | null;
}

/** Reads the facts from the repository (`pgbackrest info`): it works while the database is down. */
export function backupFactsReader(settings: BackupSettings): () => Promise<BackupFacts> {
  return async () => {
    if (!existsSync(configPath(settings))) throw new Error(`no backup configuration at ${configPath(settings)}`);
    const last = lastGoodBackup(await readStanzaInfo(settings));
    const test = await readLastRestoreTest(settings);
    return {
      lastGoodBackupAt: last?.stoppedAt ?? null,
      lastRestoreTest: test ? { at: new Date(test.startedAt), ok: test.ok } : null,
    };
  };
}

export interface BackupMetricsOptions {
  /** How long one reading serves scrapes: `pgbackrest info` lists the whole repository, too much for each scrape. */
  cacheMs?: number;
  /** The most a scrape waits for a fresh reading before it answers with the previous one. */
  waitMs?: number;
  now?: () => number;
}

/**
 * The backup gauges (issue 19): the age of the last good backup and of the last restore test. Ages are computed at
 * each scrape from the cached moments, so they keep growing between readings, which happen at most once per
 * `cacheMs` whatever the scrape rate.
 */
export function trackBackupMetrics(
  registry: Registry,
  read: () => Promise<BackupFacts>,
  options: BackupMetricsOptions = {},
): void {
  const cacheMs = options.cacheMs ?? 60_000;
  const waitMs = options.waitMs ?? 2_000;
  const now = options.now ?? Date.now;
  let facts: BackupFacts | undefined;
  let readable = false;
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;
  const refresh = async (): Promise<void> => {
    if (now() - readAt >= cacheMs && !reading) {
      readAt = now();
      reading = read()
        .then((fresh) => {
          facts = fresh;
          readable = true;
        })
        .catch(() => {
          readable = false;
        })
        .finally(() => {
          reading = undefined;
        });
    }
    if (reading) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reading, new Promise<void>((done) => (timer = setTimeout(done, waitMs)))]);
      clearTimeout(timer);
    }
  };
  const registers = [registry];
  new Gauge({
    name: 'veza_backup_last_success_age_seconds',
    help: 'Seconds since the newest good pgBackRest backup finished (absent until there is one)',
    registers,
    async collect() {
      await refresh();
      this.reset();
      if (facts?.lastGoodBackupAt) this.set(Math.max(0, (now() - facts.lastGoodBackupAt.getTime()) / 1000));
    },
  });
  new Gauge({
    name: 'veza_backup_info_readable',
    help: '1 when the last reading of the backup repository (pgbackrest info) succeeded, 0 when it failed',
    registers,
    async collect() {
      await refresh();
      this.set(readable ? 1 : 0);
    },
  });
  new Gauge({
    name: 'veza_backup_restore_test_age_seconds',
    help: 'Seconds since the last scheduled restore test started (absent until one has run)',
    registers,
    async collect() {
      await refresh();
      this.reset();
      if (facts?.lastRestoreTest) this.set(Math.max(0, (now() - facts.lastRestoreTest.at.getTime()) / 1000));
    },
  });
  new Gauge({
    name: 'veza_backup_restore_test_ok',
    help: '1 when the last restore test restored, passed the schema check and counted every table; 0 when not',
    registers,
    async collect() {
      await refresh();
      this.reset();
      if (facts?.lastRestoreTest) this.set(facts.lastRestoreTest.ok ? 1 : 0);
    },
  });
}

/**
 * The backup gauges on the process that serves /metrics, when backups are configured: VEZA_BACKUP_SCHEDULE=on,
 * or VEZA_BACKUP_DIR / VEZA_BACKUP_S3_BUCKET set (backups taken by cron, read here).
 */
export function trackBackupMetricsIfConfigured(
  registry: Registry,
  env: Record<string, string | undefined>,
  dataDir: string,
): boolean {
  if (!(backupScheduleEnabled(env) || env.VEZA_BACKUP_DIR || env.VEZA_BACKUP_S3_BUCKET)) return false;
  trackBackupMetrics(registry, backupFactsReader(backupSettingsFromEnv(env, dataDir)));
  return true;
}

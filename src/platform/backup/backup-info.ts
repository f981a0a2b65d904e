/** What `pgbackrest info --output=json` says about one stanza, reduced to what Veza reads (pgBackRest 2.45). */
export interface StanzaInfo {
  /** 0 ok; otherwise pgBackRest's own code and message (1 missing stanza path, 2 no valid backups, ...). */
  status: { code: number; message: string };
  repos: { repo: number; code: number; message: string }[];
  backups: BackupRecord[];
  /** Oldest and newest WAL segment archived, per repository. */
  archive: { repo: number; min: string | null; max: string | null }[];
}

export interface BackupRecord {
  label: string;
  type: 'full' | 'diff' | 'incr';
  repo: number;
  startedAt: Date;
  /** The earliest moment this backup can restore to: the database is consistent only from its stop. */
  stoppedAt: Date;
  /** pgBackRest found page checksum errors while copying: the backup exists but is not a good one. */
  error: boolean;
  sizeBytes: number;
  repoSizeBytes: number;
}

interface RawBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  database: { 'repo-key': number };
  timestamp: { start: number; stop: number };
  error?: boolean;
  info: { size: number; repository: { size?: number; delta: number } };
}

interface RawStanza {
  name: string;
  status: { code: number; message: string };
  repo?: { key: number; status: { code: number; message: string } }[];
  backup?: RawBackup[];
  archive?: { database: { 'repo-key': number }; min: string | null; max: string | null }[];
}

export function parseInfo(json: string, stanza: string): StanzaInfo {
  const stanzas = JSON.parse(json) as RawStanza[];
  const raw = stanzas.find((entry) => entry.name === stanza);
  if (!raw) return { status: { code: 1, message: 'missing stanza' }, repos: [], backups: [], archive: [] };
  return {
    status: raw.status,
    repos: (raw.repo ?? []).map((repo) => ({ repo: repo.key, ...repo.status })),
    backups: (raw.backup ?? [])
      .map((backup) => ({
        label: backup.label,
        type: backup.type,
        repo: backup.database['repo-key'],
        startedAt: new Date(backup.timestamp.start * 1000),
        stoppedAt: new Date(backup.timestamp.stop * 1000),
        error: backup.error ?? false,
        sizeBytes: backup.info.size,
        repoSizeBytes: backup.info.repository.size ?? backup.info.repository.delta,
      }))
      .sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime()),
    archive: (raw.archive ?? []).map((entry) => ({ repo: entry.database['repo-key'], min: entry.min, max: entry.max })),
  };
}

/** The newest backup pgBackRest recorded without error, in any repository. */
export function lastGoodBackup(info: StanzaInfo): BackupRecord | undefined {
  return info.backups.filter((backup) => !backup.error).at(-1);
}

/** Seconds since the last good backup finished; null when there is none. */
export function backupAgeSeconds(info: StanzaInfo, now: Date): number | null {
  const last = lastGoodBackup(info);
  return last ? Math.max(0, Math.floor((now.getTime() - last.stoppedAt.getTime()) / 1000)) : null;
}

export class RestoreTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreTargetError';
  }
}

/** An explicit offset is required: a restore to "21:40" of the wrong time zone silently loses or replays hours. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

export function parseRestoreTarget(text: string): Date {
  const trimmed = text.trim();
  const date = TIMESTAMP.test(trimmed) ? new Date(trimmed.replace(' ', 'T')) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new RestoreTargetError(
      `"${text}" is not a timestamp with a time zone; write it like 2026-12-07T21:40:00Z or 2026-12-07 22:40:00+01:00`,
    );
  }
  return date;
}

/**
 * Refuses a target no backup can reach before anything is written, and otherwise names the backup to restore
 * from by pgBackRest's own rule: the first repository (daily before monthly) holding a good backup that stopped
 * before the target, and in it the newest such one. PostgreSQL only replays WAL forward from a consistent backup.
 */
export function checkRestoreTarget(info: StanzaInfo, target: Date, now: Date): BackupRecord {
  if (target.getTime() > now.getTime()) {
    throw new RestoreTargetError(`restore target ${target.toISOString()} is in the future (now ${now.toISOString()})`);
  }
  const good = info.backups.filter((backup) => !backup.error);
  if (good.length === 0) throw new RestoreTargetError('the repository holds no good backup to restore from');
  const usable = good
    .filter((backup) => backup.stoppedAt.getTime() <= target.getTime())
    .sort((a, b) => a.repo - b.repo || b.stoppedAt.getTime() - a.stoppedAt.getTime())[0];
  if (!usable) {
    throw new RestoreTargetError(
      `restore target ${target.toISOString()} is before the oldest backup, ${good[0]!.label}, which finished at ` +
        `${good[0]!.stoppedAt.toISOString()}: nothing earlier can be restored`,
    );
  }
  return usable;
}

/** What `pgbackrest verify` found in one repository. */
export interface VerifyResult {
  repo: number;
  ok: boolean;
  /** Labels of backups with an invalid or missing file. */
  invalidBackups: string[];
  /** pgBackRest's lines naming each problem (files with a bad checksum or size, missing WAL). */
  problems: string[];
}

/**
 * pgBackRest 2.45's verify ends "completed successfully" with exit code 0 even when it found corrupt files;
 * only its report says so, hence this reading of it.
 */
export function parseVerifyOutput(output: string, repo: number): VerifyResult {
  const lines = output.split('\n');
  const invalidBackups = [
    ...new Set(
      lines.flatMap((line) => {
        const match = /backup: (\S+), status: (\S+?),/.exec(line);
        return match && match[2] !== 'valid' ? [match[1]!] : [];
      }),
    ),
  ];
  const problems = lines
    .map((line) => line.replace(/^.*?(INFO|WARN|ERROR):\s*/, '').trim())
    .filter(
      (line) =>
        /^(invalid|missing|unable|ERROR)/i.test(line) ||
        /^(checksum invalid|size invalid|missing|other): [1-9]/.test(line),
    );
  const stanzaError = lines.some((line) => /^\s*status: error/.test(line));
  return { repo, ok: !stanzaError && invalidBackups.length === 0 && problems.length === 0, invalidBackups, problems };
}

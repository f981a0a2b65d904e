import { rm } from 'node:fs/promises';
import { sql } from 'kysely';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { exportUserData, markExported, pruneExportArchives, userExportDirectory } from '../gdpr/export.ts';

/** Exports written per run; the rest wait for the next run, a few minutes later. */
export const EXPORTS_PER_RUN = 50;

/**
 * Spec §19.2, Art. 20, ADR 0020: every pending request (export_requested_at set, and later than exported_at)
 * of a live account gets an archive under <dataDir>/exports/<user id>/, then exported_at is set to the time of
 * the snapshot the archive holds. Archives past their download window are removed. A dry run only reports.
 */
export const gdprExports: JobDefinition = {
  name: 'gdpr.exports',
  description: 'write the requested GDPR exports (JSON + CSV archive) and set exported_at (§19.2)',
  defaultSchedule: '*/5 * * * *',
  async run(context) {
    const { db } = context;
    const { rows: pending } = await sql<{ id: string }>`
      SELECT id FROM users
      WHERE export_requested_at IS NOT NULL AND (exported_at IS NULL OR export_requested_at > exported_at)
        AND deleted_at IS NULL
      ORDER BY export_requested_at, id LIMIT ${EXPORTS_PER_RUN}`.execute(db);
    if (context.dryRun) {
      context.log(`gdpr.exports: ${pending.length} export(s) to write (dry run: none written)`);
      context.count('users', pending.length);
      return;
    }
    const pruned = await pruneExportArchives(context.dataDir);
    if (pruned > 0) context.log(`gdpr.exports: removed ${pruned} expired archive(s)`);
    const failures: string[] = [];
    for (const { id } of pending) {
      try {
        const result = await exportUserData(db, id, context.dataDir, { redisUrl: context.redisUrl });
        // An account deleted while its archive was written: the deletion removed what was there before (ADR 0037).
        const {
          rows: [live],
        } = await sql`SELECT 1 FROM users WHERE id = ${id} AND deleted_at IS NULL`.execute(db);
        if (!live) {
          await rm(userExportDirectory(context.dataDir, id), { recursive: true, force: true });
          continue;
        }
        await markExported(db, id, result.generatedAt);
        context.count('users', 1);
        context.log(`gdpr.exports: ${id} -> ${result.path}`);
      } catch (error) {
        failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} export(s) failed: ${failures.join('; ')}`);
  },
};

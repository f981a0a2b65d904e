// The two jobs of statistics exports (issue 18 §8; ADR 0094). Both idempotent: a second run finds nothing to do.
// - analytics.reports-generate: every pending report becomes a private file of its requester and `completed`,
//   expiring REPORT_TTL_DAYS later; a report that cannot be made is `failed` with the reason.
// - analytics.reports-expire: completed reports past expires_at lose their file (row and bytes) and become `expired`.
import { storageForDataDir, deleteGeneratedFile, storeGeneratedFile } from '../files/index.ts';
import type { JobContext, JobDb, JobDefinition } from '../../platform/jobs/job.ts';
import { loadConfig } from '../../platform/config/config.ts';
import { storedKAnonymityThreshold } from '../admin/index.ts';
import { checkedK } from './k-anonymity.ts';
import { reportTable } from './reports.content.ts';
import { renderCsv, renderPdf } from './reports.render.ts';
import { createReportsRepository, type ReportRow } from './reports.repository.ts';

type ObjectStorage = ReturnType<typeof storageForDataDir>;

/** How long a generated report can be downloaded. */
export const REPORT_TTL_DAYS = 7;
/** A report still `processing` this long after it was taken belongs to a run that died: it is taken again. */
export const STALE_PROCESSING_MS = 15 * 60_000;
/** Reports one run generates at most; the rest wait a minute for the next. */
export const REPORTS_PER_RUN = 20;
/** files.metadata.kind of a report's file: the only files the expiry job deletes. */
export const REPORT_FILE_KIND = 'analytics-report';

export interface ReportJobOptions {
  storage?: (context: JobContext) => ObjectStorage;
  /** The k-anonymity threshold; by default VEZA_ANALYTICS_K_ANONYMITY, as the statistics endpoints use (ADR 0093). */
  k?: number;
}

const storageOf = (options: ReportJobOptions, context: JobContext) =>
  (options.storage ?? ((c: JobContext) => storageForDataDir(c.dataDir)))(context);

function fileNameOf(report: ReportRow): string {
  return `${report.report_type.replaceAll('_', '-')}-${report.period_start}-${report.period_end}.${report.format}`;
}

/** Renders one claimed report and stores it; answers the file id. */
async function produce(db: JobDb, storage: ObjectStorage, report: ReportRow, now: Date, k: number): Promise<string> {
  const repository = createReportsRepository(db);
  // One snapshot for the whole table: figures of one report never straddle a concurrent aggregation.
  const table = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((tx) => reportTable(repository, tx, report, now, k));
  const bytes = report.format === 'csv' ? renderCsv(table) : await renderPdf(table, now);
  return storeGeneratedFile(db, storage, {
    ownerId: report.requested_by ?? '',
    filename: fileNameOf(report),
    mimeType: report.format === 'csv' ? 'text/csv' : 'application/pdf',
    ext: report.format,
    bytes,
    kind: REPORT_FILE_KIND,
  });
}

export function createReportsGenerate(options: ReportJobOptions = {}): JobDefinition {
  return {
    name: 'analytics.reports-generate',
    description: 'generate the pending statistics exports (CSV, PDF) as private files of their requesters',
    defaultSchedule: '* * * * *',
    async run(context) {
      const storage = storageOf(options, context);
      const k = Math.max(
        checkedK(options.k ?? loadConfig().analytics?.kAnonymity),
        await storedKAnonymityThreshold(context.db),
      );
      const repository = createReportsRepository(context.db);
      for (let done = 0; done < REPORTS_PER_RUN; done += 1) {
        const report = await context.transaction((tx) =>
          repository.claim(tx, context.now, new Date(context.now.getTime() - STALE_PROCESSING_MS)),
        );
        if (!report) return;
        if (context.dryRun) {
          context.count('reports', 1);
          continue;
        }
        if (report.requested_by === null) {
          // The requester's account was deleted before the report was made: nobody could ever download it.
          await repository.fail(report.id, 'the requesting account no longer exists');
          continue;
        }
        let fileId: string;
        try {
          fileId = await produce(context.db, storage, report, context.now, k);
        } catch (error) {
          await repository.fail(report.id, error instanceof Error ? error.message : String(error));
          context.log(`analytics.reports-generate: ${report.id} failed`);
          continue;
        }
        const expiresAt = new Date(context.now.getTime() + REPORT_TTL_DAYS * 86_400_000);
        const completed = await context.transaction((tx) =>
          createReportsRepository(tx).complete(tx, report.id, fileId, context.now, expiresAt),
        );
        if (!completed) await deleteGeneratedFile(context.db, storage, fileId, REPORT_FILE_KIND);
        else context.count('reports', 1);
      }
    },
  };
}

export function createReportsExpire(options: ReportJobOptions = {}): JobDefinition {
  return {
    name: 'analytics.reports-expire',
    description: 'delete the files of statistics exports past their expiry and mark them expired',
    defaultSchedule: '17 * * * *',
    async run(context) {
      const storage = storageOf(options, context);
      for (;;) {
        const expired = await context.transaction(async (tx) => {
          const repository = createReportsRepository(tx);
          const rows = await repository.lockExpired(tx, context.now, 100);
          for (const row of rows) {
            await repository.markExpired(tx, row.id);
            // Bytes deleted by a transaction that then fails leave a completed report without bytes: the next run
            // takes it again (the delete is idempotent), and a download meanwhile answers a clean 404.
            if (row.file_id && !context.dryRun) await deleteGeneratedFile(tx, storage, row.file_id, REPORT_FILE_KIND);
          }
          return rows.length;
        });
        context.count('reports', expired);
        if (expired < 100 || context.dryRun) return;
      }
    },
  };
}

export const analyticsReportsGenerate = createReportsGenerate();
export const analyticsReportsExpire = createReportsExpire();

// What a report says (issue 18 §7-8; ADR 0094): the rows of each report type, with the k-anonymity rule of the
// analytics domain (k-anonymity.ts, ADR 0093: k >= MIN_K) applied to the creator types before anything is rendered. A cell describing fewer than K distinct people is
// suppressed (read "suppressed", never a number), and no total is printed beside the cells, so a suppressed cell
// cannot be recovered by subtraction.
import type { JobDb } from '../../platform/jobs/job.ts';
import type { Cell, ReportTable } from './reports.render.ts';
import type { ReportRow, ReportsRepository } from './reports.repository.ts';

/** A count of people, or a count of acts by `people` distinct people: null (suppressed) when they are fewer than k. */
export function suppressed<T extends Cell>(value: T, people: number, k: number): T | null {
  return people < k ? null : value;
}

/**
 * A count of acts each made by one person at most (likes) or by at least one (shares, downloads): 0 says nothing of
 * anyone; 1 to k-1 may single someone out.
 */
function smallCount(value: number, k: number): number | null {
  return value > 0 && value < k ? null : value;
}

const LABELS: Record<ReportRow['report_type'], string> = {
  track_performance: 'Track performance',
  sales: 'Sales',
  platform_activity: 'Platform activity',
  user_growth: 'User growth',
  moderation: 'Moderation',
};

export function defaultTitle(type: ReportRow['report_type'], start: string, end: string): string {
  return `${LABELS[type]}, ${start} to ${end}`;
}

export async function reportTable(
  repository: ReportsRepository,
  tx: JobDb,
  report: ReportRow,
  generatedAt: Date,
  k: number,
): Promise<ReportTable> {
  const { period_start: start, period_end: end } = report;
  const notes = [`Period: ${start} to ${end} (UTC days)`, `Generated ${generatedAt.toISOString()}`];
  const owner = report.requested_by ?? '';
  switch (report.report_type) {
    case 'track_performance': {
      const rows = await repository.trackPerformance(tx, owner, start, end);
      return {
        title: report.title,
        notes: [...notes, kNote('listeners', k)],
        columns: [
          'day',
          'track_id',
          'track_title',
          'plays',
          'unique_listeners',
          'played_seconds',
          'avg_completion_percent',
          'likes',
          'shares',
          'downloads',
        ],
        rows: rows.map((row) => {
          const people = row.unique_listeners;
          return [
            row.day,
            row.track_id,
            row.title,
            suppressed(row.play_count, people, k),
            suppressed(row.unique_listeners, people, k),
            suppressed(row.total_played_seconds, people, k),
            suppressed(row.avg_completion, people, k),
            smallCount(row.like_count, k),
            smallCount(row.share_count, k),
            smallCount(row.download_count, k),
          ];
        }),
      };
    }
    case 'sales': {
      const rows = await repository.sales(tx, owner, start, end);
      return {
        title: report.title,
        notes: [...notes, kNote('buyers', k)],
        columns: ['day', 'product_id', 'product_name', 'currency', 'units', 'buyers', 'gross'],
        rows: rows.map((row) => [
          row.day,
          row.product_id,
          row.product_name,
          row.currency,
          suppressed(row.units, row.buyers, k),
          suppressed(row.buyers, row.buyers, k),
          suppressed(row.gross, row.buyers, k),
        ]),
      };
    }
    case 'platform_activity':
    case 'user_growth':
    case 'moderation': {
      const rows =
        report.report_type === 'platform_activity'
          ? await repository.platformActivity(tx, start, end)
          : report.report_type === 'user_growth'
            ? await repository.userGrowth(tx, start, end)
            : await repository.moderation(tx, start, end);
      return {
        title: report.title,
        notes,
        columns: ['day', 'metric', 'breakdown', 'value', 'unit'],
        rows: rows.map((row) => [row.day, row.label, row.detail, row.value, row.unit]),
      };
    }
  }
}

function kNote(who: string, k: number): string {
  return `Figures describing fewer than ${k} distinct ${who} read "suppressed" (k-anonymity, k = ${k}).`;
}

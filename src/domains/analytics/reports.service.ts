// Statistics exports (issue 18 §8; ADR 0094): asked for here, made by analytics.reports-generate (reports.jobs.ts),
// downloaded by their requester alone through the files bridge, deleted with their file.
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { DeliveryAnswer, FilesBridge, GrantedDelivery } from '../files/index.ts';
import { defaultTitle } from './reports.content.ts';
import { AnalyticsReportProblems } from './reports.errors.ts';
import { REPORT_FILE_KIND } from './reports.jobs.ts';
import { mayReadReport, mayRequestReport } from './reports.policy.ts';
import type { ReportRow, ReportsRepository } from './reports.repository.ts';
import type { ReportRequest } from './reports.schemas.ts';

/** Reports of one person waiting to be generated at once: one run of the job makes twenty. */
export const MAX_WAITING_REPORTS = 5;
/** Longest period of one report, in days (a leap year). */
export const MAX_PERIOD_DAYS = 366;

export interface ReportsServiceDeps {
  repository: ReportsRepository;
  files: Pick<FilesBridge, 'deliver'>;
  deleteFile: (fileId: string, kind: string) => Promise<boolean>;
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

export class ReportsService {
  readonly #deps: ReportsServiceDeps;

  constructor(deps: ReportsServiceDeps) {
    this.#deps = deps;
  }

  view(row: ReportRow) {
    return {
      id: row.id,
      report_type: row.report_type,
      format: row.format,
      title: row.title,
      period_start: row.period_start,
      period_end: row.period_end,
      status: row.status,
      error_message: row.error_message,
      created_at: row.created_at.toISOString(),
      generated_at: row.generated_at?.toISOString() ?? null,
      expires_at: row.expires_at?.toISOString() ?? null,
      download_url: row.status === 'completed' ? `/v1/analytics/reports/${row.id}/download` : null,
    };
  }

  async request(caller: Caller, body: ReportRequest) {
    authorize(mayRequestReport(caller, body.report_type));
    const span = dayNumber(body.period_end) - dayNumber(body.period_start);
    if (!(span >= 0))
      throw new ApiError(AnalyticsReportProblems.reportInvalid, 'The period ends before it starts', [
        { field: 'body.period_end', rule: 'chk_reports_period_order', message: 'must not be before period_start' },
      ]);
    if (span >= MAX_PERIOD_DAYS)
      throw new ApiError(AnalyticsReportProblems.reportInvalid, `A report covers at most ${MAX_PERIOD_DAYS} days`, [
        { field: 'body.period_end', rule: 'maxPeriod', message: `at most ${MAX_PERIOD_DAYS} days after period_start` },
      ]);
    if ((await this.#deps.repository.countWaiting(caller.userId)) >= MAX_WAITING_REPORTS)
      throw new ApiError(
        AnalyticsReportProblems.tooManyPending,
        `At most ${MAX_WAITING_REPORTS} reports wait to be generated at once`,
      );
    const row = await this.#deps.repository.insert({
      requested_by: caller.userId,
      report_type: body.report_type,
      format: body.format,
      title: body.title ?? defaultTitle(body.report_type, body.period_start, body.period_end),
      period_start: body.period_start,
      period_end: body.period_end,
    });
    return this.view(row);
  }

  async list(caller: Caller) {
    return { items: (await this.#deps.repository.listOwn(caller.userId, 100)).map((row) => this.view(row)) };
  }

  async #own(caller: Caller, id: string): Promise<ReportRow> {
    const row = await this.#deps.repository.find(id);
    authorize(mayReadReport(caller, row), AnalyticsReportProblems.reportNotFound);
    return row as ReportRow;
  }

  async get(caller: Caller, id: string) {
    return this.view(await this.#own(caller, id));
  }

  /** The file's bytes for its requester: 409 before it is made, 410 once expired. */
  async download(
    caller: Caller,
    id: string,
    request: Pick<GrantedDelivery, 'headers' | 'headOnly'>,
  ): Promise<{ answer: DeliveryAnswer; fileId: string }> {
    const row = await this.#own(caller, id);
    if (row.status === 'expired') throw new ApiError(AnalyticsReportProblems.reportExpired);
    if (row.status !== 'completed' || row.file_id === null)
      throw new ApiError(AnalyticsReportProblems.reportNotReady, `The report is ${row.status}`);
    const answer = await this.#deps.files.deliver({
      caller,
      fileId: row.file_id,
      headers: request.headers,
      headOnly: request.headOnly,
      grant: {
        rule: 'analytics-report',
        open: false,
        shareable: false,
        disposition: {
          kind: 'attachment',
          filename: `${row.report_type.replaceAll('_', '-')}-${row.period_start}-${row.period_end}.${row.format}`,
        },
      },
    });
    return { answer, fileId: row.file_id };
  }

  /** Deletes the report and its file now, whatever its status. */
  async remove(caller: Caller, id: string): Promise<void> {
    const row = await this.#own(caller, id);
    await this.#deps.repository.delete(row.id);
    if (row.file_id) await this.#deps.deleteFile(row.file_id, REPORT_FILE_KIND);
  }
}

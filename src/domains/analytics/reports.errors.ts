// Error catalogue of statistics exports, saved dashboards and event ingestion (issue 18 §8-9; ADR 0094). Stable
// codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const AnalyticsReportProblems = {
  /** No such report, or someone else's: a report exists for its requester alone. */
  reportNotFound: problemType('REPORT_NOT_FOUND', 404, 'No such report'),
  /** The report is pending, processing or failed: there is no file yet (or none will be). */
  reportNotReady: problemType('REPORT_NOT_READY', 409, 'The report has no file to download'),
  /** The report expired: its file was deleted; ask for a new one. */
  reportExpired: problemType('REPORT_EXPIRED', 410, 'The report expired and its file was deleted'),
  /** Too many of the caller's reports are waiting to be generated. */
  tooManyPending: problemType('REPORTS_PENDING_LIMIT', 409, 'Too many of your reports are still being generated'),
  /** A value breaks a rule no schema can say (a period ending before it starts, longer than a year). */
  reportInvalid: problemType('REPORT_REQUEST_INVALID', 422, 'The report request breaks a rule'),
  /** No such dashboard, or someone else's. */
  dashboardNotFound: problemType('DASHBOARD_NOT_FOUND', 404, 'No such dashboard'),
  /** uq_dashboard_configs_user_id_name: the caller has a dashboard of this name. */
  dashboardNameTaken: problemType('DASHBOARD_NAME_TAKEN', 409, 'You already have a dashboard of this name'),
  /** Widgets overlap, leave the grid, repeat an id, or are admin widgets on a creator dashboard. */
  layoutInvalid: problemType('DASHBOARD_LAYOUT_INVALID', 422, 'The dashboard layout breaks a rule'),
  /** An event names an entity_type without entity_id (or the other way round), or properties of another type. */
  eventInvalid: problemType('ANALYTICS_EVENT_INVALID', 422, 'An event breaks a rule; none was recorded'),
} as const;

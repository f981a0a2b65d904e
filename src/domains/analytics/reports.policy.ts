// Who may do what with statistics exports and dashboards (issue 18 §8; ADR 0094). Pure: the caller and the facts
// are passed in. A report and a dashboard are their owner's alone: to anyone else, administrators included, they
// do not exist (404, never 403). Platform-wide report types and admin dashboards are for administrators (403).
import { ALLOW, deny, ownerOnly, type Caller, type Decision } from '../../platform/policy/policy.ts';
import { ADMIN_REPORT_TYPES, type ReportType } from './reports.schemas.ts';

export function mayRequestReport(caller: Caller | null, type: ReportType): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to export your statistics');
  if ((ADMIN_REPORT_TYPES as readonly string[]).includes(type) && caller.role !== 'admin')
    return deny('forbidden', `Only administrators may request ${type} reports`);
  return ALLOW;
}

/** Reading, downloading and deleting a report: its requester. */
export function mayReadReport(caller: Caller | null, report: { requested_by: string | null } | undefined): Decision {
  return ownerOnly(caller, report?.requested_by ? { user_id: report.requested_by } : null, 'report');
}

export function mayManageDashboard(caller: Caller | null, dashboard: { user_id: string } | undefined): Decision {
  return ownerOnly(caller, dashboard, 'dashboard');
}

export function mayUseDashboardScope(caller: Caller | null, scope: 'creator' | 'admin'): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to keep dashboards');
  if (scope === 'admin' && caller.role !== 'admin')
    return deny('forbidden', 'Only administrators keep admin dashboards');
  return ALLOW;
}

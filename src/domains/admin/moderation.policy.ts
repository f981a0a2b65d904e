// Who may do what in moderation (issue 18 §11-12, ADR 0095). Pure: the caller and the facts are passed in.
//
// Any signed-in user reports, and reads their own reports (someone else's is 404, as if it did not exist).
// The queue, reports' details and actions are for moderators and administrators (403 for others: the routes are
// no secret). A moderator never acts on an administrator, nobody acts on their own account or content, and the
// last administrator cannot be banned or suspended (checked in the transaction, moderation.service.ts).
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

export function mayReport(caller: Caller | null): Decision {
  return caller ? ALLOW : deny('unauthenticated', 'Sign in to report something');
}

export function mayModerate(caller: Caller | null): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to moderate');
  if (caller.role !== 'moderator' && caller.role !== 'admin')
    return deny('forbidden', 'Only moderators and administrators handle reports');
  return ALLOW;
}

/** The account concerned by an action: the reported user, or whoever owns the content. */
export interface ConcernedAccount {
  id: string;
  role: string;
}

export function mayActOn(caller: Caller, concerned: ConcernedAccount | undefined): Decision {
  const moderating = mayModerate(caller);
  if (!moderating.allowed) return moderating;
  if (!concerned) return ALLOW;
  if (concerned.id === caller.userId) return deny('forbidden', 'Another moderator must handle your own account');
  if (concerned.role === 'admin' && caller.role !== 'admin')
    return deny('forbidden', 'Moderators do not act on administrators');
  return ALLOW;
}

/** Assignees of reports: live moderators and administrators. */
export function mayHandleReports(account: { role: string } | undefined): boolean {
  return account !== undefined && (account.role === 'moderator' || account.role === 'admin');
}

// Who may read and change the platform's settings, flags and operational views (issue 18 §13-15; ADR 0096): the
// platform's administrators only. Moderators act on content (the moderation domain), not on the platform itself.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

function adminOnly(caller: Caller | null, what: string): Decision {
  if (!caller) return deny('unauthenticated', `Sign in to reach ${what}`);
  if (caller.role !== 'admin') return deny('forbidden', `Only administrators may reach ${what}`);
  return ALLOW;
}

export const platformAdminPolicy = {
  manageSettings: (caller: Caller | null): Decision => adminOnly(caller, 'system settings and feature flags'),
  viewOperations: (caller: Caller | null): Decision =>
    adminOnly(caller, 'job runs, GDPR requests and the account list'),
};

// Who may read which statistics (issue 18 §6, 10; ADR 0093). Creator statistics: the owner of the track, product or
// course only, and to anyone else it does not exist. Platform metrics: staff.
import { ALLOW, deny, ownerOnly, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** The statistics of a track, product or course: its owner only (hidden from everyone else). */
export function mayReadEntityStats(caller: Caller | null, owner: { user_id: string } | undefined): Decision {
  return ownerOnly(caller, owner, 'track, product or course');
}

/** The platform-wide metrics: admins and moderators. */
export function mayReadPlatformMetrics(caller: Caller | null): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to read platform metrics');
  if (caller.role !== 'admin' && caller.role !== 'moderator') {
    return deny('forbidden', 'Platform metrics are for admins and moderators');
  }
  return ALLOW;
}

// Who may do what in the profiles domain: one answer per question, for routes, services and, later, the
// WebSocket gateway and file delivery (avatars, banners). Pure: everything a rule needs is passed in.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** What a visibility rule needs to know of an account and its profile. */
export interface ProfileSubject {
  id: string;
  deleted_at: Date | null;
  is_banned: boolean;
  is_active: boolean;
  profile_visibility: string;
  /** The viewer and the account blocked one another, either way (social domain; ADR 0061). */
  blocked_with_viewer?: boolean;
  /** The viewer follows the account (an accepted follow; social domain, ADR 0060). */
  followed_by_viewer?: boolean;
}

const STAFF = new Set(['admin', 'moderator']);

function staffOnly(caller: Caller | null, roles: ReadonlySet<string>, what: string): Decision {
  if (!caller) return deny('unauthenticated', `Sign in to ${what}`);
  if (!roles.has(caller.role)) return deny('forbidden', `This needs the role ${[...roles].join(' or ')}`);
  return ALLOW;
}

export const profilesPolicy = {
  /**
   * Public and unlisted profiles: anyone with the link; private: the owner and their accepted followers (ADR 0060;
   * staff too reach accounts through the admin routes, by id, not here). Deleted, banned and deactivated accounts
   * exist for nobody; under a block either way, each exists for the other no more (ADR 0061).
   */
  viewProfile: (viewer: Caller | null, subject: ProfileSubject): Decision => {
    if (subject.deleted_at !== null || subject.is_banned || !subject.is_active) return deny('hidden', 'No such user');
    if (subject.blocked_with_viewer === true && viewer?.userId !== subject.id) return deny('hidden', 'No such user');
    if (
      subject.profile_visibility === 'private' &&
      viewer?.userId !== subject.id &&
      subject.followed_by_viewer !== true
    )
      return deny('hidden', 'No such user');
    return ALLOW;
  },

  manageBadgeCatalogue: (caller: Caller | null): Decision => {
    return staffOnly(caller, new Set(['admin']), 'manage the badge catalogue');
  },

  /** Staff verify declared professional roles; that nobody verifies their own is a rule with its own code. */
  verifyDeclaredRoles: (caller: Caller | null): Decision => {
    return staffOnly(caller, STAFF, 'verify roles');
  },

  changePlatformRoles: (caller: Caller | null): Decision => {
    return staffOnly(caller, new Set(['admin']), "change users' platform roles");
  },
} as const;

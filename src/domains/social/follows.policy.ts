// Who may follow whom, and who may see whose connections (issue 15 §1-2; ADRs 0060, 0061). Pure: the caller and
// the facts about the other account are passed in. A block either way reads exactly like a missing account, so
// that nobody learns they were blocked (rule 3).
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** The other account of a follow, block or list, as a rule needs to know it. */
export interface AccountSubject {
  id: string;
  /** A live account: not deleted, banned or deactivated. */
  exists: boolean;
  /** The caller blocked them or they blocked the caller. */
  blocked: boolean;
  profile_visibility: 'public' | 'unlisted' | 'private';
  /** The caller follows them (an accepted follow). */
  followed_by_caller: boolean;
}

export const followsPolicy = {
  /** Following (or asking to follow, for a private profile): a signed-in caller, a live account, no block. */
  mayFollow: (caller: Caller | null, subject: AccountSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to follow people');
    if (!subject || !subject.exists || subject.blocked) return deny('hidden', 'No such user');
    return ALLOW;
  },

  /**
   * Seeing an account's followers and following: anyone (anonymous too) for public and unlisted profiles; for a
   * private one, its owner and accepted followers only; nobody under a block either way. Staff have no special
   * access here (they reach accounts through the admin routes).
   */
  mayListConnections: (caller: Caller | null, subject: AccountSubject | null | undefined): Decision => {
    if (!subject || !subject.exists) return deny('hidden', 'No such user');
    if (caller?.userId === subject.id) return ALLOW;
    if (subject.blocked) return deny('hidden', 'No such user');
    if (subject.profile_visibility === 'private' && !subject.followed_by_caller) return deny('hidden', 'No such user');
    return ALLOW;
  },

  /** Blocking someone: a signed-in caller, an account that exists (blocking twice is a no-op). */
  mayBlock: (caller: Caller | null, subject: Pick<AccountSubject, 'exists'> | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to block people');
    if (!subject || !subject.exists) return deny('hidden', 'No such user');
    return ALLOW;
  },
};

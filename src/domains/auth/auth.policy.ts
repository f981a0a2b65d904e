// Who may do what to the auth domain's objects. Each (a linked identity, a session) belongs to one account and
// is its owner's alone: to anyone else it does not exist. The repositories also scope their statements by owner
// (sessions only that way), so a policy slip cannot reach another account's rows.
import { ownerOnly, type Caller, type Decision, type Owned } from '../../platform/policy/policy.ts';

export const authPolicy = {
  /** Unlink a federated identity: only one's own (the last-login-method rule comes after, as a conflict). */
  unlinkIdentity: (caller: Pick<Caller, 'userId'> | null, identity: Owned | null | undefined): Decision => {
    return ownerOnly(caller, identity, 'identity');
  },
} as const;

// Who may do what with cloud accounts and backups (issue 17 §9-11, ADR 0085). Pure: the caller and the facts are
// passed in. An account, its backups and their transfer log are the owner's alone: to anyone else (moderators and
// administrators included) they do not exist (404, never 403) — they lead to someone's private storage.
import { ownerOnly, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** Reading, testing, disconnecting an account; creating, running, reading and deleting its backups. */
export function mayUseCloudAccount(caller: Caller | null, account: { user_id: string } | null | undefined): Decision {
  return ownerOnly(caller, account, 'cloud account');
}

// Who may do what with gear (issue 17 §6, 8; ADR 0079): one answer for the routes, the CSV import/export and the
// public setup page. Pure: the caller and the facts are passed in.
//
// An item, its warranties and maintenance log are the owner's alone: to anyone else (moderators and admins
// included) they do not exist (404 GEAR_NOT_FOUND, never 403). Categories are reference data that anyone reads
// and administrators manage. The setup page is shown only when its owner turned it on, and never across a block.
import { ALLOW, deny, ownerOnly, type Caller, type Decision } from '../../platform/policy/policy.ts';
import type { ProfileVisibility } from '../profiles/index.ts';

/** What a rule needs to know of an `equipment` row. */
export interface EquipmentSubject {
  user_id: string;
  deleted_at: Date | null;
}

/** Reading, editing, deleting an item and its warranties and maintenance entries. */
export function mayManageEquipment(caller: Caller | null, item: EquipmentSubject | null | undefined): Decision {
  return ownerOnly(caller, item && item.deleted_at === null ? item : null, 'equipment');
}

/** Creating, renaming, moving and deleting categories: administrators (403 for others: the catalogue is public). */
export function mayManageCategories(caller: Caller | null): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to manage equipment categories');
  if (caller.role !== 'admin') return deny('forbidden', 'Only administrators manage equipment categories');
  return ALLOW;
}

/** The facts of a setup page's owner, as seen by one viewer. */
export interface SetupOwner {
  userId: string;
  /** undefined: no live account (deleted, banned, deactivated). */
  visibility: ProfileVisibility | undefined;
  setupPublic: boolean;
  blockedEitherWay: boolean;
  viewerFollows: boolean;
}

/**
 * The public "my setup" page: its owner always (a preview, even while it is off); others when it is on, the
 * account is live, neither blocked the other, and the profile is not private (or the viewer follows it).
 */
export function mayViewSetup(viewer: Caller | null, owner: SetupOwner): Decision {
  const hidden = deny('hidden', 'No such setup page');
  if (owner.visibility === undefined) return hidden;
  if (viewer?.userId === owner.userId) return ALLOW;
  if (owner.blockedEitherWay || !owner.setupPublic) return hidden;
  if (owner.visibility === 'private' && !owner.viewerFollows) return hidden;
  return ALLOW;
}

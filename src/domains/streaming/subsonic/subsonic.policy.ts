// Who may manage a Subsonic credential (issue 13 §6, ADR 0051). Pure: the caller and the row are passed in. What a
// signed-in player may see and change through /rest is the tracks and playlists policies' answer, asked by the
// Subsonic service for each object (tracks.policy.ts, playlists.policy.ts).
import { ownerOnly, type Caller, type Decision } from '../../../platform/policy/policy.ts';

export const subsonicPolicy = {
  /** Listing and revoking: the owner only; anyone else's credential does not exist for them. */
  mayManageCredential: (caller: Caller | null, credential: { user_id: string } | null | undefined): Decision =>
    ownerOnly(caller, credential, 'Subsonic credential'),
};

// Who may see, follow and change a playlist (issue 13 §4, ADR 0049): one answer for the playlist routes and the
// OpenSubsonic playlist calls. Pure: the caller, the playlist's row and whether the caller collaborates on it
// (a playlist_collaborators row) are passed in.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** What a rule needs to know of a `playlists` row. */
export interface PlaylistSubject {
  user_id: string;
  visibility: 'public' | 'unlisted' | 'private';
  is_collaborative: boolean;
  deleted_at: Date | null;
}

const isOwner = (caller: Caller | null, playlist: PlaylistSubject) =>
  caller !== null && caller.userId === playlist.user_id;

/** Owner only; to a caller who sees the playlist that is a 403, to anyone else it does not exist. */
function ownerOnly(
  caller: Caller | null,
  playlist: PlaylistSubject | null | undefined,
  collaborates: boolean,
  what: string,
) {
  if (!caller) return deny('unauthenticated', `Sign in to ${what}`);
  const visible = playlistsPolicy.mayView(caller, playlist, collaborates);
  if (!visible.allowed) return visible;
  if (playlist && isOwner(caller, playlist)) return ALLOW;
  return deny('forbidden', `Only the owner of the playlist may ${what}`);
}

export const playlistsPolicy = {
  /**
   * Seeing the playlist and its entries. A deleted playlist exists for nobody. A private one exists for its owner
   * and its collaborators only; a public or unlisted one for anyone holding its id, signed in or not.
   */
  mayView: (caller: Caller | null, playlist: PlaylistSubject | null | undefined, collaborates: boolean): Decision => {
    if (!playlist || playlist.deleted_at !== null) return deny('hidden', 'No such playlist');
    if (isOwner(caller, playlist)) return ALLOW;
    if (caller !== null && collaborates) return ALLOW;
    if (playlist.visibility === 'private') return deny('hidden', 'No such playlist');
    return ALLOW;
  },

  /** Shown in someone's list of playlists: all of one's own, only the public ones of others. */
  isListedFor: (caller: Caller | null, playlist: PlaylistSubject): boolean =>
    playlist.deleted_at === null && (isOwner(caller, playlist) || playlist.visibility === 'public'),

  /** Name, description, visibility, collaborative flag: the owner only. */
  mayEditDetails: (caller: Caller | null, playlist: PlaylistSubject | null | undefined, collaborates: boolean) =>
    ownerOnly(caller, playlist, collaborates, 'change its details'),

  /** Soft delete: the owner only. */
  mayDelete: (caller: Caller | null, playlist: PlaylistSubject | null | undefined, collaborates: boolean) =>
    ownerOnly(caller, playlist, collaborates, 'delete it'),

  /** Inviting collaborators: the owner only. */
  mayInvite: (caller: Caller | null, playlist: PlaylistSubject | null | undefined, collaborates: boolean) =>
    ownerOnly(caller, playlist, collaborates, 'invite collaborators'),

  /**
   * Adding, removing and moving entries: the owner, and its collaborators while the playlist is collaborative
   * (the owner may pause collaboration without uninviting anyone).
   */
  mayEditEntries: (
    caller: Caller | null,
    playlist: PlaylistSubject | null | undefined,
    collaborates: boolean,
  ): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to change a playlist');
    const visible = playlistsPolicy.mayView(caller, playlist, collaborates);
    if (!visible.allowed) return visible;
    if (playlist && isOwner(caller, playlist)) return ALLOW;
    if (collaborates && playlist?.is_collaborative) return ALLOW;
    return deny('forbidden', 'Only the owner and the collaborators of a collaborative playlist may change its tracks');
  },

  /** Removing a collaborator: the owner removes anyone, a collaborator removes themself (leaves). */
  mayRemoveCollaborator: (
    caller: Caller | null,
    playlist: PlaylistSubject | null | undefined,
    collaborates: boolean,
    collaboratorId: string,
  ): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to change a playlist');
    const visible = playlistsPolicy.mayView(caller, playlist, collaborates);
    if (!visible.allowed) return visible;
    if (playlist && isOwner(caller, playlist)) return ALLOW;
    if (collaborates && caller.userId === collaboratorId) return ALLOW;
    return deny('forbidden', 'Only the owner removes collaborators; a collaborator may only leave');
  },

  /** Following: anyone signed in who sees the playlist (the service refuses the owner's own). */
  mayFollow: (caller: Caller | null, playlist: PlaylistSubject | null | undefined, collaborates: boolean): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to follow a playlist');
    return playlistsPolicy.mayView(caller, playlist, collaborates);
  },
};

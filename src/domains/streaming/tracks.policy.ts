// Who may see, play and manage a track: one answer for the track API, streams, likes, comments, playlists, the
// queue, the OpenSubsonic API and the embed page (issue 13). Pure: the caller and the track's row are passed in.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** What a rule needs to know of a `tracks` row. */
export interface TrackSubject {
  creator_id: string;
  visibility: 'public' | 'unlisted' | 'private';
  published_at: Date | null;
  deleted_at: Date | null;
}

const isCreator = (caller: Caller | null, track: TrackSubject) => caller !== null && caller.userId === track.creator_id;

export const tracksPolicy = {
  /**
   * Seeing the track and playing it. A deleted track exists for nobody. Its creator sees every other state;
   * everyone else sees a published track that is public (listed) or unlisted (anyone holding the link), and to
   * them a draft or a private track does not exist.
   */
  mayListen: (caller: Caller | null, track: TrackSubject | null | undefined): Decision => {
    if (!track || track.deleted_at !== null) return deny('hidden', 'No such track');
    if (isCreator(caller, track)) return ALLOW;
    if (track.published_at === null) return deny('hidden', 'No such track');
    if (track.visibility === 'private') return deny('hidden', 'No such track');
    return ALLOW;
  },

  /** Listed where anyone browses (creator pages, genres, newest, trending, search): public and published. */
  isListed: (track: TrackSubject): boolean =>
    track.deleted_at === null && track.published_at !== null && track.visibility === 'public',

  /**
   * Putting the track into something others may see (a playlist, a shared queue): the caller may listen to it
   * and it is not someone else's private track (a creator's own private track may go into their own things).
   */
  mayShare: (caller: Caller | null, track: TrackSubject | null | undefined): Decision => {
    const listen = tracksPolicy.mayListen(caller, track);
    if (!listen.allowed) return listen;
    return ALLOW;
  },

  /** Editing, publishing, unpublishing and deleting: the creator only; to anyone else it is hidden or read-only. */
  mayManage: (caller: Caller | null, track: TrackSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to manage your tracks');
    if (!track || track.deleted_at !== null) return deny('hidden', 'No such track');
    if (isCreator(caller, track)) return ALLOW;
    const visible = tracksPolicy.mayListen(caller, track);
    return visible.allowed ? deny('forbidden', 'Only the creator of a track may change it') : visible;
  },

  /** Moderating the comments of a track: its creator, and platform moderators and admins. */
  mayModerateComments: (caller: Caller | null, track: TrackSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to moderate comments');
    const visible = tracksPolicy.mayListen(caller, track);
    if (!visible.allowed) return visible;
    if (track && isCreator(caller, track)) return ALLOW;
    if (caller.role === 'moderator' || caller.role === 'admin') return ALLOW;
    return deny('forbidden', 'Only the creator of the track or a moderator may moderate its comments');
  },
};

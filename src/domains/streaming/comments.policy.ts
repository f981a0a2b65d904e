// Who may read, write, edit and remove the comments of a track (issue 13 §3, ADR 0053). Pure: the caller, the
// comment's row and its track's row are passed in. Seeing a track (tracksPolicy.mayListen) is seeing its comments;
// to anyone who may not see the track, its comments do not exist.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';
import { tracksPolicy, type TrackSubject } from './tracks.policy.ts';

/** What a rule needs to know of a `track_comments` row, and of the track it belongs to. */
export interface CommentSubject {
  user_id: string;
  /** Deleted: its words are gone; it may still stand in a thread as a placeholder (ADR 0053). */
  is_deleted: boolean;
  /** Set once nothing shows the comment any more, not even as a placeholder; the retention clock. */
  deleted_at: Date | null;
  track: TrackSubject;
}

/** Who removed a comment, as the placeholder that replaces it says. */
export type Remover = 'author' | 'creator' | 'moderator';

const isAuthor = (caller: Caller | null, comment: CommentSubject) =>
  caller !== null && caller.userId === comment.user_id;

export const commentsPolicy = {
  /** Reading a comment (or its placeholder, while it holds a thread together): whoever may see the track. */
  mayRead: (caller: Caller | null, comment: CommentSubject | null | undefined): Decision => {
    if (!comment || comment.deleted_at !== null) return deny('hidden', 'No such comment');
    const track = tracksPolicy.mayListen(caller, comment.track);
    return track.allowed ? ALLOW : deny('hidden', 'No such comment');
  },

  /** Commenting on a track, or replying under it: any signed-in caller who may see the track. */
  mayComment: (caller: Caller | null, track: TrackSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to comment');
    return tracksPolicy.mayListen(caller, track);
  },

  /**
   * Changing the words: the author only, while the comment is not deleted and the author may still see the track.
   * Another reader of the comment is refused with 403 (the comment is no secret to them).
   */
  mayEdit: (caller: Caller | null, comment: CommentSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to edit your comments');
    if (!comment || comment.is_deleted) return deny('hidden', 'No such comment');
    const readable = commentsPolicy.mayRead(caller, comment);
    if (!readable.allowed) return readable;
    if (isAuthor(caller, comment)) return ALLOW;
    return deny('forbidden', 'Only the author of a comment may edit it');
  },

  /**
   * Removing a comment: its author, always (their words are theirs, even once the track is hidden from them), and
   * whoever moderates the track's comments (its creator, moderators, admins). Others who can read it get 403; to
   * those who cannot, it does not exist.
   */
  mayDelete: (caller: Caller | null, comment: CommentSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to delete comments');
    if (!comment || comment.is_deleted || comment.deleted_at !== null) return deny('hidden', 'No such comment');
    if (isAuthor(caller, comment)) return ALLOW;
    const moderation = tracksPolicy.mayModerateComments(caller, comment.track);
    if (moderation.allowed) return ALLOW;
    const readable = commentsPolicy.mayRead(caller, comment);
    return readable.allowed ? deny('forbidden', 'Only the author, the track’s creator or a moderator may') : readable;
  },

  /** In whose name an allowed removal is made: the placeholder says "deleted" or "removed by …". */
  remover: (caller: Caller, comment: CommentSubject): Remover => {
    if (isAuthor(caller, comment)) return 'author';
    return caller.userId === comment.track.creator_id ? 'creator' : 'moderator';
  },
};

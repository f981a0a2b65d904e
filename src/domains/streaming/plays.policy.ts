// Who may report a play, touch a listening-history entry, or embed a track (issue 13 §2, §7; ADR 0045, 0048).
// Pure: the caller and the rows are passed in. Whether a track may be heard at all is tracksPolicy's answer.
import { ALLOW, deny, ownerOnly, type Caller, type Decision } from '../../platform/policy/policy.ts';
import { tracksPolicy, type TrackSubject } from './tracks.policy.ts';

/** What a rule needs to know of a playback_history row. */
export interface HistoryEntrySubject {
  /** NULL once the entry was cleared or anonymised: then it is nobody's. */
  user_id: string | null;
}

export const playsPolicy = {
  /**
   * Reporting a play: a signed-in listener of a track they may hear. Anonymous plays are not counted (ADR 0045):
   * without an account there is nothing to hold one play per window to but an address, which is personal data
   * and shared by whole households and networks.
   */
  mayReportPlay: (caller: Caller | null, track: TrackSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to report plays');
    return tracksPolicy.mayListen(caller, track);
  },

  /** Seeing and forgetting an entry of a listening history: only the listener it belongs to. */
  mayTouchHistoryEntry: (caller: Caller | null, entry: HistoryEntrySubject | null | undefined): Decision =>
    ownerOnly(caller, entry?.user_id ? { user_id: entry.user_id } : null, 'history entry'),

  /**
   * The embeddable player (ADR 0048): a track listed for everyone (public, published, not deleted). An unlisted
   * track is not embeddable even by its creator: a page meant to be framed anywhere would publish its link.
   */
  mayEmbed: (track: TrackSubject | null | undefined): Decision =>
    track && tracksPolicy.isListed(track) ? ALLOW : deny('hidden', 'No such track'),
};

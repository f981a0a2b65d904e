// Who sees whose presence, and who may type or see typing in a room (issue 14 §5, ADR 0059). Pure: the facts are
// passed in (the user's chosen audience, whether the two share a room, whether a block stands between them).
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';
import type { PresenceVisibility } from './presence.schemas.ts';

export interface PresenceSubject {
  user_id: string;
  visibility: PresenceVisibility;
  /** The viewer and the user are both members (not banned) of a room that is not deleted. */
  shares_room: boolean;
  /** Either blocked the other. */
  blocked: boolean;
}

/** A caller's standing in a room, for typing: undefined when not a member or the room is gone. */
export interface TypingMembership {
  is_banned: boolean;
  is_muted: boolean;
}

export const presencePolicy = {
  /**
   * Seeing someone's presence: themselves always; nobody blocked either way; else as the user chose: everyone,
   * the people they share a room with, or nobody. Staff see no more than anyone.
   */
  maySeePresence: (viewer: Caller | null, subject: PresenceSubject): Decision => {
    if (!viewer) return deny('unauthenticated', 'Sign in to see presence');
    if (viewer.userId === subject.user_id) return ALLOW;
    if (subject.blocked) return deny('hidden', 'Presence not shared');
    switch (subject.visibility) {
      case 'everyone':
        return ALLOW;
      case 'shared_rooms':
        return subject.shares_room ? ALLOW : deny('hidden', 'Presence not shared');
      case 'nobody':
        return deny('hidden', 'Presence not shared');
    }
  },

  /** Seeing who types in a room: its members who are not banned (to anyone else the room does not exist). */
  maySeeTyping: (caller: Caller | null, membership: TypingMembership | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to see who is typing');
    if (!membership || membership.is_banned) return deny('hidden', 'No such room');
    return ALLOW;
  },

  /** Saying one types: a member who may send (not muted), as sending is what typing announces. */
  mayType: (caller: Caller | null, membership: TypingMembership | null | undefined): Decision => {
    const seeing = presencePolicy.maySeeTyping(caller, membership);
    if (!seeing.allowed) return seeing;
    if (membership?.is_muted) return deny('forbidden', 'You are muted in this room');
    return ALLOW;
  },
};

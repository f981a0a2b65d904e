// Who may write to whom, and who may touch a direct message (issue 14 §3, ADR 0058). Pure: the caller, and the
// facts about the other person or the message, are passed in. A block either way makes the conversation vanish
// for both: nobody learns that they were blocked, or whom they blocked, from these answers.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

/** The other person of a conversation, as a rule needs to know them. */
export interface CounterpartSubject {
  /** A live account (not deleted). */
  exists: boolean;
  /** Either of the two blocked the other. */
  blocked: boolean;
}

/** What a rule needs of a `direct_messages` row. */
export interface DirectMessageSubject {
  sender_id: string;
  recipient_id: string;
  is_deleted_by_sender: boolean;
  is_deleted_by_recipient: boolean;
  /** Set once both sides deleted it (or an account went): shown to nobody. */
  deleted_at: Date | null;
}

/** The side of a message the caller is on, or null when it is not theirs at all. */
export function sideOf(caller: Pick<Caller, 'userId'>, message: DirectMessageSubject): 'sender' | 'recipient' | null {
  if (message.sender_id === caller.userId) return 'sender';
  if (message.recipient_id === caller.userId) return 'recipient';
  return null;
}

const visibleTo = (caller: Caller, message: DirectMessageSubject) => {
  if (message.deleted_at !== null) return false;
  const side = sideOf(caller, message);
  if (side === 'sender') return !message.is_deleted_by_sender;
  if (side === 'recipient') return !message.is_deleted_by_recipient;
  return false;
};

export const directPolicy = {
  /**
   * Writing to someone, or reading the conversation with them: a signed-in caller, to a live account, with no
   * block either way. Staff have no special access to anyone's conversations.
   */
  mayConverse: (caller: Caller | null, counterpart: CounterpartSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to read and send direct messages');
    if (!counterpart || !counterpart.exists) return deny('hidden', 'No such conversation');
    if (counterpart.blocked) return deny('hidden', 'No such conversation');
    return ALLOW;
  },

  /** Deleting a message from one's own view: either participant, while it is still in their view. */
  mayDeleteForSelf: (caller: Caller | null, message: DirectMessageSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to manage your direct messages');
    if (!message || !visibleTo(caller, message)) return deny('hidden', 'No such direct message');
    return ALLOW;
  },

  /** Naming a message as the read mark: one the caller received and still sees. */
  mayMarkRead: (caller: Caller | null, message: DirectMessageSubject | null | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to manage your direct messages');
    if (!message || !visibleTo(caller, message) || sideOf(caller, message) !== 'recipient')
      return deny('hidden', 'No such direct message');
    return ALLOW;
  },
};

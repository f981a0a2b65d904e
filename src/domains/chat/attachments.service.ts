// The file attached to a room message or a direct message, for whoever may read the message (issue 14 follow-up;
// ADRs 0057, 0058): a room member, or a party of the conversation with no block either way. The bytes go through
// the files bridge's granted delivery (ranges, ETag, If-None-Match as on /v1/files, ADR 0042). A message that is
// deleted (for everyone, or on the caller's side), has no attachment, or that the caller may not read is 404 like
// a message that never existed; the sender never has to make the file public.
import type { BridgedFile, DeliveryAnswer, FilesBridge } from '../files/index.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { ChatProblems } from './chat.errors.ts';
import { directPolicy, sideOf } from './direct.policy.ts';
import type { DirectRepository } from './direct.repository.ts';
import type { MessagesRepository } from './messages.repository.ts';
import { mayRead } from './rooms.policy.ts';
import type { RoomsRepository } from './rooms.repository.ts';

export interface AttachmentsDeps {
  rooms: Pick<RoomsRepository, 'find' | 'membership'>;
  messages: Pick<MessagesRepository, 'find'>;
  direct: Pick<DirectRepository, 'find'>;
  files: Pick<FilesBridge, 'deliver' | 'findFile'>;
  /** Profiles domain: whether the account is live (not deleted). */
  accountExists: (userId: string) => Promise<boolean>;
  /** Social domain: a block between the two, either way. */
  isBlockedEitherWay: (a: string, b: string) => Promise<boolean>;
}

type RangeHeaders = { range?: string; 'if-range'?: string; 'if-none-match'?: string; 'if-modified-since'?: string };

/** The path of a room message's attachment, as message representations give it (`attachment_url`). */
export const roomAttachmentUrl = (roomId: string, messageId: string) =>
  `/v1/rooms/${roomId}/messages/${messageId}/attachment`;

/** The path of a direct message's attachment, seen from the caller (`counterpartId` is the other person). */
export const directAttachmentUrl = (counterpartId: string, messageId: string) =>
  `/v1/me/conversations/${counterpartId}/messages/${messageId}/attachment`;

/** The grant a readable message gives its reader: private bytes, never kept by shared caches. */
const CHAT_GRANT = { rule: 'chat-attachment', open: false, shareable: false } as const;

export function createAttachmentsService(deps: AttachmentsDeps) {
  async function deliver(caller: Caller, fileId: string, headers: RangeHeaders, headOnly: boolean) {
    const file: BridgedFile | undefined = await deps.files.findFile(fileId);
    // The sender's file as it was attached; one deleted since, or quarantined, is gone for readers too.
    if (!file || file.deleted) throw new ApiError(ChatProblems.messageNotFound, 'This message has no attachment');
    const answer: DeliveryAnswer = await deps.files.deliver({
      caller,
      fileId,
      grant: { ...CHAT_GRANT, disposition: { kind: 'attachment', filename: file.original_filename } },
      headers,
      headOnly,
    });
    return { answer, fileId };
  }

  return {
    /** A room message's attachment: members of a live room, a message not deleted, with a file. */
    async room(caller: Caller, roomId: string, messageId: string, headers: RangeHeaders, headOnly: boolean) {
      const room = await deps.rooms.find(roomId);
      const membership = room ? await deps.rooms.membership(roomId, caller.userId) : undefined;
      authorize(mayRead(caller, room, membership), ChatProblems.roomNotFound);
      const message = await deps.messages.find(roomId, messageId);
      if (!message || message.is_deleted || message.attachment_file_id === null)
        throw new ApiError(ChatProblems.messageNotFound, 'No such message with an attachment in the room');
      return deliver(caller, message.attachment_file_id, headers, headOnly);
    },

    /** A direct message's attachment: a party still seeing it, in a conversation with no block either way. */
    async direct(caller: Caller, counterpartId: string, messageId: string, headers: RangeHeaders, headOnly: boolean) {
      const [exists, blocked] = await Promise.all([
        deps.accountExists(counterpartId),
        deps.isBlockedEitherWay(caller.userId, counterpartId),
      ]);
      authorize(directPolicy.mayConverse(caller, { exists, blocked }), ChatProblems.conversationNotFound);
      const message = await deps.direct.find(messageId);
      const inConversation =
        message !== undefined &&
        ((message.sender_id === caller.userId && message.recipient_id === counterpartId) ||
          (message.sender_id === counterpartId && message.recipient_id === caller.userId));
      const side = message && inConversation ? sideOf(caller, message) : null;
      const visible =
        message !== undefined &&
        side !== null &&
        message.deleted_at === null &&
        !(side === 'sender' ? message.is_deleted_by_sender : message.is_deleted_by_recipient);
      if (!visible || message.attachment_file_id === null)
        throw new ApiError(ChatProblems.directMessageNotFound, 'No such direct message with an attachment');
      return deliver(caller, message.attachment_file_id, headers, headOnly);
    },
  };
}

export type AttachmentsService = ReturnType<typeof createAttachmentsService>;

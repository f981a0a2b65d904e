// Room messages (issue 14 §2, ADR 0057): send (text or an attachment, idempotent by client key), edit, delete
// (soft, placeholder), replies, reactions, pins, mentions, read markers, history pages and search. Every change
// others see appends its chat event in the same transaction (chat.events.ts, the outbox the gateway fans out).
import type { Transaction } from 'kysely';
import type { DB, MessageType } from '../../platform/db/db.generated.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems, type ProblemType } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { FilesBridge } from '../files/index.ts';
import { roomAttachmentUrl } from './attachments.service.ts';
import { ChatProblems } from './chat.errors.ts';
import type { MessageView } from './chat.events.ts';
import type { MessageRow, MessagesRepository, ReactionCount } from './messages.repository.ts';
import type { History, HistoryQuery, Message, SearchQuery, SendMessage } from './messages.schemas.ts';
import { roomsPolicy } from './rooms.policy.ts';
import type { MembershipRow, RoomRow } from './rooms.repository.ts';
import { roomEvent, type RoomsService } from './rooms.service.ts';

/** Told of the accounts a new message mentions (the social issue will turn them into notifications). */
/** Called inside the message's transaction (`tx`), so a mention notification exists exactly when the message does. */
export type OnMentions = (
  roomId: string,
  messageId: string,
  userIds: string[],
  context: { tx: Transaction<DB>; senderId: string; content: string },
) => Promise<void> | void;

export interface MessagesServiceDeps {
  repository: MessagesRepository;
  rooms: RoomsService;
  files: Pick<FilesBridge, 'findFile'>;
  /** Live accounts by username (profiles' accountsNamed). */
  accountsNamed: (usernames: string[]) => Promise<{ id: string; username: string }[]>;
  onMentions?: OnMentions;
}

const iso = (date: Date) => date.toISOString();

function fieldError(type: ProblemType, detail: string, field: string, rule: string, message = detail): ApiError {
  return new ApiError(type, detail, [{ field, rule, message }]);
}

/** Mentions: `@` then a username (users.username: 3 to 30 letters, digits, underscores), not inside a word. */
const MENTION = /(?<![\w@])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])/g;
export const MAX_MENTIONS = 50;

export function mentionedUsernames(content: string): string[] {
  return [...new Set([...content.matchAll(MENTION)].map((m) => (m[1] ?? '').toLowerCase()))].slice(0, MAX_MENTIONS);
}

const EMOJI = /^\p{RGI_Emoji}$/v;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** One emoji grapheme that fits message_reactions.emoji (VARCHAR(10)). */
export function isSingleEmoji(text: string): boolean {
  if (text.length === 0 || text.length > 10) return false;
  if ([...graphemes.segment(text)].length !== 1) return false;
  return EMOJI.test(text);
}

/** message_type follows the attached file's media type. */
export function messageTypeOf(mimeType: string): MessageType {
  const top = mimeType.split('/')[0]?.toLowerCase();
  if (top === 'image' || top === 'audio' || top === 'video') return top;
  return 'file';
}

interface Metadata {
  client_key?: string;
  mentions?: string[];
}

const metadataOf = (row: MessageRow): Metadata =>
  row.metadata !== null && typeof row.metadata === 'object' ? row.metadata : {};

export function toMessage(row: MessageRow, viewerId: string, reactions: ReactionCount[] = []): Message {
  const metadata = metadataOf(row);
  return {
    id: row.id,
    room_id: row.room_id,
    sender_id: row.sender_id,
    content: row.is_deleted ? null : row.content,
    message_type: row.message_type,
    attachment_file_id: row.is_deleted ? null : row.attachment_file_id,
    attachment_url: row.is_deleted || row.attachment_file_id === null ? null : roomAttachmentUrl(row.room_id, row.id),
    reply_to_id: row.reply_to_id,
    mentions: row.is_deleted ? [] : (metadata.mentions ?? []),
    reactions: reactions
      .filter((r) => r.message_id === row.id)
      .map(({ emoji, count, mine }) => ({ emoji, count, mine })),
    is_edited: row.is_edited,
    edited_at: row.edited_at === null ? null : iso(row.edited_at),
    is_deleted: row.is_deleted,
    is_pinned: row.is_pinned,
    client_key: row.sender_id === viewerId ? (metadata.client_key ?? null) : null,
    created_at: iso(row.created_at),
  };
}

const toView = (row: MessageRow): MessageView => ({
  id: row.id,
  room_id: row.room_id,
  sender_id: row.sender_id,
  content: row.content,
  message_type: row.message_type,
  attachment_file_id: row.attachment_file_id,
  reply_to_id: row.reply_to_id,
  created_at: iso(row.created_at),
});

export class MessagesService {
  readonly #deps: MessagesServiceDeps;

  constructor(deps: MessagesServiceDeps) {
    this.#deps = deps;
  }

  /** The room and caller's membership after `rule` allowed (locks nothing). */
  async #room(
    caller: Caller,
    roomId: string,
    rule: (c: Caller, r: RoomRow | undefined, m: MembershipRow | undefined) => ReturnType<typeof roomsPolicy.mayRead>,
    executor?: Transaction<DB>,
  ) {
    const repo = this.#deps.rooms.repository;
    const room = await repo.find(roomId, executor);
    const membership = room ? await repo.membership(roomId, caller.userId, executor) : undefined;
    authorize(rule(caller, room, membership), ChatProblems.roomNotFound);
    return { room: room!, membership: membership! };
  }

  async #message(roomId: string, messageId: string, tx?: Transaction<DB>): Promise<MessageRow> {
    const row = tx
      ? await this.#deps.repository.findForUpdate(tx, roomId, messageId)
      : await this.#deps.repository.find(roomId, messageId);
    if (!row) throw new ApiError(ChatProblems.messageNotFound);
    return row;
  }

  /** The members of the room named by `@username` in `content`: nobody outside the room learns of a mention. */
  async #mentions(roomId: string, content: string): Promise<string[]> {
    const names = mentionedUsernames(content);
    if (names.length === 0) return [];
    const accounts = await this.#deps.accountsNamed(names);
    const members = await this.#deps.rooms.repository.membersAmong(
      roomId,
      accounts.map((a) => a.id),
    );
    return accounts.map((a) => a.id).filter((id) => members.has(id));
  }

  async #withReactions(rows: MessageRow[], viewerId: string): Promise<Message[]> {
    const reactions = await this.#deps.repository.reactionsOf(rows, viewerId);
    return rows.map((row) => toMessage(row, viewerId, reactions));
  }

  /**
   * Sends a message: 201 with a new one, or `created: false` with the message an earlier send with the same
   * client key created (ADR 0057). The key's sends are serialised by an advisory lock held to commit, so twenty
   * concurrent retries make one message.
   */
  async send(caller: Caller, roomId: string, body: SendMessage): Promise<{ message: Message; created: boolean }> {
    const sending = (c: Caller, r: RoomRow | undefined, m: MembershipRow | undefined) => roomsPolicy.maySend(c, r, m);
    await this.#room(caller, roomId, sending);
    if (body.content === undefined && body.attachment_file_id === undefined)
      throw fieldError(
        CommonProblems.validationFailed,
        'A message needs content or an attachment',
        'body.content',
        'required',
      );

    let messageType: MessageType = 'text';
    let content = body.content;
    if (body.attachment_file_id !== undefined) {
      const file = await this.#deps.files.findFile(body.attachment_file_id);
      const unusable = (rule: string, message: string) =>
        fieldError(ChatProblems.attachmentUnusable, `The file ${message}`, 'body.attachment_file_id', rule, message);
      if (!file || file.deleted || file.user_id !== caller.userId) throw unusable('owned', 'is not one of your files');
      if (file.derived_from !== null) throw unusable('original', 'is derived from another file');
      if (file.processing === 'quarantined' || !file.cleared)
        throw unusable('clean', 'has not been cleared by the virus scanner');
      if (file.processing !== 'processed') throw unusable('processed', 'is not processed yet');
      messageType = messageTypeOf(file.mime_type);
      content ??= file.original_filename.slice(0, 255) || 'attachment';
    }
    const text = content ?? '';
    const mentions = await this.#mentions(roomId, text);

    const result = await this.#deps.repository.inTransaction(async (tx) => {
      // Re-checked inside, holding the room row (lockForSend): a ban or mute committed since the first check
      // holds, and one arriving now waits for this message and its event.
      const room = await this.#deps.rooms.repository.lockForSend(tx, roomId);
      const membership = room ? await this.#deps.rooms.repository.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.maySend(caller, room, membership), ChatProblems.roomNotFound);
      if (body.client_key !== undefined) {
        await this.#deps.repository.lockClientKey(tx, caller.userId, body.client_key);
        const earlier = await this.#deps.repository.findByClientKey(tx, caller.userId, body.client_key);
        if (earlier) {
          if (earlier.room_id !== roomId)
            throw fieldError(
              ChatProblems.clientKeyReused,
              'This key names a message of another room',
              'body.client_key',
              'unique',
            );
          return { row: earlier, created: false };
        }
      }
      let replyTo: { id: string; stamp: string } | null = null;
      if (body.reply_to_id !== undefined) {
        const parent = await this.#deps.repository.find(roomId, body.reply_to_id, tx);
        if (!parent)
          throw fieldError(
            CommonProblems.validationFailed,
            'A reply answers a message of the same room',
            'body.reply_to_id',
            'same_room',
            'is not a message of this room',
          );
        replyTo = { id: parent.id, stamp: parent.stamp };
      }
      const metadata: Metadata = {
        ...(body.client_key === undefined ? {} : { client_key: body.client_key }),
        ...(mentions.length === 0 ? {} : { mentions }),
      };
      const row = await this.#deps.repository.insert(tx, {
        room_id: roomId,
        sender_id: caller.userId,
        content: text,
        message_type: messageType,
        attachment_file_id: body.attachment_file_id ?? null,
        reply_to: replyTo,
        metadata: Object.keys(metadata).length === 0 ? null : { ...metadata },
      });
      await roomEvent(tx, roomId, 'message.created', {
        message: { ...toView(row), client_key: body.client_key ?? null },
      });
      if (mentions.length > 0)
        await this.#deps.onMentions?.(roomId, row.id, mentions, { tx, senderId: caller.userId, content: text });
      return { row, created: true };
    });
    return { message: (await this.#withReactions([result.row], caller.userId))[0]!, created: result.created };
  }

  async edit(caller: Caller, roomId: string, messageId: string, content: string): Promise<Message> {
    const mentions = await this.#mentions(roomId, content);
    const row = await this.#deps.repository.inTransaction(async (tx) => {
      const { room, membership } = await this.#room(caller, roomId, roomsPolicy.mayRead, tx);
      const message = await this.#message(roomId, messageId, tx);
      authorize(roomsPolicy.mayEditMessage(caller, room, membership, message));
      if (message.is_deleted) throw new ApiError(ChatProblems.messageDeleted);
      const { mentions: _old, ...rest } = metadataOf(message);
      const metadata = { ...rest, ...(mentions.length === 0 ? {} : { mentions }) };
      const edited = await this.#deps.repository.edit(
        tx,
        message,
        content,
        Object.keys(metadata).length ? metadata : null,
      );
      await roomEvent(tx, roomId, 'message.edited', {
        room_id: roomId,
        message_id: messageId,
        content,
        edited_at: iso(edited.edited_at ?? new Date()),
      });
      return edited;
    });
    return (await this.#withReactions([row], caller.userId))[0]!;
  }

  /** Soft delete by the sender or a moderator above them; deleting a deleted message is a no-op. */
  async delete(caller: Caller, roomId: string, messageId: string): Promise<void> {
    await this.#deps.repository.inTransaction(async (tx) => {
      const { room, membership } = await this.#room(caller, roomId, roomsPolicy.mayRead, tx);
      const message = await this.#message(roomId, messageId, tx);
      const senderMembership =
        message.sender_id === caller.userId
          ? membership
          : await this.#deps.rooms.repository.membership(roomId, message.sender_id, tx);
      authorize(roomsPolicy.mayDeleteMessage(caller, room, membership, message, senderMembership));
      if (message.is_deleted) return;
      await this.#deps.repository.softDelete(tx, message);
      await roomEvent(tx, roomId, 'message.deleted', {
        room_id: roomId,
        message_id: messageId,
        deleted_by: caller.userId,
      });
    });
  }

  async setPinned(caller: Caller, roomId: string, messageId: string, pinned: boolean): Promise<void> {
    await this.#deps.repository.inTransaction(async (tx) => {
      await this.#room(caller, roomId, roomsPolicy.mayPin, tx);
      const message = await this.#message(roomId, messageId, tx);
      if (message.is_deleted) throw new ApiError(ChatProblems.messageDeleted);
      if (message.is_pinned === pinned) return;
      await this.#deps.repository.setPinned(tx, message, pinned);
      await roomEvent(tx, roomId, pinned ? 'message.pinned' : 'message.unpinned', {
        room_id: roomId,
        message_id: messageId,
        by: caller.userId,
      });
    });
  }

  async pins(caller: Caller, roomId: string): Promise<{ items: Message[] }> {
    await this.#room(caller, roomId, roomsPolicy.mayRead);
    return { items: await this.#withReactions(await this.#deps.repository.pinned(roomId), caller.userId) };
  }

  /** Adds (idempotent) or removes (idempotent) the caller's reaction. */
  async react(caller: Caller, roomId: string, messageId: string, emoji: string, add: boolean): Promise<Message> {
    if (!isSingleEmoji(emoji))
      throw fieldError(
        CommonProblems.validationFailed,
        'A reaction is one emoji',
        'params.emoji',
        'emoji',
        'is not a single emoji',
      );
    await this.#deps.repository.inTransaction(async (tx) => {
      await this.#room(caller, roomId, roomsPolicy.maySend, tx);
      const message = await this.#message(roomId, messageId, tx);
      if (message.is_deleted) throw new ApiError(ChatProblems.messageDeleted);
      const changed = add
        ? await this.#deps.repository.addReaction(tx, message, caller.userId, emoji)
        : await this.#deps.repository.removeReaction(tx, message, caller.userId, emoji);
      if (changed)
        await roomEvent(tx, roomId, add ? 'reaction.added' : 'reaction.removed', {
          room_id: roomId,
          message_id: messageId,
          user_id: caller.userId,
          emoji,
        });
    });
    const row = await this.#message(roomId, messageId);
    return (await this.#withReactions([row], caller.userId))[0]!;
  }

  /**
   * History next to a message: `before` (older), `after` (newer), `around` (the message, and up to half the page
   * on each side), or the newest page. Always newest first.
   */
  async history(caller: Caller, roomId: string, query: HistoryQuery): Promise<History> {
    const given = (['before', 'after', 'around'] as const).filter((k) => query[k] !== undefined);
    if (given.length > 1)
      throw fieldError(
        CommonProblems.validationFailed,
        'Give one of before, after, around',
        `query.${given[1]}`,
        'oneOf',
      );
    await this.#room(caller, roomId, roomsPolicy.mayRead);
    const repo = this.#deps.repository;
    const anchorId = query.before ?? query.after ?? query.around;
    let anchor: MessageRow | undefined;
    if (anchorId !== undefined) {
      anchor = await repo.find(roomId, anchorId);
      if (!anchor)
        throw fieldError(ChatProblems.messageNotFound, 'No such message in the room', `query.${given[0]}`, 'exists');
    }
    const limit = query.limit;
    let rows: MessageRow[];
    let hasOlder: boolean;
    let hasNewer: boolean;
    if (query.after !== undefined) {
      const newer = await repo.page(roomId, anchor!, 'after', limit);
      hasNewer = newer.length > limit;
      rows = newer.slice(0, limit).reverse();
      hasOlder = true;
    } else if (query.around !== undefined) {
      // The older half may be empty (limit 1): a page of 0 still fetches one row, which says whether there is more.
      const olderCount = Math.floor((limit - 1) / 2);
      const newerCount = limit - 1 - olderCount;
      const older = await repo.page(roomId, anchor!, 'before', olderCount);
      const newer = await repo.page(roomId, anchor!, 'after', newerCount);
      hasOlder = older.length > olderCount;
      hasNewer = newer.length > newerCount;
      rows = [...newer.slice(0, newerCount).reverse(), anchor!, ...older.slice(0, olderCount)];
    } else {
      const older = await repo.page(roomId, anchor ?? null, 'before', limit);
      hasOlder = older.length > limit;
      rows = older.slice(0, limit);
      hasNewer = query.before !== undefined;
    }
    return { items: await this.#withReactions(rows, caller.userId), has_older: hasOlder, has_newer: hasNewer };
  }

  async search(caller: Caller, query: SearchQuery) {
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.search(caller.userId, query.q, query.room_id, before, query.limit);
    const page = toPage(rows, query.limit);
    const items = await this.#withReactions(page.items, caller.userId);
    return { items, next_cursor: page.next_cursor };
  }

  /** Moves the caller's read marker to a message of the room (never backwards); answers the unread count left. */
  async markRead(caller: Caller, roomId: string, messageId: string) {
    await this.#room(caller, roomId, roomsPolicy.mayRead);
    const stamp = await this.#deps.repository.stampOf(roomId, messageId);
    if (stamp === undefined)
      throw fieldError(ChatProblems.messageNotFound, 'No such message in the room', 'body.message_id', 'exists');
    const repo = this.#deps.rooms.repository;
    const lastReadAt = await repo.inTransaction(async (tx) => {
      const at = await repo.markRead(roomId, caller.userId, stamp, tx);
      if (at)
        await roomEvent(tx, roomId, 'read.marker', { room_id: roomId, user_id: caller.userId, last_read_at: iso(at) });
      return at;
    });
    return {
      last_read_at: lastReadAt === null ? null : iso(lastReadAt),
      unread_count: await repo.unreadCount(roomId, caller.userId),
    };
  }
}

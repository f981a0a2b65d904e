// Direct messages 1-to-1 (issue 14 §3, ADR 0058): send (text, or a clean file of the sender), the conversation list
// with the last message and unread count, a conversation's pages, read receipts, per-side deletion. A block either
// way refuses messages and hides the conversation, for both people alike. Each change others see in real time is
// an event in each participant's user scope, written in the change's transaction (ADR 0054).
import type { Transaction } from 'kysely';
import { createFilesBridge, type FilesBridge } from '../files/index.ts';
import { notify, type NotificationCause } from '../notifications/index.ts';
import { publicNamesOf, type PublicName } from '../profiles/index.ts';
import { blockedEitherWayBy, isBlockedEitherWay } from '../social/index.ts';
import type { Config } from '../../platform/config/config.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Pool } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, encodeCursor, type Position } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { directAttachmentUrl } from './attachments.service.ts';
import { ChatProblems } from './chat.errors.ts';
import { recordChatEvents, type ChatEvent } from './chat.events.ts';
import { directPolicy, sideOf } from './direct.policy.ts';
import {
  createDirectRepository,
  type DirectMessageRow,
  type DirectRepository,
  type PagedDirectMessageRow,
} from './direct.repository.ts';
import {
  DIRECT_MESSAGE_MAX_LENGTH,
  type Conversation,
  type DirectMessage,
  type DirectMessageCreate,
  type ReadMark,
} from './direct.schemas.ts';

export interface DirectServiceDeps {
  repository: DirectRepository;
  files: Pick<FilesBridge, 'findFile'>;
  /** Public names of live accounts by id (profiles domain); a missing id has no live account. */
  publicNames: (ids: Iterable<string>) => Promise<Map<string, PublicName>>;
  /** Social domain: a block between the two, either way. */
  isBlockedEitherWay: (a: string, b: string) => Promise<boolean>;
  /** Social domain: everyone the user blocked or was blocked by. */
  blockedEitherWayBy: (userId: string) => Promise<string[]>;
  /**
   * chat.events.ts recordChatEvents: appends events inside the change's transaction, locking their scopes in a
   * fixed order (a message announced to both sides must not take two locks in the order of who sent it).
   */
  recordEvents: (tx: Transaction<DB>, events: readonly ChatEvent[]) => Promise<unknown>;
  /** Notifications domain: a direct message tells its recipient, grouped per sender (issue 15 §7). */
  notify?: (tx: Transaction<DB>, cause: NotificationCause) => Promise<void>;
  now?: () => Date;
}

interface PageQuery {
  limit: number;
  cursor?: string;
}

function invalid(field: string, rule: string, message: string): ApiError {
  return new ApiError(CommonProblems.validationFailed, `${field} ${message}`, [{ field, rule, message }]);
}

function unusable(field: string, rule: string, message: string): ApiError {
  return new ApiError(ChatProblems.attachmentUnusable, `${field} ${message}`, [{ field, rule, message }]);
}

/** The words as stored: Unicode NFC, CRLF as LF, trimmed; blank or too long once so is a 400 on `field`. */
function normaliseContent(content: string, field: string): string {
  const text = content.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (text === '') throw invalid(field, 'notBlank', 'must have more than white space');
  if (text.length > DIRECT_MESSAGE_MAX_LENGTH)
    throw invalid(field, 'maxLength', `must be ${DIRECT_MESSAGE_MAX_LENGTH} characters at most`);
  return text;
}

/** message_type follows the attached file's media type. */
export function messageTypeOf(mimeType: string): DirectMessageRow['message_type'] {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  return 'file';
}

/** spec §8.7: typing lapses 10 seconds after it was last said. */
export const DIRECT_TYPING_TTL_MS = 10_000;

const userScope = (userId: string) => ({ kind: 'user', userId }) as const;

export class DirectService {
  readonly #deps: DirectServiceDeps;
  readonly #now: () => Date;
  /** When this instance last announced typing, by `sender:recipient`, in ms of the service's clock. */
  readonly #typingAnnounced = new Map<string, number>();

  constructor(deps: DirectServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  #representation(caller: Caller, row: DirectMessageRow): DirectMessage {
    return {
      id: row.id,
      sender_id: row.sender_id,
      recipient_id: row.recipient_id,
      direction: row.sender_id === caller.userId ? 'sent' : 'received',
      content: row.content,
      message_type: row.message_type,
      attachment_file_id: row.attachment_file_id,
      attachment_url:
        row.attachment_file_id === null
          ? null
          : directAttachmentUrl(row.sender_id === caller.userId ? row.recipient_id : row.sender_id, row.id),
      is_read: row.is_read,
      read_at: row.read_at?.toISOString() ?? null,
      created_at: row.created_at.toISOString(),
    };
  }

  /** The other person, as the policy needs them, with their public name when they have a live account. */
  async #counterpart(caller: Caller, otherId: string) {
    if (otherId === caller.userId)
      throw invalid('params.user_id', 'notSelf', 'is you: a conversation is with someone else');
    const [names, blocked] = await Promise.all([
      this.#deps.publicNames([otherId]),
      this.#deps.isBlockedEitherWay(caller.userId, otherId),
    ]);
    const name = names.get(otherId);
    authorize(
      directPolicy.mayConverse(caller, { exists: name !== undefined, blocked }),
      ChatProblems.conversationNotFound,
    );
    return name as PublicName;
  }

  async #attachment(caller: Caller, fileId: string) {
    const field = 'body.attachment_file_id';
    const file = await this.#deps.files.findFile(fileId);
    if (!file || file.deleted || file.user_id !== caller.userId)
      throw unusable(field, 'ownFile', 'is not one of your files');
    if (file.processing === 'quarantined' || !file.cleared)
      throw unusable(field, 'clean', 'has not been cleared by the virus scanner');
    if (file.processing !== 'processed')
      throw unusable(field, 'processed', 'is not processed yet: retry once GET /v1/files/{id} says processed');
    return file;
  }

  /** Sends a direct message to `recipientId`; with an attachment, its name stands in for missing words. */
  async send(caller: Caller, recipientId: string, input: DirectMessageCreate): Promise<DirectMessage> {
    await this.#counterpart(caller, recipientId);
    const file =
      input.attachment_file_id === undefined ? undefined : await this.#attachment(caller, input.attachment_file_id);
    if (input.content === undefined && !file)
      throw invalid('body.content', 'required', 'is required without an attachment');
    const content =
      input.content !== undefined
        ? normaliseContent(input.content, 'body.content')
        : (file?.original_filename ?? '').slice(0, DIRECT_MESSAGE_MAX_LENGTH);
    const row = await this.#deps.repository.inTransaction(caller.userId, async (tx) => {
      const inserted = await this.#deps.repository.insert(tx, {
        sender_id: caller.userId,
        recipient_id: recipientId,
        content,
        message_type: file ? messageTypeOf(file.mime_type) : 'text',
        attachment_file_id: file?.id ?? null,
      });
      const message = {
        id: inserted.id,
        sender_id: inserted.sender_id,
        recipient_id: inserted.recipient_id,
        content: inserted.content,
        created_at: inserted.created_at.toISOString(),
      };
      await this.#deps.recordEvents(
        tx,
        [caller.userId, recipientId].map((userId) => ({
          type: 'dm.created',
          scope: userScope(userId),
          payload: { message },
        })),
      );
      // After the events: recordEvents locked both user scopes in their fixed order first (no deadlock).
      await this.#deps.notify?.(tx, {
        recipientId,
        actorId: caller.userId,
        type: 'message',
        entityType: 'user',
        entityId: caller.userId,
        snippet: content,
      });
      return inserted;
    });
    return this.#representation(caller, row);
  }

  /** The caller's conversations, by their latest message, newest first; conversations under a block are hidden. */
  async conversations(
    caller: Caller,
    query: PageQuery,
  ): Promise<{ items: Conversation[]; next_cursor: string | null }> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const excluded = await this.#deps.blockedEitherWayBy(caller.userId);
    const rows = await this.#deps.repository.conversations(caller.userId, excluded, after, query.limit);
    const kept = rows.slice(0, query.limit);
    const names = await this.#deps.publicNames(kept.map((row) => row.other_id));
    const items: Conversation[] = [];
    for (const row of kept) {
      const user = names.get(row.other_id);
      // An account being deleted: its messages are on their way out (deleted_at), skip any straggler.
      if (!user) continue;
      items.push({
        user: { id: user.id, username: user.username, display_name: user.display_name },
        last_message: this.#representation(caller, row),
        unread_count: row.unread_count,
      });
    }
    const last = kept.at(-1);
    return {
      items,
      next_cursor:
        rows.length > query.limit && last ? encodeCursor({ createdAt: last.position_stamp, id: last.id }) : null,
    };
  }

  /** A page of the conversation with `otherId`, newest first. */
  async conversation(
    caller: Caller,
    otherId: string,
    query: PageQuery,
  ): Promise<{ items: DirectMessage[]; next_cursor: string | null }> {
    await this.#counterpart(caller, otherId);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows: PagedDirectMessageRow[] = await this.#deps.repository.conversation(
      caller.userId,
      otherId,
      after,
      query.limit,
    );
    const kept = rows.slice(0, query.limit);
    const last = kept.at(-1);
    return {
      items: kept.map((row) => this.#representation(caller, row)),
      next_cursor:
        rows.length > query.limit && last ? encodeCursor({ createdAt: last.position_stamp, id: last.id }) : null,
    };
  }

  /**
   * Read receipts: marks read what the caller received from `otherId`, up to a message of theirs when named.
   * The sender learns it through a `dm.read` event.
   */
  async markRead(caller: Caller, otherId: string, input: ReadMark): Promise<{ marked: number; read_at: string }> {
    await this.#counterpart(caller, otherId);
    let upTo: Position | undefined;
    if (input.up_to_message_id !== undefined) {
      const message = await this.#deps.repository.find(input.up_to_message_id);
      const ofThisConversation = message !== undefined && message.sender_id === otherId;
      authorize(
        directPolicy.mayMarkRead(caller, ofThisConversation ? message : undefined),
        ChatProblems.directMessageNotFound,
      );
      upTo = await this.#deps.repository.positionOf(input.up_to_message_id);
    }
    const readAt = this.#now();
    const ids = await this.#deps.repository.inTransaction(caller.userId, async (tx) => {
      const marked = await this.#deps.repository.markRead(tx, caller.userId, otherId, upTo, readAt);
      if (marked.length > 0) {
        const payload = { message_ids: marked.slice(0, 500), reader_id: caller.userId, read_at: readAt.toISOString() };
        await this.#deps.recordEvents(
          tx,
          [otherId, caller.userId].map((userId) => ({ type: 'dm.read', scope: userScope(userId), payload })),
        );
      }
      return marked;
    });
    return { marked: ids.length, read_at: readAt.toISOString() };
  }

  /**
   * The caller types to `otherId`: a `typing` event in the other person's scope, lapsing 10 s later (spec §8.7).
   * Nothing is stored (typing_indicators rows belong to rooms). A renewal within half the lapse is not announced
   * again by this instance, so a client renewing every second adds one event per 5 s at most.
   */
  async typing(caller: Caller, otherId: string): Promise<{ expires_at: string }> {
    await this.#counterpart(caller, otherId);
    const now = this.#now();
    const until = new Date(now.getTime() + DIRECT_TYPING_TTL_MS);
    const pair = `${caller.userId}:${otherId}`;
    const announced = this.#typingAnnounced.get(pair);
    if (announced === undefined || now.getTime() - announced >= DIRECT_TYPING_TTL_MS / 2) {
      this.#typingAnnounced.set(pair, now.getTime());
      if (this.#typingAnnounced.size > 10_000) this.#forgetLapsedTyping(now.getTime());
      await this.#deps.repository.inTransaction(caller.userId, (tx) =>
        this.#deps.recordEvents(tx, [
          {
            type: 'typing',
            scope: userScope(otherId),
            payload: { room_id: null, user_id: caller.userId, recipient_id: otherId, until: until.toISOString() },
          },
        ]),
      );
    }
    return { expires_at: until.toISOString() };
  }

  #forgetLapsedTyping(now: number): void {
    for (const [pair, at] of this.#typingAnnounced)
      if (now - at >= DIRECT_TYPING_TTL_MS) this.#typingAnnounced.delete(pair);
  }

  /**
   * Deletes a message from the caller's own view only; the other side keeps it until they delete it too. Only the
   * caller's other devices are told (the other person's view does not change).
   */
  async deleteForSelf(caller: Caller, id: string): Promise<void> {
    const found = await this.#deps.repository.find(id);
    authorize(directPolicy.mayDeleteForSelf(caller, found), ChatProblems.directMessageNotFound);
    await this.#deps.repository.inTransaction(caller.userId, async (tx) => {
      const current = await this.#deps.repository.lock(tx, id);
      // Deleted on this side since it was read (two devices at once): as if it never was.
      if (!directPolicy.mayDeleteForSelf(caller, current).allowed)
        throw new ApiError(ChatProblems.directMessageNotFound, 'No such direct message');
      const side = sideOf(caller, current as DirectMessageRow) as 'sender' | 'recipient';
      await this.#deps.repository.deleteForSide(tx, id, side);
      await this.#deps.recordEvents(tx, [
        { type: 'dm.deleted', scope: userScope(caller.userId), payload: { message_id: id, deleted_by: caller.userId } },
      ]);
    });
  }
}

/** The service wired to its repository and to the files, profiles and social domains (chat.module.ts). */
export function createDirectService(pool: Pool, config: Config, options: { now?: () => Date } = {}): DirectService {
  const files = createFilesBridge({ pool, config });
  return new DirectService({
    repository: createDirectRepository(pool),
    files,
    publicNames: (ids) => publicNamesOf(pool.db, ids),
    isBlockedEitherWay: (a, b) => isBlockedEitherWay(pool.db, a, b),
    blockedEitherWayBy: (userId) => blockedEitherWayBy(pool.db, userId),
    recordEvents: recordChatEvents,
    notify,
    ...options,
  });
}

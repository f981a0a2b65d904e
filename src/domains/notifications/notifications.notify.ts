// notify / retractNotification / forgetNotificationsBetween: how other domains create notifications (issue 15 §7,
// shared rule 5; ADR 0066, 0067). Always inside the caller's transaction, so a notification exists exactly when
// the action that caused it committed; its live push is a personal event of the chat gateway's outbox
// (recordChatEvent), delivered after commit.
import type { Kysely, Transaction } from 'kysely';
import { recordChatEvent } from '../chat/index.ts';
import { publicNamesOf } from '../profiles/index.ts';
import { isBlockedEitherWay } from '../social/index.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { renderTitle, type NotificationCause } from './notifications.catalogue.ts';
import { channelOf, defaultPreferences, inQuietHours, type Preferences } from './notifications.preferences.ts';
import * as repo from './notifications.repository.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** Runs `work` in `db` when it is a transaction already (the caller's), else in a transaction of its own. */
async function inTransaction<T>(db: Db, work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<DB>);
  return db.transaction().execute(work);
}

/** Snippets are stored trimmed, single-line and short: a preview, never the whole text. */
const SNIPPET_LENGTH = 140;
function cleanSnippet(snippet: string | undefined): string | undefined {
  if (snippet === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const text = snippet.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text === '' ? undefined : [...text].slice(0, SNIPPET_LENGTH).join('');
}

async function preferencesIn(tx: Db, userId: string): Promise<Preferences> {
  return (await repo.preferencesRow(tx, userId)) ?? defaultPreferences();
}

/** Re-renders a group from its actors; deletes it when none is left (and it had actors). Returns the view data. */
async function refreshGroup(
  tx: Transaction<DB>,
  notificationId: string,
  cause: Pick<NotificationCause, 'type' | 'entityType' | 'snippet'>,
  events: number,
): Promise<{ deleted: boolean; title: string; count: number; newest: string[] }> {
  const { count, newest } = await repo.groupActors(tx, notificationId);
  if (count === 0 && cause.type !== 'system') {
    await repo.deleteNotification(tx, notificationId);
    return { deleted: true, title: '', count, newest };
  }
  const names = await publicNamesOf(tx, newest);
  const title = renderTitle(
    cause,
    newest.map((id) => names.get(id)?.username ?? 'Someone'),
    count,
    events,
  );
  const snippet = cleanSnippet(cause.snippet);
  await repo.renderGroup(tx, notificationId, {
    title,
    actorId: newest[0] ?? null,
    actorCount: count,
    actorIds: newest,
    ...(snippet !== undefined && cause.snippet !== 'follow_request' ? { snippet } : {}),
  });
  return { deleted: false, title, count, newest };
}

/**
 * Tells `cause.recipientId` about an action, in the SAME transaction as the action (pass the action's
 * transaction; a plain Kysely opens one). Grouped: the recipient's unread notification of the same (type, entity)
 * is updated ("A and 12 others liked your track"), never a second one. A no-op when the recipient is the actor,
 * when either blocked the other, or when the recipient's preference for this type is 'none'. Pushed live over the
 * WebSocket gateway at commit, except during the recipient's quiet hours (then only stored and listed).
 */
export async function notify(db: Db, cause: NotificationCause, now: Date = new Date()): Promise<void> {
  if (cause.actorId !== null && cause.actorId === cause.recipientId) return;
  await inTransaction(db, async (tx) => {
    if (cause.actorId !== null && (await isBlockedEitherWay(tx, cause.recipientId, cause.actorId))) return;
    const preferences = await preferencesIn(tx, cause.recipientId);
    if (channelOf(preferences, cause.type) === 'none') return;
    const id = await repo.openGroup(tx, cause, renderTitle(cause, [], 1));
    if (cause.actorId !== null) await repo.addActor(tx, id, cause.actorId);
    const meta = await repo.notificationMeta(tx, id);
    const events = Number((meta?.data as { events?: number } | undefined)?.events ?? 1);
    const group = await refreshGroup(tx, id, cause, events);
    if (group.deleted || inQuietHours(preferences, now)) return;
    const view = await repo.findOwn(tx, cause.recipientId, id);
    if (!view) return;
    await recordChatEvent(tx, {
      type: 'notification',
      scope: { kind: 'user', userId: cause.recipientId },
      payload: { notification: liveView(view) },
    });
  });
}

/** A notification as the live event carries it: the list item's fields, flat. */
function liveView(row: NonNullable<Awaited<ReturnType<typeof repo.findOwn>>>) {
  const data = (row.data ?? {}) as { actor_count?: number; actor_ids?: string[]; snippet?: string };
  return {
    id: row.id,
    type: row.type,
    actor_id: row.actor_id,
    actor_count: data.actor_count ?? 0,
    actor_ids: data.actor_ids ?? [],
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    title: row.title,
    snippet: data.snippet ?? null,
    is_read: row.is_read,
    created_at: row.created_at.toISOString(),
  };
}

/**
 * Undoes a cause (an unlike, an unfollow, a deleted comment): the actor leaves the recipient's UNREAD group of
 * that (type, entity), which is re-rendered, or deleted when nobody is left. Read notifications are history and
 * stay as they are. Same transaction rule as notify.
 */
export async function retractNotification(db: Db, cause: NotificationCause): Promise<void> {
  if (cause.actorId === null || cause.actorId === cause.recipientId) return;
  const actorId = cause.actorId;
  await inTransaction(db, async (tx) => {
    const group = await repo.unreadGroupForUpdate(tx, cause);
    if (!group) return;
    if (!(await repo.removeActor(tx, group.id, actorId))) return;
    const events = Number((group.data as { events?: number } | undefined)?.events ?? 1);
    await refreshGroup(tx, group.id, { type: cause.type, entityType: cause.entityType }, events);
  });
}

/**
 * A block (issue 15 shared rule 3): every notification between `a` and `b`, either way, is forgotten. Groups
 * counting the other person lose them (re-rendered), groups left empty are deleted.
 */
export async function forgetNotificationsBetween(db: Db, a: string, b: string): Promise<void> {
  if (a === b) return;
  await inTransaction(db, async (tx) => {
    for (const [recipient, actor] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const id of await repo.groupsWithActor(tx, recipient, actor)) {
        await repo.removeActor(tx, id, actor);
        const meta = await repo.notificationMeta(tx, id);
        if (!meta) continue;
        const { count } = await repo.groupActors(tx, id);
        if (count === 0) {
          await repo.deleteNotification(tx, id);
          continue;
        }
        const events = Number((meta.data as { events?: number } | undefined)?.events ?? 1);
        await refreshGroup(
          tx,
          id,
          {
            type: meta.type as NotificationCause['type'],
            entityType: meta.entity_type as NotificationCause['entityType'],
          },
          events,
        );
      }
    }
  });
}

export type { Preferences };

// The recipient's side of notifications (issue 15 §7): list (keyset), unread count, mark read, mark all read up to
// a time, delete, preferences. Creation lives in notifications.notify.ts (called by the domains whose actions
// cause notifications).
import { isTimeZone } from '../profiles/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { Channel, Digest } from './notifications.catalogue.ts';
import { NotificationsProblems } from './notifications.errors.ts';
import { notificationsPolicy } from './notifications.policy.ts';
import { defaultPreferences } from './notifications.preferences.ts';
import * as repo from './notifications.repository.ts';
import type { NotificationView, PreferencesView } from './notifications.schemas.ts';

type Row = Awaited<ReturnType<typeof repo.findOwn>> & object;

export function toView(row: Row): NotificationView {
  const data = (row.data ?? {}) as { actor_count?: number; actor_ids?: string[]; snippet?: string };
  return {
    id: row.id,
    type: row.type,
    actor_id: row.actor_id,
    actor_count: data.actor_count ?? (row.actor_id ? 1 : 0),
    actor_ids: data.actor_ids ?? (row.actor_id ? [row.actor_id] : []),
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    title: row.title,
    body: row.body,
    snippet: data.snippet ?? null,
    is_read: row.is_read,
    read_at: row.read_at ? row.read_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
  };
}

function invalid(field: string, rule: string, message: string): ApiError {
  return new ApiError(CommonProblems.validationFailed, `${field} ${message}`, [{ field, rule, message }]);
}

export function createNotificationsService(db: Database) {
  const own = async (caller: Caller, id: string) => {
    const row = await repo.findOwn(db, caller.userId, id);
    authorize(
      notificationsPolicy.mayTouch(caller, row ? { user_id: caller.userId } : undefined),
      NotificationsProblems.notificationNotFound,
    );
    return row!;
  };

  return {
    async list(caller: Caller, query: { limit: number; cursor?: string; unread?: boolean }) {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await repo.listPage(db, caller.userId, {
        limit: query.limit,
        unreadOnly: query.unread === true,
        ...(after ? { after } : {}),
      });
      const page = toPage(rows, query.limit);
      return { items: page.items.map((row) => toView(row)), next_cursor: page.next_cursor };
    },

    async unreadCount(caller: Caller) {
      return { unread: await repo.unreadCount(db, caller.userId) };
    },

    async markRead(caller: Caller, id: string): Promise<NotificationView> {
      await own(caller, id);
      await repo.markRead(db, caller.userId, id);
      return toView((await repo.findOwn(db, caller.userId, id)) ?? (await own(caller, id)));
    },

    async markAllRead(caller: Caller, body: { up_to?: string }) {
      if (body.up_to !== undefined && Number.isNaN(Date.parse(body.up_to)))
        throw invalid('body.up_to', 'format', 'must be a date-time');
      return { marked: await repo.markAllRead(db, caller.userId, body.up_to) };
    },

    async remove(caller: Caller, id: string): Promise<void> {
      await own(caller, id);
      await repo.deleteOwn(db, caller.userId, id);
    },

    async preferences(caller: Caller): Promise<PreferencesView> {
      const row = (await repo.preferencesRow(db, caller.userId)) ?? defaultPreferences();
      return {
        channels: {
          follow: row.follow_channel as Channel,
          like: row.like_channel as Channel,
          comment: row.comment_channel as Channel,
          mention: row.mention_channel as Channel,
          message: row.message_channel as Channel,
        },
        quiet_hours:
          row.quiet_hours_start && row.quiet_hours_end
            ? { start: row.quiet_hours_start, end: row.quiet_hours_end }
            : null,
        time_zone: row.time_zone,
        digest: row.digest as Digest,
      };
    },

    async setPreferences(caller: Caller, body: PreferencesView): Promise<PreferencesView> {
      if (!isTimeZone(body.time_zone)) throw invalid('body.time_zone', 'timezone', 'must be an IANA time zone name');
      if (body.quiet_hours && body.quiet_hours.start === body.quiet_hours.end)
        throw invalid('body.quiet_hours.end', 'quietHours', 'must differ from start');
      await repo.savePreferences(db, caller.userId, {
        follow_channel: body.channels.follow,
        like_channel: body.channels.like,
        comment_channel: body.channels.comment,
        mention_channel: body.channels.mention,
        message_channel: body.channels.message,
        quiet_hours_start: body.quiet_hours?.start ?? null,
        quiet_hours_end: body.quiet_hours?.end ?? null,
        time_zone: body.time_zone,
        digest: body.digest,
      });
      return this.preferences(caller);
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;

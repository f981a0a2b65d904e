// The reads the gateway makes besides the event log (ADR 0055): a room and the caller's membership in it, to ask
// rooms.policy.ts whether the caller may follow the room.
import type { Database } from '../../../platform/db/pool.ts';
import type { MembershipSubject, RoomSubject } from '../rooms.policy.ts';

export interface RoomAccessRow {
  room: RoomSubject | undefined;
  membership: MembershipSubject | undefined;
}

export async function roomAccess(db: Database, roomId: string, userId: string): Promise<RoomAccessRow> {
  const row = await db
    .selectFrom('rooms as r')
    .leftJoin('room_members as m', (join) => join.onRef('m.room_id', '=', 'r.id').on('m.user_id', '=', userId))
    .select(['r.room_type', 'r.deleted_at', 'm.role', 'm.is_banned', 'm.is_muted'])
    .where('r.id', '=', roomId)
    .executeTakeFirst();
  if (!row) return { room: undefined, membership: undefined };
  return {
    room: { room_type: row.room_type as RoomSubject['room_type'], deleted_at: row.deleted_at },
    membership:
      row.role === null || row.is_banned === null || row.is_muted === null
        ? undefined
        : { role: row.role as MembershipSubject['role'], is_banned: row.is_banned, is_muted: row.is_muted },
  };
}

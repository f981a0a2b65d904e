// The SQL of chat rooms and their memberships (issue 14 §1, ADR 0056). Rows in, rows out.
// Joining, inviting and every change to who is in a room run in `locked`: the room row is taken FOR UPDATE first,
// so that writers of one room queue up and `max_members` is checked against a member_count nobody else is moving
// (the trigger of migration 0016 keeps it exact in the same transaction).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import type { RoomRole, RoomType } from './rooms.policy.ts';

export type Executor = Database | Transaction<DB>;

export interface RoomRow {
  id: string;
  name: string | null;
  slug: string | null;
  description: string | null;
  room_type: RoomType;
  is_private: boolean;
  has_password: boolean;
  max_members: number | null;
  creator_id: string;
  member_count: number;
  message_count: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface MembershipRow {
  room_id: string;
  user_id: string;
  role: RoomRole;
  is_banned: boolean;
  is_muted: boolean;
  last_read_at: Date | null;
  joined_at: Date;
}

export type RoomListRow = RoomRow & { [POSITION_STAMP]: string };

export interface MyRoomRow extends RoomRow {
  role: RoomRole;
  is_muted: boolean;
  last_read_at: Date | null;
  unread_count: number;
  [POSITION_STAMP]: string;
}

export interface NewRoom {
  name: string;
  slug: string | null;
  description: string | null;
  room_type: 'public' | 'private';
  password_hash: string | null;
  max_members: number | null;
}

export interface RoomChanges {
  name?: string;
  description?: string | null;
  password_hash?: string | null;
  max_members?: number | null;
}

const ROOM_COLUMNS = [
  'rooms.id',
  'rooms.name',
  'rooms.slug',
  'rooms.description',
  'rooms.room_type',
  'rooms.is_private',
  'rooms.max_members',
  'rooms.creator_id',
  'rooms.member_count',
  'rooms.message_count',
  'rooms.created_at',
  'rooms.updated_at',
  'rooms.deleted_at',
] as const;

const MEMBER_COLUMNS = [
  'room_members.room_id',
  'room_members.user_id',
  'room_members.role',
  'room_members.is_banned',
  'room_members.is_muted',
  'room_members.last_read_at',
  'room_members.joined_at',
] as const;

function rooms(db: Executor) {
  return db
    .selectFrom('rooms')
    .select(ROOM_COLUMNS)
    .select(sql<boolean>`rooms.password_hash IS NOT NULL`.as('has_password'));
}

/** `%` and `_` typed by a user match themselves. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createRoomsRepository(pool: Pool) {
  const { db } = pool;
  return {
    db,

    /** Runs `work` in a transaction holding the room row FOR UPDATE (undefined row: no such room). */
    async locked<T>(roomId: string, work: (tx: Transaction<DB>, room: RoomRow | undefined) => Promise<T>): Promise<T> {
      return db.transaction().execute(async (tx) => {
        const room = (await rooms(tx).where('rooms.id', '=', roomId).forUpdate().executeTakeFirst()) as
          RoomRow | undefined;
        return work(tx, room);
      });
    },

    async inTransaction<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },

    async find(roomId: string, executor: Executor = db): Promise<RoomRow | undefined> {
      return (await rooms(executor).where('rooms.id', '=', roomId).executeTakeFirst()) as RoomRow | undefined;
    },

    async findBySlug(slug: string): Promise<RoomRow | undefined> {
      return (await rooms(db)
        .where('rooms.slug', '=', slug)
        .where('rooms.deleted_at', 'is', null)
        .executeTakeFirst()) as RoomRow | undefined;
    },

    async passwordHash(roomId: string, executor: Executor = db): Promise<string | null> {
      const row = await executor
        .selectFrom('rooms')
        .select('password_hash')
        .where('id', '=', roomId)
        .executeTakeFirst();
      return row?.password_hash ?? null;
    },

    async membership(roomId: string, userId: string, executor: Executor = db): Promise<MembershipRow | undefined> {
      return (await executor
        .selectFrom('room_members')
        .select(MEMBER_COLUMNS)
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .executeTakeFirst()) as MembershipRow | undefined;
    },

    /**
     * The room row, held FOR NO KEY UPDATE until the transaction ends, for a send: the message's insert updates
     * this row anyway (the message_count trigger), so sends of a room already queue on it; taking it first puts a
     * send in the same lock order as the membership changes (room, then members), and a ban or mute committed
     * meanwhile waits for the message and its event instead of being overtaken by them.
     */
    async lockForSend(tx: Transaction<DB>, roomId: string): Promise<RoomRow | undefined> {
      return (await rooms(tx).where('rooms.id', '=', roomId).forNoKeyUpdate().executeTakeFirst()) as
        RoomRow | undefined;
    },

    /** Which of these users are members in good standing of the room. */
    async membersAmong(roomId: string, userIds: string[]): Promise<Set<string>> {
      if (userIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('room_members')
        .select('user_id')
        .where('room_id', '=', roomId)
        .where('user_id', 'in', userIds)
        .where('is_banned', '=', false)
        .execute();
      return new Set(rows.map((row) => row.user_id));
    },

    /** The caller's membership rows in these rooms, by room id. */
    async membershipsOf(userId: string, roomIds: string[]): Promise<Map<string, MembershipRow>> {
      if (roomIds.length === 0) return new Map();
      const rows = (await db
        .selectFrom('room_members')
        .select(MEMBER_COLUMNS)
        .where('user_id', '=', userId)
        .where('room_id', 'in', roomIds)
        .execute()) as MembershipRow[];
      return new Map(rows.map((row) => [row.room_id, row]));
    },

    async insertRoom(tx: Transaction<DB>, creatorId: string, room: NewRoom): Promise<RoomRow> {
      const { id } = await tx
        .insertInto('rooms')
        .values({ ...room, is_private: room.room_type === 'private', creator_id: creatorId })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.insertInto('room_members').values({ room_id: id, user_id: creatorId, role: 'owner' }).execute();
      return (await rooms(tx).where('rooms.id', '=', id).executeTakeFirstOrThrow()) as RoomRow;
    },

    async updateRoom(tx: Transaction<DB>, roomId: string, changes: RoomChanges): Promise<RoomRow> {
      await tx.updateTable('rooms').set(changes).where('id', '=', roomId).execute();
      return (await rooms(tx).where('rooms.id', '=', roomId).executeTakeFirstOrThrow()) as RoomRow;
    },

    /** Soft delete; the slug is freed so that another room may take it. */
    async softDeleteRoom(tx: Transaction<DB>, roomId: string): Promise<void> {
      await tx
        .updateTable('rooms')
        .set({ deleted_at: sql`now()`, slug: null })
        .where('id', '=', roomId)
        .execute();
    },

    async addMember(tx: Transaction<DB>, roomId: string, userId: string, role: RoomRole = 'member'): Promise<void> {
      await tx.insertInto('room_members').values({ room_id: roomId, user_id: userId, role }).execute();
    },

    async removeMember(tx: Transaction<DB>, roomId: string, userId: string): Promise<void> {
      await tx.deleteFrom('room_members').where('room_id', '=', roomId).where('user_id', '=', userId).execute();
    },

    async updateMember(
      tx: Transaction<DB>,
      roomId: string,
      userId: string,
      changes: Partial<Pick<MembershipRow, 'role' | 'is_banned' | 'is_muted'>>,
    ): Promise<MembershipRow> {
      return (await tx
        .updateTable('room_members')
        .set(changes)
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .returning(MEMBER_COLUMNS.map((c) => c.replace('room_members.', '')) as (keyof MembershipRow)[])
        .executeTakeFirstOrThrow()) as MembershipRow;
    },

    /** Moves the read marker forward only (a late request never moves it back). */
    async markRead(roomId: string, userId: string, at: string, executor: Executor = db): Promise<Date | null> {
      const row = await executor
        .updateTable('room_members')
        .set({ last_read_at: sql`GREATEST(last_read_at, ${at}::timestamptz)` })
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .returning('last_read_at')
        .executeTakeFirst();
      return row?.last_read_at ?? null;
    },

    /** Messages of others after the member's read marker, not deleted. */
    async unreadCount(roomId: string, userId: string): Promise<number> {
      const { rows } = await sql<{ count: number }>`
        SELECT count(*)::int AS count FROM messages m
        WHERE m.room_id = ${roomId}::uuid AND NOT m.is_deleted AND m.sender_id <> ${userId}::uuid
          AND m.created_at > COALESCE(
                (SELECT last_read_at FROM room_members WHERE room_id = ${roomId}::uuid AND user_id = ${userId}::uuid),
                '-infinity')`.execute(db);
      return rows[0]?.count ?? 0;
    },

    /** Members in good standing, oldest first (keyset over joined_at, user_id). */
    async members(roomId: string, after: Position | null, limit: number) {
      let query = db
        .selectFrom('room_members')
        .select(MEMBER_COLUMNS)
        .select(positionStamp('room_members.joined_at').as(POSITION_STAMP))
        .select('room_members.user_id as id')
        .where('room_id', '=', roomId)
        .where('is_banned', '=', false);
      if (after) {
        query = query.where(
          sql<boolean>`(room_members.joined_at, room_members.user_id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
        );
      }
      return (await query
        .orderBy('room_members.joined_at')
        .orderBy('room_members.user_id')
        .limit(pageSize(limit + 1))
        .execute()) as (MembershipRow & { id: string; [POSITION_STAMP]: string })[];
    },

    /** Public rooms, newest first, whose slug or name contains `q` (case-insensitive). */
    async listPublic(q: string | undefined, before: Position | null, limit: number): Promise<RoomListRow[]> {
      let query = rooms(db)
        .select(positionStamp('rooms.created_at').as(POSITION_STAMP))
        .where('rooms.room_type', '=', 'public')
        .where('rooms.deleted_at', 'is', null);
      if (q) {
        const pattern = `%${likeEscaped(q)}%`;
        query = query.where((eb) => eb.or([eb('rooms.slug', 'ilike', pattern), eb('rooms.name', 'ilike', pattern)]));
      }
      if (before) query = query.where(beforePosition(before, { createdAt: 'rooms.created_at', id: 'rooms.id' }));
      return (await query
        .orderBy('rooms.created_at', 'desc')
        .orderBy('rooms.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as RoomListRow[];
    },

    /** The caller's rooms (not banned, not deleted), most recently joined first, with their unread counts. */
    async listMine(userId: string, before: Position | null, limit: number): Promise<MyRoomRow[]> {
      let query = rooms(db)
        .innerJoin('room_members', 'room_members.room_id', 'rooms.id')
        .select(['room_members.role', 'room_members.is_muted', 'room_members.last_read_at'])
        .select(positionStamp('room_members.joined_at').as(POSITION_STAMP))
        .select(
          sql<number>`(SELECT count(*)::int FROM messages m
                        WHERE m.room_id = rooms.id AND NOT m.is_deleted AND m.sender_id <> ${userId}::uuid
                          AND m.created_at > COALESCE(room_members.last_read_at, '-infinity'))`.as('unread_count'),
        )
        .where('room_members.user_id', '=', userId)
        .where('room_members.is_banned', '=', false)
        .where('rooms.deleted_at', 'is', null);
      if (before) query = query.where(beforePosition(before, { createdAt: 'room_members.joined_at', id: 'rooms.id' }));
      return (await query
        .orderBy('room_members.joined_at', 'desc')
        .orderBy('rooms.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as MyRoomRow[];
    },
  };
}

export type RoomsRepository = ReturnType<typeof createRoomsRepository>;

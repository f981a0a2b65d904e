// Rooms, membership and roles (issue 14 §1, ADR 0056). Every method takes the caller and plain values, never a
// request. Changes to who is in a room hold the room row FOR UPDATE (repository.locked), so `max_members` holds
// under any number of simultaneous joins, and each change others should see appends a chat event in the same
// transaction (the outbox the WebSocket gateway fans out and replays).
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems, type ProblemType } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { ChatProblems } from './chat.errors.ts';
import { recordChatEvent, type ChatEvent } from './chat.events.ts';
import { memoryRoomPasswordAttempts, type RoomPasswordAttempts } from './room-password-attempts.ts';
import { roomsPolicy, type MembershipSubject, type RoomRole } from './rooms.policy.ts';
import type { MembershipRow, RoomRow, RoomsRepository } from './rooms.repository.ts';
import type { CreateRoom, Member, MyRoom, Room, UpdateMember, UpdateRoom } from './rooms.schemas.ts';

/** Appends a room event to the chat event log in the change's transaction (the outbox of chat.events.ts). */
export function roomEvent<T extends ChatEvent['type']>(
  tx: Transaction<DB>,
  roomId: string,
  type: T,
  payload: Extract<ChatEvent, { type: T }>['payload'],
): Promise<unknown> {
  return recordChatEvent(tx, { type, scope: { kind: 'room', roomId }, payload } as ChatEvent);
}

export interface PasswordCheck {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string | null | undefined): Promise<boolean>;
}

export interface RoomsServiceDeps {
  repository: RoomsRepository;
  passwords: PasswordCheck;
  /** Whether an account exists and is not deleted (profiles' publicNamesOf). */
  userExists: (userId: string) => Promise<boolean>;
  /** Wrong-password attempts (room-password-attempts.ts); in this process unless given. */
  passwordAttempts?: RoomPasswordAttempts;
}

const iso = (date: Date) => date.toISOString();

function fieldError(type: ProblemType, detail: string, field: string, rule: string, message = detail): ApiError {
  return new ApiError(type, detail, [{ field, rule, message }]);
}

/** A 429 with its Retry-After, raised before the password is even compared. */
export class RoomPasswordThrottledError extends ApiError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      ChatProblems.roomPasswordThrottled,
      `Too many wrong passwords for this room; retry in ${retryAfterSeconds} s`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function toRoom(row: RoomRow, membership: MembershipSubject | null | undefined): Room {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    type: row.room_type,
    has_password: row.has_password,
    max_members: row.max_members,
    member_count: row.member_count,
    message_count: row.message_count,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    my_role: membership && !membership.is_banned ? membership.role : null,
  };
}

const toMember = (row: MembershipRow): Member => ({
  user_id: row.user_id,
  role: row.role,
  is_muted: row.is_muted,
  joined_at: iso(row.joined_at),
});

const isUniqueViolation = (error: unknown, constraint: string) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: string }).code === '23505' &&
  (error as { constraint?: string }).constraint === constraint;

export class RoomsService {
  readonly #deps: RoomsServiceDeps;
  readonly #passwordAttempts: RoomPasswordAttempts;

  constructor(deps: RoomsServiceDeps) {
    this.#deps = deps;
    this.#passwordAttempts = deps.passwordAttempts ?? memoryRoomPasswordAttempts();
  }

  get repository(): RoomsRepository {
    return this.#deps.repository;
  }

  /** The room and the caller's membership, once the caller may read it (else the room does not exist). */
  async readable(caller: Caller, roomId: string) {
    const room = await this.#deps.repository.find(roomId);
    const membership = room ? await this.#deps.repository.membership(roomId, caller.userId) : undefined;
    authorize(roomsPolicy.mayRead(caller, room, membership), ChatProblems.roomNotFound);
    return { room: room!, membership: membership! };
  }

  async create(caller: Caller, body: CreateRoom): Promise<Room> {
    if (body.type === 'public' && body.slug === undefined)
      throw fieldError(CommonProblems.validationFailed, 'A public room needs a slug', 'body.slug', 'required');
    if (body.type === 'private' && body.slug !== undefined)
      throw fieldError(CommonProblems.validationFailed, 'A private room has no slug', 'body.slug', 'absent');
    const passwordHash = body.password === undefined ? null : await this.#deps.passwords.hash(body.password);
    try {
      return await this.#deps.repository.inTransaction(async (tx) => {
        const row = await this.#deps.repository.insertRoom(tx, caller.userId, {
          name: body.name,
          slug: body.slug ?? null,
          description: body.description ?? null,
          room_type: body.type,
          password_hash: passwordHash,
          max_members: body.max_members ?? null,
        });
        return toRoom(row, { role: 'owner', is_banned: false, is_muted: false });
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_rooms_slug'))
        throw fieldError(ChatProblems.roomSlugTaken, 'Another room has this slug', 'body.slug', 'unique');
      throw error;
    }
  }

  async get(caller: Caller, roomId: string): Promise<Room> {
    const room = await this.#deps.repository.find(roomId);
    const membership = room ? await this.#deps.repository.membership(roomId, caller.userId) : undefined;
    authorize(roomsPolicy.mayView(caller, room, membership), ChatProblems.roomNotFound);
    return toRoom(room!, membership);
  }

  async getBySlug(caller: Caller, slug: string): Promise<Room> {
    const room = await this.#deps.repository.findBySlug(slug);
    const membership = room ? await this.#deps.repository.membership(room.id, caller.userId) : undefined;
    authorize(roomsPolicy.mayView(caller, room, membership), ChatProblems.roomNotFound);
    return toRoom(room!, membership);
  }

  async listPublic(caller: Caller, query: { q?: string; limit: number; cursor?: string }) {
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.listPublic(query.q, before, query.limit);
    const page = toPage(rows, query.limit);
    const mine = await this.#deps.repository.membershipsOf(
      caller.userId,
      page.items.map((r) => r.id),
    );
    // A banned caller does not see the room at all, not even in the directory.
    const items = page.items.filter((r) => !mine.get(r.id)?.is_banned).map((r) => toRoom(r, mine.get(r.id)));
    return { items, next_cursor: page.next_cursor };
  }

  async listMine(
    caller: Caller,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: MyRoom[]; next_cursor: string | null }> {
    const before = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const page = toPage(await this.#deps.repository.listMine(caller.userId, before, query.limit), query.limit);
    return {
      items: page.items.map((row) => ({
        ...toRoom(row, { role: row.role, is_banned: false, is_muted: row.is_muted }),
        is_muted: row.is_muted,
        last_read_at: row.last_read_at === null ? null : iso(row.last_read_at),
        unread_count: row.unread_count,
      })),
      next_cursor: page.next_cursor,
    };
  }

  async update(caller: Caller, roomId: string, body: UpdateRoom): Promise<Room> {
    const passwordHash =
      body.password === undefined
        ? undefined
        : body.password === null
          ? null
          : await this.#deps.passwords.hash(body.password);
    return this.#deps.repository.locked(roomId, async (tx, room) => {
      const membership = room ? await this.#deps.repository.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayEditRoom(caller, room, membership), ChatProblems.roomNotFound);
      if (body.max_members !== undefined && body.max_members !== null && body.max_members < room!.member_count)
        throw fieldError(
          CommonProblems.validationFailed,
          `The room has ${room!.member_count} members already`,
          'body.max_members',
          'minimum',
          'is below the current member count',
        );
      const row = await this.#deps.repository.updateRoom(tx, roomId, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
        ...(body.max_members === undefined ? {} : { max_members: body.max_members }),
      });
      await roomEvent(tx, roomId, 'room.updated', {
        room_id: roomId,
        changes: {
          ...(body.name === undefined ? {} : { name: row.name }),
          ...(body.description === undefined ? {} : { description: row.description }),
          ...(body.password === undefined ? {} : { has_password: row.has_password }),
          ...(body.max_members === undefined ? {} : { max_members: row.max_members }),
        },
      });
      return toRoom(row, membership);
    });
  }

  async delete(caller: Caller, roomId: string): Promise<void> {
    await this.#deps.repository.locked(roomId, async (tx, room) => {
      const membership = room ? await this.#deps.repository.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayDeleteRoom(caller, room, membership), ChatProblems.roomNotFound);
      await this.#deps.repository.softDeleteRoom(tx, roomId);
      await roomEvent(tx, roomId, 'room.deleted', { room_id: roomId });
    });
  }

  /**
   * Joining a public room (idempotent: a member joining again gets the room). The password, when the room has
   * one, is checked before the room is locked, and wrong ones are throttled per (user, room).
   */
  async join(caller: Caller, roomId: string, password: string | undefined): Promise<Room> {
    const repo = this.#deps.repository;
    const room = await repo.find(roomId);
    const existing = room ? await repo.membership(roomId, caller.userId) : undefined;
    authorize(roomsPolicy.mayJoin(caller, room, existing), ChatProblems.roomNotFound);
    if (existing) return toRoom(room!, existing);
    if (room!.has_password) {
      const wait = await this.#passwordAttempts.begin(caller.userId, roomId);
      if (wait > 0) throw new RoomPasswordThrottledError(wait);
      const hash = await repo.passwordHash(roomId);
      if (password === undefined || !(await this.#deps.passwords.verify(password, hash)))
        throw fieldError(ChatProblems.roomPasswordWrong, 'The room password is wrong', 'body.password', 'password');
      await this.#passwordAttempts.succeeded(caller.userId, roomId);
    }
    return repo.locked(roomId, async (tx, locked) => {
      const membership = locked ? await repo.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayJoin(caller, locked, membership), ChatProblems.roomNotFound);
      if (membership) return toRoom(locked!, membership);
      if (locked!.max_members !== null && locked!.member_count >= locked!.max_members)
        throw new ApiError(ChatProblems.roomFull, `The room has its ${locked!.max_members} members`);
      await repo.addMember(tx, roomId, caller.userId);
      await roomEvent(tx, roomId, 'member.joined', { room_id: roomId, user_id: caller.userId, role: 'member' });
      const after = await repo.find(roomId, tx);
      return toRoom(after!, { role: 'member', is_banned: false, is_muted: false });
    });
  }

  /** Leaving: any member but the owner, who transfers the room first (or deletes it). */
  async leave(caller: Caller, roomId: string): Promise<void> {
    await this.#deps.repository.locked(roomId, async (tx, room) => {
      const membership = room ? await this.#deps.repository.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayRead(caller, room, membership), ChatProblems.roomNotFound);
      if (membership!.role === 'owner')
        throw new ApiError(ChatProblems.ownerCannotLeave, 'Transfer ownership to another member first');
      await this.#deps.repository.removeMember(tx, roomId, caller.userId);
      await roomEvent(tx, roomId, 'member.left', { room_id: roomId, user_id: caller.userId });
    });
  }

  async members(caller: Caller, roomId: string, query: { limit: number; cursor?: string }) {
    await this.readable(caller, roomId);
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const page = toPage(await this.#deps.repository.members(roomId, after, query.limit), query.limit);
    return { items: page.items.map(toMember), next_cursor: page.next_cursor };
  }

  /** Inviting adds the user as a member at once (private rooms have no other way in); seats are enforced. */
  async invite(caller: Caller, roomId: string, userId: string): Promise<Member> {
    const repo = this.#deps.repository;
    return repo.locked(roomId, async (tx, room) => {
      const membership = room ? await repo.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayInvite(caller, room, membership), ChatProblems.roomNotFound);
      if (!(await this.#deps.userExists(userId)))
        throw fieldError(CommonProblems.notFound, 'No such user', 'body.user_id', 'exists');
      const target = await repo.membership(roomId, userId, tx);
      if (target?.is_banned)
        throw fieldError(ChatProblems.memberBanned, 'The user is banned from this room', 'body.user_id', 'banned');
      if (target) throw fieldError(ChatProblems.alreadyMember, 'Already a member', 'body.user_id', 'unique');
      if (room!.max_members !== null && room!.member_count >= room!.max_members)
        throw new ApiError(ChatProblems.roomFull, `The room has its ${room!.max_members} members`);
      await repo.addMember(tx, roomId, userId);
      await roomEvent(tx, roomId, 'member.joined', { room_id: roomId, user_id: userId, role: 'member' });
      return toMember((await repo.membership(roomId, userId, tx))!);
    });
  }

  /** Role, mute and ban changes, each checked against the matrix of ADR 0056, applied together or not at all. */
  async updateMember(caller: Caller, roomId: string, userId: string, body: UpdateMember): Promise<Member | null> {
    const repo = this.#deps.repository;
    return repo.locked(roomId, async (tx, room) => {
      const membership = room ? await repo.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayRead(caller, room, membership), ChatProblems.roomNotFound);
      const target = await repo.membership(roomId, userId, tx);
      if (!target) throw new ApiError(ChatProblems.memberNotFound);
      // A ban is judged against the role the member had: the row keeps it (reset to member below).
      const subject = target;
      if (body.is_banned !== undefined) authorize(roomsPolicy.mayBan(caller, room, membership, subject));
      if (body.is_muted !== undefined) authorize(roomsPolicy.mayMute(caller, room, membership, subject));
      if (body.role !== undefined) authorize(roomsPolicy.mayChangeRole(caller, room, membership, subject, body.role));
      if (target.is_banned && body.is_banned !== false) throw new ApiError(ChatProblems.memberNotFound);

      if (body.is_banned === false) {
        // Lifting a ban removes the row: the user may join (or be invited) again.
        if (target.is_banned) {
          await repo.removeMember(tx, roomId, userId);
          await roomEvent(tx, roomId, 'member.unbanned', { room_id: roomId, user_id: userId, by: caller.userId });
        }
        return null;
      }
      const changes: Partial<Pick<MembershipRow, 'role' | 'is_banned' | 'is_muted'>> = {};
      if (body.role !== undefined) changes.role = body.role;
      if (body.is_muted !== undefined) changes.is_muted = body.is_muted;
      if (body.is_banned === true) Object.assign(changes, { is_banned: true, role: 'member' satisfies RoomRole });
      const updated = await repo.updateMember(tx, roomId, userId, changes);
      const by = caller.userId;
      if (body.is_banned === true) {
        await roomEvent(tx, roomId, 'member.banned', { room_id: roomId, user_id: userId, by });
      } else {
        if (body.role !== undefined && body.role !== target.role)
          await roomEvent(tx, roomId, 'member.role_changed', { room_id: roomId, user_id: userId, role: body.role, by });
        if (body.is_muted !== undefined && body.is_muted !== target.is_muted)
          await roomEvent(tx, roomId, 'member.muted', { room_id: roomId, user_id: userId, muted: body.is_muted, by });
      }
      return body.is_banned === true ? null : toMember(updated);
    });
  }

  /** Kicking removes the member; they may come back (a public room) or be invited again. */
  async kick(caller: Caller, roomId: string, userId: string): Promise<void> {
    const repo = this.#deps.repository;
    await repo.locked(roomId, async (tx, room) => {
      const membership = room ? await repo.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayRead(caller, room, membership), ChatProblems.roomNotFound);
      const target = await repo.membership(roomId, userId, tx);
      if (!target || target.is_banned) throw new ApiError(ChatProblems.memberNotFound);
      authorize(roomsPolicy.mayKick(caller, room, membership, target));
      await repo.removeMember(tx, roomId, userId);
      await roomEvent(tx, roomId, 'member.kicked', { room_id: roomId, user_id: userId, by: caller.userId });
    });
  }

  /** The owner hands the room to another member and becomes an admin. */
  async transfer(caller: Caller, roomId: string, userId: string): Promise<Member> {
    const repo = this.#deps.repository;
    return repo.locked(roomId, async (tx, room) => {
      const membership = room ? await repo.membership(roomId, caller.userId, tx) : undefined;
      authorize(roomsPolicy.mayTransfer(caller, room, membership), ChatProblems.roomNotFound);
      const target = await repo.membership(roomId, userId, tx);
      if (!target || target.is_banned || userId === caller.userId)
        throw fieldError(ChatProblems.memberNotFound, 'The new owner must be another member', 'body.user_id', 'member');
      await repo.updateMember(tx, roomId, caller.userId, { role: 'admin' });
      const owner = await repo.updateMember(tx, roomId, userId, { role: 'owner' });
      const by = caller.userId;
      await roomEvent(tx, roomId, 'member.role_changed', {
        room_id: roomId,
        user_id: caller.userId,
        role: 'admin',
        by,
      });
      await roomEvent(tx, roomId, 'member.role_changed', { room_id: roomId, user_id: userId, role: 'owner', by });
      return toMember(owner);
    });
  }
}

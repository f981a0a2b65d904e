// The SQL of groups and their memberships (issue 15 §5, ADR 0065). Rows in, rows out.
// Every change to who is in a group, and to roles, runs in `locked`: the group row is taken FOR NO KEY UPDATE first
// (which leaves foreign-key checks of new group posts free), so that changes of one group queue up and a role
// checked at the start still holds at the commit. member_count and post_count are kept by migration 0016's
// triggers, feed entries by migration 0041's, in the same transaction.
import { sql, type Selectable, type Transaction } from 'kysely';
import type { DB, Groups } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import { visibleDespiteBlocks } from './blocks.repository.ts';
import type { GroupRole, MemberStatus } from './groups.policy.ts';

export type Executor = Database | Transaction<DB>;

/** A group row; `group_type` is text under a CHECK in the schema, narrowed here to the two values it allows. */
export type GroupRow = Omit<Selectable<Groups>, 'group_type'> & { group_type: 'public' | 'private' };

export interface GroupMembershipRow {
  id: string;
  group_id: string;
  user_id: string;
  role: GroupRole;
  status: MemberStatus;
  joined_at: Date;
  approved_at: Date | null;
}

export type ListedGroupRow = GroupRow & {
  my_role: GroupRole | null;
  my_status: MemberStatus | null;
  [POSITION_STAMP]: string;
};
export type MemberListRow = GroupMembershipRow & { [POSITION_STAMP]: string };

export interface NewGroup {
  name: string;
  slug: string;
  description: string | null;
  avatar_url: string | null;
  banner_url: string | null;
  group_type: 'public' | 'private';
  requires_approval: boolean;
}

export type GroupChanges = Partial<NewGroup>;

const GROUP_COLUMNS = [
  'groups.id',
  'groups.name',
  'groups.slug',
  'groups.description',
  'groups.avatar_url',
  'groups.banner_url',
  'groups.group_type',
  'groups.requires_approval',
  'groups.creator_id',
  'groups.member_count',
  'groups.post_count',
  'groups.created_at',
  'groups.updated_at',
  'groups.deleted_at',
] as const;

const MEMBER_COLUMNS = [
  'group_members.id',
  'group_members.group_id',
  'group_members.user_id',
  'group_members.role',
  'group_members.status',
  'group_members.joined_at',
  'group_members.approved_at',
] as const;

/** `%` and `_` typed by a user match themselves. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createGroupsRepository(pool: Pool) {
  const { db } = pool;
  return {
    db,

    /** Runs `work` in a transaction holding the group row FOR NO KEY UPDATE (undefined: no such group). */
    async locked<T>(
      groupId: string,
      work: (tx: Transaction<DB>, group: GroupRow | undefined) => Promise<T>,
    ): Promise<T> {
      return db.transaction().execute(async (tx) => {
        const group = (await tx
          .selectFrom('groups')
          .select(GROUP_COLUMNS)
          .where('groups.id', '=', groupId)
          .forNoKeyUpdate()
          .executeTakeFirst()) as GroupRow | undefined;
        return work(tx, group);
      });
    },

    async inTransaction<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },

    async find(groupId: string, executor: Executor = db): Promise<GroupRow | undefined> {
      return (await executor
        .selectFrom('groups')
        .select(GROUP_COLUMNS)
        .where('groups.id', '=', groupId)
        .executeTakeFirst()) as GroupRow | undefined;
    },

    async findBySlug(slug: string): Promise<GroupRow | undefined> {
      return (await db
        .selectFrom('groups')
        .select(GROUP_COLUMNS)
        .where('groups.slug', '=', slug)
        .where('groups.deleted_at', 'is', null)
        .executeTakeFirst()) as GroupRow | undefined;
    },

    async membership(
      groupId: string,
      userId: string,
      executor: Executor = db,
    ): Promise<GroupMembershipRow | undefined> {
      return (await executor
        .selectFrom('group_members')
        .select(MEMBER_COLUMNS)
        .where('group_members.group_id', '=', groupId)
        .where('group_members.user_id', '=', userId)
        .executeTakeFirst()) as GroupMembershipRow | undefined;
    },

    /** Creates the group and its owner's active membership. */
    async insertGroup(tx: Transaction<DB>, creatorId: string, group: NewGroup): Promise<GroupRow> {
      const row = (await tx
        .insertInto('groups')
        .values({ ...group, creator_id: creatorId })
        .returning(GROUP_COLUMNS.map((column) => column.slice('groups.'.length) as 'id'))
        .executeTakeFirstOrThrow()) as unknown as GroupRow;
      await tx
        .insertInto('group_members')
        .values({ group_id: row.id, user_id: creatorId, role: 'owner', status: 'active', approved_at: sql`NOW()` })
        .execute();
      return { ...row, member_count: row.member_count + 1 };
    },

    async updateGroup(tx: Transaction<DB>, groupId: string, changes: GroupChanges): Promise<void> {
      await tx.updateTable('groups').set(changes).where('id', '=', groupId).execute();
    },

    async softDelete(tx: Transaction<DB>, groupId: string): Promise<void> {
      await tx
        .updateTable('groups')
        .set({ deleted_at: sql`NOW()` })
        .where('id', '=', groupId)
        .execute();
    },

    /** A new membership row (active or pending); an existing one is left as it is (false). */
    async insertMembership(tx: Transaction<DB>, groupId: string, userId: string, status: 'active' | 'pending') {
      const inserted = await tx
        .insertInto('group_members')
        .values({
          group_id: groupId,
          user_id: userId,
          role: 'member',
          status,
          approved_at: status === 'active' ? sql`NOW()` : null,
        })
        .onConflict((conflict) => conflict.columns(['group_id', 'user_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async approve(tx: Transaction<DB>, groupId: string, userId: string): Promise<void> {
      await tx
        .updateTable('group_members')
        .set({ status: 'active', approved_at: sql`NOW()`, joined_at: sql`NOW()` })
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .where('status', '=', 'pending')
        .execute();
    },

    async setRole(tx: Transaction<DB>, groupId: string, userId: string, role: GroupRole): Promise<void> {
      await tx
        .updateTable('group_members')
        .set({ role })
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .execute();
    },

    /** A ban keeps the row (status banned, role member): it is what keeps the user out. */
    async ban(tx: Transaction<DB>, groupId: string, userId: string): Promise<void> {
      await tx
        .insertInto('group_members')
        .values({ group_id: groupId, user_id: userId, role: 'member', status: 'banned', approved_at: null })
        .onConflict((conflict) =>
          conflict
            .columns(['group_id', 'user_id'])
            .doUpdateSet({ status: 'banned', role: 'member', approved_at: null }),
        )
        .execute();
    },

    async removeMembership(tx: Transaction<DB>, groupId: string, userId: string): Promise<boolean> {
      const result = await tx
        .deleteFrom('group_members')
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Public groups, newest first; `q` matches the slug or the name. */
    async listPublic(
      viewerId: string | undefined,
      q: string | undefined,
      limit: number,
      after: Position | undefined,
    ): Promise<ListedGroupRow[]> {
      let query = listed(db, viewerId)
        .where('groups.group_type', '=', 'public')
        .where('groups.deleted_at', 'is', null)
        .orderBy('groups.created_at', 'desc')
        .orderBy('groups.id', 'desc')
        .limit(pageSize(limit + 1));
      if (q !== undefined) {
        const pattern = `%${likeEscaped(q.toLowerCase())}%`;
        query = query.where((eb) =>
          eb.or([eb('groups.slug', 'like', pattern), eb(sql`lower(groups.name)`, 'like', pattern)]),
        );
      }
      if (after) query = query.where(beforePosition(after, { createdAt: 'groups.created_at', id: 'groups.id' }));
      return (await query.execute()) as ListedGroupRow[];
    },

    /** The groups `userId` is an active member of or asked to join, most recent first. */
    async listMine(userId: string, limit: number, after: Position | undefined): Promise<ListedGroupRow[]> {
      let query = db
        .selectFrom('group_members as mine')
        .innerJoin('groups', 'groups.id', 'mine.group_id')
        .select(GROUP_COLUMNS)
        .select([
          'mine.role as my_role',
          'mine.status as my_status',
          positionStamp('mine.created_at').as(POSITION_STAMP),
        ])
        .where('mine.user_id', '=', userId)
        .where('mine.status', 'in', ['active', 'pending'])
        .where('groups.deleted_at', 'is', null)
        .orderBy('mine.created_at', 'desc')
        .orderBy('mine.group_id', 'desc')
        .limit(pageSize(limit + 1));
      // (membership time, group id): a user has one row per group, so the group's id breaks ties.
      if (after) query = query.where(beforePosition(after, { createdAt: 'mine.created_at', id: 'mine.group_id' }));
      return (await query.execute()) as ListedGroupRow[];
    },

    /** Members with a status, newest first; those the viewer blocked or was blocked by left out (rule 3). */
    async members(
      viewerId: string | undefined,
      groupId: string,
      status: MemberStatus,
      limit: number,
      after: Position | undefined,
    ): Promise<MemberListRow[]> {
      let query = db
        .selectFrom('group_members')
        .select(MEMBER_COLUMNS)
        .select(positionStamp('group_members.created_at').as(POSITION_STAMP))
        .where('group_members.group_id', '=', groupId)
        .where('group_members.status', '=', status)
        .where(visibleDespiteBlocks(viewerId, 'group_members.user_id'))
        .orderBy('group_members.created_at', 'desc')
        .orderBy('group_members.id', 'desc')
        .limit(pageSize(limit + 1));
      if (after) {
        query = query.where(beforePosition(after, { createdAt: 'group_members.created_at', id: 'group_members.id' }));
      }
      return (await query.execute()) as MemberListRow[];
    },
  };
}

export type GroupsRepository = ReturnType<typeof createGroupsRepository>;

/** Groups with the viewer's membership (role, status) alongside. */
function listed(db: Executor, viewerId: string | undefined) {
  const viewer = viewerId === undefined ? sql`NULL::uuid` : sql`${viewerId}::uuid`;
  return db
    .selectFrom('groups')
    .leftJoin('group_members as mine', (join) =>
      join.onRef('mine.group_id', '=', 'groups.id').on(sql<boolean>`mine.user_id = ${viewer}`),
    )
    .select(GROUP_COLUMNS)
    .select([
      'mine.role as my_role',
      'mine.status as my_status',
      positionStamp('groups.created_at').as(POSITION_STAMP),
    ]);
}

// Groups: creation, the directory, membership with approval, roles, bans, and the group's posts (issue 15 §5;
// ADR 0065). Every method takes the caller and plain values, never a request. Membership and role changes run with
// the group row locked (repository.locked): the role checked is the role at the commit.
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage, type PageQuery } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { Decision } from '../../platform/policy/policy.ts';
import { groupFeed } from './feed.queries.ts';
import { GroupProblems } from './groups.errors.ts';
import { groupsPolicy, isActiveMember, type GroupRole } from './groups.policy.ts';
import type { GroupMembershipRow, GroupRow, GroupsRepository, ListedGroupRow } from './groups.repository.ts';
import type {
  CreateGroup,
  Group,
  GroupListQuery,
  GroupMember,
  GroupMembersQuery,
  UpdateGroup,
} from './groups.schemas.ts';
import { findVisible } from './posts.repository.ts';
import type { Post } from './posts.schemas.ts';
import type { PostsService } from './posts.service.ts';

export interface PublicName {
  id: string;
  username: string;
  display_name: string | null;
}

export interface GroupsServiceDeps {
  repository: GroupsRepository;
  /** Accounts that exist and are not deleted (profiles' publicNamesOf). */
  namesOf: (ids: string[]) => Promise<Map<string, PublicName>>;
  /** Renders post rows (PostsService.views): the group's posts page shows posts as every other list does. */
  posts: Pick<PostsService, 'views'>;
}

const iso = (date: Date) => date.toISOString();

export function toGroup(
  row: GroupRow,
  membership: Pick<GroupMembershipRow, 'role' | 'status'> | null | undefined,
): Group {
  const status = membership?.status === 'active' || membership?.status === 'pending' ? membership.status : null;
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    avatar_url: row.avatar_url,
    banner_url: row.banner_url,
    group_type: row.group_type,
    requires_approval: row.requires_approval,
    member_count: row.member_count,
    post_count: row.post_count,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    my_role: status === 'active' ? membership!.role : null,
    my_status: status,
  };
}

const isUniqueViolation = (error: unknown, constraint: string) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: string }).code === '23505' &&
  (error as { constraint?: string }).constraint === constraint;

/** A denial as the group's problem: hidden -> 404, forbidden -> `forbidden` (403 by default: role too low). */
function check(decision: Decision, forbidden = GroupProblems.roleTooLow): void {
  if (!decision.allowed && decision.denial === 'forbidden') throw new ApiError(forbidden, decision.reason);
  authorize(decision, GroupProblems.groupNotFound);
}

export class GroupsService {
  readonly #deps: GroupsServiceDeps;

  constructor(deps: GroupsServiceDeps) {
    this.#deps = deps;
  }

  get #repo(): GroupsRepository {
    return this.#deps.repository;
  }

  async #member(row: GroupMembershipRow): Promise<GroupMember> {
    const names = await this.#deps.namesOf([row.user_id]);
    return this.#toMember(row, names);
  }

  #toMember(row: GroupMembershipRow, names: Map<string, PublicName>): GroupMember {
    const user = names.get(row.user_id);
    return {
      user: user
        ? { id: user.id, username: user.username, display_name: user.display_name }
        : { id: row.user_id, username: '[deleted]', display_name: null },
      role: row.role,
      status: row.status,
      joined_at: iso(row.joined_at),
      approved_at: row.approved_at ? iso(row.approved_at) : null,
    };
  }

  async create(caller: Caller, body: CreateGroup): Promise<Group> {
    try {
      const row = await this.#repo.inTransaction((tx) =>
        this.#repo.insertGroup(tx, caller.userId, {
          name: body.name,
          slug: body.slug,
          description: body.description ?? null,
          avatar_url: body.avatar_url ?? null,
          banner_url: body.banner_url ?? null,
          group_type: body.group_type ?? 'public',
          requires_approval: body.requires_approval ?? false,
        }),
      );
      return toGroup(row, { role: 'owner', status: 'active' });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_groups_slug')) throw new ApiError(GroupProblems.groupSlugTaken);
      throw error;
    }
  }

  async get(viewer: Caller | null, groupId: string): Promise<Group> {
    const group = await this.#repo.find(groupId);
    const membership = group && viewer ? await this.#repo.membership(groupId, viewer.userId) : undefined;
    check(groupsPolicy.mayView(viewer, group, membership));
    return toGroup(group!, membership);
  }

  async getBySlug(viewer: Caller | null, slug: string): Promise<Group> {
    const group = await this.#repo.findBySlug(slug);
    if (!group) throw new ApiError(GroupProblems.groupNotFound);
    return this.get(viewer, group.id);
  }

  async listPublic(viewer: Caller | null, query: GroupListQuery) {
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = await this.#repo.listPublic(viewer?.userId, query.q, query.limit, after);
    return toPage(
      rows.map((row) => this.#listed(row)),
      query.limit,
    );
  }

  async listMine(caller: Caller, query: PageQuery) {
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = await this.#repo.listMine(caller.userId, query.limit, after);
    return toPage(
      rows.map((row) => this.#listed(row)),
      query.limit,
    );
  }

  #listed(row: ListedGroupRow) {
    const membership = row.my_role && row.my_status ? { role: row.my_role, status: row.my_status } : null;
    return { ...toGroup(row, membership), position_stamp: row.position_stamp };
  }

  async update(caller: Caller, groupId: string, body: UpdateGroup): Promise<Group> {
    return this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      check(groupsPolicy.mayEdit(caller, group, membership));
      await this.#repo.updateGroup(tx, groupId, body);
      return toGroup((await this.#repo.find(groupId, tx))!, membership);
    });
  }

  async delete(caller: Caller, groupId: string): Promise<void> {
    await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      check(groupsPolicy.mayDelete(caller, group, membership));
      await this.#repo.softDelete(tx, groupId);
    });
  }

  /**
   * Joins a public group without approval at once; otherwise (requires_approval, or any private group) asks, and
   * the membership is pending until a moderator approves it. Idempotent: joining again answers the current state.
   */
  async join(caller: Caller, groupId: string): Promise<{ status: 'active' | 'pending'; group: Group }> {
    return this.#repo.locked(groupId, async (tx, group) => {
      const existing = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      check(groupsPolicy.mayJoin(caller, group, existing), GroupProblems.banned);
      if (!existing) {
        const status = group!.group_type === 'public' && !group!.requires_approval ? 'active' : 'pending';
        await this.#repo.insertMembership(tx, groupId, caller.userId, status);
      }
      const membership = (await this.#repo.membership(groupId, caller.userId, tx))!;
      const status = membership.status === 'active' ? 'active' : 'pending';
      return { status, group: toGroup((await this.#repo.find(groupId, tx))!, membership) };
    });
  }

  /** Leaves a group, or withdraws a request to join. The owner transfers the group first. */
  async leave(caller: Caller, groupId: string): Promise<void> {
    await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      check(groupsPolicy.mayView(caller, group, membership));
      if (!membership || membership.status === 'banned') throw new ApiError(GroupProblems.memberNotFound);
      if (membership.role === 'owner') throw new ApiError(GroupProblems.ownerCannotLeave);
      await this.#repo.removeMembership(tx, groupId, caller.userId);
    });
  }

  /** Hands the group to an active member; the former owner becomes an admin. */
  async transfer(caller: Caller, groupId: string, userId: string): Promise<GroupMember> {
    const row = await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      check(groupsPolicy.mayTransfer(caller, group, membership));
      const target = await this.#repo.membership(groupId, userId, tx);
      if (!isActiveMember(target) || userId === caller.userId) {
        throw new ApiError(GroupProblems.transferTargetInvalid, 'The new owner must be another active member', [
          { field: 'body.user_id', rule: 'active-member', message: 'is not another active member of the group' },
        ]);
      }
      await this.#repo.setRole(tx, groupId, caller.userId, 'admin');
      await this.#repo.setRole(tx, groupId, userId, 'owner');
      return (await this.#repo.membership(groupId, userId, tx))!;
    });
    return this.#member(row);
  }

  /** Members (active by default; pending and banned for moderators and above), newest first. */
  async members(viewer: Caller | null, groupId: string, query: GroupMembersQuery) {
    const group = await this.#repo.find(groupId);
    const membership = group && viewer ? await this.#repo.membership(groupId, viewer.userId) : undefined;
    const status = query.status ?? 'active';
    check(
      status === 'active'
        ? groupsPolicy.mayReadContent(viewer, group, membership)
        : groupsPolicy.mayReviewRequests(viewer, group, membership),
      status === 'active' ? GroupProblems.membersOnly : GroupProblems.roleTooLow,
    );
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = await this.#repo.members(viewer?.userId, groupId, status, query.limit, after);
    const names = await this.#deps.namesOf(rows.map((row) => row.user_id));
    return toPage(
      rows.map((row) => ({ ...this.#toMember(row, names), id: row.id, position_stamp: row.position_stamp })),
      query.limit,
    );
  }

  async approve(caller: Caller, groupId: string, userId: string): Promise<GroupMember> {
    const row = await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      check(groupsPolicy.mayReviewRequests(caller, group, membership));
      const target = await this.#repo.membership(groupId, userId, tx);
      if (!target) throw new ApiError(GroupProblems.memberNotFound);
      if (target.status !== 'pending') throw new ApiError(GroupProblems.notPending);
      await this.#repo.approve(tx, groupId, userId);
      return (await this.#repo.membership(groupId, userId, tx))!;
    });
    return this.#member(row);
  }

  /** Declines a pending request (moderators and above) or removes a member of a lower role (a kick). */
  async remove(caller: Caller, groupId: string, userId: string): Promise<void> {
    await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      const target = group ? await this.#repo.membership(groupId, userId, tx) : undefined;
      if (target?.status === 'pending') check(groupsPolicy.mayReviewRequests(caller, group, membership));
      else check(groupsPolicy.mayKick(caller, group, membership, target));
      if (!target || target.status === 'banned') throw new ApiError(GroupProblems.memberNotFound);
      await this.#repo.removeMembership(tx, groupId, userId);
    });
  }

  async changeRole(caller: Caller, groupId: string, userId: string, role: Exclude<GroupRole, 'owner'>) {
    const row = await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      const target = group ? await this.#repo.membership(groupId, userId, tx) : undefined;
      if (!isActiveMember(target)) {
        check(groupsPolicy.mayReviewRequests(caller, group, membership));
        throw new ApiError(GroupProblems.memberNotFound);
      }
      check(groupsPolicy.mayChangeRole(caller, group, membership, target));
      check(groupsPolicy.mayAssign(membership, role));
      await this.#repo.setRole(tx, groupId, userId, role);
      return (await this.#repo.membership(groupId, userId, tx))!;
    });
    return this.#member(row);
  }

  /** Bans a user (a member of a lower role, or anyone else): they leave and may not join again until unbanned. */
  async ban(caller: Caller, groupId: string, userId: string): Promise<void> {
    if (userId === caller.userId) {
      throw new ApiError(CommonProblems.validationFailed, 'You cannot ban yourself', [
        { field: 'params.user_id', rule: 'not-self', message: 'is you' },
      ]);
    }
    await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      const target = group ? await this.#repo.membership(groupId, userId, tx) : undefined;
      check(groupsPolicy.mayBan(caller, group, membership, target));
      if ((await this.#deps.namesOf([userId])).size === 0) throw new ApiError(GroupProblems.memberNotFound);
      await this.#repo.ban(tx, groupId, userId);
    });
  }

  /** Lifts a ban: the user may join again (idempotent on an existing ban only). */
  async unban(caller: Caller, groupId: string, userId: string): Promise<void> {
    await this.#repo.locked(groupId, async (tx, group) => {
      const membership = group ? await this.#repo.membership(groupId, caller.userId, tx) : undefined;
      const target = group ? await this.#repo.membership(groupId, userId, tx) : undefined;
      check(groupsPolicy.mayBan(caller, group, membership, null));
      if (target?.status !== 'banned') throw new ApiError(GroupProblems.memberNotFound, 'This user is not banned');
      await this.#repo.removeMembership(tx, groupId, userId);
    });
  }

  /** The group's posts, newest first: anyone for a public group, active members for a private one. */
  async posts(viewer: Caller | null, groupId: string, query: PageQuery) {
    const group = await this.#repo.find(groupId);
    const membership = group && viewer ? await this.#repo.membership(groupId, viewer.userId) : undefined;
    check(groupsPolicy.mayReadContent(viewer, group, membership), GroupProblems.membersOnly);
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : null;
    const db = this.#repo.db;
    const entries = await groupFeed(db, viewer?.userId, groupId, after, query.limit + 1).execute();
    return toPage(await this.#render(viewer?.userId, entries), query.limit);
  }

  /** Posts in the order of `entries` (id + position stamp), as the viewer may see them. */
  async #render(viewerId: string | undefined, entries: { id: string; position_stamp: string }[]) {
    const db = this.#repo.db;
    const views = new Map(
      (
        await this.#deps.posts.views(
          db,
          viewerId,
          await findVisible(
            db,
            viewerId,
            entries.map((e) => e.id),
          ),
        )
      ).map(({ stamp: _stamp, ...post }) => [post.id, post]),
    );
    return entries.flatMap((entry) => {
      const post: Post | undefined = views.get(entry.id);
      return post ? [{ ...post, position_stamp: entry.position_stamp }] : [];
    });
  }
}

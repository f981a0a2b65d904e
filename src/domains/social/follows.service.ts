// Follows and follow requests (issue 15 §1; ADR 0060): follow (immediate for public and unlisted profiles, a request
// for private ones), unfollow (which also cancels a request), the owner's pending requests, accept and decline,
// and the followers and following lists. Every change of a pair's relation runs under the pair's lock (lockPair),
// re-checking the block inside it, so that a follow can never survive a concurrent block (ADR 0061).
import type { Transaction } from 'kysely';
import type { NotificationCause } from '../notifications/index.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, encodeCursor, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { SocialGraphProblems } from './follows.errors.ts';
import { followsPolicy, type AccountSubject } from './follows.policy.ts';
import { lockPair, type FollowsRepository, type PersonRow } from './follows.repository.ts';
import type { Connection, FollowRequest, FollowState, Person } from './follows.schemas.ts';

/** Writes or retracts a notification in the caller's transaction (notifications' notify / retractNotification). */
export type NotificationWriter = (tx: Transaction<DB>, cause: NotificationCause) => Promise<void>;

export interface FollowsServiceDeps {
  repository: FollowsRepository;
  /** Profiles domain: the profile visibility of a live account, undefined when there is none. */
  profileVisibilityOf: (userId: string) => Promise<'public' | 'unlisted' | 'private' | undefined>;
  /** Profiles domain: the live accounts with these usernames. */
  accountsNamed: (usernames: string[]) => Promise<{ id: string }[]>;
  /** Either of the two blocked the other, read in `db` (a transaction re-checks under the pair's lock). */
  isBlockedEitherWay: (a: string, b: string, tx?: Transaction<DB>) => Promise<boolean>;
  notify: NotificationWriter;
  retractNotification: NotificationWriter;
}

interface PageQuery {
  limit: number;
  cursor?: string;
}

type Page<T> = { items: T[]; next_cursor: string | null };

/**
 * The follow notification, as the notifications domain groups it (notifications.catalogue.ts): to the person
 * followed, about their own account, so that follows group ("A and 3 others followed you").
 */
const followCause = (followerId: string, followedId: string): NotificationCause => ({
  recipientId: followedId,
  actorId: followerId,
  type: 'follow',
  entityType: 'user',
  entityId: followedId,
});

/** A follow request: one notification per requester, about the requester, so that it can be answered. */
const requestCause = (requesterId: string, targetId: string): NotificationCause => ({
  recipientId: targetId,
  actorId: requesterId,
  type: 'follow',
  entityType: 'user',
  entityId: requesterId,
  snippet: 'follow_request',
});

function toPerson(row: PersonRow): Person {
  return { id: row.id, username: row.username, display_name: row.display_name };
}

function pageOf<T>(rows: PersonRow[], limit: number, item: (row: PersonRow) => T): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(item),
    next_cursor:
      rows.length > limit && last ? encodeCursor({ createdAt: last[POSITION_STAMP], id: last.row_id }) : null,
  };
}

const positionOf = (query: PageQuery): Position | undefined =>
  query.cursor === undefined ? undefined : decodeCursor(query.cursor);

export class FollowsService {
  readonly #deps: FollowsServiceDeps;

  constructor(deps: FollowsServiceDeps) {
    this.#deps = deps;
  }

  /** The other account as the policy needs it, seen from `viewerId` (undefined: anonymous). */
  async #subject(viewerId: string | undefined, userId: string): Promise<AccountSubject> {
    const [visibility, blocked, followed] = await Promise.all([
      this.#deps.profileVisibilityOf(userId),
      viewerId === undefined ? false : this.#deps.isBlockedEitherWay(viewerId, userId),
      viewerId === undefined || viewerId === userId ? false : this.#deps.repository.isFollowing(viewerId, userId),
    ]);
    return {
      id: userId,
      exists: visibility !== undefined,
      blocked,
      profile_visibility: visibility ?? 'public',
      followed_by_caller: followed,
    };
  }

  #notSelf(caller: Caller, userId: string, what: string): void {
    if (userId === caller.userId)
      throw new ApiError(SocialGraphProblems.followSelf, `You cannot ${what} yourself`, [
        { field: 'params.user_id', rule: 'notSelf', message: 'is you' },
      ]);
  }

  /**
   * Follows `userId`, or asks to when their profile is private. Idempotent: following again, or asking again,
   * answers the same state and changes nothing. A block either way, or no such account: USER_NOT_FOUND.
   */
  async follow(caller: Caller, userId: string): Promise<FollowState> {
    this.#notSelf(caller, userId, 'follow');
    const subject = await this.#subject(caller.userId, userId);
    authorize(followsPolicy.mayFollow(caller, subject), SocialGraphProblems.userNotFound);
    const { repository } = this.#deps;
    return repository.inTransaction(caller.userId, async (tx) => {
      await lockPair(tx, caller.userId, userId);
      if (await this.#deps.isBlockedEitherWay(caller.userId, userId, tx))
        throw new ApiError(SocialGraphProblems.userNotFound, 'No such user');
      if (await repository.isFollowingIn(tx, caller.userId, userId)) return { status: 'following' };
      if (subject.profile_visibility === 'private') {
        if (await repository.request(tx, caller.userId, userId))
          await this.#deps.notify(tx, requestCause(caller.userId, userId));
        return { status: 'requested' };
      }
      if (await repository.follow(tx, caller.userId, userId))
        await this.#deps.notify(tx, followCause(caller.userId, userId));
      return { status: 'following' };
    });
  }

  /** Stops following `userId`, and cancels a pending request to. Idempotent; the notification is taken back. */
  async unfollow(caller: Caller, userId: string): Promise<void> {
    this.#notSelf(caller, userId, 'unfollow');
    const { repository } = this.#deps;
    await repository.inTransaction(caller.userId, async (tx) => {
      await lockPair(tx, caller.userId, userId);
      if (await repository.unfollow(tx, caller.userId, userId))
        await this.#deps.retractNotification(tx, followCause(caller.userId, userId));
      if (await repository.deleteRequest(tx, caller.userId, userId))
        await this.#deps.retractNotification(tx, requestCause(caller.userId, userId));
    });
  }

  /** The owner accepts `requesterId`'s pending request: it becomes a follow; the request's notification goes. */
  async accept(caller: Caller, requesterId: string): Promise<void> {
    const { repository } = this.#deps;
    await repository.inTransaction(caller.userId, async (tx) => {
      await lockPair(tx, caller.userId, requesterId);
      if (!(await repository.deleteRequest(tx, requesterId, caller.userId)))
        throw new ApiError(SocialGraphProblems.followRequestNotFound, 'No pending request from this user');
      await repository.follow(tx, requesterId, caller.userId);
      await this.#deps.retractNotification(tx, requestCause(requesterId, caller.userId));
    });
  }

  /** The owner declines `requesterId`'s pending request: it is deleted, and so is its notification. */
  async decline(caller: Caller, requesterId: string): Promise<void> {
    const { repository } = this.#deps;
    await repository.inTransaction(caller.userId, async (tx) => {
      await lockPair(tx, caller.userId, requesterId);
      if (!(await repository.deleteRequest(tx, requesterId, caller.userId)))
        throw new ApiError(SocialGraphProblems.followRequestNotFound, 'No pending request from this user');
      await this.#deps.retractNotification(tx, requestCause(requesterId, caller.userId));
    });
  }

  async incomingRequests(caller: Caller, query: PageQuery): Promise<Page<FollowRequest>> {
    const rows = await this.#deps.repository.incomingRequests(caller.userId, positionOf(query), query.limit);
    return pageOf(rows, query.limit, (row) => ({ user: toPerson(row), requested_at: row.since.toISOString() }));
  }

  /** The account behind `username` whose connections `viewer` may list, else USER_NOT_FOUND. */
  async #listable(username: string, viewer: Caller | null): Promise<string> {
    const [account] = await this.#deps.accountsNamed([username]);
    const subject = account ? await this.#subject(viewer?.userId, account.id) : undefined;
    authorize(followsPolicy.mayListConnections(viewer, subject), SocialGraphProblems.userNotFound);
    return (account as { id: string }).id;
  }

  async followers(username: string, viewer: Caller | null, query: PageQuery): Promise<Page<Connection>> {
    const userId = await this.#listable(username, viewer);
    const rows = await this.#deps.repository.followers(userId, viewer?.userId, positionOf(query), query.limit);
    return pageOf(rows, query.limit, (row) => ({ user: toPerson(row), followed_at: row.since.toISOString() }));
  }

  async following(username: string, viewer: Caller | null, query: PageQuery): Promise<Page<Connection>> {
    const userId = await this.#listable(username, viewer);
    const rows = await this.#deps.repository.following(userId, viewer?.userId, positionOf(query), query.limit);
    return pageOf(rows, query.limit, (row) => ({ user: toPerson(row), followed_at: row.since.toISOString() }));
  }
}

// Blocks (issue 15 §2; ADR 0061): block with an optional private note, unblock, the blocker's list. A block, in one
// transaction under the pair's lock: records the block, deletes follows and pending follow requests both ways,
// and has the notifications domain forget every notification between the two. Everything else a block hides is
// hidden where it is read, by THE rule (visibleDespiteBlocks, isBlockedEitherWay).
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, encodeCursor, POSITION_STAMP } from '../../platform/http/pagination.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { BlocksRepository } from './blocks.repository.ts';
import type { Block, BlockCreate } from './blocks.schemas.ts';
import { SocialGraphProblems } from './follows.errors.ts';
import { followsPolicy } from './follows.policy.ts';
import { lockPair, type FollowsRepository } from './follows.repository.ts';
import type { Person } from './follows.schemas.ts';

export interface BlocksServiceDeps {
  repository: BlocksRepository;
  follows: Pick<FollowsRepository, 'inTransaction' | 'severBothWays'>;
  /** Profiles domain: public names of live (not deleted) accounts by id. */
  publicNames: (ids: string[]) => Promise<Map<string, Person>>;
  /** Notifications domain: deletes every notification between the two, both ways, in the transaction. */
  forgetNotificationsBetween: (tx: Transaction<DB>, a: string, b: string) => Promise<void>;
}

/** The note as stored: NFC, trimmed; blank is no note. */
function normaliseReason(reason: string | null | undefined): string | null | undefined {
  if (reason === undefined || reason === null) return reason;
  const text = reason.normalize('NFC').trim();
  return text === '' ? null : text;
}

export class BlocksService {
  readonly #deps: BlocksServiceDeps;

  constructor(deps: BlocksServiceDeps) {
    this.#deps = deps;
  }

  /** Blocks `userId` (again: a no-op, or a new note when `reason` is given). */
  async block(caller: Caller, userId: string, body: BlockCreate): Promise<Block> {
    if (userId === caller.userId)
      throw new ApiError(SocialGraphProblems.blockSelf, 'You cannot block yourself', [
        { field: 'params.user_id', rule: 'notSelf', message: 'is you' },
      ]);
    const person = (await this.#deps.publicNames([userId])).get(userId);
    authorize(followsPolicy.mayBlock(caller, { exists: person !== undefined }), SocialGraphProblems.userNotFound);
    const reason = normaliseReason(body.reason);
    const stored = await this.#deps.follows.inTransaction(caller.userId, async (tx) => {
      await lockPair(tx, caller.userId, userId);
      const row = await this.#deps.repository.block(tx, caller.userId, userId, reason);
      await this.#deps.follows.severBothWays(tx, caller.userId, userId);
      await this.#deps.forgetNotificationsBetween(tx, caller.userId, userId);
      return row;
    });
    const { id, username, display_name } = person as Person;
    return { user: { id, username, display_name }, reason: stored.reason, created_at: stored.created_at.toISOString() };
  }

  /** Lifts the caller's block of `userId`; idempotent. Follows deleted by the block do not come back. */
  async unblock(caller: Caller, userId: string): Promise<void> {
    await this.#deps.repository.unblock(caller.userId, userId);
  }

  async list(caller: Caller, query: { limit: number; cursor?: string }) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.list(caller.userId, after, query.limit);
    const kept = rows.slice(0, query.limit);
    const last = kept.at(-1);
    return {
      items: kept.map((row): Block => ({
        user: { id: row.id, username: row.username, display_name: row.display_name },
        reason: row.reason,
        created_at: row.created_at.toISOString(),
      })),
      next_cursor:
        rows.length > query.limit && last ? encodeCursor({ createdAt: last[POSITION_STAMP], id: last.row_id }) : null,
    };
  }
}

import { compileOnce } from '../../platform/db/compile-once.ts';
import type { Database } from '../../platform/db/pool.ts';

// Runs on every authenticated request: compiled once (ADR 0030).
const accountState = compileOnce((db: Database, userId: string) =>
  db
    .selectFrom('users')
    .select(['id', 'role', 'token_version', 'is_active', 'is_banned', 'deleted_at'])
    .where('id', '=', userId),
);

/** What authentication needs to know of an account, read fresh on every request. */
export async function findAccountState(db: Database, userId: string) {
  return (await accountState(db, userId))[0];
}

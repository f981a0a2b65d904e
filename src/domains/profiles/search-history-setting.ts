// Whether a user's searches are kept for their "recent searches" list (issue 18 §4, ADR 0088): a privacy setting of
// the account, kept in user_settings (migration 0053), which the search domain reads and sets through these two
// functions only.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';

/** The account's choice; on (the column's default) for an account without a settings row. */
export async function searchHistoryEnabledOf(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_settings')
    .select('search_history_enabled')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.search_history_enabled ?? true;
}

/** Sets the account's choice, creating its settings row (with every other default) when it has none. */
export async function setSearchHistoryEnabled(db: Database, userId: string, value: boolean): Promise<void> {
  await db
    .insertInto('user_settings')
    .values({ user_id: userId, search_history_enabled: value })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ search_history_enabled: sql`excluded.search_history_enabled` }),
    )
    .execute();
}

// The names under which accounts appear next to what they made (a track's creator, a comment's author, who added
// a playlist entry): other domains ask here instead of reading `users` themselves (GUIDE, domain isolation).
import type { Database } from '../../platform/db/pool.ts';

/** What anyone may see of an account beside its work: the same fields as its public profile's header. */
export interface PublicName {
  id: string;
  username: string;
  display_name: string | null;
}

/**
 * The public names of these accounts, by id, in one query. An id without a live account (deleted, or never
 * existed) is absent from the map: the caller shows its own placeholder.
 */
export async function publicNamesOf(db: Database, ids: Iterable<string>): Promise<Map<string, PublicName>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name'])
    .where('id', 'in', wanted)
    .where('deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The live accounts with these usernames (case-insensitive), e.g. the `@username` mentions of a chat message
 * (issue 14 §2). Unknown and deleted names are absent.
 */
export async function accountsNamed(db: Database, usernames: Iterable<string>): Promise<PublicName[]> {
  const wanted = [...new Set([...usernames].map((name) => name.toLowerCase()))];
  if (wanted.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name'])
    .where((eb) => eb(eb.fn('lower', ['username']), 'in', wanted))
    .where('deleted_at', 'is', null)
    .execute();
}

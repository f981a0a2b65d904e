// Who may see a user's presence (issue 14 §5, ADR 0059): a privacy setting of the account, kept in user_settings
// (migration 0038), which the chat domain reads and sets through these two functions only (GUIDE, domain isolation).
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';

export type PresenceVisibility = 'everyone' | 'shared_rooms' | 'nobody';

/** What an account without a settings row, or without a choice, shares: the people it shares a room with. */
export const DEFAULT_PRESENCE_VISIBILITY: PresenceVisibility = 'shared_rooms';

/** The setting of each of these accounts; an account without a settings row has the default. */
export async function presenceVisibilityOf(
  db: Database,
  userIds: Iterable<string>,
): Promise<Map<string, PresenceVisibility>> {
  const wanted = [...new Set(userIds)];
  const found = new Map<string, PresenceVisibility>(wanted.map((id) => [id, DEFAULT_PRESENCE_VISIBILITY]));
  if (wanted.length === 0) return found;
  const rows = await db
    .selectFrom('user_settings')
    .select(['user_id', 'presence_visibility'])
    .where('user_id', 'in', wanted)
    .execute();
  for (const row of rows) found.set(row.user_id, row.presence_visibility as PresenceVisibility);
  return found;
}

/** Sets the account's choice, creating its settings row (with every other default) when it has none. */
export async function setPresenceVisibility(db: Database, userId: string, value: PresenceVisibility): Promise<void> {
  await db
    .insertInto('user_settings')
    .values({ user_id: userId, presence_visibility: value })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ presence_visibility: sql`excluded.presence_visibility` }))
    .execute();
}

// Whether a user's public "my setup" page is on (issue 17 §8, ADR 0079): a privacy setting of the account, kept in
// user_settings (migration 0050), which the gear domain reads and sets through these two functions only.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';

/** The account's choice; off for an account without a settings row. */
export async function gearSetupPublicOf(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_settings')
    .select('gear_setup_public')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.gear_setup_public ?? false;
}

/** Sets the account's choice, creating its settings row (with every other default) when it has none. */
export async function setGearSetupPublic(db: Database, userId: string, value: boolean): Promise<void> {
  await db
    .insertInto('user_settings')
    .values({ user_id: userId, gear_setup_public: value })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ gear_setup_public: sql`excluded.gear_setup_public` }))
    .execute();
}

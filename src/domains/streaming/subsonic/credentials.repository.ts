// The SQL of Subsonic credentials (issue 13 §6, ADR 0051): subsonic_credentials rows, and the few facts of an
// account that signing a player in needs (read through the auth domain). Rows in, rows out; secrets stay sealed
// or hashed here.
import { sql } from 'kysely';
import { findAccountState, findAccountStateByUsername } from '../../auth/index.ts';
import type { Database, Pool } from '../../../platform/db/pool.ts';
import { withActor } from '../../../platform/db/actor.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../../platform/http/pagination.ts';

export type CredentialKind = 'app_password' | 'api_key';

/** A credential as its owner sees it in a list: never its secret. */
export interface CredentialSummaryRow {
  id: string;
  name: string;
  kind: CredentialKind;
  hint: string;
  last_used_at: Date | null;
  created_at: Date;
  [POSITION_STAMP]: string;
}

/** An account as a Subsonic sign-in needs it: who, which role, and whether it may sign in at all. */
export interface SubsonicAccount {
  id: string;
  role: 'user' | 'creator' | 'premium' | 'moderator' | 'admin';
  is_active: boolean;
  is_banned: boolean;
  /** A moderator's suspension (ADR 0095): refused until then. */
  suspended_until: Date | null;
  deleted_at: Date | null;
}

export interface NewCredential {
  userId: string;
  name: string;
  kind: CredentialKind;
  sealedPassword: string | null;
  apiKeyHash: string | null;
  hint: string;
}

/** Most credentials one account may hold at once (ADR 0051): a player or two per device is plenty. */
export const MAX_CREDENTIALS_PER_USER = 10;

const SUMMARY = ['id', 'name', 'kind', 'hint', 'last_used_at', 'created_at'] as const;

/** last_used_at is written at most this often per credential: a player's every request must not be a write. */
const LAST_USED_RESOLUTION = sql<Date>`NOW() - INTERVAL '1 hour'`;

export function createCredentialsRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    async list(userId: string, after: Position | undefined, limit: number): Promise<CredentialSummaryRow[]> {
      let query = db
        .selectFrom('subsonic_credentials')
        .select(SUMMARY)
        .select(positionStamp().as(POSITION_STAMP))
        .where('user_id', '=', userId);
      if (after) query = query.where(beforePosition(after));
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return rows as CredentialSummaryRow[];
    },

    /**
     * Inserts the credential unless the account already holds MAX_CREDENTIALS_PER_USER: the count and the insert
     * run under a per-account advisory lock, so parallel creations never pass the limit together.
     */
    async create(credential: NewCredential): Promise<Omit<CredentialSummaryRow, typeof POSITION_STAMP> | 'full'> {
      return withActor(db, credential.userId, async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext('subsonic_credentials'), hashtext(${credential.userId}))`.execute(
          tx,
        );
        const { held } = await tx
          .selectFrom('subsonic_credentials')
          .select((eb) => eb.fn.countAll<string>().as('held'))
          .where('user_id', '=', credential.userId)
          .executeTakeFirstOrThrow();
        if (Number(held) >= MAX_CREDENTIALS_PER_USER) return 'full';
        const row = await tx
          .insertInto('subsonic_credentials')
          .values({
            user_id: credential.userId,
            name: credential.name,
            kind: credential.kind,
            sealed_password: credential.sealedPassword,
            api_key_hash: credential.apiKeyHash,
            hint: credential.hint,
          })
          .returning(SUMMARY)
          .executeTakeFirstOrThrow();
        return row as Omit<CredentialSummaryRow, typeof POSITION_STAMP>;
      });
    },

    /** Whose credential this is, for the policy (subsonic.policy.ts); undefined for an unknown id. */
    findOwner: (id: string) =>
      db.selectFrom('subsonic_credentials').select(['id', 'user_id']).where('id', '=', id).executeTakeFirst(),

    /** Revokes (deletes) one of the user's credentials; false when the user has none with that id. */
    async revoke(userId: string, id: string): Promise<boolean> {
      return withActor(db, userId, async (tx) => {
        const deleted = await tx
          .deleteFrom('subsonic_credentials')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return deleted.numDeletedRows > 0n;
      });
    },

    /** The account a Subsonic `u` names, in any case: the auth domain's lookup. */
    accountByUsername: (username: string): Promise<SubsonicAccount | undefined> =>
      findAccountStateByUsername(db, username),

    /** The sealed app passwords of an account (at most MAX_CREDENTIALS_PER_USER rows). */
    appPasswordsOf: (userId: string) =>
      db
        .selectFrom('subsonic_credentials')
        .select(['id', 'sealed_password'])
        .where('user_id', '=', userId)
        .where('kind', '=', 'app_password')
        .execute(),

    /** The API key with this SHA-256, with its account (uq_subsonic_credentials_api_key_hash). */
    async apiKeyByHash(hash: string): Promise<(SubsonicAccount & { credential_id: string }) | undefined> {
      const credential = await db
        .selectFrom('subsonic_credentials')
        .select(['id', 'user_id'])
        .where('api_key_hash', '=', hash)
        .where('kind', '=', 'api_key')
        .executeTakeFirst();
      if (!credential) return undefined;
      const account = await findAccountState(db, credential.user_id);
      return account && { ...account, credential_id: credential.id };
    },

    /** Notes that a player signed in with the credential, at most once an hour. */
    async touch(id: string): Promise<void> {
      await db
        .updateTable('subsonic_credentials')
        .set({ last_used_at: sql<Date>`NOW()` })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', LAST_USED_RESOLUTION)]))
        .execute();
    },
  };
}

export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;

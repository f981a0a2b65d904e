// Every SQL statement of the profiles domain. Rows in, rows out: no HTTP shapes, no rules.
//
// The account routes of spec §5 and §19 (GET /v1/me, consents, export request, platform role) read and write
// columns of `users`, which the auth domain owns; the auth domain exposes no repository for them yet, so the few
// statements live here, each naming the columns it touches. Writes to audited tables (users, user_roles: ADR 0013)
// run inside withActor, so the audit trail records who acted.
import { sql as kysql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { withActor } from '../../platform/db/actor.ts';
import { compileOnce } from '../../platform/db/compile-once.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import type { UserRole } from '../../platform/db/db.generated.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

export interface AccountRow {
  id: string;
  email: string;
  username: string;
  display_name: string | null;
  role: UserRole;
  email_verified_at: Date | null;
  data_processing_consent: boolean;
  data_processing_consent_at: Date | null;
  marketing_consent: boolean;
  marketing_consent_at: Date | null;
  created_at: Date;
}

export interface ConsentRow {
  data_processing_consent: boolean;
  data_processing_consent_at: Date | null;
  marketing_consent: boolean;
  marketing_consent_at: Date | null;
}

export type ConsentName = 'data_processing_consent' | 'marketing_consent';

/** The profile as stored; birthdate as its 'YYYY-MM-DD' text, so no time zone can shift it by a day. */
export interface ProfileRow {
  user_id: string;
  bio: string | null;
  tagline: string | null;
  location: string | null;
  website_url: string | null;
  birthdate: string | null;
  gender: string | null;
  avatar_url: string | null;
  banner_url: string | null;
  language: string | null;
  timezone: string | null;
  theme: string | null;
  profile_visibility: 'public' | 'unlisted' | 'private';
  show_email: boolean;
  show_location: boolean;
  follower_count: number;
  following_count: number;
  track_count: number;
  playlist_count: number;
  created_at: Date;
  updated_at: Date;
}

/** Columns of user_profiles a user may write (counters and ids are not among them). */
export interface ProfileChanges {
  bio?: string | null;
  tagline?: string | null;
  location?: string | null;
  website_url?: string | null;
  birthdate?: string | null;
  gender?: string | null;
  avatar_url?: string | null;
  banner_url?: string | null;
  language?: string;
  timezone?: string;
  theme?: string;
  profile_visibility?: 'public' | 'unlisted' | 'private';
  show_email?: boolean;
  show_location?: boolean;
}

export interface SettingsRow {
  email_notifications: boolean;
  push_notifications: boolean;
  browser_notifications: boolean;
  email_on_follow: boolean;
  email_on_like: boolean;
  email_on_comment: boolean;
  email_on_message: boolean;
  email_on_mention: boolean;
  email_marketing: boolean;
  allow_search_indexing: boolean;
  show_activity: boolean;
  explicit_content: boolean;
  autoplay: boolean;
  updated_at: Date;
}

/** What the public views need of an account to decide who may see it. */
export interface PublicUserRow {
  id: string;
  username: string;
  display_name: string | null;
  email: string;
  created_at: Date;
  deleted_at: Date | null;
  is_active: boolean;
  is_banned: boolean;
}

export interface BadgeRow {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  category: string;
  icon_url: string | null;
  color: string | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export type BadgeValues = Partial<Omit<BadgeRow, 'id' | 'created_at' | 'updated_at'>>;

export interface HeldBadgeRow {
  badge_id: string;
  name: string;
  slug: string;
  description: string | null;
  category: string;
  icon_url: string | null;
  color: string | null;
  is_displayed: boolean;
  display_order: number | null;
  earned_at: Date;
}

export interface BadgeSetEntry {
  badge_id: string;
  is_displayed: boolean;
  display_order: number | null;
}

/** A requested badge as the replacement finds it: whether it exists, is active, and is already held. */
export interface BadgeCandidate {
  id: string;
  is_active: boolean;
  held: boolean;
}

export interface RoleRow {
  role: string;
  verified: boolean;
  verified_at: Date | null;
  created_at: Date;
}

export interface ExportStateRow {
  export_requested_at: Date | null;
  exported_at: Date | null;
}

export interface CredentialStateRow {
  password_hash: string | null;
  last_login_at: Date | null;
}

const PROFILE_COLUMNS = [
  'user_id',
  'bio',
  'tagline',
  'location',
  'website_url',
  'gender',
  'avatar_url',
  'banner_url',
  'language',
  'timezone',
  'theme',
  'profile_visibility',
  'show_email',
  'show_location',
  'follower_count',
  'following_count',
  'track_count',
  'playlist_count',
  'created_at',
  'updated_at',
] as const;

const SETTINGS_COLUMNS = [
  'email_notifications',
  'push_notifications',
  'browser_notifications',
  'email_on_follow',
  'email_on_like',
  'email_on_comment',
  'email_on_message',
  'email_on_mention',
  'email_marketing',
  'allow_search_indexing',
  'show_activity',
  'explicit_content',
  'autoplay',
  'updated_at',
] as const;

const BADGE_COLUMNS = [
  'id',
  'name',
  'slug',
  'description',
  'category',
  'icon_url',
  'color',
  'is_active',
  'created_at',
  'updated_at',
] as const;

/** Serialises writes of one kind for one user (badge set, declared roles) for the rest of the transaction. */
async function lockUserScope(tx: Transaction<DB>, scope: string, userId: string): Promise<void> {
  await kysql`SELECT pg_advisory_xact_lock(hashtextextended(${`${scope}:${userId}`}, 0))`.execute(tx);
}

/**
 * An update with an optional precondition (If-Match): without one, just the update; with one, the row is read locked
 * by `readLocked`, handed to the precondition (which throws to refuse), then updated, all in one transaction, so
 * that no other change can come between the check and the write.
 */
async function updateGuarded<Row>(
  db: Database,
  readLocked: (tx: Database) => Promise<Row | undefined>,
  update: (handle: Database) => Promise<Row | undefined>,
  precondition?: (current: Row) => void,
): Promise<Row | undefined> {
  if (!precondition) return update(db);
  return db.transaction().execute(async (tx) => {
    const current = await readLocked(tx);
    if (!current) return undefined;
    precondition(current);
    return update(tx);
  });
}

export function createProfilesRepository(pool: Pool) {
  const { db } = pool;
  const profileSelection = [...PROFILE_COLUMNS, kysql<string | null>`birthdate::text`.as('birthdate')] as const;
  // GET /v1/me and GET /v1/me/profile run these on every call: compiled once (ADR 0030).
  const accountById = compileOnce((handle: Database, userId: string) =>
    handle
      .selectFrom('users')
      .select([
        'id',
        'email',
        'username',
        'display_name',
        'role',
        'email_verified_at',
        'data_processing_consent',
        'data_processing_consent_at',
        'marketing_consent',
        'marketing_consent_at',
        'created_at',
      ])
      .where('id', '=', userId)
      .where('deleted_at', 'is', null),
  );
  const profileById = compileOnce((handle: Database, userId: string) =>
    handle.selectFrom('user_profiles').select(profileSelection).where('user_id', '=', userId),
  );

  return {
    // --- account (users) -----------------------------------------------------------------------------------

    /** The caller's account, unless it was deleted. */
    async findAccount(userId: string): Promise<AccountRow | undefined> {
      return (await accountById(db, userId))[0];
    },

    /**
     * Sets each given consent and stamps its *_at with the time of the change (the database clock); audited
     * with the old and new rows (spec §19.2). The caller passes only the consents that change.
     */
    updateConsents(
      actorId: string,
      userId: string,
      changes: Partial<Record<ConsentName, boolean>>,
    ): Promise<ConsentRow | undefined> {
      const processing = changes.data_processing_consent ?? null;
      const marketing = changes.marketing_consent ?? null;
      return withActor(db, actorId, async (tx) => {
        const {
          rows: [row],
        } = await kysql<ConsentRow>`
          UPDATE users SET
            data_processing_consent = COALESCE(${processing}::boolean, data_processing_consent),
            data_processing_consent_at = CASE WHEN ${processing}::boolean IS NULL
              THEN data_processing_consent_at ELSE NOW() END,
            marketing_consent = COALESCE(${marketing}::boolean, marketing_consent),
            marketing_consent_at = CASE WHEN ${marketing}::boolean IS NULL THEN marketing_consent_at ELSE NOW() END
          WHERE id = ${userId} AND deleted_at IS NULL
          RETURNING data_processing_consent, data_processing_consent_at, marketing_consent, marketing_consent_at`.execute(
          tx,
        );
        return row;
      });
    },

    /** Sets the display name (null: none); audited, the caller as actor (ADR 0013). False when no live account. */
    updateDisplayName(actorId: string, userId: string, displayName: string | null): Promise<boolean> {
      return withActor(db, actorId, async (tx) => {
        const rows = await tx
          .updateTable('users')
          .set({ display_name: displayName })
          .where('id', '=', userId)
          .where('deleted_at', 'is', null)
          .returning('id')
          .execute();
        return rows.length > 0;
      });
    },

    findCredentialState(userId: string): Promise<CredentialStateRow | undefined> {
      return db
        .selectFrom('users')
        .select(['password_hash', 'last_login_at'])
        .where('id', '=', userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    findExportState(userId: string): Promise<ExportStateRow | undefined> {
      return db
        .selectFrom('users')
        .select(['export_requested_at', 'exported_at'])
        .where('id', '=', userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    /**
     * Sets export_requested_at unless a request is already pending (requested after the last export, the
     * condition the gdpr.exports job reads), and returns the state either way.
     */
    requestExport(actorId: string, userId: string): Promise<ExportStateRow | undefined> {
      return withActor(db, actorId, async (tx) => {
        const {
          rows: [requested],
        } = await kysql<ExportStateRow>`
          UPDATE users SET export_requested_at = NOW()
          WHERE id = ${userId} AND deleted_at IS NULL
            AND NOT (export_requested_at IS NOT NULL AND (exported_at IS NULL OR export_requested_at > exported_at))
          RETURNING export_requested_at, exported_at`.execute(tx);
        if (requested) return requested;
        const {
          rows: [current],
        } = await kysql<ExportStateRow>`
          SELECT export_requested_at, exported_at FROM users WHERE id = ${userId} AND deleted_at IS NULL`.execute(tx);
        return current;
      });
    },

    /** An account as the public views see it, found by its username in any case (uq_users_lower_username). */
    findUserByUsername(username: string): Promise<PublicUserRow | undefined> {
      return db
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'email', 'created_at', 'deleted_at', 'is_active', 'is_banned'])
        .where(kysql<string>`lower(username)`, '=', username.toLowerCase())
        .executeTakeFirst();
    },

    /** A live account by id, for the staff routes. */
    findLiveUser(userId: string): Promise<{ id: string; username: string; role: UserRole } | undefined> {
      return db
        .selectFrom('users')
        .select(['id', 'username', 'role'])
        .where('id', '=', userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    /**
     * Changes users.role, refusing (through `refuse`) to leave the platform without an active administrator.
     * Every admin row is locked first, so two admins demoting each other at once cannot both succeed.
     */
    changePlatformRole(
      actorId: string,
      userId: string,
      role: UserRole,
      refuseLastAdmin: () => never,
    ): Promise<{ id: string; username: string; role: UserRole } | undefined> {
      return withActor(db, actorId, async (tx) => {
        await kysql`SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`.execute(tx);
        const {
          rows: [target],
        } = await kysql<{ role: UserRole }>`
          SELECT role FROM users WHERE id = ${userId} AND deleted_at IS NULL FOR UPDATE`.execute(tx);
        if (!target) return undefined;
        if (target.role === 'admin' && role !== 'admin') {
          const {
            rows: [others],
          } = await kysql<{ count: number }>`
            SELECT count(*)::int AS count FROM users
            WHERE role = 'admin' AND id <> ${userId} AND deleted_at IS NULL AND is_active AND NOT is_banned`.execute(
            tx,
          );
          if (!others || others.count === 0) refuseLastAdmin();
        }
        const {
          rows: [changed],
        } = await kysql<{ id: string; username: string; role: UserRole }>`
          UPDATE users SET role = ${role} WHERE id = ${userId} RETURNING id, username, role`.execute(tx);
        return changed;
      });
    },

    // --- profile and settings --------------------------------------------------------------------------------

    /** Creates the default profile row when the account has none (registration makes it; older rows may lack it). */
    async ensureProfile(userId: string): Promise<void> {
      await db
        .insertInto('user_profiles')
        .values({ user_id: userId })
        .onConflict((conflict) => conflict.column('user_id').doNothing())
        .execute();
    },

    async findProfile(userId: string): Promise<ProfileRow | undefined> {
      return (await profileById(db, userId))[0];
    },

    /**
     * With a precondition, it sees the row as it is inside the update's transaction, locked, and throws to refuse
     * the change (If-Match: no other update can come between the check and the write).
     */
    updateProfile(
      userId: string,
      changes: ProfileChanges,
      precondition?: (current: ProfileRow) => void,
    ): Promise<ProfileRow | undefined> {
      return updateGuarded(
        db,
        (tx) =>
          tx
            .selectFrom('user_profiles')
            .select(profileSelection)
            .where('user_id', '=', userId)
            .forUpdate()
            .executeTakeFirst(),
        (handle) =>
          handle
            .updateTable('user_profiles')
            .set(changes)
            .where('user_id', '=', userId)
            .returning(profileSelection)
            .executeTakeFirst(),
        precondition,
      );
    },

    async ensureSettings(userId: string): Promise<void> {
      await db
        .insertInto('user_settings')
        .values({ user_id: userId })
        .onConflict((conflict) => conflict.column('user_id').doNothing())
        .execute();
    },

    findSettings(userId: string): Promise<SettingsRow | undefined> {
      return db.selectFrom('user_settings').select(SETTINGS_COLUMNS).where('user_id', '=', userId).executeTakeFirst();
    },

    /** As updateProfile: a precondition sees the locked row inside the update's transaction. */
    updateSettings(
      userId: string,
      changes: Partial<Omit<SettingsRow, 'updated_at'>>,
      precondition?: (current: SettingsRow) => void,
    ): Promise<SettingsRow | undefined> {
      return updateGuarded(
        db,
        (tx) =>
          tx
            .selectFrom('user_settings')
            .select(SETTINGS_COLUMNS)
            .where('user_id', '=', userId)
            .forUpdate()
            .executeTakeFirst(),
        (handle) =>
          handle
            .updateTable('user_settings')
            .set(changes)
            .where('user_id', '=', userId)
            .returning(SETTINGS_COLUMNS)
            .executeTakeFirst(),
        precondition,
      );
    },

    // --- badges ----------------------------------------------------------------------------------------------

    /** Active badges, newest first, one keyset page (limit + 1 rows: the extra one says a next page exists). */
    listActiveBadges(options: {
      limit: number;
      after?: Position;
      category?: string;
    }): Promise<(BadgeRow & { [POSITION_STAMP]: string })[]> {
      let query = db
        .selectFrom('badges')
        .select(BADGE_COLUMNS)
        .select(positionStamp().as(POSITION_STAMP))
        .where('is_active', '=', true);
      if (options.category) query = query.where('category', '=', options.category);
      if (options.after) query = query.where(beforePosition(options.after));
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit + 1)
        .execute();
    },

    createBadge(values: BadgeValues & Pick<BadgeRow, 'name' | 'slug' | 'category'>): Promise<BadgeRow> {
      return db.insertInto('badges').values(values).returning(BADGE_COLUMNS).executeTakeFirstOrThrow();
    },

    updateBadge(id: string, values: BadgeValues): Promise<BadgeRow | undefined> {
      return db.updateTable('badges').set(values).where('id', '=', id).returning(BADGE_COLUMNS).executeTakeFirst();
    },

    /** The user's badges in display order (unordered last, then oldest claim first). */
    listUserBadges(userId: string, options: { displayedOnly: boolean }): Promise<HeldBadgeRow[]> {
      let query = db
        .selectFrom('user_badges as ub')
        .innerJoin('badges as b', 'b.id', 'ub.badge_id')
        .select([
          'ub.badge_id',
          'b.name',
          'b.slug',
          'b.description',
          'b.category',
          'b.icon_url',
          'b.color',
          'ub.is_displayed',
          'ub.display_order',
          'ub.earned_at',
        ])
        .where('ub.user_id', '=', userId);
      if (options.displayedOnly) query = query.where('ub.is_displayed', '=', true);
      return query
        .orderBy(kysql`ub.display_order ASC NULLS LAST`)
        .orderBy('ub.earned_at', 'asc')
        .orderBy('ub.badge_id', 'asc')
        .execute();
    },

    /**
     * Replaces the user's badge set with `entries` in one transaction: `check` sees the requested badges as
     * they are inside it (and throws to refuse the set, which leaves the previous set untouched); badges kept
     * keep their earned_at, the others are removed, new ones added.
     */
    replaceUserBadges(
      actorId: string,
      userId: string,
      entries: BadgeSetEntry[],
      check: (candidates: BadgeCandidate[]) => void,
    ): Promise<void> {
      return withActor(db, actorId, async (tx) => {
        await lockUserScope(tx, 'user_badges', userId);
        const ids = entries.map((entry) => entry.badge_id);
        const { rows: candidates } = await kysql<BadgeCandidate>`
          SELECT b.id, b.is_active,
                 EXISTS (SELECT 1 FROM user_badges ub WHERE ub.user_id = ${userId} AND ub.badge_id = b.id) AS held
          FROM badges b WHERE b.id = ANY(${ids}::uuid[])`.execute(tx);
        check(candidates);
        await kysql`DELETE FROM user_badges WHERE user_id = ${userId} AND NOT (badge_id = ANY(${ids}::uuid[]))`.execute(
          tx,
        );
        if (entries.length === 0) return;
        await tx
          .insertInto('user_badges')
          .values(
            entries.map((entry) => ({
              user_id: userId,
              badge_id: entry.badge_id,
              is_displayed: entry.is_displayed,
              display_order: entry.display_order,
            })),
          )
          .onConflict((conflict) =>
            conflict.columns(['user_id', 'badge_id']).doUpdateSet((eb) => ({
              is_displayed: eb.ref('excluded.is_displayed'),
              display_order: eb.ref('excluded.display_order'),
            })),
          )
          .execute();
      });
    },

    // --- declared professional roles (user_roles, audited) -----------------------------------------------------

    listRoles(userId: string): Promise<RoleRow[]> {
      return db
        .selectFrom('user_roles')
        .select(['role', 'verified', 'verified_at', 'created_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at', 'asc')
        .orderBy('role', 'asc')
        .execute();
    },

    /**
     * Declares `role` for the user unless already declared; `refuseTooMany` is called (and must throw) when the
     * user already holds `max` roles. Returns the row and whether it was created.
     */
    declareRole(
      actorId: string,
      userId: string,
      role: string,
      max: number,
      refuseTooMany: () => never,
    ): Promise<{ row: RoleRow; created: boolean }> {
      return withActor(db, actorId, async (tx) => {
        await lockUserScope(tx, 'user_roles', userId);
        const {
          rows: [existing],
        } = await kysql<RoleRow>`
          SELECT role, verified, verified_at, created_at FROM user_roles WHERE user_id = ${userId} AND role = ${role}`.execute(
          tx,
        );
        if (existing) return { row: existing, created: false };
        const {
          rows: [held],
        } = await kysql<{ count: number }>`
          SELECT count(*)::int AS count FROM user_roles WHERE user_id = ${userId}`.execute(tx);
        if ((held?.count ?? 0) >= max) refuseTooMany();
        const {
          rows: [row],
        } = await kysql<RoleRow>`
          INSERT INTO user_roles (user_id, role) VALUES (${userId}, ${role})
          RETURNING role, verified, verified_at, created_at`.execute(tx);
        if (!row) throw new Error('INSERT INTO user_roles returned no row');
        return { row, created: true };
      });
    },

    /** Removes a declared role; false when it was not declared. */
    withdrawRole(actorId: string, userId: string, role: string): Promise<boolean> {
      return withActor(db, actorId, async (tx) => {
        const result = await kysql`DELETE FROM user_roles WHERE user_id = ${userId} AND role = ${role}`.execute(tx);
        return (result.numAffectedRows ?? 0n) > 0n;
      });
    },

    /** Marks a declared role verified by `actorId`; an already verified role keeps its first verification. */
    verifyRole(actorId: string, userId: string, role: string): Promise<RoleRow | undefined> {
      return withActor(db, actorId, async (tx) => {
        const {
          rows: [verified],
        } = await kysql<RoleRow>`
          UPDATE user_roles SET verified = true, verified_at = NOW(), verified_by = ${actorId}
          WHERE user_id = ${userId} AND role = ${role} AND NOT verified
          RETURNING role, verified, verified_at, created_at`.execute(tx);
        if (verified) return verified;
        const {
          rows: [current],
        } = await kysql<RoleRow>`
          SELECT role, verified, verified_at, created_at FROM user_roles WHERE user_id = ${userId} AND role = ${role}`.execute(
          tx,
        );
        return current;
      });
    },
  };
}

export type ProfilesRepository = ReturnType<typeof createProfilesRepository>;

// Business rules of the profiles domain (spec §5, §17.4, §19): who may see or change what.
import { createReadStream, type ReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { requestAccountDeletion } from '../../lifecycle/gdpr/account-deletion.ts';
import { EXPORT_ARCHIVE_MAX_AGE_DAYS, exportArchiveTime, userExportDirectory } from '../../lifecycle/gdpr/export.ts';
import { loadTableRegistry } from '../../lifecycle/table-registry.ts';
import type { UserRole } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems, type ProblemField } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { blockAndFollowBetween } from '../social/index.ts';
import { ProfilesProblems } from './profiles.errors.ts';
import { profilesPolicy } from './profiles.policy.ts';
import type {
  BadgeCandidate,
  BadgeRow,
  HeldBadgeRow,
  ProfileChanges,
  ProfileRow,
  ProfilesRepository,
  PublicUserRow,
  RoleRow,
  SettingsRow,
} from './profiles.repository.ts';
import {
  MAX_ROLES_PER_USER,
  SETTINGS_FIELDS,
  type Account,
  type AccountUpdate,
  type Badge,
  type BadgeCreate,
  type BadgeListQuery,
  type BadgeSet,
  type BadgeUpdate,
  type Consents,
  type ConsentsUpdate,
  type DeclaredRole,
  type DeleteAccount,
  type ExportStatus,
  type OwnProfile,
  type ProfileUpdate,
  type PublicProfile,
  type Settings,
  type SettingsUpdate,
} from './profiles.schemas.ts';

/** Where a ready export is downloaded from (GET, the caller's own archive only). */
export const EXPORT_DOWNLOAD_PATH = '/v1/me/export/download';

/**
 * An account without a password (federated login only) proves it is its owner, before being deleted, by a
 * login this recent: users.last_login_at is set by a real login, not by refreshing a session.
 */
export const REAUTHENTICATION_WINDOW_MS = 10 * 60 * 1000;

/** What the anonymisation writes into users.display_name (spec §19.3, accounts-anonymise). */
const DELETED_DISPLAY_NAME = '[Compte supprimé]';

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

function invalid(field: string, rule: string, message: string): ApiError {
  return new ApiError(CommonProblems.validationFailed, `${field} ${message}`, [{ field, rule, message }]);
}

// --- value rules the JSON schema cannot express -----------------------------------------------------------------

const TIME_ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const IANA_SPELLING = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)*$/;

/**
 * An IANA time zone name: one of Intl.supportedValuesOf('timeZone') (ICU's canonical names), 'UTC' (the
 * column's default, which ICU lists as an alias only), or an IANA alias spelled as IANA spells it whose
 * canonical zone is one of those (Asia/Kolkata, whose ICU canonical name is Asia/Calcutta; Europe/Kyiv).
 */
export function isTimeZone(name: string): boolean {
  if (TIME_ZONES.has(name)) return true;
  if (!IANA_SPELLING.test(name)) return false;
  try {
    return TIME_ZONES.has(new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone);
  } catch {
    return false;
  }
}

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** An ISO 639-1 code: two lower-case letters that name a language (ICU knows it), not any two letters. */
export function isLanguageCode(code: string): boolean {
  return /^[a-z]{2}$/.test(code) && LANGUAGE_NAMES.of(code) !== undefined;
}

const EARLIEST_BIRTHDATE = '1900-01-01';

function checkProfileValues(update: ProfileUpdate): void {
  const errors: ProblemField[] = [];
  if (update.timezone !== undefined && !isTimeZone(update.timezone))
    errors.push({ field: 'body.timezone', rule: 'timezone', message: 'must be an IANA time zone name' });
  if (update.language !== undefined && !isLanguageCode(update.language))
    errors.push({ field: 'body.language', rule: 'iso639-1', message: 'must be an ISO 639-1 language code' });
  if (update.birthdate) {
    const today = new Date().toISOString().slice(0, 10);
    if (update.birthdate < EARLIEST_BIRTHDATE || update.birthdate > today)
      errors.push({
        field: 'body.birthdate',
        rule: 'range',
        message: `must be from ${EARLIEST_BIRTHDATE} to today`,
      });
  }
  for (const field of ['website_url', 'avatar_url', 'banner_url'] as const) {
    const value = update[field];
    if (value && !isHttpUrl(value))
      errors.push({ field: `body.${field}`, rule: 'http-url', message: 'must be an http or https URL' });
  }
  if (errors.length > 0)
    throw new ApiError(CommonProblems.validationFailed, `${errors.length} field(s) break a profile rule`, errors);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

// --- shapes ---------------------------------------------------------------------------------------------------

function toOwnProfile(row: ProfileRow): OwnProfile {
  return {
    ...row,
    theme: row.theme as OwnProfile['theme'],
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

function toSettings(row: SettingsRow): Settings {
  return { ...row, updated_at: iso(row.updated_at) };
}

function toBadge(row: BadgeRow): Badge {
  return {
    ...row,
    category: row.category as Badge['category'],
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

function toHeldBadge(row: HeldBadgeRow) {
  return {
    badge_id: row.badge_id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    category: row.category as Badge['category'],
    icon_url: row.icon_url,
    color: row.color,
    display_order: row.display_order,
  };
}

function toRole(row: RoleRow): DeclaredRole {
  return {
    role: row.role,
    verified: row.verified,
    verified_at: isoOrNull(row.verified_at),
    declared_at: iso(row.created_at),
  };
}

function toConsents(row: {
  data_processing_consent: boolean;
  data_processing_consent_at: Date | null;
  marketing_consent: boolean;
  marketing_consent_at: Date | null;
}): Consents {
  return {
    data_processing_consent: row.data_processing_consent,
    data_processing_consent_at: isoOrNull(row.data_processing_consent_at),
    marketing_consent: row.marketing_consent,
    marketing_consent_at: isoOrNull(row.marketing_consent_at),
  };
}

export interface ExportArchive {
  path: string;
  size: number;
  generatedAt: Date;
}

export interface ProfilesServiceOptions {
  repository: ProfilesRepository;
  /** The pool, handed to the account deletion of the data-lifecycle module (it runs its own transactions). */
  db: Database;
  /** $VEZA_DATA_DIR: the GDPR export job writes archives under <dataDir>/exports/<user id>/. */
  dataDir: string;
  /** $VEZA_REDIS_URL: a deleted account's presence kept there goes with it (ADR 0059). */
  redisUrl?: string | undefined;
}

export class ProfilesService {
  readonly #repository: ProfilesRepository;
  readonly #db: Database;
  readonly #dataDir: string;
  readonly #redisUrl: string | undefined;
  readonly #anonymisationDelayDays: number;

  constructor(options: ProfilesServiceOptions) {
    this.#repository = options.repository;
    this.#db = options.db;
    this.#dataDir = options.dataDir;
    this.#redisUrl = options.redisUrl;
    const delay = loadTableRegistry().users?.retention.maxAgeDays;
    if (!delay) throw new Error('db/table-registry.json: users has no retention period');
    this.#anonymisationDelayDays = delay;
  }

  // --- the caller's account ------------------------------------------------------------------------------------

  async account(caller: Caller): Promise<Account> {
    const row = await this.#repository.findAccount(caller.userId);
    if (!row) throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
    return {
      id: row.id,
      email: row.email,
      username: row.username,
      display_name: row.display_name,
      role: row.role,
      email_verified_at: isoOrNull(row.email_verified_at),
      consents: toConsents(row),
      created_at: iso(row.created_at),
    };
  }

  /**
   * Changes what the caller's account shows of itself: the display name, trimmed and in Unicode NFC so that two
   * names that look the same are stored the same. Audited (the users trigger, the caller as actor).
   */
  async updateAccount(caller: Caller, update: AccountUpdate): Promise<Account> {
    if (update.display_name !== undefined) {
      const name = update.display_name === null ? null : update.display_name.normalize('NFC').trim();
      if (name === '') throw invalid('body.display_name', 'notBlank', 'must have more than white space');
      if (name !== null && name.length > 100)
        throw invalid('body.display_name', 'maxLength', 'must be 100 characters at most');
      // The anonymisation's placeholder (spec §19.3): a live account must not pass for a deleted one.
      if (name === DELETED_DISPLAY_NAME) throw invalid('body.display_name', 'reserved', 'is reserved');
      if (!(await this.#repository.updateDisplayName(caller.userId, caller.userId, name)))
        throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
    }
    return this.account(caller);
  }

  async consents(caller: Caller): Promise<Consents> {
    return (await this.account(caller)).consents;
  }

  /**
   * Changes the consents given; each change stamps its *_at and is audited with the old and new state (spec
   * §19.2, the users audit trigger). Marketing consent is withdrawn as easily as it was given. Data-processing
   * consent is the legal basis of the account itself: withdrawing it is deleting the account (DELETE /v1/me),
   * so `false` on a live account is refused with a problem saying so, never silently ignored.
   */
  async changeConsents(caller: Caller, update: ConsentsUpdate): Promise<Consents> {
    const current = await this.consents(caller);
    if (update.data_processing_consent === false && current.data_processing_consent) {
      throw new ApiError(
        ProfilesProblems.consentRequired,
        'Data-processing consent is what the account runs on: to withdraw it, delete the account with DELETE /v1/me ' +
          '(processing stops at once, the account is anonymised 30 days later). Marketing consent can be withdrawn here.',
        [
          {
            field: 'body.data_processing_consent',
            rule: 'withdraw-by-deletion',
            message: 'is withdrawn by DELETE /v1/me',
          },
        ],
      );
    }
    const changes: Partial<Record<'data_processing_consent' | 'marketing_consent', boolean>> = {};
    for (const name of ['data_processing_consent', 'marketing_consent'] as const) {
      const wanted = update[name];
      if (wanted !== undefined && wanted !== current[name]) changes[name] = wanted;
    }
    if (Object.keys(changes).length === 0) return current;
    const row = await this.#repository.updateConsents(caller.userId, caller.userId, changes);
    if (!row) throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
    return toConsents(row);
  }

  /**
   * Account deletion (Art. 17, spec §19.3): the password confirms it is the owner, or, for an account with no
   * password (federated login only), a login in the last REAUTHENTICATION_WINDOW_MS. Then the data-lifecycle
   * module soft-deletes the account at once and its job anonymises it after the registry's delay.
   */
  async deleteAccount(caller: Caller, body: DeleteAccount): Promise<{ deleted_at: string; anonymised_after: string }> {
    const credentials = await this.#repository.findCredentialState(caller.userId);
    if (!credentials) throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
    if (credentials.password_hash !== null) {
      if (body.password === undefined)
        throw invalid('body.password', 'required', 'is required to delete an account that has a password');
      if (!(await bcrypt.compare(body.password, credentials.password_hash)))
        throw new ApiError(ProfilesProblems.passwordIncorrect, 'The password does not match; nothing was deleted');
    } else {
      const lastLogin = credentials.last_login_at?.getTime() ?? 0;
      if (Date.now() - lastLogin > REAUTHENTICATION_WINDOW_MS)
        throw new ApiError(
          ProfilesProblems.reauthenticationRequired,
          'This account has no password: log in again with your provider, then delete it within 10 minutes',
        );
    }
    const deletion = await requestAccountDeletion(this.#db, caller.userId, {
      actorId: caller.userId,
      dataDir: this.#dataDir,
      redisUrl: this.#redisUrl,
    });
    const anonymisedAfter = new Date(deletion.deletedAt.getTime() + this.#anonymisationDelayDays * 86_400_000);
    return { deleted_at: iso(deletion.deletedAt), anonymised_after: iso(anonymisedAfter) };
  }

  // --- GDPR export (Art. 20, spec §19.2) ------------------------------------------------------------------------

  /** Asks for an export; while one is pending, asking again changes nothing. */
  async requestExport(caller: Caller): Promise<ExportStatus> {
    const state = await this.#repository.requestExport(caller.userId, caller.userId);
    if (!state) throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
    return this.#exportStatus(caller.userId, state.export_requested_at, state.exported_at);
  }

  async exportStatus(caller: Caller): Promise<ExportStatus> {
    const state = await this.#repository.findExportState(caller.userId);
    if (!state) throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
    return this.#exportStatus(caller.userId, state.export_requested_at, state.exported_at);
  }

  async #exportStatus(userId: string, requestedAt: Date | null, exportedAt: Date | null): Promise<ExportStatus> {
    const pending = requestedAt !== null && (exportedAt === null || requestedAt > exportedAt);
    const archive = pending ? undefined : await this.newestExportArchive(userId);
    return {
      status: pending ? 'pending' : archive ? 'ready' : 'none',
      requested_at: isoOrNull(requestedAt),
      exported_at: isoOrNull(exportedAt),
      download_url: archive ? EXPORT_DOWNLOAD_PATH : null,
      expires_at: archive
        ? iso(new Date(archive.generatedAt.getTime() + EXPORT_ARCHIVE_MAX_AGE_DAYS * 86_400_000))
        : null,
    };
  }

  /** The newest finished archive of `userId` (<dataDir>/exports/<user id>/<stamp>.tar.gz), if any. */
  async newestExportArchive(userId: string): Promise<ExportArchive | undefined> {
    const directory = userExportDirectory(this.#dataDir, userId);
    const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [] as string[];
      throw error;
    });
    // Stamps sort as time; .partial files and .staging directories are work in progress.
    const archives = names.filter((name) => !name.startsWith('.') && name.endsWith('.tar.gz')).sort();
    for (const name of archives.reverse()) {
      const path = join(directory, name);
      const generatedAt = exportArchiveTime(name);
      const info = await stat(path).catch(() => undefined);
      if (generatedAt && info?.isFile()) return { path, size: info.size, generatedAt };
    }
    return undefined;
  }

  /** The caller's newest archive as a stream; only ever the caller's own directory is looked at. */
  async openExportArchive(caller: Caller): Promise<{ stream: ReadStream; size: number; filename: string }> {
    const archive = await this.newestExportArchive(caller.userId);
    if (!archive) throw new ApiError(ProfilesProblems.exportNotReady, 'No export archive is ready: POST /v1/me/export');
    const stamp = archive.generatedAt.toISOString().slice(0, 10);
    return { stream: createReadStream(archive.path), size: archive.size, filename: `veza-export-${stamp}.tar.gz` };
  }

  // --- own profile and settings ---------------------------------------------------------------------------------

  async #profileOf(userId: string): Promise<ProfileRow> {
    const found = await this.#repository.findProfile(userId);
    if (found) return found;
    await this.#repository.ensureProfile(userId);
    const created = await this.#repository.findProfile(userId);
    if (!created) throw new Error(`the profile of ${userId} could not be created`);
    return created;
  }

  async ownProfile(caller: Caller): Promise<OwnProfile> {
    return toOwnProfile(await this.#profileOf(caller.userId));
  }

  /** `ifMatch` (the route's If-Match precondition) is checked against the profile inside the update, locked. */
  async updateOwnProfile(
    caller: Caller,
    update: ProfileUpdate,
    ifMatch?: (current: OwnProfile) => void,
  ): Promise<OwnProfile> {
    checkProfileValues(update);
    await this.#profileOf(caller.userId);
    // Only the writable columns are copied: counters and ids cannot be set even if the schema changed.
    const changes: ProfileChanges = {};
    for (const key of [
      'bio',
      'tagline',
      'location',
      'website_url',
      'birthdate',
      'gender',
      'avatar_url',
      'banner_url',
      'language',
      'timezone',
      'theme',
      'profile_visibility',
      'show_email',
      'show_location',
    ] as const) {
      if (update[key] !== undefined) (changes as Record<string, unknown>)[key] = update[key];
    }
    const row = await this.#repository.updateProfile(
      caller.userId,
      changes,
      ifMatch && ((current) => ifMatch(toOwnProfile(current))),
    );
    if (!row) throw new Error(`the profile of ${caller.userId} vanished`);
    return toOwnProfile(row);
  }

  async #settingsOf(userId: string): Promise<SettingsRow> {
    const found = await this.#repository.findSettings(userId);
    if (found) return found;
    await this.#repository.ensureSettings(userId);
    const created = await this.#repository.findSettings(userId);
    if (!created) throw new Error(`the settings of ${userId} could not be created`);
    return created;
  }

  async ownSettings(caller: Caller): Promise<Settings> {
    return toSettings(await this.#settingsOf(caller.userId));
  }

  /** `ifMatch` as in updateOwnProfile. */
  async updateOwnSettings(
    caller: Caller,
    update: SettingsUpdate,
    ifMatch?: (current: Settings) => void,
  ): Promise<Settings> {
    await this.#settingsOf(caller.userId);
    const changes: Partial<Record<(typeof SETTINGS_FIELDS)[number], boolean>> = {};
    for (const key of SETTINGS_FIELDS) if (update[key] !== undefined) changes[key] = update[key];
    const row = await this.#repository.updateSettings(
      caller.userId,
      changes,
      ifMatch && ((current) => ifMatch(toSettings(current))),
    );
    if (!row) throw new Error(`the settings of ${caller.userId} vanished`);
    return toSettings(row);
  }

  // --- public views ---------------------------------------------------------------------------------------------

  /**
   * The account behind a username as `viewer` may see it, or USER_NOT_FOUND: deleted, banned and deactivated
   * accounts do not exist for anyone, and a private profile exists only for its owner (staff included: they
   * reach accounts through the admin routes, by id). Unlisted profiles are visible to anyone who has the link,
   * which is this route; they are never listed or searched (nothing in this domain lists users).
   */
  async #visibleUser(username: string, viewer: Caller | null): Promise<{ user: PublicUserRow; profile: ProfileRow }> {
    const user = await this.#repository.findUserByUsername(username);
    if (!user) throw new ApiError(ProfilesProblems.userNotFound, `No user ${username}`);
    // Read only: a profile row is created on first use, never for an account nobody may see.
    const found = await this.#repository.findProfile(user.id);
    const visibility = found?.profile_visibility ?? 'public';
    // Social domain (ADRs 0060, 0061): the facts; what they allow is the policy's to say.
    const other = viewer && viewer.userId !== user.id ? viewer.userId : undefined;
    const { blockedEitherWay, viewerFollows } = other
      ? await blockAndFollowBetween(this.#db, other, user.id)
      : { blockedEitherWay: false, viewerFollows: false };
    authorize(
      profilesPolicy.viewProfile(viewer, {
        ...user,
        profile_visibility: visibility,
        blocked_with_viewer: blockedEitherWay,
        followed_by_viewer: viewerFollows,
      }),
      ProfilesProblems.userNotFound,
    );
    return { user, profile: found ?? (await this.#profileOf(user.id)) };
  }

  /**
   * A public profile: never settings, consents, birthdate or gender (there is no opt-in column for them, so
   * they stay private to the owner); the email only with show_email, the location only with show_location.
   * The owner sees exactly what others see.
   */
  async publicProfile(username: string, viewer: Caller | null): Promise<PublicProfile> {
    const { user, profile } = await this.#visibleUser(username, viewer);
    return {
      id: user.id,
      username: user.username,
      display_name: user.display_name,
      email: profile.show_email ? user.email : null,
      bio: profile.bio,
      tagline: profile.tagline,
      location: profile.show_location ? profile.location : null,
      website_url: profile.website_url,
      avatar_url: profile.avatar_url,
      banner_url: profile.banner_url,
      profile_visibility: profile.profile_visibility,
      follower_count: profile.follower_count,
      following_count: profile.following_count,
      track_count: profile.track_count,
      playlist_count: profile.playlist_count,
      joined_at: iso(user.created_at),
    };
  }

  async publicBadges(username: string, viewer: Caller | null) {
    const { user } = await this.#visibleUser(username, viewer);
    const rows = await this.#repository.listUserBadges(user.id, { displayedOnly: true });
    return { items: rows.map(toHeldBadge) };
  }

  async publicRoles(username: string, viewer: Caller | null) {
    const { user } = await this.#visibleUser(username, viewer);
    return { items: (await this.#repository.listRoles(user.id)).map(toRole) };
  }

  // --- badges ---------------------------------------------------------------------------------------------------

  async listBadges(query: BadgeListQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.#repository.listActiveBadges({
      limit: query.limit,
      ...(after ? { after } : {}),
      ...(query.category ? { category: query.category } : {}),
    });
    const page = toPage(rows, query.limit);
    return { items: page.items.map(toBadge), next_cursor: page.next_cursor };
  }

  async createBadge(body: BadgeCreate): Promise<Badge> {
    return toBadge(await this.#repository.createBadge(body));
  }

  async updateBadge(id: string, body: BadgeUpdate): Promise<Badge> {
    const row = await this.#repository.updateBadge(id, body);
    if (!row) throw new ApiError(ProfilesProblems.badgeNotFound, `No badge ${id}`);
    return toBadge(row);
  }

  async ownBadges(caller: Caller) {
    const rows = await this.#repository.listUserBadges(caller.userId, { displayedOnly: false });
    return {
      items: rows.map((row) => ({
        ...toHeldBadge(row),
        is_displayed: row.is_displayed,
        declared_at: iso(row.earned_at),
      })),
    };
  }

  /**
   * Replaces the caller's badge set (spec §17.4: the user chooses which to display and in what order). The set
   * is checked inside the replacing transaction: every badge must exist and be active, or be retired but already
   * held (retiring a badge does not take it from its holders); a badge appears once; displayed badges have
   * distinct positions. One bad entry refuses the whole set and the previous one stays as it was.
   */
  async replaceOwnBadges(caller: Caller, body: BadgeSet) {
    const errors: ProblemField[] = [];
    const seenBadges = new Set<string>();
    const seenPositions = new Set<number>();
    body.badges.forEach((entry, index) => {
      const id = entry.badge_id.toLowerCase();
      if (seenBadges.has(id))
        errors.push({ field: `body.badges.${index}.badge_id`, rule: 'uniqueItems', message: 'appears twice' });
      seenBadges.add(id);
      if (entry.display_order !== null) {
        if (seenPositions.has(entry.display_order))
          errors.push({
            field: `body.badges.${index}.display_order`,
            rule: 'uniqueItems',
            message: 'is the position of another badge',
          });
        seenPositions.add(entry.display_order);
      }
    });
    if (errors.length > 0)
      throw new ApiError(CommonProblems.validationFailed, `${errors.length} entr(ies) of the set conflict`, errors);

    const entries = body.badges.map((entry) => ({ ...entry, badge_id: entry.badge_id.toLowerCase() }));
    await this.#repository.replaceUserBadges(caller.userId, caller.userId, entries, (candidates: BadgeCandidate[]) => {
      const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
      const refused: ProblemField[] = [];
      entries.forEach((entry, index) => {
        const candidate = byId.get(entry.badge_id);
        if (!candidate)
          refused.push({ field: `body.badges.${index}.badge_id`, rule: 'exists', message: 'is no badge' });
        else if (!candidate.is_active && !candidate.held)
          refused.push({ field: `body.badges.${index}.badge_id`, rule: 'active', message: 'is a retired badge' });
      });
      if (refused.length > 0)
        throw new ApiError(
          ProfilesProblems.unknownBadge,
          'The set was refused; the previous one is unchanged',
          refused,
        );
    });
    return this.ownBadges(caller);
  }

  // --- declared professional roles (spec §5.3) --------------------------------------------------------------------

  async ownRoles(caller: Caller) {
    return { items: (await this.#repository.listRoles(caller.userId)).map(toRole) };
  }

  async declareRole(caller: Caller, role: string): Promise<{ role: DeclaredRole; created: boolean }> {
    const { row, created } = await this.#repository.declareRole(
      caller.userId,
      caller.userId,
      role,
      MAX_ROLES_PER_USER,
      () => {
        throw new ApiError(
          ProfilesProblems.tooManyRoles,
          `At most ${MAX_ROLES_PER_USER} roles can be declared; withdraw one first`,
        );
      },
    );
    return { role: toRole(row), created };
  }

  async withdrawRole(caller: Caller, role: string): Promise<void> {
    if (!(await this.#repository.withdrawRole(caller.userId, caller.userId, role)))
      throw new ApiError(ProfilesProblems.roleNotDeclared, `You have not declared the role ${role}`);
  }

  /** Staff (admin or moderator) verify someone else's declared role; audited with who verified it. */
  async verifyRole(caller: Caller, userId: string, role: string): Promise<DeclaredRole> {
    if (caller.userId === userId)
      throw new ApiError(ProfilesProblems.selfVerification, 'Another staff member must verify your roles');
    const user = await this.#repository.findLiveUser(userId);
    if (!user) throw new ApiError(ProfilesProblems.userNotFound, `No user ${userId}`);
    const row = await this.#repository.verifyRole(caller.userId, userId, role);
    if (!row) throw new ApiError(ProfilesProblems.roleNotDeclared, `The user has not declared the role ${role}`);
    return toRole(row);
  }

  /** Changes a platform role (users.role); the platform always keeps an active administrator. */
  async changePlatformRole(caller: Caller, userId: string, role: UserRole) {
    const changed = await this.#repository.changePlatformRole(caller.userId, userId, role, () => {
      throw new ApiError(
        ProfilesProblems.lastAdmin,
        'This is the last active administrator: promote another account to admin first',
      );
    });
    if (!changed) throw new ApiError(ProfilesProblems.userNotFound, `No user ${userId}`);
    return changed;
  }
}

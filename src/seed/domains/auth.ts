// Auth & security (spec §4): users, their tokens, second factors, federated identities and login attempts.
import type { Row } from '../copy-text.ts';
import { hexFor, type Rng } from '../random.ts';
import { copyTable, type SeedTable } from '../table.ts';
import { DAY_MS, HOUR_MS, iso, MINUTE_MS } from '../timeline.ts';
import { Fanout, streams, Timed, type Universe } from '../universe.ts';
import { EMAIL_DOMAINS, FIRST_NAMES, ipv4, LAST_NAMES, PLACES, USER_AGENTS } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';

const S = streams(
  'users.id',
  'users.created',
  'users.kind',
  'users.row',
  'refresh_tokens',
  'refresh_tokens.id',
  'refresh_tokens.token',
  'refresh_tokens.family',
  'password_reset_tokens',
  'password_reset_tokens.id',
  'password_reset_tokens.token',
  'email_verification_tokens.id',
  'email_verification_tokens.token',
  'password_history',
  'password_history.id',
  'two_factor_configs',
  'two_factor_configs.id',
  'federated_identities',
  'federated_identities.id',
  'login_attempts',
  'login_attempts.id',
);

export const ROLE_NAMES = ['user', 'creator', 'premium', 'moderator', 'admin'] as const;
export const ROLE = { user: 0, creator: 1, premium: 2, moderator: 3, admin: 4 } as const;

export interface Users {
  count: number;
  /** The first `staff` users are the admin (index 0) and the moderators. */
  staff: number;
  timed: Timed;
  role: Uint8Array;
  /** Users uploading tracks, in index (= creation) order; sellers and educators are among them. */
  creators: Int32Array;
  sellers: Int32Array;
  educators: Int32Array;
  first: Uint8Array;
  last: Uint8Array;
  place: Uint8Array;
  hasPassword: Uint8Array;
  banned: Uint8Array;
  /** email_verified_at, NaN when not verified. */
  emailVerifiedAt: Float64Array;
}

export function users(u: Universe): Users {
  return u.cached('users', () => {
    const count = u.scaled(VOLUMES.users, 20);
    const staff = Math.max(2, Math.round(count * VOLUMES.staffShare));
    const created = new Float64Array(count);
    const role = new Uint8Array(count);
    const first = new Uint8Array(count);
    const last = new Uint8Array(count);
    const place = new Uint8Array(count);
    const hasPassword = new Uint8Array(count);
    const banned = new Uint8Array(count);
    const emailVerifiedAt = new Float64Array(count);
    const creators: number[] = [];
    const sellers: number[] = [];
    const educators: number[] = [];
    const rng = u.rng();
    for (let i = 0; i < count; i++) {
      rng.reset(S['users.kind'], i);
      created[i] = u.time.entityTime((i + rng.next()) / count);
      first[i] = rng.int(FIRST_NAMES.length);
      last[i] = rng.int(LAST_NAMES.length);
      place[i] = rng.int(PLACES.length);
      hasPassword[i] = i < staff || !rng.chance(VOLUMES.passwordlessShare) ? 1 : 0;
      emailVerifiedAt[i] =
        i < staff || rng.chance(0.9) ? (created[i] as number) + rng.between(1, 600) * MINUTE_MS : NaN;
      // the first user after the staff is always a creator, seller and educator: no scale leaves those lists empty
      const founder = i === staff;
      const creator = founder || (i >= staff && rng.chance(VOLUMES.creatorShare));
      const seller = creator && (founder || rng.chance(VOLUMES.sellerShareOfCreators));
      const educator = creator && (founder || rng.chance(VOLUMES.educatorShareOfCreators));
      if (i === 0) role[i] = ROLE.admin;
      else if (i < staff) role[i] = ROLE.moderator;
      else if (creator) role[i] = ROLE.creator;
      else if (rng.chance(VOLUMES.premiumShare)) role[i] = ROLE.premium;
      else role[i] = ROLE.user;
      banned[i] = i >= staff && !creator && rng.chance(0.003) ? 1 : 0;
      if (creator) creators.push(i);
      if (seller) sellers.push(i);
      if (educator) educators.push(i);
    }
    return {
      count,
      staff,
      timed: new Timed(created),
      role,
      creators: Int32Array.from(creators),
      sellers: Int32Array.from(sellers),
      educators: Int32Array.from(educators),
      first,
      last,
      place,
      hasPassword,
      banned,
      emailVerifiedAt,
    };
  });
}

export function userId(u: Universe, index: number): string {
  return u.id(S['users.id'], index);
}

export function userCreated(u: Universe, index: number): number {
  return users(u).timed.created[index] as number;
}

/** matches chk_users_username_format: first_last<index>, at most 10 + 1 + 12 + 7 characters */
export function username(u: Universe, index: number): string {
  const all = users(u);
  return `${FIRST_NAMES[all.first[index] as number]}_${LAST_NAMES[all.last[index] as number]}${index}`.toLowerCase();
}

export function displayName(u: Universe, index: number): string {
  const all = users(u);
  return `${FIRST_NAMES[all.first[index] as number]} ${LAST_NAMES[all.last[index] as number]}`;
}

/** Unique through the index; matches chk_users_email_format. */
export function email(u: Universe, index: number): string {
  const all = users(u);
  const domain = EMAIL_DOMAINS[index % EMAIL_DOMAINS.length] as string;
  return `${FIRST_NAMES[all.first[index] as number]}.${LAST_NAMES[all.last[index] as number]}${index}@${domain}`.toLowerCase();
}

/** A random staff member: the moderator or admin acting in moderation, configuration and verification rows. */
export function staffMember(u: Universe, rng: Rng): number {
  return rng.int(users(u).staff);
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A string shaped like a bcrypt hash (no real password behind it: nobody can log in as a seeded user). */
export function fakeBcrypt(rng: Rng): string {
  let out = '$2b$12$';
  for (let i = 0; i < 53; i++) out += BCRYPT_ALPHABET.charAt(rng.int(BCRYPT_ALPHABET.length));
  return out;
}

/** A value shaped like the application's sealed secrets (v1:<key id>:<iv>:<ciphertext+tag>, ADR 0023). */
export function fakeSealed(rng: Rng): string {
  return `v1:seed:${rng.hex(24)}:${rng.hex(64)}`;
}

const DEVICES = [
  ['iPhone 15', 'mobile'],
  ['Pixel 8', 'mobile'],
  ['Galaxy S24', 'mobile'],
  ['MacBook Pro', 'desktop'],
  ['Windows PC', 'desktop'],
  ['Linux workstation', 'desktop'],
  ['iPad Air', 'tablet'],
] as const;

const usersTable = copyTable({
  name: 'users',
  dependsOn: [],
  columns: [
    'id',
    'email',
    'email_verified_at',
    'password_hash',
    'username',
    'first_name',
    'last_name',
    'display_name',
    'role',
    'is_active',
    'is_verified',
    'is_banned',
    'token_version',
    'last_password_change_at',
    'last_login_at',
    'login_count',
    'last_login_ip',
    'data_processing_consent',
    'data_processing_consent_at',
    'marketing_consent',
    'marketing_consent_at',
    'export_requested_at',
    'exported_at',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => users(u).count,
  *rows(u): Iterable<Row> {
    const all = users(u);
    const rng = u.rng();
    const anchor = u.time.anchor;
    for (let i = 0; i < all.count; i++) {
      rng.reset(S['users.row'], i);
      const created = all.timed.created[i] as number;
      const verified = all.emailVerifiedAt[i] as number;
      const lastLogin = u.time.after(created, 0.5 + rng.next() / 2);
      const consent = rng.chance(0.97);
      const marketing = rng.chance(0.35);
      const exportRequested = rng.chance(0.002) ? u.time.after(created, rng.next()) : NaN;
      yield [
        userId(u, i),
        email(u, i),
        Number.isNaN(verified) ? null : iso(verified),
        all.hasPassword[i] ? fakeBcrypt(rng) : null,
        username(u, i),
        FIRST_NAMES[all.first[i] as number] as string,
        LAST_NAMES[all.last[i] as number] as string,
        displayName(u, i),
        ROLE_NAMES[all.role[i] as number] as string,
        !all.banned[i],
        all.role[i] === ROLE.creator && rng.chance(0.25),
        all.banned[i] === 1,
        rng.int(3),
        all.hasPassword[i] ? iso(rng.chance(0.1) ? u.time.after(created, rng.next()) : created) : null,
        iso(lastLogin),
        1 + Math.floor(((anchor - created) / DAY_MS) * rng.next() * 0.8),
        ipv4(rng),
        consent,
        consent ? iso(created) : null,
        marketing,
        marketing ? iso(created + MINUTE_MS) : null,
        Number.isNaN(exportRequested) ? null : iso(exportRequested),
        Number.isNaN(exportRequested) || rng.chance(0.3) ? null : iso(exportRequested + HOUR_MS),
        iso(created),
        iso(u.time.after(created, rng.next() / 2)),
        null,
      ];
    }
  },
});

function refreshTokenFanout(u: Universe): Fanout {
  return u.cached('refresh_tokens', () =>
    Fanout.of(u, S.refresh_tokens, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.refreshTokensPerUser, 10)),
  );
}

const refreshTokens = copyTable({
  name: 'refresh_tokens',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'token',
    'token_hash',
    'device_name',
    'device_type',
    'user_agent',
    'ip_address',
    'expires_at',
    'last_used_at',
    'is_revoked',
    'revoked_at',
    'revoked_reason',
    'created_at',
    'updated_at',
    'family_id',
  ],
  count: (u) => refreshTokenFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = refreshTokenFanout(u);
    const rng = u.rng();
    const ttl = 30 * DAY_MS;
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let k = fanout.start[user] as number; k < (fanout.start[user + 1] as number); k++) {
        rng.reset(S['refresh_tokens.id'], k);
        const created = u.time.after(userCreated(u, user), rng.next());
        const expires = created + ttl;
        const end = Math.min(expires, u.time.anchor);
        const revoked = rng.chance(0.2);
        const revokedAt = created + rng.next() * (end - created);
        const [device, type] = rng.pick(DEVICES);
        yield [
          u.id(S['refresh_tokens.id'], k),
          userId(u, user),
          hexFor(u.seed, S['refresh_tokens.token'], k, 24),
          rng.hex(64),
          device,
          type,
          rng.pick(USER_AGENTS),
          ipv4(rng),
          iso(expires),
          iso(created + rng.next() * (end - created)),
          revoked,
          revoked ? iso(revokedAt) : null,
          revoked ? rng.pick(['logout', 'password_changed', 'reuse_detected', 'revoked_by_user']) : null,
          iso(created),
          iso(revoked ? revokedAt : created),
          u.id(S['refresh_tokens.family'], k),
        ];
      }
    }
  },
});

function passwordResetFanout(u: Universe): Fanout {
  return u.cached('password_reset_tokens', () =>
    Fanout.of(u, S.password_reset_tokens, users(u).count, (user, rng) =>
      users(u).hasPassword[user]
        ? Math.max(user === users(u).staff ? 1 : 0, rng.exponentialCount(VOLUMES.passwordResetsPerUser, 3))
        : 0,
    ),
  );
}

const passwordResetTokens = copyTable({
  name: 'password_reset_tokens',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'token',
    'token_hash',
    'used',
    'used_at',
    'expires_at',
    'ip_address',
    'user_agent',
    'created_at',
    'updated_at',
  ],
  count: (u) => passwordResetFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = passwordResetFanout(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let k = fanout.start[user] as number; k < (fanout.start[user + 1] as number); k++) {
        rng.reset(S['password_reset_tokens.id'], k);
        const created = u.time.after(userCreated(u, user), rng.next(), u.time.anchor - HOUR_MS);
        const used = rng.chance(0.6);
        yield [
          u.id(S['password_reset_tokens.id'], k),
          userId(u, user),
          hexFor(u.seed, S['password_reset_tokens.token'], k, 24),
          rng.hex(64),
          used,
          used ? iso(created + rng.between(1, 50) * MINUTE_MS) : null,
          iso(created + HOUR_MS),
          ipv4(rng),
          rng.pick(USER_AGENTS),
          iso(created),
          iso(created),
        ];
      }
    }
  },
});

const emailVerificationTokens = copyTable({
  name: 'email_verification_tokens',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'token',
    'token_hash',
    'email',
    'verified',
    'verified_at',
    'expires_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => users(u).count,
  *rows(u): Iterable<Row> {
    const all = users(u);
    const rng = u.rng();
    for (let i = 0; i < all.count; i++) {
      rng.reset(S['email_verification_tokens.id'], i);
      const created = all.timed.created[i] as number;
      const verified = all.emailVerifiedAt[i] as number;
      yield [
        u.id(S['email_verification_tokens.id'], i),
        userId(u, i),
        hexFor(u.seed, S['email_verification_tokens.token'], i, 24),
        rng.hex(64),
        email(u, i),
        !Number.isNaN(verified),
        Number.isNaN(verified) ? null : iso(verified),
        iso(created + DAY_MS),
        iso(created),
        iso(Number.isNaN(verified) ? created : verified),
      ];
    }
  },
});

function passwordHistoryFanout(u: Universe): Fanout {
  return u.cached('password_history', () =>
    Fanout.of(u, S.password_history, users(u).count, (user, rng) =>
      users(u).hasPassword[user] ? 1 + rng.exponentialCount(VOLUMES.passwordHistoryPerUser - 1, 4) : 0,
    ),
  );
}

const passwordHistory = copyTable({
  name: 'password_history',
  dependsOn: ['users'],
  columns: ['id', 'user_id', 'password_hash', 'created_at', 'updated_at'],
  count: (u) => passwordHistoryFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = passwordHistoryFanout(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let k = fanout.start[user] as number; k < (fanout.start[user + 1] as number); k++) {
        rng.reset(S['password_history.id'], k);
        const created = u.time.after(userCreated(u, user), rng.next());
        yield [u.id(S['password_history.id'], k), userId(u, user), fakeBcrypt(rng), iso(created), iso(created)];
      }
    }
  },
});

function twoFactorFanout(u: Universe): Fanout {
  return u.cached('two_factor_configs', () =>
    Fanout.of(u, S.two_factor_configs, users(u).count, (user, rng) =>
      user < users(u).staff || rng.chance(VOLUMES.twoFactorShare) ? 1 : 0,
    ),
  );
}

const twoFactorConfigs = copyTable({
  name: 'two_factor_configs',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'totp_secret',
    'totp_enabled',
    'totp_enabled_at',
    'backup_codes',
    'sms_phone',
    'sms_enabled',
    'created_at',
    'updated_at',
  ],
  count: (u) => twoFactorFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = twoFactorFanout(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let k = fanout.start[user] as number; k < (fanout.start[user + 1] as number); k++) {
        rng.reset(S['two_factor_configs.id'], k);
        const created = u.time.after(userCreated(u, user), rng.next());
        const enabled = rng.chance(0.9);
        const sms = rng.chance(0.05);
        const codes = Array.from({ length: 8 }, () => rng.hex(64));
        yield [
          u.id(S['two_factor_configs.id'], k),
          userId(u, user),
          fakeSealed(rng),
          enabled,
          enabled ? iso(created + 2 * MINUTE_MS) : null,
          JSON.stringify(codes),
          sms ? `+336${String(rng.int(100_000_000)).padStart(8, '0')}` : null,
          sms,
          iso(created),
          iso(created + 2 * MINUTE_MS),
        ];
      }
    }
  },
});

function federatedFanout(u: Universe): Fanout {
  return u.cached('federated_identities', () =>
    Fanout.of(u, S.federated_identities, users(u).count, (user, rng) =>
      !users(u).hasPassword[user] || rng.chance(VOLUMES.federatedShareWithPassword) ? 1 : 0,
    ),
  );
}

const federatedIdentities = copyTable({
  name: 'federated_identities',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'provider',
    'provider_user_id',
    'access_token',
    'refresh_token',
    'token_expires_at',
    'provider_email',
    'provider_username',
    'provider_avatar_url',
    'provider_profile_data',
    'is_primary',
    'created_at',
    'updated_at',
  ],
  count: (u) => federatedFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = federatedFanout(u);
    const all = users(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let k = fanout.start[user] as number; k < (fanout.start[user + 1] as number); k++) {
        rng.reset(S['federated_identities.id'], k);
        const created = all.hasPassword[user] ? u.time.after(userCreated(u, user), rng.next()) : userCreated(u, user);
        const provider = rng.pick(['google', 'github', 'discord', 'spotify']);
        const name = username(u, user);
        yield [
          u.id(S['federated_identities.id'], k),
          userId(u, user),
          provider,
          String(100_000_000 + k),
          fakeSealed(rng),
          rng.chance(0.7) ? fakeSealed(rng) : null,
          iso(u.time.anchor + rng.between(1, 60) * MINUTE_MS),
          email(u, user),
          name,
          `https://avatars.example.com/${provider}/${k}.png`,
          JSON.stringify({ locale: PLACES[all.place[user] as number]?.[3], name: displayName(u, user) }),
          !all.hasPassword[user],
          iso(created),
          iso(created),
        ];
      }
    }
  },
});

/** Spec §18.1 keeps login attempts 90 days: the seed makes only those. */
export const LOGIN_ATTEMPT_DAYS = 90;

const loginAttempts = copyTable({
  name: 'login_attempts',
  dependsOn: [],
  columns: [
    'id',
    'identifier',
    'success',
    'failure_reason',
    'ip_address',
    'user_agent',
    'attempted_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => u.scaled(VOLUMES.loginAttempts),
  *rows(u): Iterable<Row> {
    const total = u.scaled(VOLUMES.loginAttempts);
    const all = users(u);
    const rng = u.rng();
    const from = u.time.anchor - LOGIN_ATTEMPT_DAYS * DAY_MS;
    for (let i = 0; i < total; i++) {
      rng.reset(S['login_attempts.id'], i);
      const at = iso(from + ((i + rng.next()) / total) * LOGIN_ATTEMPT_DAYS * DAY_MS);
      const user = all.timed.pick(u.time.anchor, rng.next());
      const outcome = rng.next();
      const unknown = outcome > 0.98;
      const success = outcome < 0.9;
      yield [
        u.id(S['login_attempts.id'], i),
        unknown ? `someone${rng.int(100_000)}@example.com` : rng.chance(0.7) ? email(u, user) : username(u, user),
        success,
        success ? null : unknown ? 'unknown_identifier' : rng.chance(0.9) ? 'invalid_password' : 'account_locked',
        ipv4(rng),
        rng.pick(USER_AGENTS),
        at,
        at,
        at,
      ];
    }
  },
});

export const authTables: SeedTable[] = [
  usersTable,
  refreshTokens,
  passwordResetTokens,
  emailVerificationTokens,
  passwordHistory,
  twoFactorConfigs,
  federatedIdentities,
  loginAttempts,
];

// The API contract of the profiles domain (spec §5, §19): request schemas validate, response schemas are the
// filter that decides which columns leave (never password_hash, token_version, settings on a public view...).
import { Type, type Static } from 'typebox';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { NO_NUL_PATTERN, ONE_LINE_NO_DIRECTION_MARKS_PATTERN } from '../../platform/http/text-patterns.ts';

const closed = { additionalProperties: false } as const;

const text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: NO_NUL_PATTERN, ...(description ? { description } : {}) });
/**
 * A string or null as one schema (`type: [string, null]`), so a bad value is reported once, by the rule it
 * breaks (pattern, format...), instead of as a failed anyOf of two branches.
 */
const nullable = (schema: ReturnType<typeof Type.String>) =>
  Type.Unsafe<string | null>({ ...schema, type: ['string', 'null'] });

/** An absolute http(s) URL with a host: no javascript:, data: or relative links on a profile. */
const httpUrl = (maxLength: number) =>
  Type.String({ format: 'uri', maxLength, pattern: '^https?://[^\\s/?#]+', description: 'http or https URL' });

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const Username = Type.String({ pattern: '^[A-Za-z0-9_]{3,30}$', description: 'users.username' });
export const RoleName = Type.String({
  minLength: 1,
  maxLength: 50,
  pattern: '^[a-z][a-z0-9]*(_[a-z0-9]+)*$',
  description: 'Professional role, lower snake case (creator, producer, sound_engineer...)',
});
export const PlatformRole = Type.Enum(['user', 'creator', 'premium', 'moderator', 'admin'], { type: 'string' });
const Visibility = Type.Enum(['public', 'unlisted', 'private'], {
  type: 'string',
  description: 'public: anyone; unlisted: anyone with the link, never listed or searched; private: only you',
});
const Theme = Type.Enum(['light', 'dark', 'auto'], { type: 'string' });
const BadgeCategory = Type.Enum(['instrument', 'genre', 'experience', 'role'], { type: 'string' });

export const UsernameParams = Type.Object({ username: Username }, closed);
export const RoleParams = Type.Object({ role: RoleName }, closed);
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, closed);
export const UserRoleParams = Type.Object({ id: Type.String({ format: 'uuid' }), role: RoleName }, closed);

// --- the caller's account -------------------------------------------------------------------------------------

export const ConsentsSchema = Type.Object({
  data_processing_consent: Type.Boolean(),
  data_processing_consent_at: NullableTimestamp,
  marketing_consent: Type.Boolean(),
  marketing_consent_at: NullableTimestamp,
});
export type Consents = Static<typeof ConsentsSchema>;

export const ConsentsUpdateSchema = Type.Object(
  {
    data_processing_consent: Type.Optional(
      Type.Boolean({ description: 'false is refused (409): withdraw it by deleting the account, DELETE /v1/me' }),
    ),
    marketing_consent: Type.Optional(Type.Boolean()),
  },
  { ...closed, minProperties: 1 },
);
export type ConsentsUpdate = Static<typeof ConsentsUpdateSchema>;

export const AccountSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  username: Type.String(),
  display_name: Type.Union([Type.String(), Type.Null()]),
  role: PlatformRole,
  email_verified_at: NullableTimestamp,
  consents: ConsentsSchema,
  created_at: Timestamp,
});
export type Account = Static<typeof AccountSchema>;

export const AccountUpdateSchema = Type.Object(
  {
    display_name: Type.Optional(
      nullable(
        Type.String({
          minLength: 1,
          maxLength: 100,
          // spec §4.1 users.display_name: one line, and no direction character that would let a name rewrite the
          // text around it.
          pattern: ONE_LINE_NO_DIRECTION_MARKS_PATTERN,
          description:
            'Shown instead of your username; 1 to 100 characters once trimmed, no control or direction ' +
            'characters; null removes it',
        }),
      ),
    ),
  },
  { ...closed, minProperties: 1 },
);
export type AccountUpdate = Static<typeof AccountUpdateSchema>;

export const DeleteAccountSchema = Type.Object(
  {
    password: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'Required when the account has a password' }),
    ),
  },
  closed,
);
export type DeleteAccount = Static<typeof DeleteAccountSchema>;

export const DeletionSchema = Type.Object({
  deleted_at: Timestamp,
  anonymised_after: Type.String({
    format: 'date-time',
    description: 'From then on the account is anonymised and its personal data removed (spec §19.3)',
  }),
});

export const ExportStatusSchema = Type.Object({
  status: Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('ready')]),
  requested_at: NullableTimestamp,
  exported_at: NullableTimestamp,
  download_url: Type.Union([Type.String(), Type.Null()], { description: 'Set when status is ready' }),
  expires_at: Type.Union([Timestamp, Type.Null()], { description: 'When the ready archive is removed' }),
});
export type ExportStatus = Static<typeof ExportStatusSchema>;

// --- own profile and settings ---------------------------------------------------------------------------------

const profileFields = {
  bio: nullable(text(5000)),
  tagline: nullable(text(255)),
  location: nullable(text(255)),
  website_url: nullable(httpUrl(500)),
  birthdate: nullable(Type.String({ format: 'date', description: 'YYYY-MM-DD; never shown to others' })),
  gender: nullable(text(50, 'Free text; never shown to others')),
  avatar_url: nullable(httpUrl(2048)),
  banner_url: nullable(httpUrl(2048)),
  language: Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 639-1 code, e.g. en, fr' }),
  timezone: Type.String({ minLength: 1, maxLength: 50, description: 'IANA time zone name, e.g. Europe/Paris' }),
  theme: Theme,
  profile_visibility: Visibility,
  show_email: Type.Boolean(),
  show_location: Type.Boolean(),
};

export const ProfileUpdateSchema = Type.Partial(Type.Object(profileFields), {
  ...closed,
  minProperties: 1,
  description: 'Only the fields given change; null clears a field. Counters are read-only.',
});
export type ProfileUpdate = Static<typeof ProfileUpdateSchema>;

export const OwnProfileSchema = Type.Object({
  user_id: Type.String({ format: 'uuid' }),
  bio: Type.Union([Type.String(), Type.Null()]),
  tagline: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  website_url: Type.Union([Type.String(), Type.Null()]),
  birthdate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  gender: Type.Union([Type.String(), Type.Null()]),
  avatar_url: Type.Union([Type.String(), Type.Null()]),
  banner_url: Type.Union([Type.String(), Type.Null()]),
  language: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.Union([Type.String(), Type.Null()]),
  theme: Type.Union([Theme, Type.Null()]),
  profile_visibility: Visibility,
  show_email: Type.Boolean(),
  show_location: Type.Boolean(),
  follower_count: Type.Integer({ description: 'Read-only, kept by the database (ADR 0012)' }),
  following_count: Type.Integer(),
  track_count: Type.Integer(),
  playlist_count: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type OwnProfile = Static<typeof OwnProfileSchema>;

export const SETTINGS_FIELDS = [
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
] as const;
export type SettingName = (typeof SETTINGS_FIELDS)[number];

const settingsFlags = Object.fromEntries(SETTINGS_FIELDS.map((name) => [name, Type.Boolean()])) as {
  [K in SettingName]: ReturnType<typeof Type.Boolean>;
};

export const SettingsSchema = Type.Object({ ...settingsFlags, updated_at: Timestamp });
export type Settings = Static<typeof SettingsSchema>;

export const SettingsUpdateSchema = Type.Partial(Type.Object(settingsFlags), {
  ...closed,
  minProperties: 1,
  description: 'email_marketing only takes effect while marketing consent is given (PUT /v1/me/consents)',
});
export type SettingsUpdate = Static<typeof SettingsUpdateSchema>;

// --- public profile -------------------------------------------------------------------------------------------

export const PublicProfileSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  display_name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()], { description: 'null unless the user chose show_email' }),
  bio: Type.Union([Type.String(), Type.Null()]),
  tagline: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()], { description: 'null unless the user chose show_location' }),
  website_url: Type.Union([Type.String(), Type.Null()]),
  avatar_url: Type.Union([Type.String(), Type.Null()]),
  banner_url: Type.Union([Type.String(), Type.Null()]),
  profile_visibility: Visibility,
  follower_count: Type.Integer(),
  following_count: Type.Integer(),
  track_count: Type.Integer(),
  playlist_count: Type.Integer(),
  joined_at: Timestamp,
});
export type PublicProfile = Static<typeof PublicProfileSchema>;

// --- badges (spec §5.4, §5.5, §17.4: declarative, no rarity, no holder counts) ---------------------------------

export const BadgeSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  category: BadgeCategory,
  icon_url: Type.Union([Type.String(), Type.Null()]),
  color: Type.Union([Type.String(), Type.Null()]),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Badge = Static<typeof BadgeSchema>;

const Slug = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'lower case letters and digits, words joined by single hyphens',
});
const Color = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: '#RRGGBB' });

export const BadgeCreateSchema = Type.Object(
  {
    name: text(100),
    slug: Slug,
    description: Type.Optional(nullable(text(2000))),
    category: BadgeCategory,
    icon_url: Type.Optional(nullable(httpUrl(2048))),
    color: Type.Optional(nullable(Color)),
    is_active: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type BadgeCreate = Static<typeof BadgeCreateSchema>;

export const BadgeUpdateSchema = Type.Object(
  {
    name: Type.Optional(text(100)),
    slug: Type.Optional(Slug),
    description: Type.Optional(nullable(text(2000))),
    category: Type.Optional(BadgeCategory),
    icon_url: Type.Optional(nullable(httpUrl(2048))),
    color: Type.Optional(nullable(Color)),
    is_active: Type.Optional(Type.Boolean({ description: 'false retires the badge; holders keep it' })),
  },
  { ...closed, minProperties: 1 },
);
export type BadgeUpdate = Static<typeof BadgeUpdateSchema>;

export const BadgeListQuerySchema = Type.Object(
  { ...PageQuerySchema.properties, category: Type.Optional(BadgeCategory) },
  closed,
);
export type BadgeListQuery = Static<typeof BadgeListQuerySchema>;

/** Most badges one person may claim at once: a set, not a collection to complete. */
export const MAX_BADGES_PER_USER = 50;

export const BadgeSetSchema = Type.Object(
  {
    badges: Type.Array(
      Type.Object(
        {
          badge_id: Type.String({ format: 'uuid' }),
          is_displayed: Type.Boolean(),
          display_order: Type.Unsafe<number | null>({
            type: ['integer', 'null'],
            minimum: 0,
            maximum: 1000,
            description: 'Position on the profile, smallest first; null: after the ordered ones',
          }),
        },
        closed,
      ),
      { maxItems: MAX_BADGES_PER_USER, description: 'The full set: it replaces the previous one' },
    ),
  },
  closed,
);
export type BadgeSet = Static<typeof BadgeSetSchema>;

const heldBadgeFields = {
  badge_id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  category: BadgeCategory,
  icon_url: Type.Union([Type.String(), Type.Null()]),
  color: Type.Union([Type.String(), Type.Null()]),
  display_order: Type.Union([Type.Integer(), Type.Null()]),
};

export const PublicBadgeListSchema = Type.Object({ items: Type.Array(Type.Object(heldBadgeFields)) });
export const OwnBadgeListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      ...heldBadgeFields,
      is_displayed: Type.Boolean(),
      declared_at: Type.String({ format: 'date-time', description: 'user_badges.earned_at: when it was claimed' }),
    }),
  ),
});

// --- declared professional roles (spec §5.3) -------------------------------------------------------------------

/** Most professional roles one person may declare. */
export const MAX_ROLES_PER_USER = 20;

export const DeclaredRoleSchema = Type.Object({
  role: Type.String(),
  verified: Type.Boolean(),
  verified_at: NullableTimestamp,
  declared_at: Timestamp,
});
export type DeclaredRole = Static<typeof DeclaredRoleSchema>;
export const DeclaredRoleListSchema = Type.Object({ items: Type.Array(DeclaredRoleSchema) });

export const PlatformRoleUpdateSchema = Type.Object({ role: PlatformRole }, closed);
export const PlatformRoleSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  role: PlatformRole,
});

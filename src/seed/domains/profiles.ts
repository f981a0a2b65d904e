// Users & profiles (spec §5): one profile and one settings row per user, declared roles, skill badges.
import type { Row } from '../copy-text.ts';
import { copyTable, type SeedTable } from '../table.ts';
import { iso, MINUTE_MS } from '../timeline.ts';
import { coprimeStride, Fanout, streams, type Universe } from '../universe.ts';
import { GENRES, paragraph, PLACES, slugify } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { displayName, userCreated, userId, users } from './auth.ts';

const S = streams(
  'user_profiles.id',
  'user_settings.id',
  'user_roles',
  'user_roles.id',
  'badges.id',
  'user_badges',
  'user_badges.id',
);

const userProfiles = copyTable({
  name: 'user_profiles',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
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
    'follower_count',
    'following_count',
    'track_count',
    'playlist_count',
    'created_at',
    'updated_at',
  ],
  count: (u) => users(u).count,
  *rows(u): Iterable<Row> {
    const all = users(u);
    const rng = u.rng();
    for (let i = 0; i < all.count; i++) {
      rng.reset(S['user_profiles.id'], i);
      const created = userCreated(u, i);
      const [city, , timezone, language] = PLACES[all.place[i] as number] as (typeof PLACES)[number];
      const year = 1965 + rng.int(42);
      yield [
        u.id(S['user_profiles.id'], i),
        userId(u, i),
        rng.chance(0.6) ? paragraph(rng, rng.between(1, 3)) : null,
        rng.chance(0.4)
          ? `${rng.pick(GENRES)} ${rng.pick(['producer', 'DJ', 'listener', 'songwriter', 'engineer'])}`
          : null,
        rng.chance(0.7) ? city : null,
        rng.chance(0.3) ? `https://${slugify(displayName(u, i))}.example.com` : null,
        rng.chance(0.5)
          ? `${year}-${String(rng.between(1, 12)).padStart(2, '0')}-${String(rng.between(1, 28)).padStart(2, '0')}`
          : null,
        rng.chance(0.3) ? rng.pick(['female', 'male', 'non-binary']) : null,
        rng.chance(0.8) ? `https://cdn.veza.example/avatars/${i}.jpg` : null,
        rng.chance(0.3) ? `https://cdn.veza.example/banners/${i}.jpg` : null,
        language,
        timezone,
        rng.pick(['light', 'dark', 'auto', 'auto']),
        rng.chance(0.9) ? 'public' : rng.chance(0.5) ? 'unlisted' : 'private',
        rng.chance(0.05),
        rng.chance(0.8),
        // the counters are computed after the load (counters.ts)
        0,
        0,
        0,
        0,
        iso(created),
        iso(created),
      ];
    }
  },
});

const userSettings = copyTable({
  name: 'user_settings',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
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
    'created_at',
    'updated_at',
  ],
  count: (u) => users(u).count,
  *rows(u): Iterable<Row> {
    const all = users(u);
    const rng = u.rng();
    for (let i = 0; i < all.count; i++) {
      rng.reset(S['user_settings.id'], i);
      const created = userCreated(u, i);
      const changed = rng.chance(0.3);
      yield [
        u.id(S['user_settings.id'], i),
        userId(u, i),
        rng.chance(0.8),
        rng.chance(0.7),
        rng.chance(0.5),
        rng.chance(0.8),
        rng.chance(0.6),
        rng.chance(0.8),
        rng.chance(0.9),
        rng.chance(0.9),
        rng.chance(0.2),
        rng.chance(0.95),
        rng.chance(0.85),
        rng.chance(0.3),
        rng.chance(0.9),
        iso(created),
        iso(changed ? u.time.after(created, rng.next()) : created),
      ];
    }
  },
});

const DECLARED_ROLES = ['creator', 'producer', 'label', 'educator', 'dj', 'engineer', 'songwriter'] as const;

/** Declared roles of the creators: 1 or more distinct roles each (uq_user_roles_user_role). */
function userRoleFanout(u: Universe): Fanout {
  return u.cached('user_roles', () => {
    const creators = users(u).creators;
    return Fanout.of(u, S.user_roles, creators.length, (_, rng) =>
      Math.min(DECLARED_ROLES.length, 1 + rng.exponentialCount(VOLUMES.rolesPerCreator - 1, 3)),
    );
  });
}

const userRoles = copyTable({
  name: 'user_roles',
  dependsOn: ['users'],
  columns: ['id', 'user_id', 'role', 'verified', 'verified_at', 'verified_by', 'created_at', 'updated_at'],
  count: (u) => userRoleFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = userRoleFanout(u);
    const all = users(u);
    const rng = u.rng();
    for (let c = 0; c < fanout.counts.length; c++) {
      const user = all.creators[c] as number;
      const offset = rng.reset(S.user_roles, c).int(DECLARED_ROLES.length);
      for (let j = 0; j < (fanout.counts[c] as number); j++) {
        const k = (fanout.start[c] as number) + j;
        rng.reset(S['user_roles.id'], k);
        const created = u.time.after(userCreated(u, user), rng.next() / 4);
        const verified = rng.chance(0.3);
        const verifiedAt = verified ? u.time.after(created, rng.next()) : NaN;
        yield [
          u.id(S['user_roles.id'], k),
          userId(u, user),
          DECLARED_ROLES[(offset + j) % DECLARED_ROLES.length] as string,
          verified,
          verified ? iso(verifiedAt) : null,
          verified ? userId(u, 1 + rng.int(all.staff - 1)) : null,
          iso(created),
          iso(verified ? verifiedAt : created),
        ];
      }
    }
  },
});

/** The badge catalogue (spec §17.4: declarative skills and roles, no achievements). */
export const BADGES = [
  ...[
    'Guitar',
    'Bass',
    'Piano',
    'Drums',
    'Vocals',
    'Violin',
    'Saxophone',
    'Trumpet',
    'Synthesizer',
    'Turntables',
    'Cello',
    'Flute',
  ].map((name) => [name, 'instrument'] as const),
  ...GENRES.map((genre) => [`${genre.charAt(0).toUpperCase()}${genre.slice(1)}`, 'genre'] as const),
  ...['Beginner', 'Hobbyist', 'Semi-professional', 'Professional', 'Teacher'].map(
    (name) => [name, 'experience'] as const,
  ),
  ...['Producer', 'Mixing Engineer', 'Mastering Engineer', 'DJ', 'Songwriter', 'Composer', 'Label'].map(
    (name) => [name, 'role'] as const,
  ),
] as const;

const COLORS = ['#E63946', '#457B9D', '#2A9D8F', '#E9C46A', '#F4A261', '#6D597A', '#1D3557', '#06D6A0'];

const badges = copyTable({
  name: 'badges',
  dependsOn: [],
  columns: [
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
  ],
  count: () => BADGES.length,
  *rows(u): Iterable<Row> {
    for (let b = 0; b < BADGES.length; b++) {
      const [name, category] = BADGES[b] as (typeof BADGES)[number];
      const slug = `${category}-${slugify(name)}`;
      const created = iso(u.time.start);
      yield [
        u.id(S['badges.id'], b),
        category === 'genre' ? `${name} (genre)` : name,
        slug,
        `Declared ${category}: ${name}`,
        category,
        `https://cdn.veza.example/badges/${slug}.svg`,
        COLORS[b % COLORS.length] as string,
        b % 29 !== 28,
        created,
        created,
      ];
    }
  },
});

/** Coprime with the catalogue size: a user's badges are distinct (uq_user_badges_user_badge). */
const BADGE_STRIDE = coprimeStride(BADGES.length, 0.15);

function userBadgeFanout(u: Universe): Fanout {
  return u.cached('user_badges', () =>
    Fanout.of(u, S.user_badges, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.badgesPerUser, 12)),
  );
}

const userBadges = copyTable({
  name: 'user_badges',
  dependsOn: ['users', 'badges'],
  columns: ['id', 'user_id', 'badge_id', 'is_displayed', 'display_order', 'earned_at', 'created_at', 'updated_at'],
  count: (u) => userBadgeFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = userBadgeFanout(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      const origin = rng.reset(S.user_badges, user).int(BADGES.length);
      for (let j = 0; j < (fanout.counts[user] as number); j++) {
        const k = (fanout.start[user] as number) + j;
        rng.reset(S['user_badges.id'], k);
        const earned = u.time.after(userCreated(u, user), rng.next() / 3) + MINUTE_MS;
        const displayed = rng.chance(0.8);
        yield [
          u.id(S['user_badges.id'], k),
          userId(u, user),
          u.id(S['badges.id'], (origin + j * BADGE_STRIDE) % BADGES.length),
          displayed,
          displayed && rng.chance(0.5) ? j + 1 : null,
          iso(earned),
          iso(earned),
          iso(earned),
        ];
      }
    }
  },
});

export const profileTables: SeedTable[] = [userProfiles, userSettings, userRoles, badges, userBadges];

// Search (spec §14): the users' search history and the global index, one entry per track, playlist, user, post,
// product, course, group and public room.
import type { CopyValue, Row } from '../copy-text.ts';
import { copyTable, type DerivedTable, type SeedSql, type SeedTable } from '../table.ts';
import { DAY_MS, iso } from '../timeline.ts';
import { streams, type Universe } from '../universe.ts';
import { GENRES, NOUNS } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { displayName, ROLE_NAMES, userCreated, userId, username, users } from './auth.ts';
import { roomId, roomName, rooms } from './chat.ts';
import { courseId, courses, courseTitle } from './education.ts';
import { CATEGORIES, productId, productName, products } from './marketplace.ts';
import { groupId, groupName, groups, postId, posts } from './social.ts';
import { playlistId, playlistName, playlists, trackId, trackTitle, tracks, VISIBILITIES } from './streaming.ts';

const S = streams('search_queries.id', 'search_index.id');

const searchQueries = copyTable({
  name: 'search_queries',
  dependsOn: ['users'],
  columns: ['id', 'user_id', 'query_text', 'filters', 'result_count', 'searched_at', 'created_at', 'updated_at'],
  count: (u) => u.scaled(VOLUMES.searchQueries),
  *rows(u): Iterable<Row> {
    const total = u.scaled(VOLUMES.searchQueries);
    const people = users(u);
    const rng = u.rng();
    for (let i = 0; i < total; i++) {
      rng.reset(S['search_queries.id'], i);
      let at = u.time.eventTime((i + rng.next()) / total);
      const user = rng.chance(0.8) ? people.timed.pickSkewed(at, rng.next(), 1.3) : -1;
      if (user >= 0) at = Math.max(at, userCreated(u, user) + 1000);
      const kind = rng.next();
      const text =
        kind < 0.4
          ? rng.pick(GENRES)
          : kind < 0.7
            ? rng.pick(NOUNS).toLowerCase()
            : displayName(u, rng.int(people.count));
      const filtered = rng.chance(0.3);
      const when = iso(at);
      yield [
        u.id(S['search_queries.id'], i),
        user >= 0 ? userId(u, user) : null,
        text,
        filtered ? JSON.stringify({ type: rng.pick(['track', 'playlist', 'user', 'product', 'course']) }) : '{}',
        rng.chance(0.05) ? 0 : rng.int(500),
        when,
        when,
        when,
      ];
    }
  },
});

function publicRooms(u: Universe): Int32Array {
  return u.cached('search_index.rooms', () => {
    const all = rooms(u);
    const list: number[] = [];
    for (let r = 0; r < all.count; r++) if (all.type[r] === 0) list.push(r);
    return Int32Array.from(list);
  });
}

function indexCount(u: Universe): number {
  return (
    tracks(u).count +
    playlists(u).owner.length +
    users(u).count +
    posts(u).owner.length +
    products(u).count +
    courses(u).count +
    groups(u).count +
    publicRooms(u).length
  );
}

/** One entry: [entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, created, deleted]. */
type Entry = [string, string, string | null, string, string | null, string | null, object, string, number, boolean];

function* entries(u: Universe): Iterable<Entry> {
  const t = tracks(u);
  for (let i = 0; i < t.count; i++) {
    const genre = GENRES[t.genre[i] as number] as string;
    yield [
      'track',
      trackId(u, i),
      userId(u, t.creator[i] as number),
      trackTitle(u, i),
      displayName(u, t.creator[i] as number),
      genre,
      { genre },
      VISIBILITIES[t.visibility[i] as number] as string,
      t.timed.created[i] as number,
      t.deleted[i] === 1,
    ];
  }
  const p = playlists(u);
  for (let i = 0; i < p.owner.length; i++) {
    yield [
      'playlist',
      playlistId(u, i),
      userId(u, p.owner[i] as number),
      playlistName(u, i),
      displayName(u, p.owner[i] as number),
      null,
      {},
      VISIBILITIES[p.visibility[i] as number] as string,
      p.timed.created[i] as number,
      p.deleted[i] === 1,
    ];
  }
  const people = users(u);
  for (let i = 0; i < people.count; i++) {
    yield [
      'user',
      userId(u, i),
      userId(u, i),
      displayName(u, i),
      `@${username(u, i)}`,
      null,
      { role: ROLE_NAMES[people.role[i] as number] },
      'public',
      userCreated(u, i),
      false,
    ];
  }
  const posted = posts(u);
  for (let i = 0; i < posted.owner.length; i++) {
    yield [
      'post',
      postId(u, i),
      userId(u, posted.owner[i] as number),
      `Post by ${displayName(u, posted.owner[i] as number)}`,
      null,
      null,
      {},
      VISIBILITIES[posted.visibility[i] as number] as string,
      posted.timed.created[i] as number,
      posted.deleted[i] === 1,
    ];
  }
  const catalogue = products(u);
  for (let i = 0; i < catalogue.count; i++) {
    const category = CATEGORIES[catalogue.category[i] as number] as string;
    yield [
      'product',
      productId(u, i),
      userId(u, catalogue.seller[i] as number),
      productName(u, i),
      category,
      null,
      { category },
      catalogue.status[i] === 1 ? 'public' : 'private',
      catalogue.timed.created[i] as number,
      catalogue.deleted[i] === 1,
    ];
  }
  const taught = courses(u);
  for (let i = 0; i < taught.count; i++) {
    yield [
      'course',
      courseId(u, i),
      userId(u, taught.creator[i] as number),
      courseTitle(u, i),
      displayName(u, taught.creator[i] as number),
      null,
      {},
      taught.status[i] === 1 ? 'public' : 'private',
      taught.timed.created[i] as number,
      taught.deleted[i] === 1,
    ];
  }
  const clubs = groups(u);
  for (let i = 0; i < clubs.count; i++) {
    yield [
      'group',
      groupId(u, i),
      userId(u, clubs.creator[i] as number),
      groupName(u, i),
      null,
      null,
      {},
      'public',
      clubs.timed.created[i] as number,
      false,
    ];
  }
  const chat = rooms(u);
  for (const r of publicRooms(u)) {
    yield [
      'room',
      roomId(u, r),
      userId(u, chat.creator[r] as number),
      roomName(u, r) as string,
      null,
      null,
      {},
      'public',
      chat.timed.created[r] as number,
      false,
    ];
  }
}

const searchIndex = copyTable({
  name: 'search_index',
  dependsOn: ['users'],
  columns: [
    'id',
    'entity_type',
    'entity_id',
    'owner_id',
    'title',
    'subtitle',
    'body',
    'facets',
    'visibility',
    'published_at',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: indexCount,
  *rows(u): Iterable<Row> {
    let row = 0;
    for (const [type, id, owner, title, subtitle, body, facets, visibility, created, deleted] of entries(u)) {
      const indexed = Math.min(created + 60_000, u.time.anchor - 1);
      const values: CopyValue[] = [
        u.id(S['search_index.id'], row++),
        type,
        id,
        owner,
        title,
        subtitle,
        body,
        JSON.stringify(facets),
        visibility,
        visibility === 'public' ? iso(created) : null,
        iso(indexed),
        iso(deleted ? Math.min(indexed + 30 * DAY_MS, u.time.anchor - 1) : indexed),
        deleted ? iso(Math.min(indexed + 30 * DAY_MS, u.time.anchor - 1)) : null,
      ];
      yield values;
    }
  },
});

/**
 * The typo vocabulary (ADR 0100): the words of the public documents, as the search.vocabulary job would add them,
 * with ids from the seed so that the same seed gives the same rows.
 */
const searchTerms: DerivedTable = {
  kind: 'derived',
  name: 'search_terms',
  dependsOn: ['search_index'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const result = await sql.query(
      `
      INSERT INTO search_terms (id, term, created_at, updated_at)
      SELECT overlay(overlay(md5($2::text || ':' || w.word) placing '4' from 13) placing '8' from 17)::uuid, w.word,
             $1::timestamptz - INTERVAL '1 second', $1::timestamptz - INTERVAL '1 second'
      FROM (
        SELECT DISTINCT word
        FROM search_index si, unnest(search_terms_of(si.title, si.subtitle)) AS word
        WHERE si.deleted_at IS NULL AND si.visibility = 'public'
      ) w
      ORDER BY w.word`,
      [new Date(u.time.anchor), String(u.seed)],
    );
    return result.rowCount ?? 0;
  },
};

export const searchTables: SeedTable[] = [searchQueries, searchIndex, searchTerms];

// One search over Veza through the API (issue 18 §1-3; ADRs 0087, 0088): matching (exact, typo, accents, prefix,
// stems), ranking, the combined and per-type lists, hidden items per type, the index in step with its sources,
// and bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { createSearchRepository } from './search.repository.ts';
import { as, ids, named, person, row, search } from './search.test-support.ts';

const testApp = useTestApp();
const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n));

test('finds a track by exact title, without accents, with a typo, by prefix, by stem and by artist', async () => {
  const t = testApp.current;
  const elise = await named(t, 'Élise Marchand');
  const exact = await row(t, 'tracks', {
    creator_id: elise.id,
    title: 'Nuit étoilée sur Montréal',
    published_at: day(0),
  });
  const lullaby = await row(t, 'tracks', { creator_id: elise.id, title: 'Bohemian Lullaby', published_at: day(1) });
  const other = await row(t, 'tracks', { creator_id: elise.id, title: 'Nuit blanche', published_at: day(2) });

  const all = await ids(t, null, 'Nuit étoilée sur Montréal');
  assert.equal(all[0], exact);
  assert.deepEqual(await ids(t, null, 'nuit etoilee sur montreal', '&type=track'), [exact]);
  assert.ok((await ids(t, null, 'MONTREAL')).includes(exact));
  // Typos are corrected against the vocabulary of public titles, which the search.vocabulary job fills (ADR 0100).
  assert.deepEqual(await ids(t, null, 'bohemain'), [], 'no correction before the job knows the word');
  await createSearchRepository(t.pool.db).addVocabulary(undefined);
  assert.ok((await ids(t, null, 'bohemain')).includes(lullaby), 'one swapped letter');
  assert.ok((await ids(t, null, 'bohemian lulaby')).includes(lullaby), 'one letter missing');
  assert.ok((await ids(t, null, 'lulla')).includes(lullaby), 'prefix');
  assert.ok((await ids(t, null, 'lullabies')).includes(lullaby), 'English stem');
  const byArtist = await ids(t, null, 'elise marchand', '&type=track');
  assert.deepEqual(new Set(byArtist), new Set([exact, lullaby, other]));
  assert.deepEqual(await ids(t, null, 'zzqqxxvv'), []);
});

test('a French stem matches, and the exact title outranks a newer partial match', async () => {
  const t = testApp.current;
  const owner = await person(t);
  const chansons = await row(t, 'tracks', {
    creator_id: owner.id,
    title: 'Les chansons du fleuve',
    published_at: day(0),
  });
  assert.ok((await ids(t, null, 'chanson fleuves')).includes(chansons));

  const exact = await row(t, 'tracks', { creator_id: owner.id, title: 'Aubépine', published_at: day(0) });
  const longer = await row(t, 'tracks', { creator_id: owner.id, title: 'Aubépine en hiver', published_at: day(300) });
  assert.deepEqual((await ids(t, null, 'aubepine')).slice(0, 2), [exact, longer]);

  // Equal text: the newer one first.
  const older = await row(t, 'tracks', { creator_id: owner.id, title: 'Velours cobalt', published_at: day(0) });
  const newer = await row(t, 'tracks', { creator_id: owner.id, title: 'Velours cobalt', published_at: day(200) });
  assert.deepEqual(await ids(t, null, 'velours cobalt'), [newer, older]);
});

test('one search covers every kind; type narrows it; results are the same whoever searches', async () => {
  const t = testApp.current;
  const owner = await named(t, 'Zéphyrine Dubois');
  await t.database.sql`UPDATE users SET username = 'zephyrinedubois' WHERE id = ${owner.id}`;
  const expected = new Map<string, string>([
    ['user', owner.id],
    ['track', await row(t, 'tracks', { creator_id: owner.id, title: 'Zéphyrine au matin', published_at: day(0) })],
    ['playlist', await row(t, 'playlists', { user_id: owner.id, name: 'Zéphyrine mix' })],
    ['product', await row(t, 'products', { seller_id: owner.id, name: 'Zéphyrine drum kit', status: 'active' })],
    ['post', await row(t, 'posts', { user_id: owner.id, content: 'Zéphyrine is out today!' })],
    ['group', await row(t, 'groups', { creator_id: owner.id, name: 'Zéphyrine fans' })],
    [
      'course',
      await row(t, 'courses', {
        creator_id: owner.id,
        title: 'Zéphyrine synthesis',
        status: 'published',
        published_at: day(0),
      }),
    ],
    ['hashtag', await row(t, 'hashtags', { tag: 'zéphyrine', slug: 'zephyrine', usage_count: 1 })],
  ]);
  const everything = await search(t, null, 'zephyrine', '&limit=50');
  for (const [type, id] of expected) {
    assert.ok(
      everything.some((hit) => hit.type === type && hit.id === id),
      `${type} missing from ${JSON.stringify(everything)}`,
    );
  }
  for (const [type, id] of expected) {
    const narrowed = await search(t, null, 'zephyrine', `&type=${type}`);
    assert.ok(narrowed.length > 0 && narrowed.every((hit) => hit.type === type), type);
    assert.ok(
      narrowed.some((hit) => hit.id === id),
      type,
    );
  }
  // Nothing known about the searcher changes the order.
  const anonymous = everything.map((hit) => hit.id);
  assert.deepEqual(await ids(t, await person(t), 'zephyrine', '&limit=50'), anonymous);
  assert.deepEqual(await ids(t, owner, 'zephyrine', '&limit=50'), anonymous);
  // Pages follow each other without overlap.
  const first = await as(t, null)('GET', '/v1/search?q=zephyrine&limit=3');
  const next = first.json<{ next_cursor: string }>().next_cursor;
  const second = await as(t, null)('GET', `/v1/search?q=zephyrine&limit=3&cursor=${next}`);
  assert.deepEqual(
    [...first.json<{ items: { id: string }[] }>().items, ...second.json<{ items: { id: string }[] }>().items].map(
      (hit) => hit.id,
    ),
    anonymous.slice(0, 6),
  );
});

test('hidden items never appear, per type: private, unlisted, unpublished, deleted, suspended, blocked', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const owner = await named(t, 'Quillon Owner');
  const banned = await named(t, 'Quillon Banned');
  const viewer = await person(t);
  const blocker = await named(t, 'Quillon Blocker');
  await row(t, 'blocks', { blocker_id: blocker.id, blocked_id: viewer.id });
  const gone = new Date('2025-06-01T00:00:00Z');

  const visible: string[] = [];
  const hidden: string[] = [];
  const hiddenFromViewer: string[] = [];

  // Tracks
  visible.push(await row(t, 'tracks', { creator_id: owner.id, title: 'Quillon one', published_at: day(0) }));
  hidden.push(await row(t, 'tracks', { creator_id: owner.id, title: 'Quillon two', visibility: 'private' }));
  hidden.push(await row(t, 'tracks', { creator_id: owner.id, title: 'Quillon three', visibility: 'unlisted' }));
  hidden.push(await row(t, 'tracks', { creator_id: owner.id, title: 'Quillon four', deleted_at: gone }));
  hidden.push(await row(t, 'tracks', { creator_id: banned.id, title: 'Quillon five' }));
  hiddenFromViewer.push(await row(t, 'tracks', { creator_id: blocker.id, title: 'Quillon six' }));
  // Profiles
  visible.push(owner.id);
  const privateProfile = await named(t, 'Quillon Private');
  await row(t, 'user_profiles', { user_id: privateProfile.id, profile_visibility: 'private' });
  hidden.push(privateProfile.id);
  const unindexed = await named(t, 'Quillon Unindexed');
  await row(t, 'user_settings', { user_id: unindexed.id, allow_search_indexing: false });
  hidden.push(unindexed.id);
  const deletedAccount = await named(t, 'Quillon Deleted');
  await sql`UPDATE users SET deleted_at = ${gone} WHERE id = ${deletedAccount.id}`;
  hidden.push(deletedAccount.id, banned.id);
  const inactive = await named(t, 'Quillon Inactive');
  await sql`UPDATE users SET is_active = false WHERE id = ${inactive.id}`;
  hidden.push(inactive.id);
  hiddenFromViewer.push(blocker.id);
  // Playlists
  visible.push(await row(t, 'playlists', { user_id: owner.id, name: 'Quillon list' }));
  hidden.push(await row(t, 'playlists', { user_id: owner.id, name: 'Quillon secret list', visibility: 'private' }));
  hidden.push(await row(t, 'playlists', { user_id: owner.id, name: 'Quillon link list', visibility: 'unlisted' }));
  hidden.push(await row(t, 'playlists', { user_id: owner.id, name: 'Quillon old list', deleted_at: gone }));
  // Products
  visible.push(await row(t, 'products', { seller_id: owner.id, name: 'Quillon kit', status: 'active' }));
  hidden.push(await row(t, 'products', { seller_id: owner.id, name: 'Quillon draft kit', status: 'draft' }));
  hidden.push(await row(t, 'products', { seller_id: owner.id, name: 'Quillon off kit', status: 'inactive' }));
  hidden.push(await row(t, 'products', { seller_id: owner.id, name: 'Quillon pulled kit', status: 'suspended' }));
  hidden.push(
    await row(t, 'products', { seller_id: owner.id, name: 'Quillon gone kit', status: 'active', deleted_at: gone }),
  );
  hiddenFromViewer.push(await row(t, 'products', { seller_id: blocker.id, name: 'Quillon b kit', status: 'active' }));
  // Posts
  visible.push(await row(t, 'posts', { user_id: owner.id, content: 'Quillon post' }));
  hidden.push(await row(t, 'posts', { user_id: owner.id, content: 'Quillon link post', visibility: 'unlisted' }));
  hidden.push(await row(t, 'posts', { user_id: owner.id, content: 'Quillon follower post', visibility: 'private' }));
  hidden.push(await row(t, 'posts', { user_id: owner.id, content: 'Quillon gone post', deleted_at: gone }));
  hidden.push(await row(t, 'posts', { user_id: privateProfile.id, content: 'Quillon post of a private profile' }));
  const privateGroup = await row(t, 'groups', { creator_id: owner.id, name: 'Closed circle', group_type: 'private' });
  const groupPost = await row(t, 'posts', { user_id: owner.id, content: 'Quillon members-only post' });
  await row(t, 'group_posts', { group_id: privateGroup, post_id: groupPost });
  hidden.push(groupPost);
  hiddenFromViewer.push(await row(t, 'posts', { user_id: blocker.id, content: 'Quillon blocker post' }));
  // Groups (a group's page is open to anyone, private ones too)
  visible.push(await row(t, 'groups', { creator_id: owner.id, name: 'Quillon club' }));
  visible.push(await row(t, 'groups', { creator_id: owner.id, name: 'Quillon closed club', group_type: 'private' }));
  hidden.push(await row(t, 'groups', { creator_id: owner.id, name: 'Quillon old club', deleted_at: gone }));
  hiddenFromViewer.push(await row(t, 'groups', { creator_id: blocker.id, name: 'Quillon blocker club' }));
  // Courses
  const published = { status: 'published', published_at: day(0) };
  visible.push(await row(t, 'courses', { creator_id: owner.id, title: 'Quillon course', ...published }));
  hidden.push(await row(t, 'courses', { creator_id: owner.id, title: 'Quillon draft course' }));
  hidden.push(
    await row(t, 'courses', {
      creator_id: owner.id,
      title: 'Quillon private course',
      ...published,
      visibility: 'private',
    }),
  );
  hidden.push(
    await row(t, 'courses', { creator_id: owner.id, title: 'Quillon gone course', ...published, deleted_at: gone }),
  );
  // Hashtags: listed while a live post uses them
  visible.push(await row(t, 'hashtags', { tag: 'quillon', slug: 'quillon', usage_count: 2 }));
  hidden.push(await row(t, 'hashtags', { tag: 'quillonunused', slug: 'quillonunused', usage_count: 0 }));

  await sql`UPDATE users SET is_banned = true WHERE id = ${banned.id}`;

  const anonymous = await ids(t, null, 'quillon', '&limit=50');
  const asViewer = await ids(t, viewer, 'quillon', '&limit=50');
  for (const id of visible) {
    assert.ok(anonymous.includes(id), `visible ${id} missing for anonymous`);
    assert.ok(asViewer.includes(id), `visible ${id} missing for the viewer`);
  }
  for (const id of hidden) {
    assert.ok(!anonymous.includes(id), `hidden ${id} found by anonymous`);
    assert.ok(!asViewer.includes(id), `hidden ${id} found by the viewer`);
  }
  for (const id of hiddenFromViewer) {
    assert.ok(anonymous.includes(id), `${id} should be found by anonymous`);
    assert.ok(!asViewer.includes(id), `${id} found across a block`);
  }
  // And the other way: the blocker does not find the person they blocked.
  assert.ok(!(await ids(t, blocker, 'quillon', '&limit=50')).some((id) => id === viewer.id));
});

test('the index follows its sources at once: edits, renames, privacy, deletions; rebuild repairs it', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const owner = await named(t, 'Marguerite Vasseur');
  const trackId = await row(t, 'tracks', { creator_id: owner.id, title: 'Tamarin bleu', published_at: day(0) });
  assert.deepEqual(await ids(t, null, 'tamarin bleu'), [trackId]);

  await sql`UPDATE tracks SET title = 'Ocelot rouge' WHERE id = ${trackId}`;
  assert.deepEqual(await ids(t, null, 'tamarin bleu', '&type=track'), []);
  assert.deepEqual(await ids(t, null, 'ocelot rouge'), [trackId]);

  await sql`UPDATE users SET display_name = 'Capucine Lenoir' WHERE id = ${owner.id}`;
  const [renamed] = await search(t, null, 'ocelot rouge');
  assert.equal(renamed!.subtitle, 'Capucine Lenoir');
  assert.ok((await ids(t, null, 'capucine lenoir', '&type=user')).includes(owner.id));

  await sql`UPDATE tracks SET visibility = 'private' WHERE id = ${trackId}`;
  assert.deepEqual(await ids(t, null, 'ocelot rouge'), []);
  await sql`UPDATE tracks SET visibility = 'public' WHERE id = ${trackId}`;
  assert.deepEqual(await ids(t, null, 'ocelot rouge'), [trackId]);

  // A play counter is not part of the document: no rewrite.
  const [before] = await sql`SELECT updated_at FROM search_index WHERE entity_id = ${trackId}`;
  await sql`UPDATE tracks SET play_count = play_count + 1 WHERE id = ${trackId}`;
  const [after] = await sql`SELECT updated_at FROM search_index WHERE entity_id = ${trackId}`;
  assert.deepEqual(after!.updated_at, before!.updated_at);

  await sql`DELETE FROM tracks WHERE id = ${trackId}`;
  assert.equal((await sql`SELECT 1 FROM search_index WHERE entity_id = ${trackId}`).length, 0);

  // Damage the index behind the triggers' back; the rebuild restores it.
  const playlistId = await row(t, 'playlists', { user_id: owner.id, name: 'Ibis doré' });
  await sql`DELETE FROM search_index WHERE entity_id = ${playlistId}`;
  await sql`UPDATE search_index SET title = 'stale' WHERE entity_id = ${owner.id}`;
  await sql`INSERT INTO search_index (entity_type, entity_id, title) VALUES ('track', gen_random_uuid(), 'Zorille orpheline')`;
  assert.deepEqual(await ids(t, null, 'ibis dore'), []);
  assert.equal((await ids(t, null, 'zorille orpheline')).length, 1);
  const counts = await createSearchRepository(t.pool.db).rebuild();
  assert.ok(counts.playlist >= 1 && counts.user >= 1);
  assert.deepEqual(await ids(t, null, 'ibis dore'), [playlistId]);
  assert.deepEqual(await ids(t, null, 'zorille orpheline'), []);
  assert.ok((await ids(t, null, 'capucine lenoir', '&type=user')).includes(owner.id));
});

test('bad input: a clear 400 or an empty result, never a 5xx', async () => {
  const t = testApp.current;
  const call = as(t, null);
  const owner = await person(t);
  await row(t, 'tracks', { creator_id: owner.id, title: 'Pangolin dub', published_at: day(0) });
  const status = async (q: string, extra = '') =>
    (await call('GET', `/v1/search?q=${encodeURIComponent(q)}${extra}`)).statusCode;

  assert.equal(await status('x'.repeat(10_000)), 400);
  assert.equal(await status(''), 400);
  assert.deepEqual(await ids(t, null, '!!! ... ??? &&& ***'), []);
  assert.deepEqual(await ids(t, null, "'"), []);
  for (const q of ['pangolin & !dub | (x:* <-> y)', "pangolin' OR 1=1 --", 'pangolin\\', 'dub:*A', '<2> !!!pangolin']) {
    assert.equal(await status(q), 200, q);
  }
  assert.ok((await ids(t, null, "pangolin' OR 1=1 --")).length <= 1);
  assert.equal(await status('pangolin\u0000dub'), 200);
  assert.equal(await status('\u0000'), 200);
  assert.equal(await status('pangolin', '&type=spaceship'), 400);
  assert.equal(await status('pangolin', '&limit=0'), 400);
  assert.equal(await status('pangolin', '&limit=51'), 400);
  assert.equal(await status('pangolin', '&cursor=nonsense'), 400);
  assert.equal(await status('pangolin', `&cursor=${Buffer.from('search:999999').toString('base64url')}`), 400);
  assert.equal(await status('pangolin', '&unknown=1'), 400);
});

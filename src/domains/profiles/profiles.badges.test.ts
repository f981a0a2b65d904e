// Badges over HTTP (spec §5.4, §5.5, §17.4): the admin-managed catalogue, and the set each user claims.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { allFactories } from '../../../test/factories/index.ts';
import { brokenRules, call, newCaller, type TestCaller } from './profiles.test-support.ts';

const testApp = useTestApp();
let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(sequence += 1)}`;

async function newBadge(overrides: Record<string, unknown> = {}): Promise<string> {
  const row = await allFactories.badges!(testApp.current.database.sql, overrides);
  return String(row.id);
}

const badgeCount = async () => {
  const [row] = await testApp.current.database.sql`SELECT count(*)::int AS count FROM badges`;
  return row!.count as number;
};

describe('badge catalogue (admin)', () => {
  test('an admin creates and edits badges; the answer is the stored badge, with no holder count', async () => {
    const admin = await newCaller(testApp, 'admin');
    const slug = `bass-guitar-${unique()}`;
    const created = await call(testApp, 'POST', '/v1/admin/badges', {
      as: admin,
      body: { name: `Bass guitar ${slug}`, slug, category: 'instrument', color: '#1A2b3C', description: 'Plays bass' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), [
      'category',
      'color',
      'created_at',
      'description',
      'icon_url',
      'id',
      'is_active',
      'name',
      'slug',
      'updated_at',
    ]);
    assert.equal(created.body.is_active, true);
    const edited = await call(testApp, 'PATCH', `/v1/admin/badges/${created.body.id}`, {
      as: admin,
      body: { description: null, icon_url: 'https://cdn.example.org/bass.svg', is_active: false },
    });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.description, null);
    assert.equal(edited.body.is_active, false);
    assert.equal(edited.body.slug, slug);
    const missing = await call(testApp, 'PATCH', `/v1/admin/badges/${randomUUID()}`, {
      as: admin,
      body: { is_active: true },
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'BADGE_NOT_FOUND');
  });

  test('slug, category and color rules are 400 naming the field; a taken slug or name is 409', async () => {
    const admin = await newCaller(testApp, 'admin');
    const good = { name: `Drums ${unique()}`, slug: `drums-${unique()}`, category: 'instrument' };
    const cases: [Record<string, unknown>, string[]][] = [
      [{ ...good, slug: 'Drums' }, ['body.slug pattern']],
      [{ ...good, slug: 'two--hyphens' }, ['body.slug pattern']],
      [{ ...good, slug: '-lead' }, ['body.slug pattern']],
      [{ ...good, slug: 'x'.repeat(101) }, ['body.slug maxLength']],
      [{ ...good, category: 'achievement' }, ['body.category enum']],
      [{ ...good, category: 'rarity' }, ['body.category enum']],
      [{ ...good, color: 'red' }, ['body.color pattern']],
      [{ ...good, color: '#12345' }, ['body.color pattern']],
      [{ ...good, icon_url: 'data:image/png;base64,AAAA' }, ['body.icon_url pattern']],
      [{ ...good, rarity: 'legendary' }, ['body.rarity additionalProperties']],
      [{ name: good.name, category: 'genre' }, ['body.slug required']],
    ];
    const before = await badgeCount();
    for (const [body, rules] of cases) {
      const answer = await call(testApp, 'POST', '/v1/admin/badges', { as: admin, body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.deepEqual(brokenRules(answer.body), rules, JSON.stringify(body));
    }
    assert.equal(await badgeCount(), before);

    assert.equal((await call(testApp, 'POST', '/v1/admin/badges', { as: admin, body: good })).status, 201);
    const sameSlug = await call(testApp, 'POST', '/v1/admin/badges', {
      as: admin,
      body: { ...good, name: `Other ${unique()}` },
    });
    assert.equal(sameSlug.status, 409);
    assert.deepEqual(brokenRules(sameSlug.body), ['slug uq_badges_slug']);
    const sameName = await call(testApp, 'POST', '/v1/admin/badges', {
      as: admin,
      body: { ...good, slug: `other-${unique()}` },
    });
    assert.deepEqual(brokenRules(sameName.body), ['name uq_badges_name']);
  });

  test('user, creator, premium and moderator get 403, anonymous callers 401, and nothing changes', async () => {
    const badge = await newBadge({ name: 'Untouched badge', slug: `untouched-${unique()}` });
    const body = { name: `Sneaky ${unique()}`, slug: `sneaky-${unique()}`, category: 'genre' };
    const before = await badgeCount();
    for (const role of ['user', 'creator', 'premium', 'moderator'] as const) {
      const caller = await newCaller(testApp, role);
      const created = await call(testApp, 'POST', '/v1/admin/badges', { as: caller, body });
      assert.equal(created.status, 403, role);
      assert.equal(created.body.code, 'FORBIDDEN');
      const edited = await call(testApp, 'PATCH', `/v1/admin/badges/${badge}`, {
        as: caller,
        body: { is_active: false },
      });
      assert.equal(edited.status, 403, role);
      // Refused before the body is even validated: a bad body is also 403.
      assert.equal((await call(testApp, 'POST', '/v1/admin/badges', { as: caller, body: { x: 1 } })).status, 403);
    }
    assert.equal((await call(testApp, 'POST', '/v1/admin/badges', { body })).status, 401);
    assert.equal(
      (await call(testApp, 'PATCH', `/v1/admin/badges/${badge}`, { body: { is_active: false } })).status,
      401,
    );
    assert.equal(await badgeCount(), before);
    const [row] = await testApp.current.database.sql`SELECT is_active, name FROM badges WHERE id = ${badge}`;
    assert.deepEqual({ ...row }, { is_active: true, name: 'Untouched badge' });
  });
});

describe('GET /v1/badges', () => {
  test('anyone lists the active badges, newest first, page by page; retired ones are not listed', async () => {
    const category = 'experience';
    const { sql } = testApp.current.database;
    await sql`UPDATE badges SET is_active = false WHERE category = ${category}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1)
      ids.push(await newBadge({ category, created_at: new Date(Date.UTC(2024, 0, 1 + i)) }));
    const retired = await newBadge({ category, is_active: false });

    const first = await call(testApp, 'GET', `/v1/badges?category=${category}&limit=2`);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.items.map((badge: { id: string }) => badge.id),
      [ids[2], ids[1]],
    );
    assert.ok(first.body.next_cursor);
    const user = await newCaller(testApp);
    const second = await call(
      testApp,
      'GET',
      `/v1/badges?category=${category}&limit=2&cursor=${first.body.next_cursor}`,
      {
        as: user,
      },
    );
    assert.deepEqual(
      second.body.items.map((badge: { id: string }) => badge.id),
      [ids[0]],
    );
    assert.equal(second.body.next_cursor, null);
    const all = await call(testApp, 'GET', '/v1/badges?limit=100');
    assert.ok(!all.body.items.some((badge: { id: string }) => badge.id === retired));
  });

  test('bad queries are 400: forged cursor, limit out of range, unknown category or parameter', async () => {
    for (const [query, rule] of [
      ['cursor=forged', 'query.cursor cursor'],
      ['limit=0', 'query.limit minimum'],
      ['limit=101', 'query.limit maximum'],
      ['category=rarity', 'query.category enum'],
      ['holders=1', 'query.holders additionalProperties'],
    ]) {
      const answer = await call(testApp, 'GET', `/v1/badges?${query}`);
      assert.equal(answer.status, 400, query);
      assert.deepEqual(brokenRules(answer.body), [rule]);
    }
  });
});

describe('the badges a user claims', () => {
  async function claim(caller: TestCaller, badges: unknown[]) {
    return call(testApp, 'PUT', '/v1/me/badges', { as: caller, body: { badges } });
  }
  const idsOf = (answer: { body: { items: { badge_id: string }[] } }) => answer.body.items.map((item) => item.badge_id);

  test('PUT replaces the whole set; the profile shows the displayed ones in the chosen order', async () => {
    const me = await newCaller(testApp);
    const [a, b, c, d] = [await newBadge(), await newBadge(), await newBadge(), await newBadge()];
    const first = await claim(me, [
      { badge_id: a, is_displayed: true, display_order: 2 },
      { badge_id: b, is_displayed: true, display_order: 1 },
      { badge_id: c, is_displayed: false, display_order: null },
    ]);
    assert.equal(first.status, 200);
    assert.deepEqual(idsOf(first), [b, a, c]);
    assert.equal(first.body.items[2].is_displayed, false);
    const [claimedA] = await testApp.current.database.sql`
      SELECT earned_at FROM user_badges WHERE user_id = ${me.id} AND badge_id = ${a}`;

    const shown = await call(testApp, 'GET', `/v1/users/${me.username}/badges`);
    assert.equal(shown.status, 200);
    assert.deepEqual(idsOf(shown), [b, a]);
    assert.deepEqual(Object.keys(shown.body.items[0]).sort(), [
      'badge_id',
      'category',
      'color',
      'description',
      'display_order',
      'icon_url',
      'name',
      'slug',
    ]);

    const second = await claim(me, [
      { badge_id: d, is_displayed: true, display_order: null },
      { badge_id: a, is_displayed: true, display_order: 0 },
    ]);
    assert.deepEqual(idsOf(second), [a, d], 'b and c are gone, d is new, ordered ones first');
    const [keptA] = await testApp.current.database.sql`
      SELECT earned_at FROM user_badges WHERE user_id = ${me.id} AND badge_id = ${a}`;
    assert.deepEqual(keptA!.earned_at, claimedA!.earned_at, 'a kept badge keeps when it was claimed');
    assert.deepEqual(idsOf(await call(testApp, 'GET', '/v1/me/badges', { as: me })), [a, d]);

    const cleared = await claim(me, []);
    assert.deepEqual(cleared.body.items, []);
    assert.deepEqual((await call(testApp, 'GET', `/v1/users/${me.username}/badges`)).body.items, []);
  });

  test('a bad badge in the set refuses the whole set and leaves the previous one unchanged', async () => {
    const me = await newCaller(testApp);
    const [a, b, fresh] = [await newBadge(), await newBadge(), await newBadge()];
    await claim(me, [
      { badge_id: a, is_displayed: true, display_order: 1 },
      { badge_id: b, is_displayed: false, display_order: null },
    ]);
    const snapshot = async () =>
      testApp.current.database.sql`
        SELECT badge_id, is_displayed, display_order, earned_at FROM user_badges WHERE user_id = ${me.id} ORDER BY badge_id`;
    const before = await snapshot();

    const unknown = await claim(me, [
      { badge_id: fresh, is_displayed: true, display_order: 0 },
      { badge_id: a, is_displayed: false, display_order: null },
      { badge_id: randomUUID(), is_displayed: true, display_order: 1 },
    ]);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'UNKNOWN_BADGE');
    assert.deepEqual(brokenRules(unknown.body), ['body.badges.2.badge_id exists']);
    assert.deepEqual(await snapshot(), before);

    const retired = await newBadge({ is_active: false });
    const retiredAnswer = await claim(me, [{ badge_id: retired, is_displayed: true, display_order: null }]);
    assert.deepEqual(brokenRules(retiredAnswer.body), ['body.badges.0.badge_id active']);
    assert.deepEqual(await snapshot(), before);

    const twice = await claim(me, [
      { badge_id: fresh, is_displayed: true, display_order: 1 },
      { badge_id: fresh.toUpperCase(), is_displayed: true, display_order: 2 },
    ]);
    assert.equal(twice.status, 400);
    assert.deepEqual(brokenRules(twice.body), ['body.badges.1.badge_id uniqueItems']);
    const samePosition = await claim(me, [
      { badge_id: fresh, is_displayed: true, display_order: 1 },
      { badge_id: a, is_displayed: true, display_order: 1 },
    ]);
    assert.deepEqual(brokenRules(samePosition.body), ['body.badges.1.display_order uniqueItems']);
    const malformed = await claim(me, [{ badge_id: 'not-a-uuid', is_displayed: 'yes', display_order: -1 }]);
    assert.deepEqual(brokenRules(malformed.body), [
      'body.badges.0.badge_id format',
      'body.badges.0.display_order minimum',
      'body.badges.0.is_displayed type',
    ]);
    const tooMany = await claim(
      me,
      Array.from({ length: 51 }, () => ({ badge_id: randomUUID(), is_displayed: true, display_order: null })),
    );
    assert.deepEqual(brokenRules(tooMany.body), ['body.badges maxItems']);
    assert.deepEqual(await snapshot(), before);
  });

  test('a retired badge already held can be kept (and reordered), not newly claimed', async () => {
    const me = await newCaller(testApp);
    const badge = await newBadge();
    await claim(me, [{ badge_id: badge, is_displayed: true, display_order: 1 }]);
    await testApp.current.database.sql`UPDATE badges SET is_active = false WHERE id = ${badge}`;
    const kept = await claim(me, [{ badge_id: badge, is_displayed: true, display_order: 5 }]);
    assert.equal(kept.status, 200);
    assert.equal(kept.body.items[0].display_order, 5);
    assert.deepEqual(idsOf(await call(testApp, 'GET', `/v1/users/${me.username}/badges`)), [badge]);
  });

  test('another user and an anonymous caller cannot read hidden badges or change anyone’s set', async () => {
    const [owner, other] = [await newCaller(testApp), await newCaller(testApp)];
    const [shown, hidden] = [await newBadge(), await newBadge()];
    await claim(owner, [
      { badge_id: shown, is_displayed: true, display_order: 1 },
      { badge_id: hidden, is_displayed: false, display_order: null },
    ]);
    assert.deepEqual(idsOf(await call(testApp, 'GET', `/v1/users/${owner.username}/badges`, { as: other })), [shown]);
    assert.equal((await call(testApp, 'GET', '/v1/me/badges')).status, 401);
    assert.equal((await call(testApp, 'PUT', '/v1/me/badges', { body: { badges: [] } })).status, 401);
    await claim(other, [{ badge_id: hidden, is_displayed: true, display_order: null }]);
    assert.deepEqual(idsOf(await call(testApp, 'GET', '/v1/me/badges', { as: owner })), [shown, hidden]);
    assert.deepEqual(idsOf(await call(testApp, 'GET', '/v1/me/badges', { as: other })), [hidden]);

    await call(testApp, 'PATCH', '/v1/me/profile', { as: owner, body: { profile_visibility: 'private' } });
    assert.equal((await call(testApp, 'GET', `/v1/users/${owner.username}/badges`, { as: other })).status, 404);
    assert.equal((await call(testApp, 'GET', `/v1/users/${owner.username}/badges`)).status, 404);
    assert.equal((await call(testApp, 'GET', `/v1/users/${owner.username}/badges`, { as: owner })).status, 200);
  });

  test('concurrent replacements leave exactly one of the sets, never a mix', async () => {
    const me = await newCaller(testApp);
    const sets: string[][] = [];
    for (let i = 0; i < 4; i += 1) sets.push([await newBadge(), await newBadge(), await newBadge()]);
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(
        sets.map((set) =>
          claim(
            me,
            set.map((id) => ({ badge_id: id, is_displayed: true, display_order: null })),
          ),
        ),
      );
      assert.deepEqual(
        answers.map((answer) => answer.status),
        [200, 200, 200, 200],
      );
      const held = (await call(testApp, 'GET', '/v1/me/badges', { as: me })).body.items
        .map((item: { badge_id: string }) => item.badge_id)
        .sort();
      assert.ok(
        sets.some((set) => JSON.stringify([...set].sort()) === JSON.stringify(held)),
        `round ${round}: held ${held.length} badges`,
      );
    }
  });
});

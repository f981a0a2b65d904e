// Equipment, warranties, maintenance, categories and the setup page through the API (issue 17 §6, 8; ADR 0079).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import {
  admin,
  as,
  file,
  item,
  maintenanceEntry,
  MICROPHONES,
  person,
  SYNTHESIZERS,
  warranty,
} from './gear.test-support.ts';

const testApp = useTestApp();

test('the starting categories are there, and only administrators manage them', async () => {
  const list = await as(testApp.current, null)('GET', '/v1/gear/categories');
  assert.equal(list.statusCode, 200);
  const slugs = list.json<{ items: { slug: string }[] }>().items.map((c) => c.slug);
  for (const slug of ['microphones', 'synthesizers', 'studio', 'instruments']) assert.ok(slugs.includes(slug), slug);

  const user = await person(testApp.current);
  const body = { name: 'Modular', slug: 'modular', parent_id: 'ec000000-0000-4000-8000-000000000001' };
  assert.equal((await as(testApp.current, user)('POST', '/v1/gear/categories', body)).statusCode, 403);
  const boss = await admin(testApp.current);
  const created = await as(testApp.current, boss)('POST', '/v1/gear/categories', body);
  assert.equal(created.statusCode, 201, created.body);
  assert.equal((await as(testApp.current, boss)('POST', '/v1/gear/categories', body)).statusCode, 409);
  const deep = await as(testApp.current, boss)('POST', '/v1/gear/categories', {
    name: 'Eurorack',
    slug: 'eurorack',
    parent_id: created.json().id,
  });
  assert.equal(deep.statusCode, 422);
  assert.equal(deep.json().errors[0].rule, 'top_level');
  // In use: refused; once unused, deleted.
  const owner = await person(testApp.current);
  const used = await item(testApp.current, owner, { category_id: created.json().id });
  const refused = await as(testApp.current, boss)('DELETE', `/v1/gear/categories/${created.json().id}`);
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().code, 'GEAR_CATEGORY_IN_USE');
  await as(testApp.current, owner)('PATCH', `/v1/me/gear/${used}`, { category_id: SYNTHESIZERS });
  await testApp.current.database.sql`DELETE FROM equipment WHERE id = ${used}`;
  assert.equal((await as(testApp.current, boss)('DELETE', `/v1/gear/categories/${created.json().id}`)).statusCode, 204);
});

test('an item: created, read, edited, listed by keyset, deleted; prices are decimal strings', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await item(testApp.current, owner, { purchase_price: '12.5' });
  const read = await call('GET', `/v1/me/gear/${id}`);
  assert.equal(read.statusCode, 200);
  assert.equal(read.json().purchase_price, '12.50');
  assert.equal(read.json().serial_number, 'SN-0001');
  assert.equal(read.json().purchase_date, '2024-05-01');
  assert.equal(read.json().category.slug, 'microphones');
  const edited = await call('PATCH', `/v1/me/gear/${id}`, { status: 'lent', notes: null });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().status, 'lent');
  assert.equal(edited.json().notes, null);

  for (let i = 0; i < 4; i++) await item(testApp.current, owner, { name: `Synth ${i}`, category_id: SYNTHESIZERS });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; next_cursor: string | null } = (
      await call('GET', `/v1/me/gear?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    ).json();
    seen.push(...page.items.map((i) => i.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
  const synths = await call('GET', `/v1/me/gear?category_id=${SYNTHESIZERS}`);
  assert.equal(synths.json().items.length, 4);

  assert.equal((await call('DELETE', `/v1/me/gear/${id}`)).statusCode, 204);
  assert.equal((await call('GET', `/v1/me/gear/${id}`)).statusCode, 404);
  assert.equal((await call('GET', '/v1/me/gear')).json().items.length, 4);
});

test('bad values: a price without currency, 31 February, an unknown category, a negative price', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const base = { name: 'Mic', category_id: MICROPHONES };
  const noCurrency = await call('POST', '/v1/me/gear', { ...base, purchase_price: '10.00' });
  assert.equal(noCurrency.statusCode, 422);
  assert.deepEqual(noCurrency.json().errors[0], {
    field: 'body.currency',
    rule: 'required',
    message: 'is required with purchase_price',
  });
  const badDay = await call('POST', '/v1/me/gear', { ...base, purchase_date: '2025-02-31' });
  assert.equal(badDay.statusCode, 422);
  assert.equal(badDay.json().errors[0].field, 'body.purchase_date');
  const unknown = await call('POST', '/v1/me/gear', { ...base, category_id: '00000000-0000-4000-8000-000000000001' });
  assert.equal(unknown.statusCode, 422);
  assert.equal(unknown.json().errors[0].rule, 'exists');
  const negative = await call('POST', '/v1/me/gear', { ...base, purchase_price: '-1.00', currency: 'EUR' });
  assert.equal(negative.statusCode, 400);
  assert.equal(
    (await testApp.current.database.sql`SELECT count(*)::int AS n FROM equipment WHERE user_id = ${owner.id}`)[0]?.n,
    0,
  );
});

test('photos and documents: own, live, scanned clean files only', async () => {
  const owner = await person(testApp.current);
  const other = await person(testApp.current);
  const call = as(testApp.current, owner);
  const photo = await file(testApp.current, owner, { mime_type: 'image/jpeg' });
  const id = await item(testApp.current, owner, { photo_file_id: photo });
  assert.equal((await call('GET', `/v1/me/gear/${id}`)).json().photo_file_id, photo);
  const cases: [string, string][] = [
    [await file(testApp.current, other, { mime_type: 'image/jpeg' }), 'owner'],
    [await file(testApp.current, owner, { mime_type: 'image/jpeg', virus_scan_result: 'infected' }), 'clean'],
    [await file(testApp.current, owner, { mime_type: 'audio/mpeg' }), 'image'],
    [await file(testApp.current, owner, { mime_type: 'image/jpeg', deleted_at: new Date() }), 'owner'],
  ];
  for (const [fileId, rule] of cases) {
    const answer = await call('PATCH', `/v1/me/gear/${id}`, { photo_file_id: fileId });
    assert.equal(answer.statusCode, 422, `${rule}: ${answer.body}`);
    assert.equal(answer.json().code, 'GEAR_FILE_UNUSABLE');
    assert.equal(answer.json().errors[0].rule, rule);
  }
  const doc = await file(testApp.current, owner, { mime_type: 'application/pdf' });
  await warranty(testApp.current, owner, id, { document_file_id: doc });
  const foreignDoc = await call('POST', `/v1/me/gear/${id}/warranties`, {
    provider: 'Shop',
    starts_on: '2024-01-01',
    document_file_id: await file(testApp.current, other, { mime_type: 'application/pdf' }),
  });
  assert.equal(foreignDoc.statusCode, 422);
});

test('warranties: an end before the start is 422 naming the field; edits, deletes; maintenance log', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await item(testApp.current, owner);
  const backwards = await call('POST', `/v1/me/gear/${id}/warranties`, {
    provider: 'Neumann',
    starts_on: '2025-06-01',
    ends_on: '2025-05-31',
  });
  assert.equal(backwards.statusCode, 422);
  assert.equal(backwards.json().code, 'GEAR_VALUE_INVALID');
  assert.deepEqual(backwards.json().errors[0], {
    field: 'body.ends_on',
    rule: 'after_start',
    message: 'is before starts_on',
  });
  const w = await warranty(testApp.current, owner, id);
  const moved = await call('PATCH', `/v1/me/gear/${id}/warranties/${w}`, { starts_on: '2027-06-01' });
  assert.equal(moved.statusCode, 422, 'a start after the stored end is refused too');
  const edited = await call('PATCH', `/v1/me/gear/${id}/warranties/${w}`, { ends_on: null });
  assert.equal(edited.json().ends_on, null);
  assert.equal((await call('GET', `/v1/me/gear/${id}/warranties`)).json().items.length, 1);

  const entry = await maintenanceEntry(testApp.current, owner, id);
  const log = await call('GET', `/v1/me/gear/${id}/maintenance`);
  assert.equal(log.json().items[0].cost, '40.00');
  const early = await call('PATCH', `/v1/me/gear/${id}/maintenance/${entry}`, { next_due_on: '2024-12-31' });
  assert.equal(early.statusCode, 422);
  assert.equal(early.json().errors[0].rule, 'after_performed');
  assert.equal((await call('DELETE', `/v1/me/gear/${id}/maintenance/${entry}`)).statusCode, 204);
  assert.equal((await call('DELETE', `/v1/me/gear/${id}/warranties/${w}`)).statusCode, 204);
  assert.equal((await call('GET', `/v1/me/gear/${id}/warranties/${w}`)).statusCode, 404);
});

test('the setup page: off by default, then public items only, never private fields; blocks and account state', async () => {
  const owner = await person(testApp.current);
  const viewer = await person(testApp.current);
  const { sql } = testApp.current.database;
  const [row] = await sql`SELECT username FROM users WHERE id = ${owner.id}`;
  const url = `/v1/users/${String(row?.username)}/setup`;
  const shown = await item(testApp.current, owner, { is_public: true, notes: 'secret note' });
  await item(testApp.current, owner, { name: 'Hidden', is_public: false });
  await item(testApp.current, owner, { name: 'Sold one', is_public: true, status: 'sold' });
  await warranty(testApp.current, owner, shown, { document_file_id: await file(testApp.current, owner) });

  assert.equal((await as(testApp.current, viewer)('GET', url)).statusCode, 404, 'off by default');
  assert.equal((await as(testApp.current, owner)('GET', url)).statusCode, 200, 'its owner previews it');
  assert.deepEqual((await as(testApp.current, owner)('PUT', '/v1/me/gear/setup', { public: true })).json(), {
    public: true,
  });
  const page = await as(testApp.current, null)('GET', url);
  assert.equal(page.statusCode, 200, page.body);
  assert.deepEqual(
    page.json().items.map((i: { id: string }) => i.id),
    [shown],
  );
  for (const secret of [
    'SN-0001',
    '3199',
    'secret note',
    'Neumann warranty',
    'purchase',
    'serial',
    'notes',
    'document',
  ])
    assert.ok(!page.body.includes(secret), `the page shows ${secret}`);

  await sql`INSERT INTO blocks (blocker_id, blocked_id) VALUES (${owner.id}, ${viewer.id})`;
  assert.equal((await as(testApp.current, viewer)('GET', url)).statusCode, 404, 'blocked');
  await sql`DELETE FROM blocks WHERE blocker_id = ${owner.id}`;
  assert.equal((await as(testApp.current, viewer)('GET', url)).statusCode, 200);
  await sql`UPDATE user_profiles SET profile_visibility = 'private' WHERE user_id = ${owner.id}`;
  await sql`INSERT INTO user_profiles (user_id, profile_visibility) VALUES (${owner.id}, 'private') ON CONFLICT (user_id) DO UPDATE SET profile_visibility = 'private'`;
  assert.equal((await as(testApp.current, viewer)('GET', url)).statusCode, 404, 'private profile, not a follower');
  await sql`UPDATE user_profiles SET profile_visibility = 'public' WHERE user_id = ${owner.id}`;
  await sql`UPDATE users SET is_banned = true WHERE id = ${owner.id}`;
  assert.equal((await as(testApp.current, null)('GET', url)).statusCode, 404, 'banned');
});

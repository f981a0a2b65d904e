// Own profile and settings, and the public profile's visibility rules, over HTTP against PostgreSQL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { isLanguageCode, isTimeZone } from './profiles.service.ts';
import { brokenRules, call, newCaller, type TestCaller } from './profiles.test-support.ts';

const testApp = useTestApp();

const rowCount = async (table: 'user_profiles' | 'user_settings', userId: string) => {
  const [row] = await testApp.current.database.sql`
    SELECT count(*)::int AS count FROM ${testApp.current.database.sql(table)} WHERE user_id = ${userId}`;
  return row!.count as number;
};

describe('value rules', () => {
  test('time zones: IANA names as IANA spells them, UTC included; nothing else', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata'])
      assert.ok(isTimeZone(zone), zone);
    // Etc/GMT+5 is not among Intl.supportedValuesOf('timeZone') (and its sign is inverted): refused.
    for (const zone of [
      'Mars/Olympus',
      'europe/paris',
      'Paris',
      '',
      'UTC ',
      '+02:00',
      'Etc/GMT+5',
      'Europe/Paris\u0000',
    ])
      assert.ok(!isTimeZone(zone), JSON.stringify(zone));
  });

  test('languages: ISO 639-1 codes, not any two letters', () => {
    for (const code of ['en', 'fr', 'de', 'ja', 'wo']) assert.ok(isLanguageCode(code), code);
    for (const code of ['xx', 'qq', 'EN', 'eng', 'en-US', 'e']) assert.ok(!isLanguageCode(code), code);
  });
});

describe('own profile', () => {
  test('a user without a profile row gets one with the defaults on first read, once, even concurrently', async () => {
    const me = await newCaller(testApp);
    assert.equal(await rowCount('user_profiles', me.id), 0);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(testApp, 'GET', '/v1/me/profile', { as: me })),
    );
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 200, 200, 200],
    );
    assert.equal(await rowCount('user_profiles', me.id), 1);
    const profile = answers[0]!.body;
    assert.equal(profile.user_id, me.id);
    assert.equal(profile.language, 'en');
    assert.equal(profile.timezone, 'UTC');
    assert.equal(profile.theme, 'auto');
    assert.equal(profile.profile_visibility, 'public');
    assert.equal(profile.show_email, false);
    assert.equal(profile.show_location, true);
    assert.equal(profile.follower_count, 0);
  });

  test('PATCH changes only the fields given; null clears one; the answer is the stored profile', async () => {
    const me = await newCaller(testApp);
    const changed = await call(testApp, 'PATCH', '/v1/me/profile', {
      as: me,
      body: {
        bio: 'Plays the oud.\nSometimes the bass.',
        tagline: 'oud & bass',
        location: 'Lyon',
        website_url: 'https://example.org/me',
        birthdate: '1990-02-28',
        gender: 'non-binary',
        avatar_url: 'https://cdn.example.org/a.png',
        language: 'fr',
        timezone: 'Europe/Paris',
        theme: 'dark',
        profile_visibility: 'unlisted',
        show_email: true,
        show_location: false,
      },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.birthdate, '1990-02-28');
    assert.equal(changed.body.timezone, 'Europe/Paris');
    assert.equal(changed.body.profile_visibility, 'unlisted');
    const cleared = await call(testApp, 'PATCH', '/v1/me/profile', { as: me, body: { bio: null, theme: 'light' } });
    assert.equal(cleared.body.bio, null);
    assert.equal(cleared.body.theme, 'light');
    assert.equal(cleared.body.tagline, 'oud & bass', 'untouched');
    const read = await call(testApp, 'GET', '/v1/me/profile', { as: me });
    assert.deepEqual(read.body, cleared.body);
  });

  test('bad values are 400 naming each field and rule, and change nothing', async () => {
    const me = await newCaller(testApp);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ website_url: 'javascript:alert(1)' }, ['body.website_url pattern']],
      [{ website_url: 'ftp://example.org/' }, ['body.website_url pattern']],
      [{ avatar_url: 'https:///nohost' }, ['body.avatar_url pattern']],
      [{ timezone: 'Mars/Olympus' }, ['body.timezone timezone']],
      [{ language: 'xx' }, ['body.language iso639-1']],
      [{ language: 'EN' }, ['body.language pattern']],
      [{ theme: 'blue' }, ['body.theme enum']],
      [{ profile_visibility: 'friends' }, ['body.profile_visibility enum']],
      [{ birthdate: '2999-01-01' }, ['body.birthdate range']],
      [{ birthdate: '1990-02-30' }, ['body.birthdate format']],
      [{ bio: 'nul \u0000 byte' }, ['body.bio pattern']],
      [{ tagline: 'x'.repeat(256) }, ['body.tagline maxLength']],
      // A JSON body is not coerced (src/platform/http/server.ts): null is not turned into "" any more.
      [{ language: null }, ['body.language type']],
      [{ follower_count: 1_000_000 }, ['body.follower_count additionalProperties']],
      [{ user_id: me.id }, ['body.user_id additionalProperties']],
      [{}, ['body minProperties']],
      [{ timezone: 'Europe/Paris', language: 'zz' }, ['body.language iso639-1']],
    ];
    for (const [body, rules] of cases) {
      const answer = await call(testApp, 'PATCH', '/v1/me/profile', { as: me, body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.code, 'VALIDATION_FAILED');
      assert.deepEqual(brokenRules(answer.body), rules, JSON.stringify(body));
    }
    const profile = await call(testApp, 'GET', '/v1/me/profile', { as: me });
    assert.equal(profile.body.timezone, 'UTC', 'the valid half of a bad request was not written');
    assert.equal(profile.body.follower_count, 0);
  });

  test('anonymous callers get 401; another user reads and changes only their own profile', async () => {
    const [owner, other] = [await newCaller(testApp), await newCaller(testApp)];
    await call(testApp, 'PATCH', '/v1/me/profile', { as: owner, body: { bio: 'mine' } });
    assert.equal((await call(testApp, 'GET', '/v1/me/profile')).status, 401);
    assert.equal((await call(testApp, 'PATCH', '/v1/me/profile', { body: { bio: 'hacked' } })).status, 401);
    const theirs = await call(testApp, 'PATCH', '/v1/me/profile', { as: other, body: { bio: 'theirs' } });
    assert.equal(theirs.body.user_id, other.id);
    assert.equal((await call(testApp, 'GET', '/v1/me/profile', { as: owner })).body.bio, 'mine');
  });
});

describe('own settings', () => {
  test('created on first read with the defaults; PATCH changes the flags given', async () => {
    const me = await newCaller(testApp);
    assert.equal(await rowCount('user_settings', me.id), 0);
    const first = await call(testApp, 'GET', '/v1/me/settings', { as: me });
    assert.equal(first.status, 200);
    assert.equal(first.body.email_notifications, true);
    assert.equal(first.body.email_marketing, false);
    assert.equal(first.body.explicit_content, false);
    await call(testApp, 'GET', '/v1/me/settings', { as: me });
    assert.equal(await rowCount('user_settings', me.id), 1);
    const changed = await call(testApp, 'PATCH', '/v1/me/settings', {
      as: me,
      body: { autoplay: false, email_on_like: false },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.autoplay, false);
    assert.equal(changed.body.email_on_like, false);
    assert.equal(changed.body.email_on_follow, true);
  });

  test('bad bodies are 400; anonymous callers 401; another user changes only their own', async () => {
    const [owner, other] = [await newCaller(testApp), await newCaller(testApp)];
    const wrongType = await call(testApp, 'PATCH', '/v1/me/settings', { as: owner, body: { autoplay: 'no' } });
    assert.deepEqual(brokenRules(wrongType.body), ['body.autoplay type']);
    const unknown = await call(testApp, 'PATCH', '/v1/me/settings', { as: owner, body: { user_id: other.id } });
    assert.deepEqual(brokenRules(unknown.body), ['body.user_id additionalProperties']);
    assert.equal((await call(testApp, 'GET', '/v1/me/settings')).status, 401);
    assert.equal((await call(testApp, 'PATCH', '/v1/me/settings', { body: { autoplay: false } })).status, 401);
    await call(testApp, 'PATCH', '/v1/me/settings', { as: other, body: { autoplay: false } });
    assert.equal((await call(testApp, 'GET', '/v1/me/settings', { as: owner })).body.autoplay, true);
  });
});

describe('public profile', () => {
  async function withProfile(changes: Record<string, unknown>, role: TestCaller['role'] = 'user') {
    const user = await newCaller(testApp, role, { display_name: 'Shown Name' });
    const answer = await call(testApp, 'PATCH', '/v1/me/profile', { as: user, body: changes });
    assert.equal(answer.status, 200);
    return user;
  }

  test('shows public fields only: email and location by choice, never birthdate, gender, settings or consents', async () => {
    const hidden = await withProfile({
      bio: 'hello',
      location: 'Lyon',
      show_location: false,
      birthdate: '1990-01-01',
      gender: 'f',
    });
    const answer = await call(testApp, 'GET', `/v1/users/${hidden.username}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body).sort(), [
      'avatar_url',
      'banner_url',
      'bio',
      'display_name',
      'email',
      'follower_count',
      'following_count',
      'id',
      'joined_at',
      'location',
      'playlist_count',
      'profile_visibility',
      'tagline',
      'track_count',
      'username',
      'website_url',
    ]);
    assert.equal(answer.body.email, null);
    assert.equal(answer.body.location, null);
    assert.equal(answer.body.bio, 'hello');
    assert.equal(answer.body.display_name, 'Shown Name');
    assert.doesNotMatch(answer.body ? JSON.stringify(answer.body) : '', /1990-01-01|Lyon/);

    const shown = await withProfile({ location: 'Lyon', show_location: true, show_email: true });
    const visible = await call(testApp, 'GET', `/v1/users/${shown.username}`);
    assert.equal(visible.body.email, shown.email);
    assert.equal(visible.body.location, 'Lyon');
  });

  test('a user without a profile row has the default (public) profile', async () => {
    const bare = await newCaller(testApp);
    const answer = await call(testApp, 'GET', `/v1/users/${bare.username}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.profile_visibility, 'public');
    assert.equal(answer.body.email, null);
  });

  test('unlisted: anyone with the link; private: the owner only, 404 for everyone else, staff included', async () => {
    const unlisted = await withProfile({ profile_visibility: 'unlisted' });
    const secret = await withProfile({ profile_visibility: 'private', bio: 'private bio' });
    const [other, admin, moderator] = [
      await newCaller(testApp),
      await newCaller(testApp, 'admin'),
      await newCaller(testApp, 'moderator'),
    ];
    for (const path of ['', '/badges', '/roles']) {
      assert.equal((await call(testApp, 'GET', `/v1/users/${unlisted.username}${path}`)).status, 200);
      assert.equal((await call(testApp, 'GET', `/v1/users/${unlisted.username}${path}`, { as: other })).status, 200);
      for (const viewer of [undefined, other, admin, moderator]) {
        const answer = await call(testApp, 'GET', `/v1/users/${secret.username}${path}`, { as: viewer });
        assert.equal(answer.status, 404, `${viewer?.role ?? 'anonymous'} ${path}`);
        assert.equal(answer.body.code, 'USER_NOT_FOUND');
        assert.doesNotMatch(JSON.stringify(answer.body), /private bio/);
      }
      assert.equal((await call(testApp, 'GET', `/v1/users/${secret.username}${path}`, { as: secret })).status, 200);
    }
    const unknown = await call(testApp, 'GET', '/v1/users/nobody_here_at_all');
    assert.equal(unknown.status, 404);
    assert.deepEqual(
      { ...unknown.body, instance: undefined, request_id: undefined, detail: undefined },
      {
        ...(await call(testApp, 'GET', `/v1/users/${secret.username}`)).body,
        instance: undefined,
        request_id: undefined,
        detail: undefined,
      },
      'a private profile is answered exactly like a missing one',
    );
  });

  test('deleted, banned and deactivated accounts do not exist, for admins too', async () => {
    const admin = await newCaller(testApp, 'admin');
    for (const state of [{ deleted_at: new Date() }, { is_banned: true }, { is_active: false }]) {
      const gone = await newCaller(testApp, 'user', state);
      for (const path of ['', '/badges', '/roles']) {
        assert.equal((await call(testApp, 'GET', `/v1/users/${gone.username}${path}`)).status, 404);
        assert.equal((await call(testApp, 'GET', `/v1/users/${gone.username}${path}`, { as: admin })).status, 404);
      }
    }
  });

  test('a malformed username is 400; a dead token is 401 even on this public route', async () => {
    const bad = await call(testApp, 'GET', '/v1/users/a%20b');
    assert.equal(bad.status, 400);
    assert.deepEqual(brokenRules(bad.body), ['params.username pattern']);
    const someone = await newCaller(testApp);
    await testApp.current.database.sql`UPDATE users SET token_version = token_version + 1 WHERE id = ${someone.id}`;
    assert.equal((await call(testApp, 'GET', `/v1/users/${someone.username}`, { as: someone })).status, 401);
  });
});

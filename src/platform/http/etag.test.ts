// ETag and If-Match on the caller's own profile and settings: a change based on a stale read is a 412 and
// changes nothing; one based on the current read, or sent without If-Match, applies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { signedInCaller } from '../../../test/helpers/callers.ts';

const testApp = useTestApp();

const signedIn = async () => (await signedInCaller(testApp.current)).authorization;

const cases = [
  { url: '/v1/me/profile', change: (n: number) => ({ bio: `bio number ${n}` }), field: 'bio' },
  {
    url: '/v1/me/settings',
    change: (n: number) => ({ email_notifications: n % 2 === 0 }),
    field: 'email_notifications',
  },
];

for (const { url, change, field } of cases) {
  describe(url, () => {
    const call = (authorization: string, method: 'GET' | 'PATCH', body?: object, ifMatch?: string) =>
      testApp.current.app.inject({
        method,
        url,
        headers: { authorization, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
        ...(body ? { payload: body } : {}),
      });

    test('a change based on the current ETag applies and answers the new ETag', async () => {
      const caller = await signedIn();
      const read = await call(caller, 'GET');
      const etag = String(read.headers.etag);
      assert.match(etag, /^"[A-Za-z0-9_-]{27}"$/);
      assert.equal((await call(caller, 'GET')).headers.etag, etag, 'an unchanged resource keeps its ETag');
      const changed = await call(caller, 'PATCH', change(1), etag);
      assert.equal(changed.statusCode, 200, changed.body);
      assert.notEqual(changed.headers.etag, etag);
      assert.equal((await call(caller, 'GET')).headers.etag, changed.headers.etag);
    });

    test('a change based on a stale ETag is a 412 naming If-Match, and changes nothing', async () => {
      const caller = await signedIn();
      const stale = String((await call(caller, 'GET')).headers.etag);
      const other = await call(caller, 'PATCH', change(2), stale);
      assert.equal(other.statusCode, 200);
      const lost = await call(caller, 'PATCH', change(3), stale);
      assert.equal(lost.statusCode, 412);
      assert.match(String(lost.headers['content-type']), /^application\/problem\+json/);
      assert.equal(lost.json().code, 'PRECONDITION_FAILED');
      assert.equal(lost.json().errors[0].field, 'headers.if-match');
      assert.deepEqual((await call(caller, 'GET')).json()[field], other.json()[field]);
    });

    test('a weak tag never matches; * and no If-Match always apply', async () => {
      const caller = await signedIn();
      const etag = String((await call(caller, 'GET')).headers.etag);
      assert.equal((await call(caller, 'PATCH', change(4), `W/${etag}`)).statusCode, 412);
      assert.equal((await call(caller, 'PATCH', change(5), '*')).statusCode, 200);
      assert.equal((await call(caller, 'PATCH', change(6))).statusCode, 200);
      assert.equal(
        (await call(caller, 'PATCH', change(7), `"other", ${etag}`)).statusCode,
        412,
        'etag is stale by now',
      );
    });
  });
}

test('parallel changes based on one ETag: exactly one applies, the others are 412 (no lost update)', async () => {
  const authorization = await signedIn();
  const read = await testApp.current.app.inject({ method: 'GET', url: '/v1/me/profile', headers: { authorization } });
  const etag = String(read.headers.etag);
  const attempts = await Promise.all(
    [1, 2, 3, 4, 5].map((n) =>
      testApp.current.app.inject({
        method: 'PATCH',
        url: '/v1/me/profile',
        headers: { authorization, 'if-match': etag },
        payload: { bio: `written by device ${n}` },
      }),
    ),
  );
  const statuses = attempts.map((answer) => answer.statusCode).sort();
  assert.deepEqual(statuses, [200, 412, 412, 412, 412]);
  const winner = attempts.find((answer) => answer.statusCode === 200)?.json().bio;
  const now = await testApp.current.app.inject({ method: 'GET', url: '/v1/me/profile', headers: { authorization } });
  assert.equal(now.json().bio, winner);
});

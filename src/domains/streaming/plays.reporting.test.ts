// POST /v1/tracks/{id}/plays (issue 13 §2, ADR 0045): what counts, once per listener per track per window, under
// parallel reports and retries, and what bad input gets.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { newListener, newTrack, playCount, reportPlay } from './plays.test-support.ts';

const testApp = useTestApp();

async function historyRows(trackId: string) {
  const rows = await testApp.current.database.sql<
    {
      user_id: string | null;
      played_duration: number;
      completion_percentage: number;
      source: string | null;
      device_type: string | null;
    }[]
  >`SELECT user_id, played_duration, completion_percentage, source, device_type
    FROM playback_history WHERE track_id = ${trackId}`;
  return [...rows];
}

test('a play of 30 s or more counts: 201, a history entry, play_count + 1, completion computed server-side', async () => {
  const listener = await newListener(testApp.current);
  const track = await newTrack(testApp.current, { duration: 200 });
  const answer = await reportPlay(testApp.current, listener.auth, track.id, {
    played_duration: 150,
    source: 'search',
    device_type: 'web',
  });
  assert.equal(answer.statusCode, 201, answer.body);
  const body = answer.json();
  assert.equal(body.counted, true);
  assert.equal(body.outcome, 'counted');
  assert.equal(body.completion_percentage, 75);
  assert.equal(body.minimum_seconds, 30);
  assert.match(body.history_entry_id, /^[0-9a-f-]{36}$/);
  assert.equal(await playCount(testApp.current, track.id), 1);
  assert.deepEqual(await historyRows(track.id), [
    { user_id: listener.id, played_duration: 150, completion_percentage: 75, source: 'search', device_type: 'web' },
  ]);
});

test('a report under the minimum writes nothing; half of a track under a minute is enough', async () => {
  const listener = await newListener(testApp.current);
  const track = await newTrack(testApp.current, { duration: 200 });
  const short = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 29 });
  assert.equal(short.statusCode, 200, short.body);
  assert.deepEqual(
    { counted: short.json().counted, outcome: short.json().outcome, id: short.json().history_entry_id },
    { counted: false, outcome: 'too_short', id: null },
  );
  assert.equal(await playCount(testApp.current, track.id), 0);
  assert.deepEqual(await historyRows(track.id), []);

  const jingle = await newTrack(testApp.current, { duration: 20 });
  const under = await reportPlay(testApp.current, listener.auth, jingle.id, { played_duration: 9 });
  assert.equal(under.json().outcome, 'too_short');
  assert.equal(under.json().minimum_seconds, 10);
  const half = await reportPlay(testApp.current, listener.auth, jingle.id, { played_duration: 10 });
  assert.equal(half.statusCode, 201, half.body);
  assert.equal(half.json().completion_percentage, 50);
  assert.equal(await playCount(testApp.current, jingle.id), 1);
});

test('a reload loop counts once per window; the next window counts again', async () => {
  const listener = await newListener(testApp.current);
  const track = await newTrack(testApp.current, { duration: 180 });
  const outcomes: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    const answer = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 31 + i });
    outcomes.push(`${answer.statusCode} ${answer.json().outcome}`);
  }
  assert.deepEqual(outcomes, [
    '201 counted',
    '200 within_window',
    '200 within_window',
    '200 within_window',
    '200 within_window',
  ]);
  assert.equal(await playCount(testApp.current, track.id), 1);
  assert.equal((await historyRows(track.id)).length, 1);

  // Another listener of the same track has a window of their own.
  const other = await newListener(testApp.current);
  assert.equal((await reportPlay(testApp.current, other.auth, track.id, { played_duration: 60 })).statusCode, 201);

  // 29 minutes later the window (30 minutes for a 3-minute track) still holds; at 30 minutes it is over.
  const { sql } = testApp.current.database;
  const moveWindow = (minutes: number) => sql`
    UPDATE play_count_windows SET counted_at = now() - make_interval(mins => ${minutes})
    WHERE user_id = ${listener.id} AND track_id = ${track.id}`;
  await moveWindow(29);
  const early = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 60 });
  assert.equal(early.json().outcome, 'within_window');
  await moveWindow(30);
  const later = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 60 });
  assert.equal(later.statusCode, 201, later.body);
  assert.equal(await playCount(testApp.current, track.id), 3);
});

test('the window of a track longer than 30 minutes is its duration: one long play reported twice counts once', async () => {
  const listener = await newListener(testApp.current);
  const mix = await newTrack(testApp.current, { duration: 3600 });
  assert.equal((await reportPlay(testApp.current, listener.auth, mix.id, { played_duration: 40 })).statusCode, 201);
  await testApp.current.database.sql`
    UPDATE play_count_windows SET counted_at = now() - interval '45 minutes' WHERE track_id = ${mix.id}`;
  const end = await reportPlay(testApp.current, listener.auth, mix.id, { played_duration: 3600 });
  assert.equal(end.json().outcome, 'within_window');
  assert.equal(await playCount(testApp.current, mix.id), 1);
});

test('parallel reports of one play count exactly once; parallel plays of different listeners all count', async () => {
  const listener = await newListener(testApp.current);
  const track = await newTrack(testApp.current);
  const answers = await Promise.all(
    Array.from({ length: 16 }, () => reportPlay(testApp.current, listener.auth, track.id, { played_duration: 100 })),
  );
  const statuses = answers.map((answer) => answer.statusCode).sort();
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
  assert.equal(await playCount(testApp.current, track.id), 1);
  assert.equal((await historyRows(track.id)).length, 1);

  const crowd = await Promise.all(Array.from({ length: 12 }, () => newListener(testApp.current)));
  const crowdAnswers = await Promise.all(
    crowd.map((member) => reportPlay(testApp.current, member.auth, track.id, { played_duration: 100 })),
  );
  assert.ok(
    crowdAnswers.every((answer) => answer.statusCode === 201),
    crowdAnswers.map((a) => a.body).join('\n'),
  );
  assert.equal(await playCount(testApp.current, track.id), 13);
  const [exact] = await testApp.current.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM playback_history WHERE track_id = ${track.id}`;
  assert.equal(exact!.n, 13, 'play_count equals the history rows');
});

test('a retried report with the same Idempotency-Key is answered from the first, even from parallel retries', async () => {
  const listener = await newListener(testApp.current);
  const track = await newTrack(testApp.current);
  const key = randomUUID();
  const first = await reportPlay(
    testApp.current,
    listener.auth,
    track.id,
    { played_duration: 90 },
    { 'idempotency-key': key },
  );
  assert.equal(first.statusCode, 201, first.body);
  const retries = await Promise.all(
    Array.from({ length: 4 }, () =>
      reportPlay(testApp.current, listener.auth, track.id, { played_duration: 90 }, { 'idempotency-key': key }),
    ),
  );
  for (const retry of retries) {
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json(), first.json(), 'the same answer, the same history entry');
  }
  const reused = await reportPlay(
    testApp.current,
    listener.auth,
    track.id,
    { played_duration: 91 },
    { 'idempotency-key': key },
  );
  assert.equal(reused.statusCode, 422, reused.body);
  assert.equal(await playCount(testApp.current, track.id), 1);
});

test('who may report: signed-in listeners of a track they may hear; the creator of a private track too', async () => {
  const listener = await newListener(testApp.current);
  const creator = await newListener(testApp.current);
  const cases: [string, Record<string, unknown>, number][] = [
    ['a private track of someone else', { visibility: 'private' }, 404],
    ['a draft of someone else', { published_at: null }, 404],
    ['a deleted track', { deleted_at: new Date() }, 404],
    ['an unlisted published track (the link is enough)', { visibility: 'unlisted' }, 201],
  ];
  for (const [what, state, status] of cases) {
    const track = await newTrack(testApp.current, state);
    const answer = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 60 });
    assert.equal(answer.statusCode, status, `${what}: ${answer.body}`);
    if (status === 404) {
      assert.equal(answer.json().code, 'TRACK_NOT_FOUND', what);
      assert.equal(await playCount(testApp.current, track.id), 0, what);
    }
  }
  const missing = await reportPlay(testApp.current, listener.auth, randomUUID(), { played_duration: 60 });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'TRACK_NOT_FOUND');

  const own = await newTrack(testApp.current, { creator_id: creator.id, visibility: 'private', published_at: null });
  assert.equal((await reportPlay(testApp.current, creator.auth, own.id, { played_duration: 60 })).statusCode, 201);

  const track = await newTrack(testApp.current);
  const anonymous = await reportPlay(testApp.current, undefined, track.id, { played_duration: 60 });
  assert.equal(anonymous.statusCode, 401);
  assert.equal(await playCount(testApp.current, track.id), 0);
});

test('bad input is a 400 naming the field and the rule, and writes nothing', async () => {
  const listener = await newListener(testApp.current);
  const track = await newTrack(testApp.current, { duration: 215 });
  const cases: [Record<string, unknown>, string, string, string?][] = [
    [{ played_duration: 226 }, 'body.played_duration', 'maximum', 'PLAYED_DURATION_EXCEEDS_TRACK'],
    [{ played_duration: 86_401 }, 'body.played_duration', 'maximum'],
    [{ played_duration: -1 }, 'body.played_duration', 'minimum'],
    [{ played_duration: 30.5 }, 'body.played_duration', 'type'],
    [{ played_duration: '60' }, 'body.played_duration', 'type'],
    [{}, 'body.played_duration', 'required'],
    [{ played_duration: 60, completion_percentage: 100 }, 'body.completion_percentage', 'additionalProperties'],
    [{ played_duration: 60, source: 'radio' }, 'body.source', 'anyOf'],
    [{ played_duration: 60, device_type: 'tablet' }, 'body.device_type', 'anyOf'],
    [{ played_duration: 60, source_id: 'not-a-uuid', source: 'playlist' }, 'body.source_id', 'format'],
    [{ played_duration: 60, source_id: randomUUID() }, 'body.source', 'dependentRequired'],
  ];
  for (const [body, field, rule, code] of cases) {
    const answer = await reportPlay(testApp.current, listener.auth, track.id, body);
    assert.equal(answer.statusCode, 400, `${JSON.stringify(body)}: ${answer.body}`);
    const problem = answer.json();
    if (code) assert.equal(problem.code, code);
    assert.ok(
      problem.errors?.some((error: { field: string; rule: string }) => error.field === field && error.rule === rule),
      `${JSON.stringify(body)}: ${answer.body}`,
    );
  }
  // Within the tolerance, a report a little past the end is a full play.
  const atEnd = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 225 });
  assert.equal(atEnd.statusCode, 201, atEnd.body);
  assert.equal(atEnd.json().completion_percentage, 100);
  assert.equal(await playCount(testApp.current, track.id), 1);

  const badId = await testApp.current.app.inject({
    method: 'POST',
    url: '/v1/tracks/not-a-uuid/plays',
    headers: { authorization: listener.auth },
    payload: { played_duration: 60 },
  });
  assert.equal(badId.statusCode, 400);
});

// Plays counted by the streaming domain reach their creator's statistics (issue 18 §6; RFC 0060): a play reported
// through the API writes its analytics event in the same transaction, the nightly aggregation counts it, and the
// creator reads it back — suppressed while fewer than k people listened, published from the k-th.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { newListener, newTrack, reportPlay } from '../streaming/plays.test-support.ts';
import { aggregate, as, person } from './stats.test-support.ts';

const testApp = useTestApp();

test('plays reported through the API are in the creator’s statistics once aggregated', async () => {
  const t = testApp.current;
  const creator = await person(t);
  const track = await newTrack(t, { creator_id: creator.id, duration: 200 });
  const playOnce = async () => {
    const listener = await newListener(t);
    const answer = await reportPlay(t, listener.auth, track.id, { played_duration: 200, device_type: 'mobile' });
    assert.equal(answer.statusCode, 201, answer.body);
  };
  const [{ day }] = (await t.database.sql<{ day: string }[]>`
    SELECT (now() AT TIME ZONE 'UTC')::date::text AS day`) as unknown as [{ day: string }];
  const readDay = async () => {
    const answer = await as(t, creator)('GET', `/v1/statistics/tracks/${track.id}?from=${day}&to=${day}`);
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json<{ days: Record<string, unknown>[] }>().days;
  };

  for (let i = 0; i < 4; i += 1) await playOnce();
  const [event] = await t.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM analytics_events WHERE entity_id = ${track.id} AND event_type = 'play'`;
  assert.equal(event!.n, 4, 'one event per counted play');

  await playOnce();
  // The aggregation reads closed days: its clock is the next day.
  await aggregate(t, new Date(Date.parse(`${day}T00:00:00Z`) + 36 * 3_600_000));
  const [published] = await readDay();
  assert.deepEqual(
    { plays: published?.plays, listeners: published?.listeners, completed: published?.completed_plays },
    { plays: 5, listeners: 5, completed: 5 },
  );
});

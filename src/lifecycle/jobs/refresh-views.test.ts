import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { refreshTrendingTracks, refreshUserStatistics } from './refresh-views.ts';

const database = useMigratedDatabase();

test('the refresh jobs bring new tracks and plays into the views; a dry run leaves them as they were', async () => {
  const { sql, db } = database.current;
  const track = await allFactories.tracks?.(sql, { visibility: 'public' });
  assert.ok(track);
  await allFactories.playback_history?.(sql, { track_id: track.id, played_at: new Date() });

  const inTrending = async () =>
    (await sql`SELECT play_count_7d FROM trending_tracks WHERE id = ${track.id as string}`)[0]?.play_count_7d;
  assert.equal(await inTrending(), undefined, 'not there before a refresh');

  const dry = await runJob(refreshTrendingTracks, {
    db,
    dataDir: '/nonexistent',
    dryRun: true,
    triggeredBy: 'manual',
  });
  assert.equal(dry.status, 'succeeded');
  assert.equal(await inTrending(), undefined, 'a dry run rolls the refresh back');

  const real = await runJob(refreshTrendingTracks, { db, dataDir: '/nonexistent', triggeredBy: 'manual' });
  assert.equal(real.status, 'succeeded');
  assert.equal(Number(await inTrending()), 1);

  await runJob(refreshUserStatistics, { db, dataDir: '/nonexistent', triggeredBy: 'manual' });
  const [stats] = await sql`SELECT track_count FROM user_statistics WHERE user_id = ${track.creator_id as string}`;
  assert.equal(Number(stats?.track_count), 1);
});

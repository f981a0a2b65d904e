// streaming.play-windows-expire (ADR 0045): a counting window row goes once its window is over, not before.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { playWindowsExpire } from './plays.jobs.ts';

const database = useMigratedDatabase();
let dataDir = '';
after(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('windows that are over are deleted, the others kept; a second run changes nothing', async () => {
  const { sql, db } = database.current;
  dataDir = await mkdtemp(join(tmpdir(), 'veza-play-windows-'));
  const now = new Date('2030-06-01T12:00:00Z');
  const minutesBefore = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  const song = await allFactories.tracks!(sql, { duration: 200 });
  const mix = await allFactories.tracks!(sql, { duration: 2 * 3600 });
  const marathon = await allFactories.tracks!(sql, { duration: 30 * 3600 });
  const window = (track: Record<string, unknown>, minutes: number) =>
    allFactories.play_count_windows!(sql, { track_id: track.id, counted_at: minutesBefore(minutes) });
  const rows = {
    songOpen: await window(song, 29),
    songOver: await window(song, 31),
    mixOpen: await window(mix, 119),
    mixOver: await window(mix, 121),
    marathonOpen: await window(marathon, 23 * 60),
    marathonCapped: await window(marathon, 24 * 60 + 1),
  };
  const first = await runJob(playWindowsExpire, { db, dataDir, triggeredBy: 'manual', now });
  assert.equal(first.status, 'succeeded', first.error ?? '');
  assert.equal(first.rowsByTable.play_count_windows, 3);
  const left = await sql<{ id: string }[]>`SELECT id::text AS id FROM play_count_windows`;
  assert.deepEqual(
    left.map((row) => row.id).sort(),
    [rows.songOpen.id, rows.mixOpen.id, rows.marathonOpen.id].map(String).sort(),
  );
  const second = await runJob(playWindowsExpire, { db, dataDir, triggeredBy: 'manual', now });
  assert.equal(second.rowsByTable.play_count_windows ?? 0, 0);
});

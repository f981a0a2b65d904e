// gear.warranty-reminders (issue 17 §7, ADR 0079): 30 days before and on the end day, exactly once each, whatever
// the number of runs, their lateness or a moved end date. The clock is the job's `now`, moved day by day.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { dueReminder, gearWarrantyReminders } from './gear.jobs.ts';

const database = useMigratedDatabase();
let dataDir = '';
after(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const at = (day: string) => new Date(`${day}T07:15:00Z`);
const plusDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function run(now: Date) {
  dataDir ||= await mkdtemp(join(tmpdir(), 'veza-gear-reminders-'));
  const result = await runJob(gearWarrantyReminders, { db: database.current.db, dataDir, triggeredBy: 'manual', now });
  assert.equal(result.status, 'succeeded', result.error ?? '');
  return result.rowsByTable.equipment_warranty_reminders ?? 0;
}

async function reminders(warrantyId: string) {
  const { sql } = database.current;
  const sent = await sql<{ kind: string; ends_on: string }[]>`
    SELECT kind, to_char(ends_on, 'YYYY-MM-DD') AS ends_on FROM equipment_warranty_reminders
    WHERE warranty_id = ${warrantyId} ORDER BY sent_at, kind`;
  const notes = await sql<{ title: string; events: number }[]>`
    SELECT title, (data->>'events')::int AS events FROM notifications
    WHERE entity_type = 'equipment_warranty' AND entity_id = ${warrantyId} ORDER BY created_at`;
  return { sent: sent.map((r) => `${r.kind}@${r.ends_on}`), notes };
}

async function warrantyEnding(endsOn: string, equipment: Record<string, unknown> = {}) {
  const { sql } = database.current;
  const item = await allFactories.equipment!(sql, { name: 'Juno-106', ...equipment });
  const row = await allFactories.equipment_warranties!(sql, {
    equipment_id: item.id,
    provider: 'Roland',
    starts_on: '2020-01-01',
    ends_on: endsOn,
  });
  return { id: String(row.id), userId: String(item.user_id) };
}

test('which reminder is due', () => {
  assert.equal(dueReminder('2030-01-01', '2030-03-01'), undefined);
  assert.equal(dueReminder('2030-01-30', '2030-03-01'), 'thirty_days');
  assert.equal(dueReminder('2030-02-28', '2030-03-01'), 'thirty_days');
  assert.equal(dueReminder('2030-03-01', '2030-03-01'), 'end_day');
  assert.equal(dueReminder('2030-03-08', '2030-03-01'), 'end_day');
  assert.equal(dueReminder('2030-03-09', '2030-03-01'), undefined);
});

test('day by day for 80 days, twice a day: one 30-day reminder, one end-day reminder', async () => {
  const ends = '2031-03-15';
  const w = await warrantyEnding(ends);
  const start = plusDays(ends, -45);
  for (let d = 0; d < 80; d++) {
    const day = plusDays(start, d);
    await run(at(day));
    await run(new Date(at(day).getTime() + 3_600_000));
    const { sent } = await reminders(w.id);
    if (day < plusDays(ends, -30)) assert.deepEqual(sent, [], day);
    else if (day < ends) assert.deepEqual(sent, [`thirty_days@${ends}`], day);
    else assert.deepEqual(sent, [`thirty_days@${ends}`, `end_day@${ends}`], day);
  }
  const { notes } = await reminders(w.id);
  // Both causes name the warranty: one notification group, re-rendered by the second (ADR 0066 grouping).
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.events, 2);
  assert.equal(notes[0]?.title, `The Roland warranty of your Juno-106 ends today (${ends})`);
});

test('a late run sends what is due then, once; concurrent runs send once', async () => {
  const ends = '2032-06-10';
  const late = await warrantyEnding(ends);
  // The job did not run for 40 days: on day +3 after the end, the end-day reminder only.
  await Promise.all([run(at(plusDays(ends, 3))), run(at(plusDays(ends, 3))), run(at(plusDays(ends, 4)))]);
  assert.deepEqual((await reminders(late.id)).sent, [`end_day@${ends}`]);
  assert.match((await reminders(late.id)).notes[0]?.title ?? '', /ended on 2032-06-10$/);
  // Beyond the grace week, nothing.
  const missed = await warrantyEnding('2032-01-01');
  assert.equal(await run(at('2032-01-20')), 0);
  assert.deepEqual((await reminders(missed.id)).sent, []);
});

test('a moved end date is reminded again; deleted, sold and lifetime items are not', async () => {
  const { sql } = database.current;
  const w = await warrantyEnding('2033-05-01');
  await run(at('2033-04-10'));
  assert.deepEqual((await reminders(w.id)).sent, ['thirty_days@2033-05-01']);
  await sql`UPDATE notifications SET is_read = true, read_at = NOW() WHERE entity_id = ${w.id}`;
  await sql`UPDATE equipment_warranties SET ends_on = '2033-05-20' WHERE id = ${w.id}`;
  await run(at('2033-04-11')); // 39 days before the new end: not yet
  await run(at('2033-04-25'));
  await run(at('2033-04-26'));
  assert.deepEqual((await reminders(w.id)).sent, ['thirty_days@2033-05-01', 'thirty_days@2033-05-20']);
  assert.equal((await reminders(w.id)).notes.length, 2);

  const deleted = await warrantyEnding('2033-05-02', { deleted_at: new Date('2033-01-01T00:00:00Z') });
  const sold = await warrantyEnding('2033-05-02', { status: 'sold' });
  const banned = await warrantyEnding('2033-05-02');
  await sql`UPDATE users SET is_banned = true WHERE id = ${banned.userId}`;
  const lifetime = await allFactories.equipment_warranties!(sql, { starts_on: '2020-01-01', ends_on: null });
  await run(at('2033-05-02'));
  for (const id of [deleted.id, sold.id, banned.id, String(lifetime.id)])
    assert.deepEqual((await reminders(id)).sent, [], id);
});

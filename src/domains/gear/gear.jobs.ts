// Warranty reminders (issue 17 §7, ADR 0079): a notification 30 days before and on the day a warranty ends,
// exactly once each, even when the job runs twice, twice at once, or late.
import type { JobContext, JobDefinition } from '../../platform/jobs/job.ts';
import { notify } from '../notifications/index.ts';
import { profileVisibilityOf } from '../profiles/index.ts';
import { lockWarrantyEnd, markReminded, recordReminder, reminderCandidates } from './gear.repository.ts';

/** How long after the end day a late run still sends the end-day reminder. */
export const END_DAY_GRACE_DAYS = 7;
export const REMINDER_LEAD_DAYS = 30;

const DAY_MS = 86_400_000;
/** The UTC calendar day of an instant, shifted by `days`. */
const utcDay = (at: Date, days = 0) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/** Which reminder is due on `today` for a warranty ending `endsOn`, if any. */
export function dueReminder(today: string, endsOn: string): 'thirty_days' | 'end_day' | undefined {
  const left = daysBetween(today, endsOn);
  if (left <= 0 && left >= -END_DAY_GRACE_DAYS) return 'end_day';
  if (left > 0 && left <= REMINDER_LEAD_DAYS) return 'thirty_days';
  return undefined;
}

function reminderText(kind: 'thirty_days' | 'end_day', today: string, endsOn: string, item: string, provider: string) {
  const what = `The ${provider} warranty of your ${item}`;
  if (kind === 'thirty_days') return `${what} ends in ${daysBetween(today, endsOn)} days, on ${endsOn}`;
  return endsOn === today ? `${what} ends today (${endsOn})` : `${what} ended on ${endsOn}`;
}

/** One run: every due reminder not sent yet is recorded and notified in one transaction per warranty. */
export async function sendWarrantyReminders(context: JobContext): Promise<number> {
  const today = utcDay(context.now);
  const candidates = await reminderCandidates(
    context.db,
    utcDay(context.now, -END_DAY_GRACE_DAYS),
    utcDay(context.now, REMINDER_LEAD_DAYS),
  );
  const live = new Map<string, boolean>();
  let sent = 0;
  for (const candidate of candidates) {
    if (!live.has(candidate.user_id))
      live.set(candidate.user_id, (await profileVisibilityOf(context.db, candidate.user_id)) !== undefined);
    if (!live.get(candidate.user_id)) continue;
    const done = await context.transaction(async (tx) => {
      // The end date under a lock: an edit by the owner meanwhile is seen, and two runs queue here.
      const endsOn = await lockWarrantyEnd(tx, candidate.id);
      if (endsOn === undefined) return false;
      const kind = dueReminder(today, endsOn);
      if (kind === undefined) return false;
      if (kind === 'end_day') await markReminded(tx, candidate.id, endsOn, context.now);
      if (!(await recordReminder(tx, candidate.id, kind, endsOn, context.now))) return false;
      await notify(
        tx,
        {
          recipientId: candidate.user_id,
          actorId: null,
          type: 'system',
          entityType: 'equipment_warranty',
          entityId: candidate.id,
          snippet: reminderText(kind, today, endsOn, candidate.equipment_name, candidate.provider),
        },
        context.now,
      );
      return true;
    });
    if (done) sent += 1;
  }
  context.count('equipment_warranty_reminders', sent);
  return sent;
}

export const gearWarrantyReminders: JobDefinition = {
  name: 'gear.warranty-reminders',
  description: 'notify owners 30 days before and on the day a warranty ends, once each (ADR 0079)',
  defaultSchedule: '15 7 * * *',
  async run(context) {
    await sendWarrantyReminders(context);
  },
};

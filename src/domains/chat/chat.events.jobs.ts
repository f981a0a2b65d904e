// Lifecycle job of the chat event log (ADR 0054): events are a delivery log for resume, kept 7 days.
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { deleteEventsBefore } from './chat.events.repository.ts';

/** How long an event stays replayable (db/table-registry.json: chat_events, 7 days). */
export const CHAT_EVENTS_RETENTION_DAYS = 7;
const BATCH = 5_000;

/**
 * Deletes chat_events rows older than 7 days, in batches. Daily, so a row lives 8 days at most. Idempotent: a second
 * run finds nothing. A client resuming from a deleted seq gets what is left after it and reloads the rest over HTTP
 * (ADR 0055).
 */
export const chatEventsExpire: JobDefinition = {
  name: 'chat.events-expire',
  description: 'delete chat events older than 7 days (ADR 0054)',
  defaultSchedule: '41 3 * * *',
  async run(context) {
    const cutoff = new Date(context.now.getTime() - CHAT_EVENTS_RETENTION_DAYS * 86_400_000);
    for (;;) {
      const deleted = await context.transaction((tx) => deleteEventsBefore(tx, cutoff, BATCH));
      context.count('chat_events', deleted);
      if (deleted < BATCH) return;
    }
  },
};

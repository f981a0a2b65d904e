// The one SQL statement of event ingestion (issue 18 §9; ADR 0094): a batch into the partitioned analytics_events,
// in one INSERT (all or nothing). No user id, address or user agent is written: these events are counted, never
// followed back to a person (spec §17, §19.2).
import type { Database } from '../../platform/db/pool.ts';

export interface IngestedEvent {
  event_type: string;
  entity_type: string | null;
  entity_id: string | null;
  device_type: string | null;
  properties: Record<string, unknown>;
}

export function createEventsRepository(db: Database) {
  return {
    async insertBatch(events: IngestedEvent[], at: Date): Promise<number> {
      const day = at.toISOString().slice(0, 10);
      const result = await db
        .insertInto('analytics_events')
        .values(
          events.map((event) => ({
            ...event,
            properties: JSON.stringify(event.properties),
            created_at: at,
            event_date: day,
          })),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? events.length);
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;

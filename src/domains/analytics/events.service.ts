// Client-side events with no other home (issue 18 §9; ADR 0094): page views, searches (their result count, never
// their text), shares and downloads, counted per day by retention.analytics into daily_metrics (and shares and
// downloads of tracks into track_analytics). Stamped with the server's clock: a client's clock is not evidence.
import { ApiError, type ProblemField } from '../../platform/http/problem.ts';
import { AnalyticsReportProblems } from './reports.errors.ts';
import type { EventsRepository } from './events.repository.ts';
import type { ClientEvent, EventBatch } from './events.schemas.ts';

/** Which property each event type may carry: a property of another type is refused, not silently kept. */
const PROPERTIES_OF: Record<ClientEvent['type'], readonly string[]> = {
  page_view: ['path'],
  search: ['result_count'],
  share: ['channel'],
  download: [],
};

export function eventProblems(events: ClientEvent[]): ProblemField[] {
  const problems: ProblemField[] = [];
  events.forEach((event, index) => {
    const field = `body.events.${index}`;
    if ((event.entity_type === undefined) !== (event.entity_id === undefined))
      problems.push({
        field: `${field}.entity_id`,
        rule: 'chk_analytics_events_entity_both_or_neither',
        message: 'entity_type and entity_id go together',
      });
    if (event.type === 'page_view' && event.entity_type !== undefined)
      problems.push({ field: `${field}.entity_type`, rule: 'entityless', message: 'a page_view is about no object' });
    for (const name of Object.keys(event.properties ?? {}))
      if (!PROPERTIES_OF[event.type].includes(name))
        problems.push({
          field: `${field}.properties.${name}`,
          rule: 'propertyOfType',
          message: `not a property of ${event.type}`,
        });
  });
  return problems;
}

export class EventsService {
  readonly #repository: EventsRepository;
  readonly #now: () => Date;

  constructor(repository: EventsRepository, clock: () => Date = () => new Date()) {
    this.#repository = repository;
    this.#now = clock;
  }

  async ingest(batch: EventBatch): Promise<{ accepted: number }> {
    const problems = eventProblems(batch.events);
    if (problems.length > 0)
      throw new ApiError(AnalyticsReportProblems.eventInvalid, problems.map((p) => p.message).join('; '), problems);
    const accepted = await this.#repository.insertBatch(
      batch.events.map((event) => ({
        event_type: event.type,
        entity_type: event.entity_type ?? null,
        entity_id: event.entity_id ?? null,
        device_type: event.device_type ?? null,
        properties: event.properties ?? {},
      })),
      this.#now(),
    );
    return { accepted };
  }
}

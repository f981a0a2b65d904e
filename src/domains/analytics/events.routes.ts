// HTTP surface of event ingestion (issue 18 §9; ADR 0094): one batch endpoint, open to visitors, rate-limited.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problems } from '../../platform/http/route-kit.ts';
import {
  EventBatchAcceptedSchema,
  EventBatchSchema,
  INGESTED_EVENT_TYPES,
  MAX_EVENTS_PER_BATCH,
} from './events.schemas.ts';
import type { EventsService } from './events.service.ts';

/** A batch of 50 events is a few KB; anything far larger is not a batch of ours. */
const BODY_LIMIT = 64 * 1024;

export function registerEventsRoutes(instance: FastifyInstance, service: EventsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/analytics/events',
    {
      bodyLimit: BODY_LIMIT,
      config: { rateLimitPolicy: 'analyticsEvents' },
      schema: {
        tags: ['analytics-events'],
        summary: 'Record a batch of client-side events (page views, searches, shares, downloads)',
        description:
          `Types: ${INGESTED_EVENT_TYPES.join(', ')}; plays, likes, follows and the like are recorded where they ` +
          `happen and are refused here. At most ${MAX_EVENTS_PER_BATCH} events per request, all recorded or none. ` +
          'Signed in or not, no account id, address or user agent is stored: events are only counted per day. ' +
          'Rate-limited per account (else per address): 429 with Retry-After.',
        body: EventBatchSchema,
        response: { 202: EventBatchAcceptedSchema, ...problems(400, 401, 413, 422, 429) },
      },
    },
    async (request, reply) => reply.code(202).send(await service.ingest(request.body)),
  );
}

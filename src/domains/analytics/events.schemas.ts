// The contract of client-side event ingestion (issue 18 §9; ADR 0094): only the events no other table records.
import { Type, type Static } from 'typebox';
import { closed, literals, Uuid } from '../../platform/http/schema-primitives.ts';

/**
 * Allowed event types, a subset of chk_analytics_events_event_type_valid. Plays, likes, follows, comments, uploads
 * and purchases are recorded by their own domains' tables when they happen: a client may not add to them.
 */
export const INGESTED_EVENT_TYPES = ['page_view', 'search', 'share', 'download'] as const;
/** Objects an event may be about (share, download), a subset of chk_analytics_events_entity_type_valid. */
export const INGESTED_ENTITY_TYPES = ['track', 'playlist', 'user', 'post', 'group', 'product', 'course'] as const;
/** Events one request may carry. */
export const MAX_EVENTS_PER_BATCH = 50;

export const ClientEventSchema = Type.Object(
  {
    type: literals(INGESTED_EVENT_TYPES),
    entity_type: Type.Optional(literals(INGESTED_ENTITY_TYPES, 'With entity_id, or neither')),
    entity_id: Type.Optional(Uuid),
    device_type: Type.Optional(literals(['mobile', 'desktop', 'web'] as const)),
    properties: Type.Optional(
      Type.Object(
        {
          path: Type.Optional(
            Type.String({
              maxLength: 200,
              pattern: '^/[A-Za-z0-9/_.~-]*$',
              description: 'page_view: the route without query or fragment (they may carry personal data)',
            }),
          ),
          result_count: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 100000, description: 'search: how many results; never the text' }),
          ),
          channel: Type.Optional(literals(['link', 'embed', 'social', 'email', 'other'] as const)),
        },
        closed,
      ),
    ),
  },
  closed,
);
export type ClientEvent = Static<typeof ClientEventSchema>;

export const EventBatchSchema = Type.Object(
  { events: Type.Array(ClientEventSchema, { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH }) },
  closed,
);
export type EventBatch = Static<typeof EventBatchSchema>;

export const EventBatchAcceptedSchema = Type.Object({ accepted: Type.Integer() });

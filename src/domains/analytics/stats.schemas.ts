// The statistics API contract (issue 18 §6-7, 10; ADR 0093): a creator's own tracks, products and courses, and the
// platform-wide view for staff. Every figure is a sum of published cells, each describing at least k people.
import { Type, type Static } from 'typebox';

const closed = { additionalProperties: false } as const;
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'UTC day, YYYY-MM-DD' });

export const RangeQuerySchema = Type.Object(
  {
    from: Type.String({
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
      description: 'First UTC day, YYYY-MM-DD, included',
    }),
    to: Type.String({
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
      description: 'Last UTC day, YYYY-MM-DD, included; at most 366 days after `from`',
    }),
  },
  closed,
);
export type RangeQuery = Static<typeof RangeQuerySchema>;

export const StatsIdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) }, closed);

const Cell = Type.Object(
  {
    value: Type.String({ description: 'The dimension value, or `other`: the cells too small to publish, merged' }),
    events: Type.Integer({ minimum: 0 }),
    people: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'Distinct people that day; null for `other` and for the platform view (not counted there)',
    }),
  },
  closed,
);

export const BreakdownSchema = Type.Object(
  {
    days: Type.Array(Type.Object({ day: Day, cells: Type.Array(Cell) }, closed), {
      description: 'Days with at least one published cell',
    }),
    total: Type.Array(Type.Object({ value: Type.String(), events: Type.Integer({ minimum: 0 }) }, closed), {
      description: 'Per value, the sum of its published daily cells (ADR 0093: never a withheld figure)',
    }),
  },
  closed,
);

const Suppressed = Type.Object(
  { day: Day, suppressed: Type.Literal(true, { description: 'Fewer than k people: no figure is given' }) },
  closed,
);

const Average = Type.Union([Type.Number(), Type.Null()], {
  description: 'Mean completion percentage of the published plays; null without any',
});

export const TrackDaySchema = Type.Union([
  Type.Object(
    {
      day: Day,
      suppressed: Type.Literal(false),
      plays: Type.Integer({ minimum: 0 }),
      listeners: Type.Integer({ minimum: 0, description: 'Distinct signed-in listeners that day' }),
      completed_plays: Type.Integer({ minimum: 0 }),
      played_seconds: Type.Integer({ minimum: 0 }),
      average_completion: Average,
    },
    closed,
  ),
  Suppressed,
]);

const TrackTotals = Type.Object(
  {
    plays: Type.Integer({ minimum: 0 }),
    listener_days: Type.Integer({
      minimum: 0,
      description: 'Sum of the daily distinct listeners: someone who listened on two days counts twice',
    }),
    completed_plays: Type.Integer({ minimum: 0 }),
    played_seconds: Type.Integer({ minimum: 0 }),
    average_completion: Average,
    published_days: Type.Integer({ minimum: 0 }),
    suppressed_days: Type.Integer({ minimum: 0 }),
  },
  closed,
);

const Envelope = {
  k: Type.Integer({ minimum: 5, description: 'The fewest distinct people a published figure describes' }),
  from: Day,
  to: Day,
};

export const TrackStatsSchema = Type.Object(
  {
    ...Envelope,
    track_id: Type.String({ format: 'uuid' }),
    days: Type.Array(TrackDaySchema, { description: 'Days with plays, oldest first' }),
    total: TrackTotals,
    sources: BreakdownSchema,
    devices: BreakdownSchema,
  },
  closed,
);
export type TrackStats = Static<typeof TrackStatsSchema>;

export const TracksOverviewSchema = Type.Object(
  {
    ...Envelope,
    tracks: Type.Array(
      Type.Object({ track_id: Type.String({ format: 'uuid' }), title: Type.String(), total: TrackTotals }, closed),
    ),
    total: TrackTotals,
  },
  closed,
);
export type TracksOverview = Static<typeof TracksOverviewSchema>;

const SeriesDay = Type.Union([
  Type.Object(
    {
      day: Day,
      suppressed: Type.Literal(false),
      events: Type.Integer({ minimum: 0 }),
      people: Type.Integer({ minimum: 0 }),
    },
    closed,
  ),
  Suppressed,
]);

export const SeriesSchema = Type.Object(
  {
    days: Type.Array(SeriesDay),
    total: Type.Object(
      {
        events: Type.Integer({ minimum: 0 }),
        people_days: Type.Integer({ minimum: 0, description: 'Sum of the daily distinct people' }),
        published_days: Type.Integer({ minimum: 0 }),
        suppressed_days: Type.Integer({ minimum: 0 }),
      },
      closed,
    ),
    devices: BreakdownSchema,
  },
  closed,
);
export type Series = Static<typeof SeriesSchema>;

export const ProductStatsSchema = Type.Object(
  {
    ...Envelope,
    product_id: Type.String({ format: 'uuid' }),
    views: SeriesSchema,
    add_to_cart: SeriesSchema,
  },
  closed,
);
export type ProductStats = Static<typeof ProductStatsSchema>;

export const CourseStatsSchema = Type.Object(
  {
    ...Envelope,
    course_id: Type.String({ format: 'uuid' }),
    views: SeriesSchema,
    learning_statistics: Type.String({
      description: 'Where enrolments, completion and quiz results are (the education domain, ADR 0083)',
    }),
  },
  closed,
);
export type CourseStats = Static<typeof CourseStatsSchema>;

const PlatformDay = Type.Union([
  Type.Object({ day: Day, suppressed: Type.Literal(false), value: Type.Number({ minimum: 0 }) }, closed),
  Suppressed,
]);

export const PlatformMetricsSchema = Type.Object(
  {
    ...Envelope,
    events: Type.Object(
      { days: Type.Array(PlatformDay), total: Type.Integer({ minimum: 0 }) },
      { ...closed, description: 'Raw analytics events per day' },
    ),
    played_seconds: Type.Object(
      { days: Type.Array(PlatformDay), total: Type.Integer({ minimum: 0 }) },
      { ...closed, description: 'Seconds played per day, given when that day had at least k plays' },
    ),
    by_event_type: BreakdownSchema,
    by_entity_type: BreakdownSchema,
    by_country: BreakdownSchema,
    by_device: BreakdownSchema,
  },
  closed,
);
export type PlatformMetrics = Static<typeof PlatformMetricsSchema>;

// HTTP surface of the statistics (issue 18 §6-7, 10; ADR 0093): a creator's own tracks, products and courses, and
// the platform-wide metrics for staff. Tag `statistics`: the access test and the fuzzer find the routes by it.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, allowedBy, problems, signedIn } from '../../platform/http/route-kit.ts';
import { mayReadPlatformMetrics } from './stats.policy.ts';
import {
  CourseStatsSchema,
  PlatformMetricsSchema,
  ProductStatsSchema,
  RangeQuerySchema,
  StatsIdParamsSchema,
  TracksOverviewSchema,
  TrackStatsSchema,
} from './stats.schemas.ts';
import type { StatsService } from './stats.service.ts';

const tags = ['statistics'];
const secured = { tags, security: AUTHENTICATED };
const K_RULE =
  'Aggregates only: a day, or a cell of a breakdown, describing fewer than k distinct people (`k` in the answer, at ' +
  'least 5) is suppressed, or merged into `other`; totals are sums of the published cells (ADR 0093).';

export function registerStatsRoutes(instance: FastifyInstance, service: StatsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/statistics/tracks',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'Plays, listeners and completion of each of your tracks over a range of days',
        description: K_RULE,
        querystring: RangeQuerySchema,
        response: { 200: TracksOverviewSchema, ...problems(400, 401) },
      },
    },
    (request) => service.tracksOverview(requireCaller(request), request.query),
  );

  app.get(
    '/statistics/tracks/:id',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'Daily plays, listeners, completion, sources and devices of your track',
        description: `${K_RULE} Someone else's track answers 404.`,
        params: StatsIdParamsSchema,
        querystring: RangeQuerySchema,
        response: { 200: TrackStatsSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.trackStats(requireCaller(request), request.params.id, request.query),
  );

  app.get(
    '/statistics/products/:id',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'Daily views, visitors and add-to-cart of your product, with devices',
        description: `${K_RULE} Sales are in the marketplace's seller views. Someone else's product answers 404.`,
        params: StatsIdParamsSchema,
        querystring: RangeQuerySchema,
        response: { 200: ProductStatsSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.productStats(requireCaller(request), request.params.id, request.query),
  );

  app.get(
    '/statistics/courses/:id',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'Daily views and visitors of your course, with devices',
        description:
          `${K_RULE} Enrolments, completion and quizzes: \`learning_statistics\` (ADR 0083). ` +
          "Someone else's course answers 404.",
        params: StatsIdParamsSchema,
        querystring: RangeQuerySchema,
        response: { 200: CourseStatsSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.courseStats(requireCaller(request), request.params.id, request.query),
  );

  app.get(
    '/statistics/platform',
    {
      onRequest: allowedBy(mayReadPlatformMetrics),
      schema: {
        ...secured,
        summary: 'Platform-wide daily events and seconds played, by type, entity, country and device (staff)',
        description:
          'Admins and moderators. From the daily aggregates; a cell of fewer than k events is merged into `other` ' +
          'or suppressed (ADR 0093).',
        querystring: RangeQuerySchema,
        response: { 200: PlatformMetricsSchema, ...problems(400, 401, 403) },
      },
    },
    (request) => service.platformMetrics(request.caller, request.query),
  );
}

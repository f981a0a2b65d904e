// HTTP surface of statistics exports and saved dashboards (issue 18 §8; ADR 0094). Everything here is the
// caller's own: another user's report or dashboard is 404, as if it did not exist.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { sendDelivery } from '../files/index.ts';
import {
  DashboardIdParamsSchema,
  DashboardInputSchema,
  DashboardListSchema,
  DashboardSchema,
} from './dashboards.schemas.ts';
import type { DashboardsService } from './dashboards.service.ts';
import { ReportIdParamsSchema, ReportListSchema, ReportRequestSchema, ReportSchema } from './reports.schemas.ts';
import type { ReportsService } from './reports.service.ts';

const reports = { tags: ['analytics-reports'], security: AUTHENTICATED };
const dashboards = { tags: ['analytics-dashboards'], security: AUTHENTICATED };
const RangeHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
const Bytes = {
  description: 'The report: text/csv or application/pdf (206: the one range asked for)',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const NotModified = { description: 'Not modified', type: 'null' };

export function registerReportsRoutes(
  instance: FastifyInstance,
  service: ReportsService,
  dashboardsService: DashboardsService,
): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/analytics/reports',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'reportRequests' },
      schema: {
        ...reports,
        summary: 'Ask for an export of your statistics (CSV or PDF), generated in the background',
        description:
          'Answers 202 with the report `pending`; it becomes `completed` (with `download_url`) within minutes and ' +
          'expires 7 days later, when its file is deleted. Creator reports (track_performance, sales) cover your ' +
          'own tracks and sales only, and any figure describing fewer than 5 distinct people reads "suppressed". ' +
          'platform_activity, user_growth and moderation: administrators only (403). At most 5 reports wait at ' +
          'once (409 `REPORTS_PENDING_LIMIT`); a period is at most 366 days (422).',
        body: ReportRequestSchema,
        response: { 202: ReportSchema, ...problems(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => reply.code(202).send(await service.request(requireCaller(request), request.body)),
  );

  app.get(
    '/analytics/reports',
    {
      onRequest: signedIn,
      schema: {
        ...reports,
        summary: 'Your reports, newest first (the last 100)',
        response: { 200: ReportListSchema, ...problems(401) },
      },
    },
    (request) => service.list(requireCaller(request)),
  );

  app.get(
    '/analytics/reports/:id',
    {
      onRequest: signedIn,
      schema: {
        ...reports,
        summary: 'One of your reports and its status',
        params: ReportIdParamsSchema,
        response: { 200: ReportSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.get(requireCaller(request), request.params.id),
  );

  app.get(
    '/analytics/reports/:id/download',
    {
      onRequest: signedIn,
      schema: {
        ...reports,
        summary: 'Download one of your completed reports',
        description:
          'Only the requester, signed in: anyone else gets 404 `REPORT_NOT_FOUND`. 409 `REPORT_NOT_READY` before ' +
          'it is generated (or when it failed), 410 `REPORT_EXPIRED` once its file is deleted. Served as an ' +
          'attachment, never kept by shared caches.',
        params: ReportIdParamsSchema,
        headers: RangeHeaders,
        response: { 200: Bytes, 206: Bytes, 304: NotModified, ...problems(400, 401, 404, 409, 410, 416) },
      },
    },
    async (request, reply) => {
      const { answer, fileId } = await service.download(requireCaller(request), request.params.id, {
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer, fileId);
    },
  );

  app.delete(
    '/analytics/reports/:id',
    {
      onRequest: signedIn,
      schema: {
        ...reports,
        summary: 'Delete one of your reports and its file now',
        params: ReportIdParamsSchema,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/analytics/dashboards',
    {
      onRequest: signedIn,
      schema: {
        ...dashboards,
        summary: 'Your saved dashboards',
        response: { 200: DashboardListSchema, ...problems(401) },
      },
    },
    (request) => dashboardsService.list(requireCaller(request)),
  );

  app.post(
    '/analytics/dashboards',
    {
      onRequest: signedIn,
      schema: {
        ...dashboards,
        summary: 'Save a dashboard layout',
        description:
          'Widgets from a closed list on a 12-column grid: inside it, never overlapping, unique ids (422 ' +
          '`DASHBOARD_LAYOUT_INVALID` naming each broken rule). Admin widgets and `scope: admin`: administrators ' +
          'only. `is_default` moves the default of that scope here. At most 20 dashboards.',
        body: DashboardInputSchema,
        response: { 201: DashboardSchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await dashboardsService.create(requireCaller(request), request.body)),
  );

  app.get(
    '/analytics/dashboards/:id',
    {
      onRequest: signedIn,
      schema: {
        ...dashboards,
        summary: 'One of your dashboards',
        params: DashboardIdParamsSchema,
        response: { 200: DashboardSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => dashboardsService.get(requireCaller(request), request.params.id),
  );

  app.put(
    '/analytics/dashboards/:id',
    {
      onRequest: signedIn,
      schema: {
        ...dashboards,
        summary: 'Replace one of your dashboards',
        params: DashboardIdParamsSchema,
        body: DashboardInputSchema,
        response: { 200: DashboardSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    (request) => dashboardsService.replace(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/analytics/dashboards/:id',
    {
      onRequest: signedIn,
      schema: {
        ...dashboards,
        summary: 'Delete one of your dashboards',
        params: DashboardIdParamsSchema,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await dashboardsService.remove(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

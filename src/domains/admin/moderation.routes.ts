// The moderation HTTP routes (issue 18 §11-12, ADR 0095). Validation by schema, rules in ModerationService and
// moderation.policy.ts, problems from moderation.errors.ts. Tag `moderation-reports`: any signed-in user; tag `moderation`:
// moderators and administrators (403 for others).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, allowedBy, problems } from '../../platform/http/route-kit.ts';
import { mayModerate, mayReport } from './moderation.policy.ts';
import {
  ActionResultSchema,
  AssignSchema,
  CreateReportSchema,
  DirectActionSchema,
  OwnReportListSchema,
  OwnReportSchema,
  OwnReportsQuerySchema,
  QueueItemSchema,
  QueueListSchema,
  QueueQuerySchema,
  ReportDetailSchema,
  ReportIdParams,
  ResolveReportSchema,
} from './moderation.schemas.ts';
import type { ModerationService } from './moderation.service.ts';

const reports = { tags: ['moderation-reports'], security: AUTHENTICATED };
const moderation = { tags: ['moderation'], security: AUTHENTICATED };
const ACTIONS_DOC =
  'hide: out of sight everywhere it was shown (feeds, profile and group pages, search), reversible by restore; ' +
  'remove: the same, final (purged with the domain’s deleted content); warn: a notice only; suspend: no sign-in ' +
  'and no token works until duration_hours have passed; ban: until restored. The person concerned is notified ' +
  'with the reason; moderators cannot act on administrators (403 MODERATION_PROTECTED_ACCOUNT), and the last ' +
  'administrator who can act is never banned or suspended (409 LAST_ADMIN). Every action is in the audit trail.';

export function registerModerationRoutes(instance: FastifyInstance, service: ModerationService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const reporter = allowedBy(mayReport);
  const moderator = allowedBy(mayModerate);

  app.post(
    '/reports',
    {
      onRequest: reporter,
      config: { rateLimitPolicy: 'reporting' },
      schema: {
        ...reports,
        summary: 'Report content or an account to the moderators',
        description:
          'Something that does not exist or that you cannot see is 404 MODERATION_TARGET_NOT_FOUND. One open ' +
          'report per reporter and target (409 REPORT_ALREADY_OPEN); at most 20 reports an hour (429).',
        body: CreateReportSchema,
        response: { 201: OwnReportSchema, ...problems(400, 401, 404, 409, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.report(requireCaller(request), request.body)),
  );

  app.get(
    '/me/reports',
    {
      onRequest: reporter,
      schema: {
        ...reports,
        summary: 'Your reports and their outcome, newest first',
        description: 'Who handled a report is never shown to its reporter.',
        querystring: OwnReportsQuerySchema,
        response: { 200: OwnReportListSchema, ...problems(400, 401) },
      },
    },
    async (request) => service.ownReports(requireCaller(request), request.query),
  );

  app.get(
    '/moderation/reports',
    {
      onRequest: moderator,
      schema: {
        ...moderation,
        summary: 'The moderation queue, oldest first (moderators)',
        description: 'Default: open and in_review reports. assigned=me|none|any.',
        querystring: QueueQuerySchema,
        response: { 200: QueueListSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => service.queue(requireCaller(request), request.query),
  );

  app.get(
    '/moderation/reports/:id',
    {
      onRequest: moderator,
      schema: {
        ...moderation,
        summary: 'One report with the actions taken on it (moderators)',
        params: ReportIdParams,
        response: { 200: ReportDetailSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.reportDetail(requireCaller(request), request.params.id),
  );

  app.post(
    '/moderation/reports/:id/claim',
    {
      onRequest: moderator,
      schema: {
        ...moderation,
        summary: 'Take a report to handle it (moderators)',
        description: 'Two moderators claiming at once: one wins, the other gets 409 REPORT_ALREADY_CLAIMED.',
        params: ReportIdParams,
        response: { 200: QueueItemSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.claim(requireCaller(request), request.params.id),
  );

  app.put(
    '/moderation/reports/:id/assignee',
    {
      onRequest: moderator,
      schema: {
        ...moderation,
        summary: 'Assign a pending report to a moderator, or back to the queue (moderators)',
        params: ReportIdParams,
        body: AssignSchema,
        response: { 200: QueueItemSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.assign(requireCaller(request), request.params.id, request.body.moderator_id),
  );

  app.post(
    '/moderation/reports/:id/resolution',
    {
      onRequest: moderator,
      schema: {
        ...moderation,
        summary: 'Resolve a report: dismiss it, or act on its target (moderators)',
        description: `${ACTIONS_DOC} Acting resolves every pending report on the same target.`,
        params: ReportIdParams,
        body: ResolveReportSchema,
        response: { 200: ActionResultSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.resolve(requireCaller(request), request.params.id, request.body),
  );

  app.post(
    '/moderation/actions',
    {
      onRequest: moderator,
      schema: {
        ...moderation,
        summary: 'Act on content or an account without a report, or restore (moderators)',
        description: `${ACTIONS_DOC} restore gives back hidden content, or lifts a ban or suspension.`,
        body: DirectActionSchema,
        response: { 200: ActionResultSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.act(requireCaller(request), request.body),
  );
}

// HTTP surface of the admin views (issue 18 §15; ADR 0096): read-only, administrators only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { allowedBy, AUTHENTICATED, problems } from '../../platform/http/route-kit.ts';
import {
  AdminUserPageSchema,
  JobRunPageSchema,
  JobRunQuerySchema,
  PendingDeletionsSchema,
  PendingExportsSchema,
  PendingQuerySchema,
  UserListQuerySchema,
} from './admin-views.schemas.ts';
import type { AdminViewsService } from './admin-views.service.ts';
import { platformAdminPolicy } from './configs.policy.ts';
import { PLATFORM_ADMIN_TAG } from './configs.routes.ts';

const admin = { tags: [PLATFORM_ADMIN_TAG], security: AUTHENTICATED };
const viewOperations = allowedBy(platformAdminPolicy.viewOperations);

export function registerAdminViewsRoutes(instance: FastifyInstance, service: AdminViewsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/admin/job-runs',
    {
      onRequest: viewOperations,
      schema: {
        ...admin,
        summary: 'Runs of the maintenance jobs, newest first (admin)',
        querystring: JobRunQuerySchema,
        response: { 200: JobRunPageSchema, ...problems(400, 401, 403) },
      },
    },
    (request) => service.jobRuns(request.query, false),
  );

  app.get(
    '/admin/retention-runs',
    {
      onRequest: viewOperations,
      schema: {
        ...admin,
        summary: 'Runs of the retention jobs (retention.*, accounts.anonymise), newest first (admin)',
        querystring: JobRunQuerySchema,
        response: { 200: JobRunPageSchema, ...problems(400, 401, 403) },
      },
    },
    (request) => service.jobRuns(request.query, true),
  );

  app.get(
    '/admin/gdpr/exports',
    {
      onRequest: viewOperations,
      schema: {
        ...admin,
        summary: 'GDPR export requests not yet written, oldest first (admin)',
        querystring: PendingQuerySchema,
        response: { 200: PendingExportsSchema, ...problems(400, 401, 403) },
      },
    },
    (request) => service.pendingExports(request.query.limit),
  );

  app.get(
    '/admin/gdpr/deletions',
    {
      onRequest: viewOperations,
      schema: {
        ...admin,
        summary: 'Deleted accounts waiting for their anonymisation, oldest first (admin)',
        querystring: PendingQuerySchema,
        response: { 200: PendingDeletionsSchema, ...problems(400, 401, 403) },
      },
    },
    (request) => service.pendingDeletions(request.query.limit),
  );

  app.get(
    '/admin/users',
    {
      onRequest: viewOperations,
      schema: {
        ...admin,
        summary: 'Accounts, newest first, searched by username, email or display name (admin)',
        description:
          'Role changes: PATCH /v1/admin/users/{id}/role. Bans and suspensions are moderation actions ' +
          '(the moderation routes), recorded in the moderation log.',
        querystring: UserListQuerySchema,
        response: { 200: AdminUserPageSchema, ...problems(400, 401, 403) },
      },
    },
    (request) => service.users(request.query),
  );
}

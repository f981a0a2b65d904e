// The cloud HTTP routes (issue 17 §9-13, ADR 0085). Validation by schema, rules in CloudService, problems from
// cloud.errors.ts. Everything under /me/cloud is the caller's own: someone else's account or backup is a 404.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  AccountIdParams,
  AccountListSchema,
  AccountSchema,
  BackupIdParams,
  BackupListSchema,
  BackupSchema,
  ConnectAccountSchema,
  CreateBackupSchema,
  OperationListSchema,
  OperationsQuerySchema,
  RunSummarySchema,
} from './cloud.schemas.ts';
import type { CloudService } from './cloud.service.ts';

const cloud = { tags: ['cloud'], security: AUTHENTICATED };
const HIDDEN = 'Someone else’s account or backup is 404, as if it did not exist.';

export function registerCloudRoutes(instance: FastifyInstance, service: CloudService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/cloud/accounts',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'Your connected cloud accounts',
        response: { 200: AccountListSchema, ...problems(401) },
      },
    },
    async (request) => service.accounts(requireCaller(request)),
  );

  app.post(
    '/me/cloud/accounts',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'cloudRemote' },
      schema: {
        ...cloud,
        summary: 'Connect a Nextcloud or WebDAV server',
        description:
          'Saved as pending: run the connection test next. The app password is stored encrypted and never ' +
          'returned. 422 CLOUD_URL_INVALID for a URL with credentials, a query or an unknown host; 422 ' +
          'CLOUD_URL_FORBIDDEN for one resolving to loopback, private or link-local addresses or to this service.',
        body: ConnectAccountSchema,
        response: { 201: AccountSchema, ...problems(400, 401, 409, 422, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.connect(requireCaller(request), request.body)),
  );

  app.get(
    '/me/cloud/accounts/:id',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'One of your cloud accounts',
        description: HIDDEN,
        params: AccountIdParams,
        response: { 200: AccountSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.account(requireCaller(request), request.params.id),
  );

  app.delete(
    '/me/cloud/accounts/:id',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'Disconnect a cloud account',
        description: `Deletes the account with its credentials, backups and transfer log (nothing on the server). ${HIDDEN}`,
        params: AccountIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.disconnect(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/cloud/accounts/:id/test',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'cloudRemote' },
      schema: {
        ...cloud,
        summary: 'Test the connection of a cloud account',
        description:
          'Lists the root folder with the stored credentials. Success: the account becomes active, with its quota ' +
          'when the server reports one. 422 CLOUD_CREDENTIALS_REJECTED (account reauth_required), 424 ' +
          `CLOUD_SERVER_UNREACHABLE or CLOUD_STORAGE_FULL (account error). ${HIDDEN}`,
        params: AccountIdParams,
        response: { 200: AccountSchema, ...problems(400, 401, 404, 422, 424, 429) },
      },
    },
    async (request) => service.test(requireCaller(request), request.params.id),
  );

  app.get(
    '/me/cloud/accounts/:id/backups',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'The backups writing to one of your cloud accounts',
        description: HIDDEN,
        params: AccountIdParams,
        response: { 200: BackupListSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.backups(requireCaller(request), request.params.id),
  );

  app.post(
    '/me/cloud/accounts/:id/backups',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'Set up a backup to one of your cloud accounts',
        description:
          'Copies your uploads and your GDPR export archive into destination_path, on the schedule (cron, read ' +
          `in timezone) and on demand, keeping the last retention_count backups. ${HIDDEN}`,
        params: AccountIdParams,
        body: CreateBackupSchema,
        response: { 201: BackupSchema, ...problems(400, 401, 404, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createBackup(requireCaller(request), request.params.id, request.body)),
  );

  app.get(
    '/me/cloud/backups/:id',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'One of your backups and its last run',
        description: HIDDEN,
        params: BackupIdParams,
        response: { 200: BackupSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.backup(requireCaller(request), request.params.id),
  );

  app.delete(
    '/me/cloud/backups/:id',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'Delete a backup set-up (what it wrote on the server stays there)',
        description: HIDDEN,
        params: BackupIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.deleteBackup(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/cloud/backups/:id/run',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'cloudRemote' },
      schema: {
        ...cloud,
        summary: 'Run a backup now',
        description:
          'Answers when the run ends. status failed: the account failed (see error; it is retried with backoff and ' +
          'the next run resumes this one). 409 CLOUD_BACKUP_RUNNING while another run holds it, 409 ' +
          `CLOUD_ACCOUNT_NOT_READY until a connection test passed. ${HIDDEN}`,
        params: BackupIdParams,
        response: { 200: RunSummarySchema, ...problems(400, 401, 404, 409, 429) },
      },
    },
    async (request) => service.run(requireCaller(request), request.params.id),
  );

  app.get(
    '/me/cloud/backups/:id/operations',
    {
      onRequest: signedIn,
      schema: {
        ...cloud,
        summary: 'The latest file transfers of one of your backups, newest first',
        description: `One row per file transfer with status, bytes and error. ${HIDDEN}`,
        params: BackupIdParams,
        querystring: OperationsQuerySchema,
        response: { 200: OperationListSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.operations(requireCaller(request), request.params.id, request.query.limit),
  );
}

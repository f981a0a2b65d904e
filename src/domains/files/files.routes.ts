// HTTP surface of the owner API (issue 12 §7): list, describe (with `Prefer: wait=N`), delete, sign a link.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  FileDetailSchema,
  FileIdParams,
  FileListQuerySchema,
  FileListSchema,
  PreferWaitHeaders,
  SignedLinkRequestSchema,
  SignedLinkSchema,
} from './files.schemas.ts';
import { preferredWait, type FilesService } from './files.service.ts';

const tags = ['files'];
const authenticated = { tags, security: AUTHENTICATED };

export function registerFilesRoutes(instance: FastifyInstance, service: FilesService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/files',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your files, newest first (deleted ones left out)',
        querystring: FileListQuerySchema,
        response: { 200: FileListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.list(requireCaller(request), request.query),
  );

  app.get(
    '/files/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'One of your files: metadata, scan result, renditions and processing state',
        description:
          'With `Prefer: wait=N` (seconds, at most 30) the answer comes as soon as processing has ended ' +
          '(processed, failed or quarantined), or after N seconds with the state then: one request instead of a ' +
          'polling loop. `Preference-Applied` echoes the wait honoured.',
        params: FileIdParams,
        headers: PreferWaitHeaders,
        response: { 200: FileDetailSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const wait = preferredWait(request.headers.prefer);
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const detail = await service.describe(requireCaller(request), request.params.id, wait, gone.signal);
      if (wait !== undefined) reply.header('preference-applied', `wait=${wait}`);
      return detail;
    },
  );

  app.delete(
    '/files/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Delete one of your files and its renditions',
        description:
          'The file disappears at once (404 afterwards, to everyone); its bytes are removed when the retention job ' +
          'purges it, 30 days later (ADR 0043).',
        params: FileIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/files/:id/links',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'A signed link to the content of a file you may read, valid without a token until it expires',
        description:
          'For players and caches that cannot send a bearer token (<audio src>, a CDN). The link reads the file as ' +
          'long as it lives, unless the file is deleted or quarantined meanwhile.',
        params: FileIdParams,
        body: SignedLinkRequestSchema,
        response: { 201: SignedLinkSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.signLink(requireCaller(request), request.params.id, request.body)),
  );
}

// HTTP surface of track comments (issue 13 §3, ADR 0053): write, list, replies, waveform markers, read one, edit,
// delete. Reading needs no token (whoever may see the track sees its comments); writing does.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { IfMatchHeaders, ifMatchPrecondition } from '../../platform/http/etag.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  CommentCreateSchema,
  CommentIdParams,
  CommentListQuerySchema,
  CommentListSchema,
  CommentSchema,
  CommentUpdateSchema,
  MarkerListSchema,
  MarkerQuerySchema,
  ReplyListQuerySchema,
  TrackIdParams,
} from './comments.schemas.ts';
import type { CommentsService } from './comments.service.ts';

const tags = ['comments'];
const authenticated = { tags, security: AUTHENTICATED };

export function registerCommentsRoutes(instance: FastifyInstance, service: CommentsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/tracks/:id/comments',
    {
      onRequest: signedIn,
      config: { idempotent: true },
      schema: {
        ...authenticated,
        summary: 'Comment on a track, at a moment of it, or reply to a comment',
        description:
          '`content`: 1 to 2,000 characters once trimmed. `timestamp_seconds`: 0 to the track’s duration, ' +
          'inclusive (else 400, rule `maximum`). `parent_comment_id`: a comment of the same track that is not ' +
          'deleted (else 400, rule `sameTrack` or `notDeleted`); a reply has no moment of its own (400, rule ' +
          '`notForReplies`), and a reply to a reply joins its top-level comment’s thread. Send an ' +
          '`Idempotency-Key` to retry safely.',
        params: TrackIdParams,
        body: CommentCreateSchema,
        response: { 201: CommentSchema, ...problems(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const comment = await service.create(requireCaller(request), request.params.id, request.body);
      return reply.code(201).header('location', `/v1/comments/${comment.id}`).send(comment);
    },
  );

  app.get(
    '/tracks/:id/comments',
    {
      schema: {
        tags,
        summary: 'The top-level comments of a track, with their reply counts',
        description:
          'Newest first, or oldest first with `order=oldest`; keyset-paginated (`limit`, `cursor`). A deleted ' +
          'comment that replies still answer is listed as a placeholder (`is_deleted`, no author).',
        params: TrackIdParams,
        querystring: CommentListQuerySchema,
        response: { 200: CommentListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.listTopLevel(request.caller, request.params.id, request.query),
  );

  app.get(
    '/tracks/:id/comments/markers',
    {
      schema: {
        tags,
        summary: 'The comments pinned between two moments of a track, for drawing them on its waveform',
        description:
          'Live top-level comments with a `timestamp_seconds` from `from` to `to` (inclusive; the track’s end ' +
          'when `to` is omitted), by moment then id; at most 500 per page (`limit`, default 200), `next_cursor` ' +
          'for the rest.',
        params: TrackIdParams,
        querystring: MarkerQuerySchema,
        response: { 200: MarkerListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.markers(request.caller, request.params.id, request.query),
  );

  app.get(
    '/comments/:id',
    {
      schema: {
        tags,
        summary: 'One comment (or the placeholder of a deleted one that replies still answer)',
        description: 'Answers an `ETag`: send it back as `If-Match` when editing.',
        params: CommentIdParams,
        response: { 200: CommentSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { comment, etag } = await service.get(request.caller, request.params.id);
      return reply.header('etag', etag).send(comment);
    },
  );

  app.get(
    '/comments/:id/replies',
    {
      schema: {
        tags,
        summary: 'The replies to a comment, oldest first',
        description: 'Keyset-paginated (`limit`, `cursor`); deleted replies are left out.',
        params: CommentIdParams,
        querystring: ReplyListQuerySchema,
        response: { 200: CommentListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.listReplies(request.caller, request.params.id, request.query),
  );

  app.patch(
    '/comments/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Edit your comment',
        description:
          'Its author only (403 for anyone else who can read it); marks it `is_edited`. `If-Match` (optional) ' +
          'with the ETag of `GET /v1/comments/{id}`: 412 PRECONDITION_FAILED if it changed since. A deleted ' +
          'comment: 404.',
        params: CommentIdParams,
        headers: IfMatchHeaders,
        body: CommentUpdateSchema,
        response: { 200: CommentSchema, ...problems(400, 401, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      const { comment, etag } = await service.edit(
        requireCaller(request),
        request.params.id,
        request.body,
        ifMatchPrecondition(request),
      );
      return reply.header('etag', etag).send(comment);
    },
  );

  app.delete(
    '/comments/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Delete a comment (yours), or remove one from your track (its creator, moderators)',
        description:
          'Its words are erased. A top-level comment that has replies stays as a placeholder ("deleted by its ' +
          'author" / "removed by …") so the replies keep their thread; otherwise it disappears. 403 for others ' +
          'who can read it; 404 once deleted.',
        params: CommentIdParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

// HTTP surface of tracks (issue 13 §1, ADR 0046): create from an upload, read a track's page, edit under If-Match,
// publish, unpublish, delete; the public lists, trending and the caller's own tracks.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { ifMatchPrecondition } from '../../platform/http/etag.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import type { TaggedTrack, TracksService } from './tracks.service.ts';
import {
  CreateTrackSchema,
  OwnTrackListQuerySchema,
  TrackIdParams,
  TrackListQuerySchema,
  TrackListSchema,
  TrackSchema,
  TrendingListSchema,
  TrendingQuerySchema,
  UpdateTrackHeaders,
  UpdateTrackSchema,
} from './tracks.schemas.ts';

const tags = ['tracks'];
const authenticated = { tags, security: AUTHENTICATED };

function tagged(reply: FastifyReply, { track, etag }: TaggedTrack) {
  void reply.header('etag', etag);
  return track;
}

export function registerTracksRoutes(instance: FastifyInstance, service: TracksService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/tracks',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Make a track of one of your uploaded audio files',
        description:
          'The file must be yours, audio, scanned clean and processed: 409 TRACK_AUDIO_PROCESSING while processing ' +
          'runs (wait with GET /v1/files/{id} and `Prefer: wait=20`), 422 TRACK_FILE_UNUSABLE naming the rule ' +
          'otherwise. Duration and waveform come from processing; omitted title, artist, album, genre, bpm, key and ' +
          'cover default to the file’s tags (the title to the file name). A track starts as a draft unless ' +
          '`publish` is true. Answers the track with its `ETag`.',
        body: CreateTrackSchema,
        response: { 201: TrackSchema, ...problems(400, 401, 409, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(tagged(reply, await service.create(requireCaller(request), request.body))),
  );

  app.get(
    '/tracks',
    {
      schema: {
        tags,
        summary: 'Public tracks, newest first: all of them, one creator’s, or one genre’s',
        description:
          'Published public tracks only, by publication date. `creator_id` and `genre` narrow the list (both ' +
          'together: that creator’s tracks of that genre). Keyset-paginated.',
        querystring: TrackListQuerySchema,
        response: { 200: TrackListSchema, ...problems(400) },
      },
    },
    (request) => service.list(request.query),
  );

  app.get(
    '/tracks/trending',
    {
      schema: {
        tags,
        summary: 'Trending tracks, in the order of the trending view (refreshed hourly)',
        description:
          'The spec’s score over the last 7 days (unique listeners, plays, completion, likes), highest first; ' +
          'counts are current, the order is that of the last refresh. Keyset-paginated by score.',
        querystring: TrendingQuerySchema,
        response: { 200: TrendingListSchema, ...problems(400) },
      },
    },
    (request) => service.trending(request.query),
  );

  app.get(
    '/me/tracks',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your tracks, drafts and private ones included, newest first',
        querystring: OwnTrackListQuerySchema,
        response: { 200: TrackListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.listOwn(requireCaller(request), request.query),
  );

  app.get(
    '/tracks/:id',
    {
      // ADR 0099: served from a read replica when one fits, the caller's own writes included.
      config: { reads: 'replica' },
      schema: {
        tags,
        summary: 'A track’s page: the track, its creator, counts, the newest comments, whether you liked it',
        description:
          'Anyone sees a published public or unlisted track; its creator sees it in every state. Drafts and ' +
          'private tracks of others, and deleted tracks, are 404. The `ETag` covers what the creator edits (not ' +
          'the counts), for `If-Match` on PATCH.',
        params: TrackIdParams,
        response: { 200: TrackSchema, ...problems(400, 404) },
      },
    },
    async (request, reply) => tagged(reply, await service.get(request.caller, request.params.id)),
  );

  app.patch(
    '/tracks/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Edit your track',
        description:
          'Title, artist, album, genre, bpm (1-999), musical key, description (≤ 5,000 characters), cover art (one ' +
          'of your clean images; null removes it), visibility and is_downloadable. Texts are trimmed and stored in ' +
          'Unicode NFC; null clears an optional one. With `If-Match` (the ETag of GET), a change since is a 412 ' +
          'and nothing changes. Only the creator edits (403 for others who see the track, 404 for the rest).',
        params: TrackIdParams,
        headers: UpdateTrackHeaders,
        body: UpdateTrackSchema,
        response: { 200: TrackSchema, ...problems(400, 401, 403, 404, 412, 422) },
      },
    },
    async (request, reply) =>
      tagged(
        reply,
        await service.update(requireCaller(request), request.params.id, request.body, ifMatchPrecondition(request)),
      ),
  );

  app.post(
    '/tracks/:id/publish',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Publish your track',
        description:
          'Sets `published_at` (kept when already published): listeners can now see it as its visibility says.',
        params: TrackIdParams,
        response: { 200: TrackSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      tagged(reply, await service.setPublished(requireCaller(request), request.params.id, true)),
  );

  app.post(
    '/tracks/:id/unpublish',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Unpublish your track: it becomes a draft again, seen by you only',
        params: TrackIdParams,
        response: { 200: TrackSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      tagged(reply, await service.setPublished(requireCaller(request), request.params.id, false)),
  );

  app.delete(
    '/tracks/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Delete your track',
        description:
          'The track disappears at once from lists and pages (404), streams stop. Likes, comments and plays stay ' +
          'until the purge; playlists keep an "unavailable" entry in its place, queues skip it (ADR 0046). The ' +
          'audio file stays yours in /v1/files.',
        params: TrackIdParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

// HTTP surface of the play queue (issue 13 §5, ADR 0050): GET/PATCH/PUT /v1/me/queue, the items under
// /v1/me/queue/items. Every answer is the whole queue with its ETag; every write takes an optional If-Match.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { IfMatchHeaders, ifMatchPrecondition } from '../../platform/http/etag.ts';
import { AUTHENTICATED, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  MAX_QUEUE_ITEMS,
  QueueAddSchema,
  QueueItemIdParams,
  QueueMoveSchema,
  QueueReplaceSchema,
  QueueSchema,
  QueueStatePatchSchema,
} from './queue.schemas.ts';
import type { QueueService, TaggedQueue } from './queue.service.ts';

const tags = ['queue'];
const authenticated = { tags, security: AUTHENTICATED };

const CONDITIONAL =
  ' Send the `ETag` of the queue you based the change on as `If-Match`: if another device changed the queue ' +
  'since, nothing changes and the answer is 412 PRECONDITION_FAILED (read the queue again). Without `If-Match` ' +
  'the change applies to the queue as it is. The answer is the whole queue with its new `ETag`.';

function answer(reply: FastifyReply, tagged: TaggedQueue) {
  void reply.header('etag', tagged.etag);
  return tagged.queue;
}

export function registerQueueRoutes(instance: FastifyInstance, service: QueueService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/queue',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your play queue: playback state and items, in order',
        description:
          `The same queue on every device of yours, at most ${MAX_QUEUE_ITEMS} items, all in one answer. Items ` +
          'whose track was deleted or is no longer playable by you stay in place with `available: false`. The ' +
          '`ETag` changes with every change of the state or the items (not with edits of the tracks themselves).',
        response: { 200: QueueSchema, ...problems(401) },
      },
    },
    async (request, reply) => answer(reply, await service.get(requireCaller(request))),
  );

  app.patch(
    '/me/queue',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Change the playback state: current track, position, playing, shuffle, repeat, volume',
        description:
          'Only the fields sent change. A new current track must be one you may play (404 TRACK_NOT_FOUND on ' +
          '`body.current_track_id` otherwise); it starts at 0 unless `current_position` is sent, which may not ' +
          'pass the track’s duration (400 on `body.current_position`).' +
          CONDITIONAL,
        headers: IfMatchHeaders,
        body: QueueStatePatchSchema,
        response: { 200: QueueSchema, ...problems(400, 401, 404, 412) },
      },
    },
    async (request, reply) =>
      answer(reply, await service.updateState(requireCaller(request), request.body, ifMatchPrecondition(request))),
  );

  app.put(
    '/me/queue',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Replace the whole queue: items, current track and position (and the settings sent)',
        description:
          'What a player sends to hand its queue over to your other devices (the OpenSubsonic savePlayQueue does ' +
          'this). The items get new ids. Every track must be one you may play: otherwise 404 TRACK_NOT_FOUND ' +
          'naming each refused `body.track_ids.<index>`, and nothing changes.' +
          CONDITIONAL,
        headers: IfMatchHeaders,
        body: QueueReplaceSchema,
        response: { 200: QueueSchema, ...problems(400, 401, 404, 412) },
      },
    },
    async (request, reply) =>
      answer(reply, await service.replace(requireCaller(request), request.body, ifMatchPrecondition(request))),
  );

  app.post(
    '/me/queue/items',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Add tracks: at the end, to play next, or at a position',
        description:
          'Every track must be one you may play (404 TRACK_NOT_FOUND naming each refused index; nothing is ' +
          `added). A queue holds at most ${MAX_QUEUE_ITEMS} items: past that, 409 QUEUE_FULL. A position past ` +
          'the end: 400 on `body.position`.' +
          CONDITIONAL,
        headers: IfMatchHeaders,
        body: QueueAddSchema,
        response: { 200: QueueSchema, ...problems(400, 401, 404, 409, 412) },
      },
    },
    async (request, reply) =>
      answer(reply, await service.addItems(requireCaller(request), request.body, ifMatchPrecondition(request))),
  );

  app.patch(
    '/me/queue/items/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Move an item to a position',
        description:
          'The items between its old and new place shift by one. A position past the last item: 400 on ' +
          '`body.position`; an id that is not an item of your queue: 404 QUEUE_ITEM_NOT_FOUND.' +
          CONDITIONAL,
        params: QueueItemIdParams,
        headers: IfMatchHeaders,
        body: QueueMoveSchema,
        response: { 200: QueueSchema, ...problems(400, 401, 404, 412) },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await service.moveItem(requireCaller(request), request.params.id, request.body, ifMatchPrecondition(request)),
      ),
  );

  app.delete(
    '/me/queue/items/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Remove an item',
        description:
          'The items after it move up by one. An id that is not an item of your queue: 404 QUEUE_ITEM_NOT_FOUND.' +
          CONDITIONAL,
        params: QueueItemIdParams,
        headers: IfMatchHeaders,
        response: { 200: QueueSchema, ...problems(400, 401, 404, 412) },
      },
    },
    async (request, reply) =>
      answer(reply, await service.removeItem(requireCaller(request), request.params.id, ifMatchPrecondition(request))),
  );

  app.delete(
    '/me/queue/items',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Remove every item',
        description: 'The current track, its position and the settings stay.' + CONDITIONAL,
        headers: IfMatchHeaders,
        response: { 200: QueueSchema, ...problems(400, 401, 412) },
      },
    },
    async (request, reply) => answer(reply, await service.clear(requireCaller(request), ifMatchPrecondition(request))),
  );
}

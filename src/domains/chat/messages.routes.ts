// HTTP surface of room messages (issue 14 §2, ADR 0057): history, send, edit, delete, reactions, pins, read
// markers and search. Real-time delivery of the same changes is the WebSocket gateway's (chat events).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  EditMessageSchema,
  HistoryQuerySchema,
  HistorySchema,
  MessageListSchema,
  MessageParams,
  MessageSchema,
  ReactionParams,
  ReadMarkerResultSchema,
  ReadMarkerSchema,
  RoomMessagesParams,
  SearchQuerySchema,
  SearchResultSchema,
  SendMessageSchema,
} from './messages.schemas.ts';
import type { MessagesService } from './messages.service.ts';

const messages = { tags: ['messages'], security: AUTHENTICATED };
const MEMBERS_ONLY =
  'Members only: a room you are not in (or are banned from, or that was deleted) is 404 ROOM_NOT_FOUND; a muted ' +
  'member reads but may not send, edit or react (403).';

export function registerMessagesRoutes(instance: FastifyInstance, service: MessagesService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/rooms/:id/messages',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'A page of a room’s history, newest first',
        description:
          `${MEMBERS_ONLY} Without a cursor: the newest messages. \`before\`/\`after\`: the messages older/newer ` +
          'than that one; `around`: that message with up to half the page on each side (one of the three). ' +
          'Deleted messages stay as placeholders (`is_deleted`, `content: null`).',
        params: RoomMessagesParams,
        querystring: HistoryQuerySchema,
        response: { 200: HistorySchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.history(requireCaller(request), request.params.id, request.query),
  );

  app.post(
    '/rooms/:id/messages',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Send a message: text, an attachment, or both; optionally a reply',
        description:
          `${MEMBERS_ONLY} An attachment is a clean, processed file of yours (422 otherwise); \`message_type\` ` +
          'follows its media type. A reply names a message of the same room (400 otherwise). `@username` ' +
          'mentions are recorded. With a `client_key`, a retry answers 200 with the message the first send made, ' +
          'never a second one.',
        params: RoomMessagesParams,
        body: SendMessageSchema,
        response: { 200: MessageSchema, 201: MessageSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { message, created } = await service.send(requireCaller(request), request.params.id, request.body);
      return reply.code(created ? 201 : 200).send(message);
    },
  );

  app.patch(
    '/rooms/:id/messages/:message_id',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Edit your message',
        description: `${MEMBERS_ONLY} Only the sender edits (403); a deleted message is a 409 MESSAGE_DELETED.`,
        params: MessageParams,
        body: EditMessageSchema,
        response: { 200: MessageSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) =>
      service.edit(requireCaller(request), request.params.id, request.params.message_id, request.body.content),
  );

  app.delete(
    '/rooms/:id/messages/:message_id',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Delete a message: yours, or as a moderator above the sender’s role',
        description:
          'The message stays in the history as a placeholder; its content, attachment and reactions are erased ' +
          'and the row is purged 30 days later. Deleting it again changes nothing.',
        params: MessageParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id, request.params.message_id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/rooms/:id/messages/:message_id/pin',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Pin a message (moderators and above; idempotent)',
        params: MessageParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.setPinned(requireCaller(request), request.params.id, request.params.message_id, true);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/rooms/:id/messages/:message_id/pin',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Unpin a message (moderators and above; idempotent)',
        params: MessageParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.setPinned(requireCaller(request), request.params.id, request.params.message_id, false);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/rooms/:id/pins',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'The pinned messages of a room, newest first (at most 100)',
        description: MEMBERS_ONLY,
        params: RoomMessagesParams,
        response: { 200: MessageListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.pins(requireCaller(request), request.params.id),
  );

  app.put(
    '/rooms/:id/messages/:message_id/reactions/:emoji',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'React with one emoji (idempotent)',
        description: `${MEMBERS_ONLY} One emoji grapheme (400 on \`params.emoji\` otherwise). Answers the message.`,
        params: ReactionParams,
        response: { 200: MessageSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) =>
      service.react(requireCaller(request), request.params.id, request.params.message_id, request.params.emoji, true),
  );

  app.delete(
    '/rooms/:id/messages/:message_id/reactions/:emoji',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Take back your reaction (idempotent)',
        params: ReactionParams,
        response: { 200: MessageSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) =>
      service.react(requireCaller(request), request.params.id, request.params.message_id, request.params.emoji, false),
  );

  app.put(
    '/rooms/:id/read',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Move your read marker to a message (never backwards); answers your unread count',
        description: MEMBERS_ONLY,
        params: RoomMessagesParams,
        body: ReadMarkerSchema,
        response: { 200: ReadMarkerResultSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.markRead(requireCaller(request), request.params.id, request.body.message_id),
  );

  app.get(
    '/messages/search',
    {
      onRequest: signedIn,
      schema: {
        ...messages,
        summary: 'Full-text search of the messages of the rooms you are in, newest first',
        description: 'English stemming; web-search syntax (`"a phrase"`, `-word`, `or`). Deleted messages never match.',
        querystring: SearchQuerySchema,
        response: { 200: SearchResultSchema, ...problems(400, 401) },
      },
    },
    (request) => service.search(requireCaller(request), request.query),
  );
}

// HTTP surface of direct messages (issue 14 §3, ADR 0058): conversations of the caller, a conversation's pages,
// send, read receipts, per-side deletion. Every route is the caller's own: /v1/me/…
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  ConversationPageSchema,
  CounterpartParams,
  DirectMessageCreateSchema,
  DirectMessageIdParams,
  DirectMessagePageSchema,
  DirectMessageSchema,
  ReadMarkSchema,
  ReadResultSchema,
} from './direct.schemas.ts';
import type { DirectService } from './direct.service.ts';

const tags = ['direct-messages'];
const authenticated = { tags, security: AUTHENTICATED };
const PageQuery = { ...PageQuerySchema, additionalProperties: false };

export function registerDirectRoutes(instance: FastifyInstance, service: DirectService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/conversations',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your direct conversations, the latest first, with their last message and unread count',
        description:
          'One entry per person, ordered by the last message you still see; keyset-paginated (`limit`, `cursor`). ' +
          'A conversation with someone blocked either way is left out.',
        querystring: PageQuery,
        response: { 200: ConversationPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.conversations(requireCaller(request), request.query),
  );

  app.get(
    '/me/conversations/:user_id/messages',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The messages of your conversation with someone, newest first',
        description:
          'Keyset-paginated (`limit`, `cursor`); messages you deleted on your side are left out. 404 ' +
          '`CONVERSATION_NOT_FOUND` for an account that does not exist and under a block either way.',
        params: CounterpartParams,
        querystring: PageQuery,
        response: { 200: DirectMessagePageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.conversation(requireCaller(request), request.params.user_id, request.query),
  );

  app.post(
    '/me/conversations/:user_id/messages',
    {
      onRequest: signedIn,
      config: { idempotent: true },
      schema: {
        ...authenticated,
        summary: 'Send a direct message: text, or one of your files',
        description:
          '`content`: 1 to 10,000 characters once trimmed; `attachment_file_id`: your own file, cleared and ' +
          'processed (else 422 `MESSAGE_ATTACHMENT_UNUSABLE`), its type sets `message_type`. Yourself: 400, rule ' +
          '`notSelf`. Someone blocked either way, or no such account: 404 `CONVERSATION_NOT_FOUND`. Send an ' +
          '`Idempotency-Key` (a UUID per message): a retry answers the first message again, never a second one.',
        params: CounterpartParams,
        body: DirectMessageCreateSchema,
        response: { 201: DirectMessageSchema, ...problems(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const message = await service.send(requireCaller(request), request.params.user_id, request.body);
      return reply.code(201).send(message);
    },
  );

  app.post(
    '/me/conversations/:user_id/read',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Mark read what you received from someone (read receipts)',
        description:
          'All unread messages from them, or up to `up_to_message_id` (inclusive: one they sent you). The sender ' +
          'sees `is_read` and `read_at`. Marking again changes nothing (`marked`: 0).',
        params: CounterpartParams,
        body: ReadMarkSchema,
        response: { 200: ReadResultSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.markRead(requireCaller(request), request.params.user_id, request.body),
  );

  app.put(
    '/me/conversations/:user_id/typing',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Say you are typing to someone (for 10 seconds; call again to renew)',
        description:
          'They receive a `typing` event over the WebSocket. Same 404 as sending when you may not write to them.',
        params: CounterpartParams,
        response: {
          200: Type.Object({ expires_at: Type.String({ format: 'date-time' }) }),
          ...problems(400, 401, 404),
        },
      },
    },
    (request) => service.typing(requireCaller(request), request.params.user_id),
  );

  app.delete(
    '/me/direct-messages/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Delete a direct message from your side of the conversation',
        description:
          'The other person keeps it until they delete it too; then it is gone for good (purged 30 days later). ' +
          '404 `DIRECT_MESSAGE_NOT_FOUND` for someone else’s message or one already deleted on your side.',
        params: DirectMessageIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.deleteForSelf(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

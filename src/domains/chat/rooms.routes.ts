// HTTP surface of chat rooms (issue 14 §1, ADR 0056): rooms, the directory, membership, roles and moderation.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  CreateRoomSchema,
  InviteSchema,
  JoinRoomSchema,
  MemberListSchema,
  MemberParams,
  MemberSchema,
  MyRoomListSchema,
  RoomIdParams,
  RoomListQuerySchema,
  RoomListSchema,
  RoomSchema,
  SlugParams,
  TransferSchema,
  UpdateMemberSchema,
  UpdateRoomSchema,
} from './rooms.schemas.ts';
import { RoomPasswordThrottledError, type RoomsService } from './rooms.service.ts';

const room = { tags: ['rooms'], security: AUTHENTICATED };
const HIDDEN =
  'A private room you are not in, a room you are banned from and a deleted room are all 404 ROOM_NOT_FOUND.';
const MATRIX =
  'Roles (ADR 0056): owner > admin > moderator > member. Moderators invite, kick, mute and pin; admins also ban, ' +
  'edit the room and give roles below theirs; the owner also deletes and transfers the room. Acting on a member ' +
  'needs a role above theirs.';

export function registerRoomsRoutes(instance: FastifyInstance, service: RoomsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/rooms',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Create a room; you are its owner',
        description:
          'A public room needs a `slug` (unique, 409 ROOM_SLUG_TAKEN) and is listed in the directory; a private ' +
          'room has none and is joined by invitation only. A `password` (bcrypt-hashed) is asked of whoever ' +
          'joins; `max_members` counts every member, the owner included.',
        body: CreateRoomSchema,
        response: { 201: RoomSchema, ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body)),
  );

  app.get(
    '/rooms',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'The directory of public rooms, newest first; `q` filters by slug or name',
        querystring: RoomListQuerySchema,
        response: { 200: RoomListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.listPublic(requireCaller(request), request.query),
  );

  app.get(
    '/rooms/by-slug/:slug',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'A public room by its slug',
        description: HIDDEN,
        params: SlugParams,
        response: { 200: RoomSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.getBySlug(requireCaller(request), request.params.slug),
  );

  app.get(
    '/me/rooms',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'The rooms you are in, most recently joined first, with your unread counts',
        querystring: PageQuerySchema,
        response: { 200: MyRoomListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.listMine(requireCaller(request), request.query),
  );

  app.get(
    '/rooms/:id',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'A room: anyone signed in sees a public one, members a private one',
        description: HIDDEN,
        params: RoomIdParams,
        response: { 200: RoomSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.get(requireCaller(request), request.params.id),
  );

  app.patch(
    '/rooms/:id',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Change the name, description, password or member limit (admins and the owner)',
        description: `${MATRIX} A limit below the current member count is a 400. ${HIDDEN}`,
        params: RoomIdParams,
        body: UpdateRoomSchema,
        response: { 200: RoomSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.update(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/rooms/:id',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Delete a room (the owner only)',
        description: 'It disappears at once for everyone (404 afterwards) and its slug is free again.',
        params: RoomIdParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/rooms/:id/join',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Join a public room (idempotent)',
        description:
          'A room with a password needs it (403 ROOM_PASSWORD_WRONG); after 5 wrong ones within 15 minutes every ' +
          'attempt is refused for 15 minutes (429 ROOM_PASSWORD_THROTTLED with Retry-After). A full room is a 409 ' +
          `ROOM_FULL, exact under concurrent joins. ${HIDDEN}`,
        params: RoomIdParams,
        body: JoinRoomSchema,
        response: { 200: RoomSchema, ...problems(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      try {
        return await service.join(requireCaller(request), request.params.id, request.body.password);
      } catch (error) {
        if (error instanceof RoomPasswordThrottledError)
          void reply.header('retry-after', String(error.retryAfterSeconds));
        throw error;
      }
    },
  );

  app.post(
    '/rooms/:id/leave',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Leave a room',
        description: 'The owner transfers the room first (409 ROOM_OWNER_CANNOT_LEAVE). Your messages stay.',
        params: RoomIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.leave(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/rooms/:id/transfer',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Hand the room to another member (the owner only); you become an admin',
        params: RoomIdParams,
        body: TransferSchema,
        response: { 200: MemberSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.transfer(requireCaller(request), request.params.id, request.body.user_id),
  );

  app.get(
    '/rooms/:id/members',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'The members of a room you are in, oldest first',
        description: `Banned users are not members. ${HIDDEN}`,
        params: RoomIdParams,
        querystring: PageQuerySchema,
        response: { 200: MemberListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.members(requireCaller(request), request.params.id, request.query),
  );

  app.post(
    '/rooms/:id/members',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Invite someone: they become a member at once (moderators and above)',
        description: `${MATRIX} Seats are enforced (409 ROOM_FULL); a banned user is unbanned first.`,
        params: RoomIdParams,
        body: InviteSchema,
        response: { 201: MemberSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.invite(requireCaller(request), request.params.id, request.body.user_id)),
  );

  app.patch(
    '/rooms/:id/members/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Change a member’s role, mute or ban them, or lift a ban',
        description:
          `${MATRIX} A ban removes the member (they stop receiving at once) and keeps them out; lifting it lets ` +
          'them join again. Answers the member, or 204 after a ban or its lifting.',
        params: MemberParams,
        body: UpdateMemberSchema,
        response: { 200: MemberSchema, 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const member = await service.updateMember(
        requireCaller(request),
        request.params.id,
        request.params.user_id,
        request.body,
      );
      return member === null ? reply.code(204).send(null) : member;
    },
  );

  app.delete(
    '/rooms/:id/members/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...room,
        summary: 'Kick a member (moderators and above, on lower roles); they may come back',
        params: MemberParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.kick(requireCaller(request), request.params.id, request.params.user_id);
      return reply.code(204).send(null);
    },
  );
}

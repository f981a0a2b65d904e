// HTTP surface of groups (issue 15 §5, ADR 0065): groups, the directory, membership with approval, roles, bans and
// the group's posts. The home feed is in feed.routes.ts.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  CreateGroupSchema,
  GroupIdParams,
  GroupListQuerySchema,
  GroupListSchema,
  GroupMemberListSchema,
  GroupMemberParams,
  GroupMemberSchema,
  GroupMembersQuerySchema,
  GroupSchema,
  GroupSlugParams,
  JoinResultSchema,
  TransferGroupSchema,
  UpdateGroupMemberSchema,
  UpdateGroupSchema,
} from './groups.schemas.ts';
import type { GroupsService } from './groups.service.ts';
import { PostsPageSchema } from './posts.schemas.ts';

const tags = ['groups'];
const signed = { tags, security: AUTHENTICATED };
const HIDDEN = 'A deleted group is 404 GROUP_NOT_FOUND.';
const MATRIX =
  'Roles (ADR 0065): owner > admin > moderator > member. Moderators approve or decline requests to join and remove ' +
  'members; admins also edit the group, ban and lift bans, and give roles below theirs; the owner also deletes and ' +
  'transfers the group. Acting on a member needs a role above theirs (403 GROUP_ROLE_TOO_LOW).';

export function registerGroupsRoutes(instance: FastifyInstance, service: GroupsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/groups',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Create a group; you are its owner and first member',
        description: 'The `slug` is unique (409 GROUP_SLUG_TAKEN). There is no limit on the number of members.',
        body: CreateGroupSchema,
        response: { 201: GroupSchema, ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body)),
  );

  app.get(
    '/groups',
    {
      schema: {
        tags,
        summary: 'The directory of public groups, newest first; `q` filters by slug or name',
        description: 'Private groups are never listed.',
        querystring: GroupListQuerySchema,
        response: { 200: GroupListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.listPublic(request.caller ?? null, request.query),
  );

  app.get(
    '/me/groups',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'The groups you are a member of or asked to join, most recent first',
        querystring: PageQuerySchema,
        response: { 200: GroupListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.listMine(requireCaller(request), request.query),
  );

  app.get(
    '/groups/by-slug/:slug',
    {
      schema: {
        tags,
        summary: 'A group by its slug',
        description: HIDDEN,
        params: GroupSlugParams,
        response: { 200: GroupSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.getBySlug(request.caller ?? null, request.params.slug),
  );

  app.get(
    '/groups/:id',
    {
      schema: {
        tags,
        summary: 'A group’s page: name, description, type, counts and your membership',
        description: `Anyone may see a group's page, private ones included (so that people may ask to join). ${HIDDEN}`,
        params: GroupIdParams,
        response: { 200: GroupSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.get(request.caller ?? null, request.params.id),
  );

  app.patch(
    '/groups/:id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Change the name, description, images, type or approval rule (admins and the owner)',
        description: `${MATRIX} ${HIDDEN}`,
        params: GroupIdParams,
        body: UpdateGroupSchema,
        response: { 200: GroupSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.update(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/groups/:id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Delete a group (the owner only)',
        description: 'It disappears at once for everyone (404 afterwards), its posts with it; its slug stays taken.',
        params: GroupIdParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/groups/:id/join',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Join a group, or ask to (idempotent)',
        description:
          'A public group without approval: you are a member at once (`status: active`). A group that requires ' +
          'approval, and every private group: your request is pending until a moderator approves it. A banned user ' +
          `is refused with 403 GROUP_BANNED until the ban is lifted. ${HIDDEN}`,
        params: GroupIdParams,
        response: { 200: JoinResultSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.join(requireCaller(request), request.params.id),
  );

  app.post(
    '/groups/:id/leave',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Leave a group, or withdraw your request to join',
        description:
          'The owner transfers the group first (409 GROUP_OWNER_CANNOT_LEAVE). Your posts stay in the group.',
        params: GroupIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.leave(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/groups/:id/transfer',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Hand the group to another active member (the owner only); you become an admin',
        params: GroupIdParams,
        body: TransferGroupSchema,
        response: { 200: GroupMemberSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    (request) => service.transfer(requireCaller(request), request.params.id, request.body.user_id),
  );

  app.get(
    '/groups/:id/members',
    {
      schema: {
        tags,
        summary: 'The members of a group, newest first',
        description:
          'Active members: anyone for a public group, members for a private one (403 GROUP_MEMBERS_ONLY). ' +
          `\`status=pending\` (requests to join) and \`status=banned\`: moderators and above. ${HIDDEN}`,
        params: GroupIdParams,
        querystring: GroupMembersQuerySchema,
        response: { 200: GroupMemberListSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.members(request.caller ?? null, request.params.id, request.query),
  );

  app.post(
    '/groups/:id/members/:user_id/approve',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Approve a request to join (moderators and above)',
        description: `${MATRIX} A request that is not pending is a 409 GROUP_MEMBER_NOT_PENDING.`,
        params: GroupMemberParams,
        response: { 200: GroupMemberSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) => service.approve(requireCaller(request), request.params.id, request.params.user_id),
  );

  app.patch(
    '/groups/:id/members/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Change a member’s role (admins and the owner, to a role below theirs)',
        description: MATRIX,
        params: GroupMemberParams,
        body: UpdateGroupMemberSchema,
        response: { 200: GroupMemberSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) =>
      service.changeRole(requireCaller(request), request.params.id, request.params.user_id, request.body.role),
  );

  app.delete(
    '/groups/:id/members/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Decline a request to join, or remove a member of a lower role; they may ask again',
        description: MATRIX,
        params: GroupMemberParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.id, request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/groups/:id/bans/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Ban a user from the group (admins and the owner): they leave and may not join again',
        description: `${MATRIX} Idempotent.`,
        params: GroupMemberParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.ban(requireCaller(request), request.params.id, request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/groups/:id/bans/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Lift a ban (admins and the owner): the user may join again',
        description: MATRIX,
        params: GroupMemberParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.unban(requireCaller(request), request.params.id, request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/groups/:id/posts',
    {
      schema: {
        tags,
        summary: 'The posts of a group, newest first',
        description:
          'Anyone may read a public group’s posts (each still subject to blocks and its author’s privacy); a ' +
          `private group's are for its active members only (403 GROUP_MEMBERS_ONLY). ${HIDDEN}`,
        params: GroupIdParams,
        querystring: PageQuerySchema,
        response: { 200: PostsPageSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.posts(request.caller ?? null, request.params.id, request.query),
  );
}

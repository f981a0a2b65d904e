// HTTP surface of playlists (issue 13 §4, ADR 0049): details, entries, collaborators, followers and lists.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { IfMatchHeaders, ifMatchPrecondition, entityTag } from '../../platform/http/etag.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  AddCollaboratorSchema,
  AddEntrySchema,
  CollaboratorListSchema,
  CollaboratorParams,
  CollaboratorSchema,
  CreatePlaylistSchema,
  EntryPageQuerySchema,
  EntryPageSchema,
  EntryParams,
  EntrySchema,
  MAX_PLAYLIST_COLLABORATORS,
  MAX_PLAYLIST_ENTRIES,
  MoveEntrySchema,
  OwnerPlaylistsQuerySchema,
  PlaylistDetailSchema,
  PlaylistIdParams,
  PlaylistListQuerySchema,
  PlaylistListSchema,
  PlaylistSchema,
  ReorderResultSchema,
  ReorderSchema,
  UpdatePlaylistSchema,
} from './playlists.schemas.ts';
import { editableDetails, type PlaylistsService } from './playlists.service.ts';

const tags = ['playlists'];
const authenticated = { tags, security: AUTHENTICATED };
const ENTRY_RULES =
  `Positions are 0-based and stay gap-free (0..n-1) whatever runs at the same time: every change locks the ` +
  `playlist and renumbers in one transaction. A playlist holds at most ${MAX_PLAYLIST_ENTRIES.toLocaleString('en')} ` +
  `entries (409 PLAYLIST_FULL). The owner may change them, and the collaborators while the playlist is collaborative.`;

export function registerPlaylistsRoutes(instance: FastifyInstance, service: PlaylistsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  // --- playlists -----------------------------------------------------------------------------------------------

  app.post(
    '/playlists',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Create a playlist',
        description: 'Public and not collaborative unless said otherwise; you are its owner.',
        body: CreatePlaylistSchema,
        response: { 201: PlaylistSchema, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      const playlist = await service.create(requireCaller(request), request.body);
      void reply.header('etag', entityTag(editableDetails(playlist)));
      return reply.code(201).send(playlist);
    },
  );

  app.get(
    '/playlists/:id',
    {
      schema: {
        tags,
        summary: 'A playlist: details, your relation to it, and the first page of its entries',
        description:
          'Public and unlisted playlists are visible to anyone (no token needed); a private one only to its owner ' +
          'and collaborators (404 to anyone else). An entry whose track you may not play any more (deleted, made ' +
          'private or unpublished) is a placeholder with `track: null`, in its place. The `ETag` is that of the ' +
          'playlist’s editable details (name, description, visibility, collaborative flag): counts moving do not ' +
          'change it. Send it as `If-Match` on PATCH.',
        params: PlaylistIdParams,
        querystring: EntryPageQuerySchema,
        response: { 200: PlaylistDetailSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { detail, playlist } = await service.detail(request.caller, request.params.id, request.query);
      void reply.header('etag', entityTag(editableDetails(playlist)));
      return detail;
    },
  );

  app.patch(
    '/playlists/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Change a playlist’s name, description, visibility or collaborative flag (owner only)',
        description:
          'Send `If-Match` with the ETag of your last read to be refused (412) rather than overwrite a change made ' +
          'since. Turning `is_collaborative` off keeps the collaborators but stops them editing the tracks.',
        params: PlaylistIdParams,
        headers: IfMatchHeaders,
        body: UpdatePlaylistSchema,
        response: { 200: PlaylistSchema, ...problems(400, 401, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      const playlist = await service.update(caller, request.params.id, request.body, ifMatchPrecondition(request));
      void reply.header('etag', entityTag(editableDetails(playlist)));
      return playlist;
    },
  );

  app.delete(
    '/playlists/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Delete a playlist (owner only)',
        description: 'It disappears at once for everyone (404 afterwards); the rows are purged 30 days later.',
        params: PlaylistIdParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // --- entries -------------------------------------------------------------------------------------------------

  app.get(
    '/playlists/:id/tracks',
    {
      schema: {
        tags,
        summary: 'The entries of a playlist, in order, a page at a time (up to 500)',
        description: 'Keyset pagination by position: pass `next_cursor` back as `cursor`. Visible as the playlist is.',
        params: PlaylistIdParams,
        querystring: EntryPageQuerySchema,
        response: { 200: EntryPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.entries(request.caller, request.params.id, request.query),
  );

  app.post(
    '/playlists/:id/tracks',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Add a track, at the end or at a position',
        description:
          `${ENTRY_RULES} A track is in a playlist at most once (409 TRACK_ALREADY_IN_PLAYLIST); a track you may ` +
          'not play, or someone else’s private track, is a 404 TRACK_NOT_FOUND; a position past the end is a 400 ' +
          'on `body.position`.',
        params: PlaylistIdParams,
        body: AddEntrySchema,
        response: { 201: EntrySchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.addTrack(requireCaller(request), request.params.id, request.body)),
  );

  app.put(
    '/playlists/:id/tracks/order',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Reorder every entry at once',
        description:
          `${ENTRY_RULES} \`entry_ids\` names every entry once, in the new order; if the playlist changed since ` +
          'you read it (an entry added or removed), nothing moves and the answer is 409 PLAYLIST_ORDER_MISMATCH.',
        params: PlaylistIdParams,
        body: ReorderSchema,
        response: { 200: ReorderResultSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) => service.reorder(requireCaller(request), request.params.id, request.body.entry_ids),
  );

  app.put(
    '/playlists/:id/tracks/:entry/position',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Move an entry to another position',
        description: `${ENTRY_RULES} \`{entry}\` is the entry’s id or its track’s id; a position past the end is a 400.`,
        params: EntryParams,
        body: MoveEntrySchema,
        response: { 200: EntrySchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) =>
      service.moveEntry(requireCaller(request), request.params.id, request.params.entry, request.body.position),
  );

  app.delete(
    '/playlists/:id/tracks/:entry',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Remove an entry (placeholders of unavailable tracks included)',
        description: `${ENTRY_RULES} \`{entry}\` is the entry’s id or its track’s id; the entries after it move up one.`,
        params: EntryParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.removeEntry(requireCaller(request), request.params.id, request.params.entry);
      return reply.code(204).send(null);
    },
  );

  // --- collaborators -------------------------------------------------------------------------------------------

  app.get(
    '/playlists/:id/collaborators',
    {
      schema: {
        tags,
        summary: 'The collaborators of a playlist, and who added them',
        description: `Visible as the playlist is. At most ${MAX_PLAYLIST_COLLABORATORS}, oldest first, in one page.`,
        params: PlaylistIdParams,
        response: { 200: CollaboratorListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.collaborators(request.caller, request.params.id),
  );

  app.post(
    '/playlists/:id/collaborators',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Add a collaborator (owner only, collaborative playlists)',
        description:
          `A collaborator sees the playlist even when it is private, and adds, removes and moves its tracks while ` +
          `it is collaborative; only the owner changes its details or deletes it. At most ` +
          `${MAX_PLAYLIST_COLLABORATORS} collaborators (409 TOO_MANY_COLLABORATORS).`,
        params: PlaylistIdParams,
        body: AddCollaboratorSchema,
        response: { 201: CollaboratorSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await service.addCollaborator(requireCaller(request), request.params.id, request.body.user_id)),
  );

  app.delete(
    '/playlists/:id/collaborators/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Remove a collaborator (owner), or leave a playlist (the collaborator, with their own id)',
        description: 'The tracks they added stay, with `added_by` naming them.',
        params: CollaboratorParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.removeCollaborator(requireCaller(request), request.params.id, request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  // --- followers -----------------------------------------------------------------------------------------------

  app.put(
    '/playlists/:id/follow',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Follow a playlist you can see (idempotent)',
        description: 'Not your own (409 CANNOT_FOLLOW_OWN_PLAYLIST). `follower_count` counts each follower once.',
        params: PlaylistIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.follow(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/playlists/:id/follow',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Stop following a playlist (idempotent)',
        params: PlaylistIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.unfollow(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // --- lists ---------------------------------------------------------------------------------------------------

  app.get(
    '/playlists',
    {
      schema: {
        tags,
        summary: 'A user’s playlists, newest first: the public ones (all of them when it is you)',
        description: 'No token needed. Unlisted and private playlists are listed to their owner only.',
        querystring: OwnerPlaylistsQuerySchema,
        response: { 200: PlaylistListSchema, ...problems(400, 401) },
      },
    },
    (request) => {
      const { owner_id: ownerId, ...page } = request.query;
      return service.listOfUser(request.caller, ownerId, page);
    },
  );

  app.get(
    '/me/playlists',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your playlists, newest first, whatever their visibility',
        querystring: PlaylistListQuerySchema,
        response: { 200: PlaylistListSchema, ...problems(400, 401) },
      },
    },
    (request) => {
      const caller = requireCaller(request);
      return service.listOfUser(caller, caller.userId, request.query);
    },
  );

  app.get(
    '/me/playlists/collaborating',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Playlists you collaborate on, most recently joined first',
        querystring: PlaylistListQuerySchema,
        response: { 200: PlaylistListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.listCollaborating(requireCaller(request), request.query),
  );

  app.get(
    '/me/playlists/following',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Playlists you follow and can still see, most recently followed first',
        querystring: PlaylistListQuerySchema,
        response: { 200: PlaylistListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.listFollowing(requireCaller(request), request.query),
  );
}

// HTTP surface of the profiles domain: each route validates, calls one service method, shapes the answer.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { IfMatchHeaders, ifMatchPrecondition, withEntityTag } from '../../platform/http/etag.ts';
import { PageSchema } from '../../platform/http/pagination.ts';
import { allowedBy, AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { profilesPolicy } from './profiles.policy.ts';
import type { ProfilesService } from './profiles.service.ts';
import {
  AccountSchema,
  AccountUpdateSchema,
  BadgeCreateSchema,
  BadgeListQuerySchema,
  BadgeSchema,
  BadgeSetSchema,
  BadgeUpdateSchema,
  ConsentsSchema,
  ConsentsUpdateSchema,
  DeclaredRoleListSchema,
  DeclaredRoleSchema,
  DeleteAccountSchema,
  DeletionSchema,
  ExportStatusSchema,
  IdParams,
  OwnBadgeListSchema,
  OwnProfileSchema,
  PlatformRoleSchema,
  PlatformRoleUpdateSchema,
  ProfileUpdateSchema,
  PublicBadgeListSchema,
  PublicProfileSchema,
  RoleParams,
  SettingsSchema,
  SettingsUpdateSchema,
  UserRoleParams,
  UsernameParams,
} from './profiles.schemas.ts';

const tags = ['profiles'];
const badgeCatalogue = allowedBy(profilesPolicy.manageBadgeCatalogue);
const roleVerification = allowedBy(profilesPolicy.verifyDeclaredRoles);
const platformRoles = allowedBy(profilesPolicy.changePlatformRoles);

const authenticated = { tags, security: AUTHENTICATED };

export function registerProfilesRoutes(instance: FastifyInstance, service: ProfilesService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  // --- the caller's account -----------------------------------------------------------------------------------

  app.get(
    '/me',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your account: identity, platform role, consents',
        response: { 200: AccountSchema, ...problems(401) },
      },
    },
    (request) => service.account(requireCaller(request)),
  );

  app.patch(
    '/me',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Change how your account shows itself: the display name (audited)',
        description:
          'display_name is trimmed and stored in Unicode NFC; null removes it. The username changes through ' +
          'PUT /v1/me/username, the email address through POST /v1/me/email (a link to the new address).',
        body: AccountUpdateSchema,
        response: { 200: AccountSchema, ...problems(400, 401) },
      },
    },
    (request) => service.updateAccount(requireCaller(request), request.body),
  );

  app.delete(
    '/me',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Delete your account (soft delete now, anonymisation 30 days later)',
        description:
          'Confirm with your password; an account without one (federated login only) must have logged in within ' +
          'the last 10 minutes (send {}). Answers 202: the account stops working at once, its public content ' +
          'disappears, and it is anonymised after 30 days.',
        body: DeleteAccountSchema,
        response: { 202: DeletionSchema, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(202).send(await service.deleteAccount(requireCaller(request), request.body)),
  );

  app.get(
    '/me/consents',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your consents and when each was given or withdrawn',
        response: { 200: ConsentsSchema, ...problems(401) },
      },
    },
    (request) => service.consents(requireCaller(request)),
  );

  app.put(
    '/me/consents',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Give or withdraw consents (audited)',
        description:
          'Each change stamps its *_at and is recorded in the audit trail with the old and new state. ' +
          'Withdrawing data_processing_consent is deleting the account (DELETE /v1/me): false answers 409.',
        body: ConsentsUpdateSchema,
        response: { 200: ConsentsSchema, ...problems(400, 401, 409) },
      },
    },
    (request) => service.changeConsents(requireCaller(request), request.body),
  );

  app.post(
    '/me/export',
    {
      onRequest: signedIn,
      config: { idempotent: true },
      schema: {
        ...authenticated,
        summary: 'Request an export of all your data (GDPR Art. 20)',
        description:
          'Answers 202; asking again while a request is pending changes nothing. The archive is written by the ' +
          '`gdpr.exports` maintenance job, which runs every 5 minutes (`VEZA_JOB_SCHEDULES`): expect it within about ' +
          '5 minutes (writing one takes well under a second for most accounts). Poll `GET /v1/me/export` until its ' +
          'status is `ready`, then download it; archives are kept 30 days, and removed when the account is deleted.',
        response: { 202: ExportStatusSchema, ...problems(401) },
      },
    },
    async (request, reply) => reply.code(202).send(await service.requestExport(requireCaller(request))),
  );

  app.get(
    '/me/export',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Status of your data export: none, pending or ready (with its download URL)',
        response: { 200: ExportStatusSchema, ...problems(401) },
      },
    },
    (request) => service.exportStatus(requireCaller(request)),
  );

  app.get(
    '/me/export/download',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Download your newest export archive (.tar.gz: export.json and one CSV per table)',
        response: {
          200: {
            description: 'The archive',
            content: { 'application/gzip': { schema: Type.String({ contentEncoding: 'binary' }) } },
          },
          ...problems(401, 404),
        },
      },
    },
    async (request, reply) => {
      const archive = await service.openExportArchive(requireCaller(request));
      return (
        reply
          .type('application/gzip')
          .header('content-length', archive.size)
          .header('content-disposition', `attachment; filename="${archive.filename}"`)
          .header('cache-control', 'no-store')
          // A stream is sent as is (no serialisation); the typed reply only knows the schema's string.
          .send(archive.stream as never)
      );
    },
  );

  // --- own profile and settings -------------------------------------------------------------------------------

  app.get(
    '/me/profile',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your profile, private fields included',
        description: 'Answers an ETag: send it as If-Match with PATCH /v1/me/profile to refuse a lost update.',
        response: { 200: OwnProfileSchema, ...problems(401) },
      },
    },
    async (request, reply) => withEntityTag(reply, await service.ownProfile(requireCaller(request))),
  );

  app.patch(
    '/me/profile',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Change your profile',
        description: 'With If-Match, 412 when the profile changed since that ETag, and nothing is changed.',
        headers: IfMatchHeaders,
        body: ProfileUpdateSchema,
        response: { 200: OwnProfileSchema, ...problems(400, 401, 412) },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      return withEntityTag(reply, await service.updateOwnProfile(caller, request.body, ifMatchPrecondition(request)));
    },
  );

  app.get(
    '/me/settings',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your notification, privacy and content settings',
        description: 'Answers an ETag: send it as If-Match with PATCH /v1/me/settings to refuse a lost update.',
        response: { 200: SettingsSchema, ...problems(401) },
      },
    },
    async (request, reply) => withEntityTag(reply, await service.ownSettings(requireCaller(request))),
  );

  app.patch(
    '/me/settings',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Change your settings',
        description: 'With If-Match, 412 when the settings changed since that ETag, and nothing is changed.',
        headers: IfMatchHeaders,
        body: SettingsUpdateSchema,
        response: { 200: SettingsSchema, ...problems(400, 401, 412) },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      return withEntityTag(reply, await service.updateOwnSettings(caller, request.body, ifMatchPrecondition(request)));
    },
  );

  // --- own badges and roles -----------------------------------------------------------------------------------

  app.get(
    '/me/badges',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The badges you claim, displayed or not, in display order',
        response: { 200: OwnBadgeListSchema, ...problems(401) },
      },
    },
    (request) => service.ownBadges(requireCaller(request)),
  );

  app.put(
    '/me/badges',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Replace the set of badges you claim, and how they are displayed',
        description:
          'The whole set replaces the previous one in one transaction; one bad entry refuses the set and leaves ' +
          'the previous one unchanged. Badges are declarative skills (spec §17.4).',
        body: BadgeSetSchema,
        response: { 200: OwnBadgeListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.replaceOwnBadges(requireCaller(request), request.body),
  );

  app.get(
    '/me/roles',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The professional roles you declared',
        response: { 200: DeclaredRoleListSchema, ...problems(401) },
      },
    },
    (request) => service.ownRoles(requireCaller(request)),
  );

  app.put(
    '/me/roles/:role',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Declare a professional role (201 when new, 200 when already declared)',
        params: RoleParams,
        response: { 200: DeclaredRoleSchema, 201: DeclaredRoleSchema, ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const { role, created } = await service.declareRole(requireCaller(request), request.params.role);
      return reply.code(created ? 201 : 200).send(role);
    },
  );

  app.delete(
    '/me/roles/:role',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Withdraw a professional role you declared',
        params: RoleParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.withdrawRole(requireCaller(request), request.params.role);
      return reply.code(204).send(null);
    },
  );

  // --- public views -------------------------------------------------------------------------------------------

  app.get(
    '/users/:username',
    {
      // ADR 0099: served from a read replica when one fits, the caller's own writes included.
      config: { reads: 'replica' },
      schema: {
        tags,
        summary: 'A public profile',
        description:
          'Public and unlisted profiles are visible to anyone, private ones to their owner only; anyone else, ' +
          'and everyone for a deleted or banned account, gets 404. The email and location only when the user ' +
          'chose to show them; never settings, consents, birthdate or gender.',
        params: UsernameParams,
        response: { 200: PublicProfileSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.publicProfile(request.params.username, request.caller),
  );

  app.get(
    '/users/:username/badges',
    {
      schema: {
        tags,
        summary: "A user's displayed badges, in the order they chose",
        params: UsernameParams,
        response: { 200: PublicBadgeListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.publicBadges(request.params.username, request.caller),
  );

  app.get(
    '/users/:username/roles',
    {
      schema: {
        tags,
        summary: "A user's declared professional roles, and which are verified",
        params: UsernameParams,
        response: { 200: DeclaredRoleListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.publicRoles(request.params.username, request.caller),
  );

  app.get(
    '/badges',
    {
      schema: {
        tags,
        summary: 'The catalogue of active badges, newest first',
        querystring: BadgeListQuerySchema,
        response: { 200: PageSchema(BadgeSchema), ...problems(400, 401) },
      },
    },
    (request) => service.listBadges(request.query),
  );

  // --- staff ----------------------------------------------------------------------------------------------------

  app.post(
    '/admin/badges',
    {
      onRequest: badgeCatalogue,
      schema: {
        ...authenticated,
        summary: 'Add a badge to the catalogue (admin)',
        body: BadgeCreateSchema,
        response: { 201: BadgeSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createBadge(request.body)),
  );

  app.patch(
    '/admin/badges/:id',
    {
      onRequest: badgeCatalogue,
      schema: {
        ...authenticated,
        summary: 'Change or retire a badge (admin)',
        params: IdParams,
        body: BadgeUpdateSchema,
        response: { 200: BadgeSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) => service.updateBadge(request.params.id, request.body),
  );

  app.post(
    '/admin/users/:id/roles/:role/verify',
    {
      onRequest: roleVerification,
      schema: {
        ...authenticated,
        summary: "Verify a user's declared professional role (admin or moderator; audited)",
        params: UserRoleParams,
        response: { 200: DeclaredRoleSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => {
      return service.verifyRole(requireCaller(request), request.params.id, request.params.role);
    },
  );

  app.patch(
    '/admin/users/:id/role',
    {
      onRequest: platformRoles,
      schema: {
        ...authenticated,
        summary: "Change a user's platform role (admin; audited)",
        description: 'Refused with 409 when it would leave the platform without an active administrator.',
        params: IdParams,
        body: PlatformRoleUpdateSchema,
        response: { 200: PlatformRoleSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) => {
      return service.changePlatformRole(requireCaller(request), request.params.id, request.body.role);
    },
  );
}

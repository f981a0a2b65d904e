// HTTP surface of feature flags (issue 18 §14; ADR 0096): admin CRUD, and the flags that apply to the caller.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { allowedBy, AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { platformAdminPolicy } from './configs.policy.ts';
import { PLATFORM_ADMIN_TAG } from './configs.routes.ts';
import { FlagKeyParams, FlagListSchema, FlagSchema, FlagWriteSchema, MyFlagsSchema } from './flags.schemas.ts';
import type { FlagsService } from './flags.service.ts';

const tags = [PLATFORM_ADMIN_TAG];
const secured = { tags, security: AUTHENTICATED };
const manageFlags = allowedBy(platformAdminPolicy.manageSettings);

export function registerFlagsRoutes(instance: FastifyInstance, service: FlagsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/feature-flags',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'The feature flags that are on for you',
        description:
          'A flag is on for you when it is enabled and you are one of its testers, or your platform role is ' +
          'targeted (or no role is) and your account falls in its rollout percentage. The same account always ' +
          'gets the same answer for a given flag and percentage.',
        response: { 200: MyFlagsSchema, ...problems(401) },
      },
    },
    (request) => service.forCaller(requireCaller(request)),
  );

  app.get(
    '/admin/feature-flags',
    {
      onRequest: manageFlags,
      schema: {
        ...secured,
        summary: 'Every feature flag (admin)',
        response: { 200: FlagListSchema, ...problems(401, 403) },
      },
    },
    () => service.list(),
  );

  app.get(
    '/admin/feature-flags/:key',
    {
      onRequest: manageFlags,
      schema: {
        ...secured,
        summary: 'One feature flag (admin)',
        params: FlagKeyParams,
        response: { 200: FlagSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.get(request.params.key),
  );

  app.put(
    '/admin/feature-flags/:key',
    {
      onRequest: manageFlags,
      schema: {
        ...secured,
        summary: 'Create or replace a feature flag (admin; audited; every instance follows within seconds)',
        description: '201 when the flag is new, 200 when it replaced one. rollout_percentage is 0 to 100.',
        params: FlagKeyParams,
        body: FlagWriteSchema,
        response: { 200: FlagSchema, 201: FlagSchema, ...problems(400, 401, 403, 413) },
      },
    },
    async (request, reply) => {
      const { flag, created } = await service.put(requireCaller(request), request.params.key, request.body);
      return reply.code(created ? 201 : 200).send(flag);
    },
  );

  app.delete(
    '/admin/feature-flags/:key',
    {
      onRequest: manageFlags,
      schema: {
        ...secured,
        summary: 'Delete a feature flag (admin; audited): it is off for everyone',
        params: FlagKeyParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.key);
      return reply.code(204).send(null);
    },
  );
}

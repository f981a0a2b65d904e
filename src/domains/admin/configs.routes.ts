// HTTP surface of system settings (issue 18 §13; ADR 0096): admins list, read, set and reset registered keys;
// anyone reads the public ones.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { allowedBy, AUTHENTICATED, problems } from '../../platform/http/route-kit.ts';
import { platformAdminPolicy } from './configs.policy.ts';
import {
  ConfigKeyParams,
  ConfigListSchema,
  ConfigSchema,
  ConfigUpdateSchema,
  PublicConfigsSchema,
} from './configs.schemas.ts';
import type { ConfigsService } from './configs.service.ts';

export const PLATFORM_ADMIN_TAG = 'platform-admin';
const tags = [PLATFORM_ADMIN_TAG];
const admin = { tags, security: AUTHENTICATED };
const manageSettings = allowedBy(platformAdminPolicy.manageSettings);

export function registerConfigsRoutes(instance: FastifyInstance, service: ConfigsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/configs/public',
    {
      schema: {
        tags,
        summary: 'The public settings, by key (anyone, signed in or not)',
        description: 'E.g. whether registration is open, a maintenance banner. Never anything else.',
        response: { 200: PublicConfigsSchema, ...problems(401) },
      },
    },
    () => service.publicValues(),
  );

  app.get(
    '/admin/configs',
    {
      onRequest: manageSettings,
      schema: {
        ...admin,
        summary: 'Every setting with its value, default, schema and last change (admin)',
        response: { 200: ConfigListSchema, ...problems(401, 403) },
      },
    },
    () => service.list(),
  );

  app.get(
    '/admin/configs/:key',
    {
      onRequest: manageSettings,
      schema: {
        ...admin,
        summary: 'One setting (admin)',
        params: ConfigKeyParams,
        response: { 200: ConfigSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.get(request.params.key),
  );

  app.put(
    '/admin/configs/:key',
    {
      onRequest: manageSettings,
      schema: {
        ...admin,
        summary: 'Set a setting (admin; audited; every instance follows within seconds)',
        description:
          "The value must satisfy the key's JSON schema (400 CONFIG_VALUE_INVALID naming the key and the rule); " +
          'an unknown key is a 404 CONFIG_KEY_UNKNOWN.',
        params: ConfigKeyParams,
        body: ConfigUpdateSchema,
        response: { 200: ConfigSchema, ...problems(400, 401, 403, 404, 413) },
      },
    },
    (request) => service.set(requireCaller(request), request.params.key, request.body.value),
  );

  app.delete(
    '/admin/configs/:key',
    {
      onRequest: manageSettings,
      schema: {
        ...admin,
        summary: 'Reset a setting to its default (admin; audited)',
        params: ConfigKeyParams,
        response: { 200: ConfigSchema, ...problems(400, 401, 403, 404) },
      },
    },
    (request) => service.reset(requireCaller(request), request.params.key),
  );
}

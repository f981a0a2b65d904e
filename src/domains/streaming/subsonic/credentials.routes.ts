// HTTP surface of Subsonic credentials under /v1 (issue 13 §6, ADR 0051): list, create (the secret shown once),
// revoke. The players themselves sign in at /rest (subsonic.routes.ts).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../../platform/http/route-kit.ts';
import {
  CreateCredentialSchema,
  CreatedCredentialSchema,
  CredentialIdParams,
  CredentialListQuerySchema,
  CredentialListSchema,
} from './credentials.schemas.ts';
import type { CredentialsService } from './credentials.service.ts';

const authenticated = { tags: ['subsonic-credentials'], security: AUTHENTICATED };

export function registerCredentialsRoutes(instance: FastifyInstance, service: CredentialsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/subsonic-credentials',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your Subsonic app passwords and API keys, newest first (never their secrets)',
        querystring: CredentialListQuerySchema,
        response: { 200: CredentialListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.list(requireCaller(request), request.query),
  );

  app.post(
    '/me/subsonic-credentials',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Make an app password or an API key for a Subsonic player (shown once)',
        description:
          'A Subsonic player (DSub, Symfonium, Feishin, …) signs in at `/rest` with your username and an ' +
          '`app_password` (Veza never accepts your account password there), or with an OpenSubsonic `api_key` ' +
          'alone. The secret is in this answer only: Veza keeps an app password sealed and an API key hashed. ' +
          'At most 10 per account (409 `TOO_MANY_SUBSONIC_CREDENTIALS`).',
        body: CreateCredentialSchema,
        response: { 201: CreatedCredentialSchema, ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body)),
  );

  app.delete(
    '/me/subsonic-credentials/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Revoke a Subsonic credential: players using it are refused from the next request',
        params: CredentialIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.revoke(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

// HTTP surface of username and email changes (ADR 0031, ADR 0032): the caller's own account only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, problems, signedIn } from '../../platform/http/route-kit.ts';
import type { AccountIdentityService } from './account-identity.service.ts';
import { USERNAME_HOLD_DAYS } from './account-identity.service.ts';
import {
  EmailChangeAcceptedSchema,
  EmailChangeBodySchema,
  UsernameChangeBodySchema,
  UsernameStateSchema,
} from './account-identity.schemas.ts';
import { clientOf, LOCKOUT, withRetryAfter } from './auth.http.ts';

const tags = ['auth'];

export function registerAccountIdentityRoutes(instance: FastifyInstance, service: AccountIdentityService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/me/username',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security: AUTHENTICATED,
        summary: 'Change your username',
        description:
          `Once every ${USERNAME_HOLD_DAYS} days (409 USERNAME_CHANGE_TOO_SOON otherwise). The name you give up ` +
          `stays reserved to you for ${USERNAME_HOLD_DAYS} days, during which you may take it back, then anyone ` +
          'may take it; links to the old name answer 404 meanwhile. Usernames are unique whatever their case ' +
          '(409 USERNAME_TAKEN); changing only the case of yours is always allowed. Audited.',
        body: UsernameChangeBodySchema,
        response: { 200: UsernameStateSchema, ...problems(400, 401, 409) },
      },
    },
    (request) => service.changeUsername(requireCaller(request).userId, request.body),
  );

  app.post(
    '/me/email',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security: AUTHENTICATED,
        summary: 'Change your email address: a link is mailed to the new one',
        description:
          'Needs current_password (an account without a password: a login within the last 10 minutes, else 403 ' +
          'REAUTHENTICATION_REQUIRED). Answers 202 and mails a link to the new address; the address changes ' +
          'only when the link is followed (POST /v1/auth/verify-email with its token), and the old address is ' +
          'then told. The answer is the same whether the new address has an account or not; one that has gets ' +
          'no link. A new request spends the links of earlier ones. Verification mails: three an hour at most ' +
          `(429). ${LOCKOUT}`,
        body: EmailChangeBodySchema,
        response: { 202: EmailChangeAcceptedSchema, ...problems(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      const accepted = await withRetryAfter(reply, () =>
        service.requestEmailChange(requireCaller(request).userId, request.body, clientOf(request)),
      );
      return reply.code(202).send(accepted);
    },
  );
}

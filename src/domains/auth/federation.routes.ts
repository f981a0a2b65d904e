import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { userAgentOf } from '../../platform/http/user-agent.ts';
import {
  AuthorizationUrlSchema,
  CallbackQuerySchema,
  CallbackResultSchema,
  CompleteRegistrationBodySchema,
  IdentityPageSchema,
  IdentityParamsSchema,
  LinkStartBodySchema,
  ProviderParamsSchema,
  SessionSchema,
  StartQuerySchema,
} from './federation.schemas.ts';
import type { FederationService } from './federation.service.ts';
import { LOGIN_STATE_COOKIE, readCookie } from './federation.state.ts';
import type { DeviceInfo } from './session.service.ts';

const TAGS = ['auth'];

function deviceOf(request: FastifyRequest): DeviceInfo {
  return { user_agent: userAgentOf(request), ip_address: request.ip || null };
}

/** Federated login (OpenID Connect) and the caller's linked identities (ADR 0025). */
export function federationRoutes(service: FederationService): FastifyPluginCallback {
  return (plugin, _options, done) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/auth/oidc/:provider/start',
      {
        schema: {
          tags: TAGS,
          summary: 'Log in with an identity provider: redirects the browser to it',
          description:
            'Answers 302 to the provider’s authorization endpoint (authorization code, PKCE S256, state, nonce) ' +
            'and sets the HttpOnly state cookie the callback needs. Anyone may call it.',
          params: ProviderParamsSchema,
          querystring: StartQuerySchema,
          response: {
            302: Type.Null({ description: 'Location: the provider’s authorization URL' }),
            ...problems(400, 404, 502),
          },
        },
      },
      async (request, reply) => {
        const { authorizationUrl, cookie } = await service.start(
          request.params.provider,
          request.query.redirect_uri,
          'query.redirect_uri',
          null,
        );
        return reply.header('set-cookie', cookie).header('cache-control', 'no-store').redirect(authorizationUrl, 302);
      },
    );

    app.post(
      '/auth/oidc/:provider/link/start',
      {
        onRequest: signedIn,
        schema: {
          tags: TAGS,
          summary: 'Link an identity provider to your account: the URL to send the browser to',
          description:
            'For a logged-in user. Sets the state cookie; the callback then links the provider identity to this ' +
            'account (unless another account already has it).',
          security: AUTHENTICATED,
          params: ProviderParamsSchema,
          body: LinkStartBodySchema,
          response: { 200: AuthorizationUrlSchema, ...problems(400, 401, 404, 502) },
        },
      },
      async (request, reply) => {
        const caller = requireCaller(request);
        const { authorizationUrl, cookie } = await service.start(
          request.params.provider,
          request.body.redirect_uri,
          'body.redirect_uri',
          caller,
        );
        return reply
          .header('set-cookie', cookie)
          .header('cache-control', 'no-store')
          .send({ authorization_url: authorizationUrl });
      },
    );

    app.get(
      '/auth/oidc/:provider/callback',
      {
        schema: {
          tags: TAGS,
          summary: 'Finish a federated login or link (the provider’s redirect, forwarded as is)',
          description:
            'Checks the state against the cookie, exchanges the code with the PKCE verifier and validates the ID ' +
            'token (nonce). Then: a known identity logs in; a flow begun with link/start links; an email already ' +
            'used by an account is refused (409: log in and link); otherwise a registration token is returned for ' +
            'POST /v1/auth/oidc/complete-registration. The state cookie is cleared whatever the outcome.',
          params: ProviderParamsSchema,
          querystring: CallbackQuerySchema,
          response: { 200: CallbackResultSchema, ...problems(400, 403, 404, 409, 502) },
        },
      },
      async (request, reply) => {
        // One state, one callback: the cookie goes whatever happens next.
        reply.header('set-cookie', service.clearCookie()).header('cache-control', 'no-store');
        const parameters: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.query))
          if (typeof value === 'string') parameters[name] = value;
        return service.callback(
          request.params.provider,
          parameters,
          readCookie(request.headers.cookie, LOGIN_STATE_COOKIE),
          request.caller,
          deviceOf(request),
        );
      },
    );

    app.post(
      '/auth/oidc/complete-registration',
      {
        schema: {
          tags: TAGS,
          summary: 'Create the account of a new federated user, with their explicit consent',
          description:
            'Takes the registration token of a callback that answered registration_required. ' +
            'data_processing_consent must be true; marketing_consent is separate and optional. While an admin has ' +
            'closed registration (setting auth.registration_open), 403 REGISTRATION_CLOSED.',
          body: CompleteRegistrationBodySchema,
          response: { 201: SessionSchema, ...problems(400, 403, 409) },
        },
      },
      async (request, reply) => {
        const session = await service.completeRegistration(request.body, deviceOf(request));
        return reply.code(201).header('cache-control', 'no-store').send(session);
      },
    );

    app.get(
      '/me/identities',
      {
        onRequest: signedIn,
        schema: {
          tags: TAGS,
          summary: 'Your linked identity providers',
          security: AUTHENTICATED,
          querystring: PageQuerySchema,
          response: { 200: IdentityPageSchema, ...problems(400, 401) },
        },
      },
      async (request) => service.listIdentities(requireCaller(request).userId, request.query),
    );

    app.delete(
      '/me/identities/:id',
      {
        onRequest: signedIn,
        schema: {
          tags: TAGS,
          summary: 'Unlink one of your identity providers',
          description:
            'Refused (409 LAST_LOGIN_METHOD) when the account would be left with no way to log in: no password ' +
            'and no other identity. Another user’s identity is a 404.',
          security: AUTHENTICATED,
          params: IdentityParamsSchema,
          response: { 204: NoContent, ...problems(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        await service.unlinkIdentity(requireCaller(request).userId, request.params.id);
        return reply.code(204).send(null);
      },
    );

    done();
  };
}

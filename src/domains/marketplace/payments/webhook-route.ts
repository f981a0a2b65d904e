// A Stripe webhook route (ADRs 0073, 0084): the SDK checks the signature over the exact bytes sent, so the JSON body
// is handed over raw, as a string, in a scope of its own (the rest of the API keeps parsing JSON).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { problems } from '../../../platform/http/route-kit.ts';

const BODY_LIMIT = 1_048_576;

export function registerStripeWebhookRoute<Result>(
  app: FastifyInstance,
  route: {
    url: string;
    tags: string[];
    summary: string;
    description: string;
    result: TSchema;
    handle: (rawBody: string, signature: string | undefined) => Promise<Result>;
  },
): void {
  void app.register((scope, _options, done) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, next) =>
      next(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      route.url,
      {
        schema: {
          tags: route.tags,
          summary: route.summary,
          description: route.description,
          headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String({ maxLength: 2000 })) }),
          body: Type.String({ maxLength: BODY_LIMIT, description: 'The Stripe event, as JSON' }),
          response: { 200: route.result, ...problems(400, 422) },
        },
      },
      (request) => route.handle(request.body, request.headers['stripe-signature']),
    );
    done();
  });
}

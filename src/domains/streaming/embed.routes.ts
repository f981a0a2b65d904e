// The embeddable player at /embed (issue 13 §7, ADR 0048), outside /v1: a page other sites put in an <iframe>.
// Registered by the composition root under the /embed prefix (rootModules, src/app/domain-modules.ts).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DomainModule } from '../../app/module-dependencies.ts';
import { problems } from '../../platform/http/route-kit.ts';
import { publicNamesOf } from '../profiles/index.ts';
import { EMBED_PAGE_CSP, EMBED_SCRIPT, EMBED_STYLE, renderEmbedPage } from './embed.page.ts';
import { createEmbedRepository } from './embed.repository.ts';
import { EmbedService } from './embed.service.ts';

const tags = ['embed'];
const html = (description: string) => ({ description, content: { 'text/html': { schema: Type.String() } } });

/**
 * The page's own headers: its CSP instead of the API's deny-all one, and no X-Frame-Options (the CSP's
 * frame-ancestors says who may frame it: anyone).
 */
const pageHelmet = {
  contentSecurityPolicy: { useDefaults: false, directives: EMBED_PAGE_CSP },
  frameguard: false,
} as const;

/** Short: a track made private or deleted leaves other sites' caches within a minute. */
const PAGE_CACHE = 'public, max-age=60';
const ASSET_CACHE = 'public, max-age=300';

export function registerEmbedRoutes(instance: FastifyInstance, service: EmbedService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/tracks/:id',
    {
      helmet: pageHelmet,
      schema: {
        tags,
        summary: 'The embeddable player of a public track (HTML, for an <iframe>)',
        description:
          'Title, creator, the waveform with the timestamped comments marked on it, and an <audio> element ' +
          'streaming from GET /v1/tracks/{id}/stream. Public, published tracks only: any other id is a 404 ' +
          'TRACK_NOT_FOUND problem, like every error of the API (a framing site shows its text). ' +
          'Framable by any site (CSP frame-ancestors *); no inline script or style (ADR 0048).',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        response: { 200: html('The player page'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const view = await service.view(request.params.id);
      return reply.type('text/html; charset=utf-8').header('cache-control', PAGE_CACHE).send(renderEmbedPage(view));
    },
  );

  // Untyped: the body is text, not a schema-serialised value.
  instance.get(
    '/player.js',
    {
      schema: {
        tags,
        summary: 'The script of the embeddable player',
        response: { 200: { description: 'The script', content: { 'text/javascript': { schema: Type.String() } } } },
      },
    },
    (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', ASSET_CACHE).send(EMBED_SCRIPT),
  );

  instance.get(
    '/player.css',
    {
      schema: {
        tags,
        summary: 'The stylesheet of the embeddable player',
        response: { 200: { description: 'The stylesheet', content: { 'text/css': { schema: Type.String() } } } },
      },
    },
    (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', ASSET_CACHE).send(EMBED_STYLE),
  );
}

/** The embeddable player page and its two files, served under /embed. */
export const embedModule: DomainModule = ({ pool }) => {
  return (app, _options, done) => {
    const service = new EmbedService({
      repository: createEmbedRepository(pool),
      names: (ids) => publicNamesOf(pool.db, ids),
    });
    registerEmbedRoutes(app, service);
    done();
  };
};

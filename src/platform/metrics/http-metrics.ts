import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';

/**
 * Times every response of `app` into veza_http_request_duration_seconds, labelled with the matched route's pattern
 * (`/v1/tracks/:id`), never the URL: ids, usernames and query strings stay out of the labels, and the series stay as
 * few as the routes. Added before any route, so that every route, in every plugin, inherits it.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  // A callback hook, like server.ts's onSend: it runs on every response.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttpRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

// Response headers every route gets without asking (issue 10 §2, ADR 0034): helmet's hardening headers with a
// deny-all Content-Security-Policy for JSON, a page policy per path prefix for the few HTML pages, no caching of
// anything that carries tokens or personal data, a Bearer challenge on every 401, CORS for listed origins only.
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';

/** CSP directives in helmet's form: `{ 'script-src': ["'self'"] }`. */
export type CspDirectives = Record<string, string[]>;

/**
 * An API answer is data, never a document: it may load nothing, be framed by nobody, and submit nowhere. A
 * browser tricked into rendering one (a JSON body sniffed as HTML) runs no script from it.
 */
export const API_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The API reference page (Swagger UI): scripts and styles from this origin only, the inline style attributes
 * the UI sets from JavaScript, images as data: URIs, and calls back to this origin ("Try it out").
 */
export const DOCS_PAGE_CSP: CspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

export interface SecurityOptions {
  /** Origins (scheme://host[:port]) whose pages may call the API from a browser; empty: none may. */
  corsOrigins: readonly string[];
  /**
   * The Content-Security-Policy of HTML pages by path prefix (`/docs` covers `/docs` and `/docs/...`). Routes
   * registered by a plugin cannot carry options of ours, hence prefixes; a route of our own may instead set
   * helmet's `helmet: { contentSecurityPolicy: { directives } }` route option.
   */
  pagePolicies?: Readonly<Record<string, CspDirectives>>;
}

/** Responses to these paths carry tokens (RFC 6749 §5.1) or secrets shown once (TOTP, backup codes). */
const TOKEN_PATH_PREFIX = '/v1/auth/';

function pathOf(url: string): string {
  return url.split('?')[0] ?? url;
}

function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/**
 * Must be awaited before any route is declared: the page policies attach to routes as they are added, and
 * helmet and CORS apply to routes declared after them.
 */
export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const pagePolicies = Object.entries(options.pagePolicies ?? {});
  app.addHook('onRoute', (route) => {
    const policy = pagePolicies.find(([prefix]) => underPrefix(route.url ?? route.path, prefix))?.[1];
    if (!policy || (route.config as { helmet?: unknown } | undefined)?.helmet !== undefined) return;
    route.config = Object.assign(route.config ?? {}, {
      helmet: { contentSecurityPolicy: { useDefaults: false, directives: policy } },
    });
  });

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });

  if (options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // Range, If-None-Match, If-Range, Prefer: file delivery and the owner API's long-poll (ADR 0042).
      allowedHeaders: [
        'authorization',
        'content-type',
        'idempotency-key',
        'if-match',
        'if-none-match',
        'if-range',
        'prefer',
        'range',
        'x-request-id',
      ],
      exposedHeaders: [
        'retry-after',
        'x-request-id',
        'etag',
        'location',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'accept-ranges',
        'content-range',
        'content-disposition',
        'preference-applied',
      ],
      // Bearer tokens travel in a header, never in cookies: no credentialed CORS.
      credentials: false,
      maxAge: 600,
    });
  }

  // A callback hook: it runs on every response, and an async one costs a promise each time.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.caller || pathOf(request.url).startsWith(TOKEN_PATH_PREFIX)) reply.header('cache-control', 'no-store');
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      reply.header('www-authenticate', bearerChallenge(request));
    }
    done(null, payload);
  });
}

/**
 * RFC 6750 §3: a presented token that did not authenticate is `invalid_token`; a request without one is told
 * only which scheme to use.
 */
function bearerChallenge(request: FastifyRequest): string {
  return request.headers.authorization === undefined
    ? 'Bearer realm="veza"'
    : 'Bearer realm="veza", error="invalid_token", error_description="The access token is invalid, expired or revoked"';
}

const PROBED_METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The methods some route answers at this path, for a 405's Allow header (RFC 9110 §15.5.6); empty when no
 * route has the path at all (a 404). OPTIONS counts only beside another method: the CORS preflight route
 * matches every path.
 */
export function allowedMethods(app: FastifyInstance, url: string): string[] {
  const path = pathOf(url);
  const allowed = PROBED_METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
  if (allowed.length > 0 && app.findRoute({ method: 'OPTIONS', url: path }) !== null) allowed.push('OPTIONS');
  return allowed;
}

/** Sets Allow on a reply about to be a 405. */
export function withAllow(reply: FastifyReply, methods: readonly string[]): FastifyReply {
  return reply.header('allow', methods.join(', '));
}

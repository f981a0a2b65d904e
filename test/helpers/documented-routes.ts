// The routes of some tags, as /openapi.json documents them: what the access tests (BOLA matrices) walk, so that a
// route added later under the same tag is covered without touching the test.
import type { HttpServer } from '../../src/platform/http/server.ts';

export interface DocumentedRoute {
  method: string;
  /** The OpenAPI path, parameters in braces: `/v1/tracks/{id}`. */
  path: string;
  /** `METHOD /path`. */
  key: string;
  /** Documented as needing a bearer token (`security`), so an anonymous caller must be refused. */
  secured: boolean;
}

interface OpenApiOperations {
  paths: Record<string, Record<string, { security?: unknown[]; tags?: string[] }>>;
}

/** Every documented operation carrying one of `tags`, plus the HEAD twin Fastify serves for each GET. */
export async function documentedRoutes(app: HttpServer, ...tags: string[]): Promise<DocumentedRoute[]> {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiOperations>();
  const routes: DocumentedRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!operation.tags?.some((tag) => tags.includes(tag))) continue;
      const upper = method.toUpperCase();
      routes.push({ method: upper, path, key: `${upper} ${path}`, secured: (operation.security?.length ?? 0) > 0 });
    }
  }
  for (const route of routes.filter((r) => r.method === 'GET')) {
    if (!routes.some((r) => r.key === `HEAD ${route.path}`))
      routes.push({ ...route, method: 'HEAD', key: `HEAD ${route.path}` });
  }
  return routes;
}

// The fuzz test's view of the API, read from the running app rather than from a hand-written list: every route
// Fastify serves (its router tree, hidden ones included) joined with what /openapi.json documents about it.

/** A JSON Schema as it appears in the OpenAPI document (only the keywords the fuzzer reads). */
export interface JsonSchema {
  type?: string | string[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  items?: JsonSchema;
  maxItems?: number;
  default?: unknown;
  $ref?: string;
}

interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** One route as the fuzzer attacks it. */
export interface FuzzRoute {
  method: Method;
  /** Fastify's form: /v1/me/roles/:role, /docs/* */
  path: string;
  /** `METHOD path`, the route's name in test output and in the coverage check. */
  key: string;
  /** The route's OpenAPI operation (a HEAD route borrows its GET's); undefined for a hidden route. */
  operation: OpenApiOperation | undefined;
  pathParams: { name: string; schema: JsonSchema | undefined }[];
  query: Record<string, JsonSchema>;
  body: JsonSchema | undefined;
  /** Success statuses the route documents (2xx and 3xx); undefined for a hidden route: any is accepted. */
  successStatuses: number[] | undefined;
}

const METHODS = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Every method and path of Fastify's router, from `printRoutes({ commonPrefix: false })`: a tree in which each
 * line is a path segment (4 columns of indentation per level) followed by the methods it serves, if any.
 */
export function routesOfTree(tree: string): { method: Method; path: string }[] {
  const routes: { method: Method; path: string }[] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const marker = line.search(/[├└]── /);
    if (marker < 0) continue;
    const depth = marker / 4;
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(marker + 4));
    if (!match || !Number.isInteger(depth)) throw new Error(`unexpected line in Fastify's route tree: ${line}`);
    const path = (depth > 0 ? (prefixes[depth - 1] ?? '') : '') + (match[1] ?? '');
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[2] ?? '').split(',').map((name) => name.trim())) {
      if (!method) continue;
      if (!METHODS.has(method)) throw new Error(`unexpected method ${method} in Fastify's route tree`);
      routes.push({ method: method as Method, path });
    }
  }
  return routes;
}

/** /v1/me/roles/:role → /v1/me/roles/{role}, the form of the OpenAPI document's keys. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Replaces `$ref`s to components with the schemas they name (the document's refs are all local). */
export function resolveRefs(schema: JsonSchema | undefined, doc: OpenApiDocument, depth = 0): JsonSchema | undefined {
  if (!schema || depth > 20) return schema;
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    return resolveRefs(doc.components?.schemas?.[name], doc, depth + 1);
  }
  const resolved: JsonSchema = { ...schema };
  if (schema.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [name, resolveRefs(property, doc, depth + 1) ?? {}]),
    );
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (list) resolved[key] = list.map((item) => resolveRefs(item, doc, depth + 1) ?? {});
  }
  if (schema.items) resolved.items = resolveRefs(schema.items, doc, depth + 1);
  return resolved;
}

/** The routes to fuzz: each of the router's, with its documentation when /openapi.json has it. */
export function fuzzRoutes(tree: string, doc: OpenApiDocument): FuzzRoute[] {
  return routesOfTree(tree).map(({ method, path }) => {
    // A prefix's root route answers with and without its trailing slash (/v1 and /v1/): one operation.
    const documented = doc.paths[openApiPath(path)] ?? doc.paths[`${openApiPath(path)}/`];
    // A HEAD route documented on its own (tus's HEAD /v1/uploads/{id} has no GET) keeps its operation.
    const operation = documented?.[method.toLowerCase()] ?? (method === 'HEAD' ? documented?.get : undefined);
    const parameters = operation?.parameters ?? [];
    const pathNames = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((found) => found[1] ?? '');
    if (path.endsWith('*')) pathNames.push('*');
    const pathParams = pathNames.map((name) => ({
      name,
      schema: resolveRefs(parameters.find((p) => p.in === 'path' && p.name === name)?.schema, doc),
    }));
    const query = Object.fromEntries(
      parameters.filter((p) => p.in === 'query').map((p) => [p.name, resolveRefs(p.schema, doc) ?? {}]),
    );
    const body = resolveRefs(operation?.requestBody?.content?.['application/json']?.schema, doc);
    const successStatuses = operation
      ? Object.keys(operation.responses ?? {})
          .map(Number)
          .filter((status) => status >= 200 && status < 400)
      : undefined;
    return { method, path, key: `${method} ${path}`, operation, pathParams, query, body, successStatuses };
  });
}

/** Every documented operation, as `METHOD /fastify/:path` keys, to check that the router tree was read whole. */
export function documentedKeys(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1')}`),
  );
}

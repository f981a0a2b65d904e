import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** What a response is called in the reference when its schema does not say ("Default Response" else). */
const RESPONSE_NAMES: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the work is queued',
  204: 'No content',
  302: 'Redirect',
  503: 'Not ready',
};

/** Gives each undescribed response its name; problem responses carry theirs (route-kit `problems`). */
function nameResponses(response: unknown): unknown {
  if (!response || typeof response !== 'object') return response;
  return Object.fromEntries(
    Object.entries(response as Record<string, unknown>).map(([status, schema]) => {
      const name = RESPONSE_NAMES[status];
      const described = schema && typeof schema === 'object' && 'description' in schema;
      return [status, name && !described ? { ...(schema as object), description: name } : schema];
    }),
  );
}

/**
 * Realistic values for the fields the API names the same way everywhere, one consistent person (Alice), so that
 * the reference shows a believable request or answer instead of `"string"` and all-zero UUIDs. Fixed values:
 * nothing here depends on the day the document is generated.
 */
const USER_ID = '0b5d7a2e-4c1f-4e8a-9a63-2f1d8c7e5b10';
const AT = '2026-03-14T09:26:53.589793Z';
export const FIELD_EXAMPLES: Readonly<Record<string, unknown>> = {
  id: USER_ID,
  user_id: USER_ID,
  badge_id: '7e2f4b1c-93d0-4a55-b8e6-1c0a9d3f6e27',
  created_at: AT,
  updated_at: AT,
  declared_at: AT,
  verified_at: AT,
  email_verified_at: AT,
  data_processing_consent_at: AT,
  marketing_consent_at: AT,
  requested_at: AT,
  identifier: 'alice@example.org',
  email: 'alice@example.org',
  new_email: 'alice.martin@example.org',
  username: 'alice_m',
  new_username: 'alice_martin',
  password: 'correct horse battery staple',
  current_password: 'correct horse battery staple',
  new_password: 'a longer passphrase for 2026',
  display_name: 'Alice Martin',
  bio: 'Modular synths and field recordings from Lyon.',
  tagline: 'Ambient, mostly after midnight',
  location: 'Lyon, France',
  website_url: 'https://alice.example.org',
  avatar_url: 'https://media.example.org/avatars/alice.webp',
  banner_url: 'https://media.example.org/banners/alice.webp',
  language: 'fr',
  timezone: 'Europe/Paris',
  birthdate: '1994-06-21',
  device_name: 'Alice’s laptop',
  device_type: 'desktop',
  role: 'user',
  profile_visibility: 'public',
  token_type: 'Bearer',
  access_token:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjVkN2EyZS00YzFmLTRlOGEtOWE2My0yZjFkOGM3ZTViMTAifQ.q1Vw7m2cYkR8d3N0aGlzLWlzLWFuLWV4YW1wbGU',
  refresh_token: 'r1.NwJ8k2Zq4vX6mB9tH3sL5pD7fG0cR2yU',
  mfa_token: 'mfa.Tz5Qe8Wn2Lk7Hj4Rs1Vb6Xc9Mp3Ga0Fd',
  code: '492039',
  expires_in: 900,
  follower_count: 128,
  following_count: 64,
  track_count: 12,
  playlist_count: 3,
  next_cursor: 'eyJjIjoiMjAyNi0wMy0xNFQwOToyNjo1My41ODk3OTNaIiwiaSI6IjBiNWQifQ',
};

/** A problem as the error handler renders it: a body that failed validation. */
const PROBLEM_EXAMPLE = {
  type: 'urn:veza:problem:validation-failed',
  title: 'The request does not satisfy the API contract',
  status: 400,
  detail: '1 field(s) break the API contract',
  instance: '/v1/auth/register',
  code: 'VALIDATION_FAILED',
  request_id: 'req-7f3a9c21',
  errors: [{ field: 'body.email', rule: 'format', message: 'must match format "email"' }],
};

type JsonSchema = Record<string, unknown>;

function typesOf(schema: JsonSchema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return branches ? branches.flatMap(typesOf) : [];
}

/** Whether `value` is one the schema accepts, as far as a field-level example needs checking. */
function fits(schema: JsonSchema, value: unknown): boolean {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (branches) return branches.some((branch) => fits(branch, value));
  if (Array.isArray(schema.enum)) return schema.enum.includes(value);
  if (schema.const !== undefined) return schema.const === value;
  if (typeof value === 'string') {
    if (!typesOf(schema).includes('string')) return false;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
    if (schema.format === 'uuid') return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
    if (schema.format === 'date-time') return !Number.isNaN(Date.parse(value)) && value.includes('T');
    if (schema.format === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(value);
    if (schema.format === 'email') return value.includes('@');
    if (schema.format === 'uri') return /^https?:\/\//.test(value);
    return true;
  }
  if (typeof value === 'number') {
    const types = typesOf(schema);
    if (!types.includes('integer') && !types.includes('number')) return false;
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
    return true;
  }
  return false;
}

/** Adds a field example wherever a property has a known name, no example of its own, and accepts the value. */
function addExamples(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) addExamples(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as JsonSchema;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties && typeof properties === 'object') {
    for (const [name, property] of Object.entries(properties)) {
      const value = FIELD_EXAMPLES[name];
      if (value === undefined || !property || 'examples' in property || 'example' in property) continue;
      if (fits(property, value)) property.examples = [value];
    }
  }
  for (const child of Object.values(schema)) addExamples(child);
}

/** The document with realistic examples (see FIELD_EXAMPLES); the routes' own schemas are left untouched. */
export function withExamples<T extends object>(document: T): T {
  const copy = structuredClone(document) as T & { components?: { schemas?: Record<string, JsonSchema> } };
  addExamples(copy);
  for (const schema of Object.values(copy.components?.schemas ?? {})) {
    if (schema.title === 'Problem' && !('examples' in schema)) schema.examples = [PROBLEM_EXAMPLE];
  }
  return copy;
}

/**
 * OpenAPI 3.1 generated from the routes' TypeBox schemas, served at /openapi.json, with the
 * reference page at /docs. Registered before any route, so that every route is captured.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Veza Core API',
        version,
        description: 'Conventions (errors, pagination, authentication): docs/api.md in the repository.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transformObject: (documentObject) =>
      withExamples('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
    transform: ({ schema, url }) => ({
      schema: schema?.response ? { ...schema, response: nameResponses(schema.response) } : schema,
      url,
    }),
  });
  // Swagger UI rather than Scalar: ADR 0036. The filter box and deep links make ~100 routes navigable.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    theme: { title: 'Veza Core API reference' },
    uiConfig: { filter: true, deepLinking: true, defaultModelsExpandDepth: 0, displayRequestDuration: true },
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}

// fast-check arbitraries for the API fuzz test: requests built from a route's own schemas, then bent (wrong types,
// unknown keys, huge and deep values, malformed JSON, wrong media types, hostile paths, queries and headers).
import fc from 'fast-check';
import type { Role } from '../../src/platform/http/caller.ts';
import type { FuzzRoute, JsonSchema } from './fuzz-routes.ts';

/**
 * Stand-ins for the ids of what a signed-in caller owns (its session, its linked identity), replaced by the real
 * ids when the request is sent; a caller who has none keeps them, as ids of nothing.
 */
export const OWN = {
  session: '00000000-0000-4000-8000-00000000005e',
  identity: '00000000-0000-4000-8000-0000000001d0',
} as const;

/** Values that exist in the fuzzed database, by field or parameter name, so that some requests reach deep. */
export type KnownValues = Readonly<Record<string, readonly unknown[]>>;

/** A long run of one text, kept short in fast-check's reports and only expanded when the request is sent. */
export class Repeat {
  readonly unit: string;
  readonly times: number;
  constructor(unit: string, times: number) {
    this.unit = unit;
    this.times = times;
  }
  toJSON(): string {
    return this.unit.repeat(this.times);
  }
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.unit)}×${this.times}`;
  }
}

export const ROLES: readonly Role[] = ['user', 'creator', 'premium', 'moderator', 'admin'];

export type CallerSpec =
  | { kind: 'anonymous' }
  /**
   * A signed-in user made for this request, with a valid access token, and maybe more: a session (refresh
   * token), a linked identity, no password (a federated-only account).
   */
  | { kind: 'user'; role: Role; session: boolean; identity: boolean; passwordless: boolean }
  /** An Authorization header that is not a usable token at all. */
  | { kind: 'raw'; authorization: string }
  /** A well-formed JWT that must not authenticate. */
  | {
      kind: 'token';
      variant: 'expired' | 'wrong-secret' | 'alg-none' | 'unknown-user' | 'stale-version' | 'banned' | 'deleted';
      role: Role;
    };

export type BodySpec =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; contentType: string | undefined }
  | { kind: 'text'; text: string; contentType: string | undefined }
  /** `depth` nested arrays or objects, alone or as the value of a field of an otherwise valid body. */
  | { kind: 'nested'; field: string | undefined; depth: number; open: '[' | '{"a":'; contentType: string | undefined };

export interface FuzzRequest {
  caller: CallerSpec;
  /** The path, encoded (or deliberately not) as it goes on the request line. */
  path: string;
  /** The raw query string, without `?`; empty for none. */
  query: string;
  body: BodySpec;
  headers: Record<string, string>;
  remoteAddress: string;
}

// --- scalars ------------------------------------------------------------------------------------------------------

const codePoints = (text: string) => [...text].length;

const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }).map((text) => `${text}\u0000${text}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\ud800',
      '\udfff',
      '\ufeff',
      '\u202e',
      '😀',
      'é',
      'e\u0301',
      "'; DROP TABLE users; --",
      '%00',
      '../../etc/passwd',
      '<script>alert(1)</script>',
      '\r\n',
      'null',
      'undefined',
      '__proto__',
    ),
  },
);

const numberLikeText = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('true', 'false', 'null', '1e309', '-0', 'NaN', 'Infinity', '0x10', ' 42 ', '4_2', '1,5', '01'),
);

const hugeText = fc.oneof(
  fc.integer({ min: 256, max: 20_000 }).map((times) => new Repeat('a', times)),
  fc.integer({ min: 100, max: 5_000 }).map((times) => new Repeat('😀', times)),
  fc.integer({ min: 900_000, max: 1_100_000 }).map((times) => new Repeat('x', times)),
);

const oddNumber = fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 2 ** 31, -1, 0.5, 1e-320, 5e-324, -0);

/** A value of the wrong kind for whatever the schema wants. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: oddNumber },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: anyText },
  { weight: 2, arbitrary: numberLikeText },
  { weight: 1, arbitrary: hugeText },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
);

const oddKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'id', 'user_id', 'role') },
);

// --- values that follow a schema --------------------------------------------------------------------------------

function withinLength(schema: JsonSchema, text: string): boolean {
  const length = codePoints(text);
  return length >= (schema.minLength ?? 0) && length <= (schema.maxLength ?? Number.MAX_SAFE_INTEGER);
}

function clip(schema: JsonSchema, text: string): string {
  return schema.maxLength === undefined ? text : [...text].slice(0, schema.maxLength).join('');
}

const validDate = fc.date({
  min: new Date('1900-01-01T00:00:00Z'),
  max: new Date('2200-12-31T00:00:00Z'),
  noInvalidDate: true,
});

/** A string the schema accepts (or nearly: patterns are approximated by fast-check's regex support). */
function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const arbitraries: fc.Arbitrary<string>[] = [];
  switch (schema.format ?? '') {
    case 'uuid':
      arbitraries.push(fc.uuid());
      break;
    case 'email':
      arbitraries.push(fc.emailAddress());
      break;
    case 'date-time':
      arbitraries.push(validDate.map((date) => date.toISOString()));
      break;
    case 'date':
      arbitraries.push(validDate.map((date) => date.toISOString().slice(0, 10)));
      break;
    case 'uri':
      arbitraries.push(fc.webUrl({ withQueryParameters: true, withFragments: true }));
      break;
    default:
      if (schema.pattern) arbitraries.push(fc.stringMatching(new RegExp(schema.pattern)));
      else {
        const maxLength = Math.min(schema.maxLength ?? 60, 60);
        arbitraries.push(
          fc.string({ minLength: Math.min(schema.minLength ?? 0, maxLength), maxLength }),
          fc.string({ unit: 'grapheme', minLength: Math.min(schema.minLength ?? 0, maxLength), maxLength }),
        );
      }
  }
  // The longest value the schema allows, in characters that take several bytes.
  if (schema.maxLength !== undefined && !schema.format && !schema.pattern) {
    arbitraries.push(fc.constantFrom('é', '😀', 'a').map((unit) => unit.repeat(schema.maxLength ?? 1)));
  }
  return fc
    .oneof(...arbitraries)
    .map((text) => clip(schema, text))
    .filter((text) => withinLength(schema, text));
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  return [];
}

/**
 * Values shaped by the schema. With `fuzz`, every child may be replaced by a wrong value, objects may lose
 * required keys and gain unknown ones; without, the value is one the schema accepts (as far as fast-check's
 * regex support and the known values allow).
 */
export function valueOf(
  schema: JsonSchema | undefined,
  known: KnownValues,
  fuzz: boolean,
  name?: string,
  depth = 0,
): fc.Arbitrary<unknown> {
  const shaped = shapedValue(schema, known, fuzz, name, depth);
  return fuzz ? fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: wrongValue }) : shaped;
}

function shapedValue(
  schema: JsonSchema | undefined,
  known: KnownValues,
  fuzz: boolean,
  name: string | undefined,
  depth: number,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  const knownValues = name !== undefined && Object.hasOwn(known, name) ? known[name] : undefined;
  const own = ownValue(schema, known, fuzz, depth);
  return knownValues?.length
    ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...knownValues) }, { weight: 1, arbitrary: own })
    : own;
}

function ownValue(schema: JsonSchema, known: KnownValues, fuzz: boolean, depth: number): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length)
    return fc.oneof(...alternatives.map((item) => valueOf(item, known, fuzz, undefined, depth)));
  const types = typesOf(schema);
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'boolean':
          return fc.boolean();
        case 'integer':
          return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
        case 'number':
          return fc.double({ noNaN: true, min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9 });
        case 'string':
          return stringOf(schema);
        case 'array':
          return fc.array(valueOf(schema.items, known, fuzz, undefined, depth + 1), {
            maxLength: Math.min(schema.maxItems ?? 5, 5),
          });
        case 'object':
          return objectOf(schema, known, fuzz, depth);
        default:
          return fc.jsonValue({ maxDepth: 2 });
      }
    }),
  );
}

function objectOf(schema: JsonSchema, known: KnownValues, fuzz: boolean, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  const record = fc.record(
    Object.fromEntries(names.map((name) => [name, valueOf(properties[name], known, fuzz, name, depth + 1)] as const)),
    { requiredKeys: fuzz ? [] : (schema.required ?? []).filter((name) => names.includes(name)) },
  );
  if (!fuzz) {
    // An object with no properties is never sent empty when the schema asks for at least one.
    return (schema.minProperties ?? 0) > 0 ? record.filter((value) => Object.keys(value).length > 0) : record;
  }
  // Sometimes unknown keys (own properties, even __proto__), with wrong values.
  const extras = fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as [string, unknown][]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(oddKey, wrongValue), { minLength: 1, maxLength: 2 }) },
  );
  return fc.tuple(record, extras).map(([value, extra]) => withKeys(value, extra));
}

/** A copy of `object` with these keys set as own properties (so that `__proto__` is a key, not a prototype). */
function withKeys(object: object, entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  for (const [key, value] of entries) {
    Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return copy;
}

type Mutation =
  | { kind: 'set'; key: string; value: unknown }
  | { kind: 'delete'; key: string }
  | { kind: 'add'; key: string; value: unknown };

/**
 * A valid value with exactly one thing wrong: a field of the wrong kind (or a text the schema's type allows but
 * a database might not), a required field missing, or an unknown field. One broken rule at a time reaches
 * further into the code than many at once.
 */
export function mutatedOnce(schema: JsonSchema | undefined, known: KnownValues): fc.Arbitrary<unknown> {
  const valid = valueOf(schema, known, false);
  const names = Object.keys(schema?.properties ?? {});
  if (!schema || names.length === 0) return fc.oneof(valid, wrongValue);
  const key = fc.constantFrom(...names);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: wrongValue }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: anyText }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), key: oddKey, value: wrongValue }) },
  );
  return fc.tuple(valid, mutation).map(([value, change]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    if (change.kind === 'delete') {
      const copy: Record<string, unknown> = { ...value };
      delete copy[change.key];
      return copy;
    }
    return withKeys(value, [[change.key, change.value]]);
  });
}

/** A generated value as it would be written in a URL. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

// --- requests ---------------------------------------------------------------------------------------------------

const ENCODED_TRICKS = [
  '%',
  '%zz',
  '%00',
  '%2F',
  'a%2Fb',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '..',
  '.',
  '%C0%AF',
  '%E2%82',
  '%FF',
  ';',
  '%u0041',
  '%25',
  '%0d%0a',
  '%20',
  '+',
];

/** Path parameter values: the schema's own kind, known ones, and anything else (long, encoded slashes, NUL...). */
function pathParameter(schema: JsonSchema | undefined, known: KnownValues, name: string): fc.Arbitrary<string> {
  const sensible = schema ? shapedValue(schema, known, false, name, 0).map(asText) : fc.string({ maxLength: 20 });
  const hostile = fc.oneof(
    anyText,
    numberLikeText,
    fc.integer({ min: 90, max: 3000 }).map((length) => 'a'.repeat(length)),
    fc.uuid().map((id) => id.toUpperCase()),
    fc.uuid().map((id) => `${id}x`),
    fc.array(fc.string({ maxLength: 6 }), { minLength: 2, maxLength: 4 }).map((parts) => parts.join('/')),
  );
  const encoded = fc
    .oneof({ weight: 3, arbitrary: sensible }, { weight: 4, arbitrary: hostile })
    .map((value) => encodeURIComponent(value.toWellFormed()));
  // Wildcards (static files) get raw sub-paths too.
  const raw =
    name === '*'
      ? fc.array(fc.oneof(fc.constantFrom(...ENCODED_TRICKS), fc.stringMatching(/^[a-z.]{1,8}$/)), { maxLength: 4 })
      : fc.constantFrom(...ENCODED_TRICKS).map((trick) => [trick]);
  return fc.oneof({ weight: 6, arbitrary: encoded }, { weight: 1, arbitrary: raw.map((parts) => parts.join('/')) });
}

function pathOf(route: FuzzRoute, known: KnownValues): fc.Arbitrary<string> {
  const names = route.pathParams.map((parameter) => parameter.name);
  if (names.length === 0) return fc.constant(route.path);
  return fc
    .tuple(...route.pathParams.map((parameter) => pathParameter(parameter.schema, known, parameter.name)))
    .map((values) => {
      let path = route.path;
      names.forEach((name, index) => {
        const value = () => values[index] ?? '';
        path = name === '*' ? path.replace(/\*$/, value) : path.replace(`:${name}`, value);
      });
      return path;
    });
}

const encode = fc.constantFrom('component', 'component', 'component', 'raw-ish');

function queryOf(route: FuzzRoute, known: KnownValues): fc.Arbitrary<string> {
  const names = Object.keys(route.query);
  const key = names.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: oddKey })
    : oddKey;
  const pair = fc.tuple(key, encode).chain(([name, encoding]) =>
    fc
      .oneof(
        {
          weight: 3,
          arbitrary: shapedValue(
            Object.hasOwn(route.query, name) ? route.query[name] : undefined,
            known,
            false,
            name,
            0,
          ).map(asText),
        },
        { weight: 2, arbitrary: fc.oneof(anyText, numberLikeText) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
      .map((value) => {
        const enc = (text: string) =>
          encoding === 'component' ? encodeURIComponent(text.toWellFormed()) : encodeURI(text.toWellFormed());
        return value === undefined ? enc(name) : `${enc(name)}=${enc(value)}`;
      }),
  );
  const suffix = fc.constantFrom('', '', '', '[]', '[0]', '[a]');
  const pairs = fc
    .array(fc.tuple(pair, suffix), { maxLength: 5 })
    .map((list) =>
      list.map(([text, extra]) => (extra ? text.replace(/^([^=]*)/, `$1${encodeURIComponent(extra)}`) : text)),
    );
  // Sometimes a repeated key (an array where a scalar is expected), sometimes raw garbage.
  return fc.oneof(
    { weight: 6, arbitrary: pairs.map((list) => list.join('&')) },
    { weight: 1, arbitrary: pairs.map((list) => [...list, ...list].join('&')) },
    { weight: 1, arbitrary: fc.constantFrom(...ENCODED_TRICKS, '&&&', '=', '==', 'a=%', 'limit=1&limit=2', ';;') },
  );
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json;;',
  'application/jsonp',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/merge-patch+json',
  '*/*',
  'application/json, text/plain',
  '',
  'application/octet-stream',
];

const contentType = fc.oneof(
  { weight: 20, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

const malformedJson = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.json({ maxDepth: 3 }).map((text) => text.slice(0, Math.max(0, text.length - 1))),
  fc.json({ maxDepth: 3 }).map((text) => `${text}}`),
  fc.constantFrom(
    '',
    ' ',
    '{',
    '{"a":}',
    "{'a': 1}",
    '{"a":1,}',
    '[1,2',
    'nul',
    'NaN',
    '{"a":1}{"b":2}',
    '\ufeff{}',
    '{"__proto__":{"role":"admin"}}',
    '{"constructor":{"prototype":{"role":"admin"}}}',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '{"a":1e999999}',
    '{"a":-}',
    '1'.repeat(5000),
  ),
);

function bodyOf(route: FuzzRoute, known: KnownValues): fc.Arbitrary<BodySpec> {
  const body = route.body;
  const value = fc.oneof(
    { weight: 5, arbitrary: valueOf(body, known, false) },
    { weight: 6, arbitrary: mutatedOnce(body, known) },
    { weight: 2, arbitrary: valueOf(body, known, true) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: wrongValue },
    { weight: 1, arbitrary: fc.array(valueOf(body, known, false), { minLength: 1, maxLength: 2 }) },
  );
  const fields = Object.keys(body?.properties ?? {});
  const nested = fc.record({
    kind: fc.constant('nested' as const),
    field: fields.length ? fc.option(fc.constantFrom(...fields), { nil: undefined }) : fc.constant(undefined),
    depth: fc.oneof(fc.integer({ min: 2, max: 100 }), fc.integer({ min: 1000, max: 100_000 })),
    open: fc.constantFrom('[' as const, '{"a":' as const),
    contentType,
  });
  const specs: fc.Arbitrary<BodySpec>[] = [
    fc.constant({ kind: 'none' as const }),
    fc.record({ kind: fc.constant('json' as const), value, contentType }),
    fc.record({ kind: fc.constant('text' as const), text: malformedJson, contentType }),
    nested,
  ];
  const weights = route.method === 'GET' || route.method === 'HEAD' ? [8, 1, 1, 0] : [1, 16, 2, 1];
  return fc.oneof(...specs.map((arbitrary, index) => ({ arbitrary, weight: weights[index] ?? 1 })));
}

/** The request body as sent, and its content type (none when absent). */
export function payloadOf(body: BodySpec, schemaFields: readonly string[]): { payload?: string; contentType?: string } {
  switch (body.kind) {
    case 'none':
      return {};
    case 'json':
      return {
        payload: JSON.stringify(body.value) ?? '',
        ...(body.contentType ? { contentType: body.contentType } : {}),
      };
    case 'text':
      return { payload: body.text, ...(body.contentType ? { contentType: body.contentType } : {}) };
    case 'nested': {
      const close = body.open === '[' ? ']' : '}';
      const deep = `${body.open.repeat(body.depth)}1${close.repeat(body.depth)}`;
      const field = body.field ?? schemaFields[0];
      const payload = body.field && field ? `{${JSON.stringify(field)}:${deep}}` : deep;
      return { payload, ...(body.contentType ? { contentType: body.contentType } : {}) };
    }
  }
}

const headerText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((length) => 'u'.repeat(length)) },
  { weight: 1, arbitrary: fc.constantFrom('a\nb', 'a\r\nx-injected: 1', '\u0000', ' ', '\t', 'é', '😀') },
);

const headers = fc.record(
  {
    'x-request-id': fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._-]{8,64}$/),
      fc.constantFrom('abc\ndef-0123', 'line\r\nx-evil: 1', 'x'.repeat(65), '', 'short'),
      headerText,
    ),
    'user-agent': headerText,
    cookie: fc.oneof(
      headerText,
      fc.string({ maxLength: 80 }).map((value) => `__Host-veza_oidc_state=${value}`),
      fc.base64String({ maxLength: 200 }).map((value) => `__Host-veza_oidc_state=${value}; other=1`),
    ),
    accept: fc.oneof(fc.constantFrom('*/*', 'text/html', 'application/xml', 'application/json;q=0'), headerText),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', 'garbage'),
    'x-forwarded-for': fc.oneof(fc.ipV4(), headerText),
    'content-encoding': fc.constantFrom('gzip', 'deflate', 'garbage'),
    origin: headerText,
  },
  { requiredKeys: [] },
);

const authorizationGarbage = fc.oneof(
  headerText,
  fc.constantFrom('Bearer', 'Bearer ', 'bearer x', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c', 'Bearer ...', 'Token x'),
  fc.base64String({ minLength: 4, maxLength: 400 }).map((value) => `Bearer ${value}`),
  fc
    .array(fc.base64String({ minLength: 4, maxLength: 120 }), { minLength: 3, maxLength: 3 })
    .map((parts) => `Bearer ${parts.map((part) => part.replaceAll('=', '')).join('.')}`),
  fc.integer({ min: 1000, max: 20_000 }).map((length) => `Bearer ${'a'.repeat(length)}`),
);

const role = fc.constantFrom(...ROLES);

export const callerSpec: fc.Arbitrary<CallerSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'anonymous' as const }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('user' as const),
      role,
      session: fc.boolean(),
      identity: fc.boolean(),
      passwordless: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), authorization: authorizationGarbage }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('token' as const),
      variant: fc.constantFrom(
        'expired' as const,
        'wrong-secret' as const,
        'alg-none' as const,
        'unknown-user' as const,
        'stale-version' as const,
        'banned' as const,
        'deleted' as const,
      ),
      role,
    }),
  },
);

const remoteAddress = fc.oneof(
  { weight: 2, arbitrary: fc.constant('127.0.0.1') },
  { weight: 2, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.ipV6() },
);

/** Every part of a request to `route`, each bent or kept sensible independently. */
export function requestOf(route: FuzzRoute, known: KnownValues): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    caller: callerSpec,
    path: pathOf(route, known),
    query: queryOf(route, known),
    body: bodyOf(route, known),
    headers,
    remoteAddress,
  });
}

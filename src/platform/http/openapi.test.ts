// The reference readers get: every response named, every problem documented as application/problem+json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { useTestApp } from '../../../test/helpers/app.ts';

const testApp = useTestApp();

interface Operation {
  responses: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

test('every documented response has a name, and every 4xx is problem details', async () => {
  const doc = (await testApp.current.app.inject({ url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, Operation>>;
  }>();
  const unnamed: string[] = [];
  const notProblems: string[] = [];
  let problems = 0;
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        if (!response.description || response.description === 'Default Response') unnamed.push(where);
        if (status.startsWith('4')) {
          problems += 1;
          if (Object.keys(response.content ?? {}).join() !== 'application/problem+json') notProblems.push(where);
        }
      }
    }
  }
  assert.ok(problems > 50, `only ${problems} problem responses documented`);
  assert.deepEqual(unnamed, []);
  assert.deepEqual(notProblems, []);
});

test('the reference page is titled for Veza', async () => {
  const page = await testApp.current.app.inject({ url: '/docs/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<title>Veza Core API reference<\/title>/);
});

test('examples are realistic and valid: each one passes its own schema, and the problem example has the real shape', async () => {
  const doc = (await testApp.current.app.inject({ url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, { examples?: unknown[] }> };
  }>();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: its function is the default export's `default` under Node's ESM interop.
  (formats as unknown as { default: (ajv: Ajv2020) => void }).default(ajv);
  for (const [id, schema] of Object.entries(doc.components.schemas))
    ajv.addSchema(schema, `#/components/schemas/${id}`);
  const invalid: string[] = [];
  let examples = 0;
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${where}/${i}`));
    if (!node || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    if (Array.isArray(schema.examples) && !('$ref' in schema)) {
      const { examples: list, ...rest } = schema;
      for (const example of list as unknown[]) {
        examples += 1;
        if (!ajv.validate(rest, example)) invalid.push(`${where}: ${JSON.stringify(example)} ${ajv.errorsText()}`);
      }
    }
    for (const [key, child] of Object.entries(schema)) visit(child, `${where}/${key}`);
  };
  visit(doc.paths, '#/paths');
  visit(doc.components, '#/components');
  assert.deepEqual(invalid, []);
  assert.ok(examples > 100, `only ${examples} examples`);

  const login = doc.paths['/v1/auth/login'] as {
    post: {
      requestBody: {
        content: { 'application/json': { schema: { properties: Record<string, { examples?: unknown[] }> } } };
      };
    };
  };
  const body = login.post.requestBody.content['application/json'].schema.properties;
  assert.deepEqual(body.identifier?.examples, ['alice@example.org']);
  assert.deepEqual(body.password?.examples, ['correct horse battery staple']);

  const [problemExample] = Object.values(doc.components.schemas).find((schema) => schema.examples)?.examples as [
    Record<string, unknown>,
  ];
  const real = await testApp.current.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email: 'not an address', username: 'alice_m', password: 'correct horse battery staple' },
  });
  assert.equal(real.statusCode, 400);
  const problem = real.json<Record<string, unknown>>();
  assert.deepEqual(Object.keys(problemExample).sort(), Object.keys({ ...problem, instance: '' }).sort());
  assert.equal(problemExample.title, problem.title);
  assert.equal(problemExample.type, problem.type);
});

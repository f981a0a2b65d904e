import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { useTestApp } from '../../test/helpers/app.ts';

const testApp = useTestApp();

describe('the HTTP application', () => {
  test('/openapi.json is a valid OpenAPI 3.1 document listing the routes', async () => {
    const response = await testApp.current.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = JSON.parse(response.body) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(document.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(document) as never);
    for (const path of ['/healthz', '/readyz', '/v1/']) assert.ok(path in document.paths, `${path} is documented`);
  });

  test('/docs serves the API reference page', async () => {
    const response = await testApp.current.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] ?? '', /text\/html/);
  });

  test('/v1 answers with the API version', async () => {
    const response = await testApp.current.app.inject({ method: 'GET', url: '/v1/' });
    assert.deepEqual(JSON.parse(response.body), { version: '1' });
  });
});

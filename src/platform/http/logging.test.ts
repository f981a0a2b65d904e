import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createHttpLogger, OneLinePerRequest } from './logging.ts';

function appLoggingTo(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const httpLogger = createHttpLogger(level, sink);
  const loggerInstance: FastifyBaseLogger = httpLogger.logger;
  const app = Fastify({
    loggerInstance,
    logController: new OneLinePerRequest(httpLogger),
  });
  app.get('/things/:id', () => ({ ok: true }));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  return { app, lines };
}

describe('request logging', () => {
  test('one line per completed request at info: path without the query, route, status, no credentials', async () => {
    const { app, lines } = appLoggingTo('info');
    const response = await app.inject({
      method: 'GET',
      url: '/things/42?code=one-time-secret&state=abc',
      headers: { authorization: 'Bearer secret-token', cookie: 'session=secret' },
    });
    assert.equal(response.statusCode, 200);
    await app.close();
    assert.equal(lines.length, 1, JSON.stringify(lines));
    const [line] = lines;
    assert.equal(line?.msg, 'request completed');
    assert.equal(line?.method, 'GET');
    assert.equal(line?.path, '/things/42');
    assert.equal(line?.route, '/things/:id');
    assert.equal(line?.status, 200);
    assert.equal(typeof line?.ms, 'number');
    assert.equal(typeof line?.reqId, 'string');
    assert.doesNotMatch(JSON.stringify(lines), /secret/);
  });

  test('errors are still logged, with their status, when info is off', async () => {
    const { app, lines } = appLoggingTo('warn');
    assert.equal((await app.inject({ method: 'GET', url: '/things/1' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/boom' })).statusCode, 500);
    await app.close();
    assert.ok(lines.length >= 1, 'the failure is logged');
    assert.ok(
      lines.every((line) => (line.level as number) >= 40),
      JSON.stringify(lines),
    );
    assert.ok(!lines.some((line) => line.path === '/things/1'), 'no line for a successful request at warn');
  });

  test('buffered stdout lines are all written when the app closes, before the process exits', () => {
    // A child process, so that stdout is a pipe this test reads: the lines sit in the buffer until flushed.
    const script = `
      import Fastify from 'fastify';
      import { createHttpLogger, flushLogsOnClose, OneLinePerRequest } from ${JSON.stringify(new URL('./logging.ts', import.meta.url).href)};
      const httpLogger = createHttpLogger('info');
      const app = Fastify({ loggerInstance: httpLogger.logger, logController: new OneLinePerRequest(httpLogger) });
      flushLogsOnClose(app, httpLogger);
      app.get('/', () => 'ok');
      for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/?n=' + i });
      await app.close();
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const completed = child.stdout.split('\n').filter((line) => line.includes('"request completed"'));
    assert.equal(completed.length, 3, child.stdout);
  });
});

// Request URLs reach the logs without the secrets their query strings may carry (outside probe, issue 10 §2).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createHttpLogger, OneLinePerRequest, redactedQuery } from './logging.ts';

test('secret parameters are redacted whatever their case; the others are kept', () => {
  assert.equal(
    redactedQuery('/v1/auth/oidc/acme/callback?code=abc123&state=s3cr3t'),
    'code=[redacted]&state=[redacted]',
  );
  assert.equal(redactedQuery('/x?Token=t&limit=20&cursor=b64%2Fv'), 'Token=[redacted]&limit=20&cursor=b64%2Fv');
  assert.equal(
    redactedQuery('/x?access_token=a&refresh_token=r&id_token=i&mfa_token=m&signature=z'),
    'access_token=[redacted]&refresh_token=[redacted]&id_token=[redacted]&mfa_token=[redacted]&signature=[redacted]',
  );
  assert.equal(redactedQuery('/x?code=a&code=b'), 'code=[redacted]&code=[redacted]', 'every repetition');
  assert.equal(redactedQuery('/x'), '');
  assert.equal(redactedQuery('/x?'), '');
  assert.match(redactedQuery('/x?%zz=%E0%A4%A&token=%'), /^%25zz=[^&]+&token=\[redacted\]$/, 'malformed, no throw');
});

test('the request line of the log shows the path and the redacted query, never the secret', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const httpLogger = createHttpLogger('info', sink);
  const app = Fastify({ loggerInstance: httpLogger.logger, logController: new OneLinePerRequest(httpLogger) });
  app.get('/callback', () => ({ ok: true }));
  await app.ready();
  try {
    const answer = await app.inject({ method: 'GET', url: '/callback?code=the-one-time-code&state=xyz&page=2' });
    assert.equal(answer.statusCode, 200);
  } finally {
    await app.close();
  }
  const line = lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.path);
  assert.ok(line, lines.join(''));
  assert.equal(line.path, '/callback');
  assert.equal(line.query, 'code=[redacted]&state=[redacted]&page=2');
  assert.ok(!lines.join('').includes('the-one-time-code'));
  assert.ok(!lines.join('').includes('xyz'));
});

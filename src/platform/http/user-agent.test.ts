import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { USER_AGENT_MAX, userAgentOf } from './user-agent.ts';

const requestWith = (userAgent: string | undefined) =>
  ({ headers: userAgent === undefined ? {} : { 'user-agent': userAgent } }) as unknown as FastifyRequest;

// Found by the API fuzz test (test/api/fuzz.test.ts): a NUL in User-Agent made POST /v1/auth/login a 500, since
// PostgreSQL text refuses NUL (login_attempts.user_agent, refresh_tokens.user_agent).
test('a User-Agent loses its control characters (NUL first) before it is stored', () => {
  assert.equal(userAgentOf(requestWith('Mozilla/5.0\u0000 (X11)\r\n\t\u007f')), 'Mozilla/5.0 (X11)');
  assert.equal(userAgentOf(requestWith('curl/8.5 é 😀')), 'curl/8.5 é 😀');
});

test('a User-Agent is cut to USER_AGENT_MAX characters; an absent or empty one is null', () => {
  assert.equal(userAgentOf(requestWith('a'.repeat(USER_AGENT_MAX + 100)))?.length, USER_AGENT_MAX);
  assert.equal(userAgentOf(requestWith(undefined)), null);
  assert.equal(userAgentOf(requestWith('')), null);
  assert.equal(userAgentOf(requestWith('\u0000\u0001')), null);
});

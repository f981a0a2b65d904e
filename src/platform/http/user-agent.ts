import type { FastifyRequest } from 'fastify';

/** Longest User-Agent kept: the rest of a longer one says nothing useful about a device. */
export const USER_AGENT_MAX = 512;

// C0 control characters and DEL: NUL is refused by PostgreSQL text columns (a 500 when stored), the others are
// junk in a device list and in logs.
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * The request's User-Agent as text fit to store with a session or a login attempt: control characters removed,
 * at most USER_AGENT_MAX characters; null when absent or empty. Node's HTTP parser already refuses most control
 * characters, but a header may also come through a lenient proxy or `inject`: it is never trusted as is.
 */
export function userAgentOf(request: FastifyRequest): string | null {
  const header = request.headers['user-agent'];
  if (typeof header !== 'string') return null;
  const cleaned = header.replace(CONTROL, '').slice(0, USER_AGENT_MAX);
  return cleaned === '' ? null : cleaned;
}

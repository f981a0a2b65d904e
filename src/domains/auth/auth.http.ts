// What the auth domain's route files share: who is calling, and the Retry-After of a lockout.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { userAgentOf } from '../../platform/http/user-agent.ts';
import { LoginLockedError, type ClientContext } from './login-throttle.ts';

export function clientOf(request: FastifyRequest): ClientContext {
  return { ip: request.ip || '0.0.0.0', userAgent: userAgentOf(request) };
}

/** Adds Retry-After to a lockout's 429 (RFC 9110 §10.2.3). */
export async function withRetryAfter<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LoginLockedError) void reply.header('retry-after', String(error.retryAfterSeconds));
    throw error;
  }
}

/** The lockout, as route descriptions state it (ADR 0022). */
export const LOCKOUT =
  'After repeated failures an account (whichever of its identifiers is typed), an identifier naming none, or an ' +
  'address, is locked for a while (429 LOGIN_LOCKED with Retry-After), whether the account exists or not.';

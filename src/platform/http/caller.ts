import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, CommonProblems } from './problem.ts';

export type Role = 'user' | 'creator' | 'premium' | 'moderator' | 'admin';

/** Who is making the request, as established from a valid access token and the account's current state. */
export interface Caller {
  userId: string;
  role: Role;
}

/** Turns a bearer token into a caller, or null when the token is invalid, expired or revoked. */
export type Authenticator = (bearerToken: string) => Promise<Caller | null>;

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/**
 * Establishes `request.caller` from the Authorization header on every request. No header: an anonymous
 * request (routes decide with requireCaller). A header that does not authenticate: 401, even on public
 * routes, so that a client with a dead session learns it at once.
 */
export function installAuthentication(app: FastifyInstance, authenticate: Authenticator): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const token = BEARER.exec(header)?.[1];
    if (!token)
      throw new ApiError(CommonProblems.unauthenticated, 'The Authorization header must be "Bearer <access token>"');
    const caller = await authenticate(token);
    if (!caller) throw new ApiError(CommonProblems.unauthenticated, 'The access token is invalid, expired or revoked');
    request.caller = caller;
  });
}

export function requireCaller(request: FastifyRequest): Caller {
  if (!request.caller) throw new ApiError(CommonProblems.unauthenticated);
  return request.caller;
}

export function requireRole(request: FastifyRequest, ...roles: Role[]): Caller {
  const caller = requireCaller(request);
  if (!roles.includes(caller.role))
    throw new ApiError(CommonProblems.forbidden, `This needs the role ${roles.join(' or ')}`);
  return caller;
}

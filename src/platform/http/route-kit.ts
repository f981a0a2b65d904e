// The pieces every domain's routes are declared with, so that two hundred routes say "who may call" and
// "what can go wrong" the same way, and the OpenAPI document, the access tests and the fuzzer can read it.
// docs/api.md, "Route toolkit", shows them in use.
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { Decision } from '../policy/policy.ts';
import { requireCaller, requireRole, type Caller, type Role } from './caller.ts';
import { ApiError, CommonProblems, PROBLEM_CONTENT_TYPE, type ProblemType } from './problem.ts';

/**
 * The OpenAPI security requirement of a route that needs a bearer token. The access tests read it from
 * /openapi.json to find the routes an anonymous caller must be refused, so it goes with a gate below.
 */
export const AUTHENTICATED = [{ bearerAuth: [] as string[] }];

const ProblemResponse = {
  description: 'RFC 9457 problem details',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } },
};

/** The problem responses a route documents, by status, under the media type they are sent as. */
export function problems(...statuses: number[]): Record<number, typeof ProblemResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemResponse]));
}

/** The body of a 204 (or of a redirect): nothing. */
export const NoContent = Type.Null({ description: 'No content' });

/**
 * Who may call, checked on request, before the body is read or validated: a caller who may not use a route
 * learns nothing of its contract (401 or 403, never a 400 about a body they could not send anyway).
 */
export function gate(check: (request: FastifyRequest) => unknown): onRequestHookHandler {
  return (request, _reply, done) => {
    try {
      check(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  };
}

/** Any signed-in caller. */
export const signedIn = gate((request) => requireCaller(request));

/** A signed-in caller with one of these platform roles (403 for the others). */
export function withRole(...roles: Role[]): onRequestHookHandler {
  return gate((request) => requireRole(request, ...roles));
}

/**
 * Acts on a policy's decision: nothing when allowed, else the problem it stands for. A `hidden` denial is the
 * domain's own "not found" when it has one (USER_NOT_FOUND…), so that it reads exactly like a missing object.
 */
export function authorize(decision: Decision, hiddenAs: ProblemType = CommonProblems.notFound): void {
  if (decision.allowed) return;
  switch (decision.denial) {
    case 'unauthenticated':
      throw new ApiError(CommonProblems.unauthenticated, decision.reason);
    case 'forbidden':
      throw new ApiError(CommonProblems.forbidden, decision.reason);
    case 'hidden':
      throw new ApiError(hiddenAs, decision.reason);
  }
}

/** A gate asking a policy that needs only the caller (e.g. "may manage the badge catalogue"). */
export function allowedBy(rule: (caller: Caller | null) => Decision): onRequestHookHandler {
  return gate((request) => authorize(rule(request.caller)));
}

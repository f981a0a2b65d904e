// The shape of every authorization answer in Veza: what each domain's `<domain>.policy.ts` returns, and what
// HTTP routes, the WebSocket gateway and file delivery act on. No transport here: a route turns a denial into a
// problem (src/platform/http/route-kit.ts, `authorize`), the gateway into a refused subscription.
import type { Caller } from '../http/caller.ts';

export type { Caller };

/**
 * Why a caller may not: `unauthenticated` (nobody is signed in), `forbidden` (signed in, but not allowed, and the
 * object's existence is no secret, e.g. an admin route) or `hidden` (answered as if the object did not exist, so
 * that nobody learns what others own: broken object level authorization stays invisible).
 */
export type Denial = 'unauthenticated' | 'forbidden' | 'hidden';

export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly denial: Denial; readonly reason: string };

export const ALLOW: Decision = Object.freeze({ allowed: true });

export function deny(denial: Denial, reason: string): Decision {
  return { allowed: false, denial, reason };
}

/** Anything that belongs to one account. */
export interface Owned {
  readonly user_id: string;
}

/** The most common rule: only the owner, and to anyone else the object does not exist. */
export function ownerOnly(
  caller: Pick<Caller, 'userId'> | null,
  object: Owned | null | undefined,
  what: string,
): Decision {
  if (!caller) return deny('unauthenticated', `Sign in to reach your ${what}`);
  if (!object || object.user_id !== caller.userId) return deny('hidden', `No such ${what}`);
  return ALLOW;
}

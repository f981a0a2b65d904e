// Optimistic concurrency (RFC 9110 §8.8.3, §13.1.1): a GET answers an ETag; an update sent with If-Match is
// refused with 412 when the resource changed since, so that two devices editing one profile do not silently
// overwrite each other. If-Match is optional (no 428): clients that do not send it keep last-write-wins.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError, problemType } from './problem.ts';

export const PreconditionProblems = {
  failed: problemType('PRECONDITION_FAILED', 412, 'The resource changed since you read it'),
} as const;

/** The request headers of an update that can be conditional; spread into the route's `schema.headers`. */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 1000,
      description:
        'The ETag of the GET you based the change on: if the resource changed since, nothing is changed and ' +
        'the answer is 412 PRECONDITION_FAILED (read it again, then retry). Without it the change always applies.',
      examples: ['"3q2-7w"'],
    }),
  ),
});

/** A strong entity tag of a representation: equal JSON, equal tag. */
export function entityTag(representation: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 27)}"`;
}

/** Sets the ETag of what the route answers, and answers it. */
export function withEntityTag<T>(reply: FastifyReply, representation: T): T {
  void reply.header('etag', entityTag(representation));
  return representation;
}

/**
 * The If-Match precondition of an update, or undefined when the request has none. The repository calls it with the
 * resource as it is inside the update's transaction, row locked, so that no other change can slip between the check
 * and the write (two updates based on one ETag: one applies, the other is a 412). Strong comparison: a weak tag
 * (W/"…") never matches; `*` matches any current representation.
 */
export function ifMatchPrecondition(request: FastifyRequest): ((current: unknown) => void) | undefined {
  const header = request.headers['if-match'];
  if (typeof header !== 'string') return undefined;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return undefined;
  return (current) => {
    if (tags.includes(entityTag(current))) return;
    throw new ApiError(PreconditionProblems.failed, 'Read the resource again and apply your change to it', [
      { field: 'headers.if-match', rule: 'precondition', message: 'is not the current ETag' },
    ]);
  };
}
